"""What the routes of api/enforcement.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body
from api.bodies.common import IsoDate


class Finding(Body):
    id: int
    finding: str
    recommendation: str | None
    deadline: IsoDate | None
    done_on: IsoDate | None


class Inspection(Body):
    """Một cuộc thanh tra với các phát hiện (registry.cases.enforcement_service.inspection_dict)."""

    id: int
    decision_number: str
    decision_date: IsoDate
    issuer: str | None
    subject: str | None
    scope: str | None
    team: list[str]
    announced_on: IsoDate | None
    direct_end_on: IsoDate | None
    conclusion_number: str | None
    concluded_on: IsoDate | None
    conclusion_published: bool
    conclusion: str | None
    findings: list[Finding]
    version: int


class Measure(Body):
    """Biện pháp khắc phục hậu quả."""

    measure: str
    deadline: IsoDate | None
    done_on: IsoDate | None


class SanctionLink(Body):
    """Bản ghi của sổ đăng ký mà quyết định xử phạt liên quan."""

    entity: str
    code: str | None


class Sanction(Body):
    """Một quyết định xử phạt (registry.cases.enforcement_service.sanction_dict)."""

    id: int
    number: str
    decided_on: IsoDate
    issuer: str | None
    minutes_number: str | None
    violator_kind: str
    violator_name: str
    tax_code: str | None
    citation: str
    violation: str
    bracket_vnd: list[int]
    fine_vnd: int
    additional_penalties: str | None
    status: str | None
    delivered_on: IsoDate | None
    payment_due: IsoDate | None
    paid_on: IsoDate | None
    late_fee_vnd: int
    inspection_id: int | None
    linked: SanctionLink | None
    measures: list[Measure]
    version: int


class Unpaid(Body):
    on: IsoDate | None
    count: int
    items: list[Sanction]
