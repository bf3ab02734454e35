"""What the routes of api/enforcement.py answer (see api.bodies)."""

from __future__ import annotations

from datetime import date
from typing import Any

from api.bodies import Body


class CreateInspection(Body):
    id: int
    decision_number: str
    decision_date: str
    issuer: str | None
    subject: str | None
    scope: str | None
    team: list[str]
    announced_on: str | None
    direct_end_on: str | None
    conclusion_number: str | None
    concluded_on: str | None
    conclusion_published: bool
    conclusion: str | None
    findings: list[Any]
    version: int


class GetInspectionFinding(Body):
    id: int
    finding: str
    recommendation: str | None
    deadline: str | None
    done_on: date | str | None


class GetInspection(Body):
    id: int
    decision_number: str
    decision_date: str
    issuer: str | None
    subject: str | None
    scope: str | None
    team: list[str]
    announced_on: str | None
    direct_end_on: str | None
    conclusion_number: str | None
    concluded_on: str | None
    conclusion_published: bool
    conclusion: str | None
    findings: list[GetInspectionFinding]
    version: int


class UnpaidItemMeasure(Body):
    measure: str
    deadline: str | None
    done_on: date | str | None


class UnpaidItem(Body):
    id: int
    number: str
    decided_on: str
    issuer: str | None
    minutes_number: str | None
    violator_kind: str
    violator_name: str
    tax_code: str | None
    citation: str
    violation: str
    bracket_vnd: list[int]
    fine_vnd: int
    additional_penalties: Any
    status: str | None
    delivered_on: str | None
    payment_due: str | None
    paid_on: str | None
    late_fee_vnd: int
    inspection_id: int | None
    linked: Any
    measures: list[UnpaidItemMeasure]
    version: int


class Unpaid(Body):
    on: str | None
    count: int
    items: list[UnpaidItem]


class CreateSanctionLinked(Body):
    entity: str
    code: str | None


class CreateSanction(Body):
    id: int
    number: str
    decided_on: str
    issuer: str | None
    minutes_number: str | None
    violator_kind: str
    violator_name: str
    tax_code: str | None
    citation: str
    violation: str
    bracket_vnd: list[int]
    fine_vnd: int
    additional_penalties: Any
    status: str | None
    delivered_on: str | None
    payment_due: str | None
    paid_on: str | None
    late_fee_vnd: int
    inspection_id: int | None
    linked: CreateSanctionLinked | None
    measures: list[UnpaidItemMeasure]
    version: int
