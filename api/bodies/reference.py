"""What the routes of api/reference.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body


class Organisation(Body):
    code: str | None
    name: str | None
    short_name: str | None
    is_operator: bool
    aliases: list[str]
