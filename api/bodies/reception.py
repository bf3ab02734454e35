"""What the routes of api/reception.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body


class Schedule(Body):
    year: int
    rule_day_of_month: int
    dates: list[str]


class CreateSession(Body):
    id: int
    held_on: str
    host: str
    place: str | None
    notes: str | None
    cases: list[str]
    version: int
