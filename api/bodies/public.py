"""What the routes of api/public.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body


class LookupStep(Body):
    step_no: int | None
    name: str | None
    unit: str | None
    of: int


class LookupPaused(Body):
    since: str
    text: str


class LookupHistoryItem(Body):
    status: str | None
    status_name: str
    on: str | None


class LookupStep2(Body):
    kind: str | None
    name: str | None
    status: str | None
    at: str | None
    at_text: str
    step: str | None


class Lookup(Body):
    receipt_code: str
    procedure_code: str
    procedure_name: str
    received_on: str
    due_date: str
    status: str | None
    status_name: str
    step: LookupStep
    result: str | None
    resolved_on: str | None
    outcome: str | None
    outcome_name: str
    paused: LookupPaused | None
    history: list[LookupHistoryItem]
    steps: list[LookupStep2]
