"""What the routes of api/rules.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body


class ListValue(Body):
    id: int
    code: str | None
    kind: str | None
    value: str
    description: str | None
    legal_basis: str | None
    certainty: str | None
    effective_from: str | None
    effective_to: str | None
    version: int
