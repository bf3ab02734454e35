"""What the routes of api/search.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body


class FindResultOutline(Body):
    type: str
    coordinates: list[list[list[float]]]


class FindResult(Body):
    kind: str | None
    label: str
    detail: str
    code: str | None
    position: list[float]
    bbox: list[float] | None
    outline: FindResultOutline | None
    kind_name: str


class Find(Body):
    query: str
    results: list[FindResult]
