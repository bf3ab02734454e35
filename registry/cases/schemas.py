"""Shapes of cases, parties and transitions as the API takes them."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from registry.cases.vocabulary import CaseKind, CaseState, Channel, PartyRole
from registry.positions import PositionIn
from registry.schemas import Day, ReceivedDay, Strict


class PartyIn(Strict):
    role: PartyRole
    name: str = Field(min_length=1, max_length=300)
    id_number: str | None = Field(None, max_length=20, pattern=r"^[0-9A-Za-z]{6,20}$")
    address: str | None = Field(None, max_length=500)
    phone: str | None = Field(None, max_length=40, pattern=r"^[0-9 +().-]{6,40}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")


class LinkIn(Strict):
    entity: Literal["site", "station", "press_outlet", "organisation"]
    code: Annotated[
        str, Field(min_length=1, max_length=60, description="Mã vị trí, số hiệu trạm, mã cơ quan báo chí, mã tổ chức")
    ]


class _CaseFields(Strict):
    subject: str | None = Field(None, min_length=1, max_length=500)
    content: str | None = Field(None, max_length=20_000)
    position: PositionIn | None = None
    complex: bool | None = None
    especially_complex: bool | None = None
    remote: bool | None = None
    handler: str | None = Field(None, max_length=64, description="Tên đăng nhập người được giao xử lý")
    unit: str | None = Field(None, max_length=200)
    outcome: str | None = Field(None, max_length=4000)


class CaseCreate(_CaseFields):
    kind: CaseKind
    received_on: ReceivedDay
    channel: Channel
    subject: str = Field(min_length=1, max_length=500)  # type: ignore[assignment]
    parties: list[PartyIn] = Field(default_factory=list, max_length=50)
    links: list[LinkIn] = Field(default_factory=list, max_length=50)
    reception_session_id: int | None = Field(
        None, ge=1, le=2**31 - 1, description="Buổi tiếp công dân tiếp nhận vụ việc (kênh reception_session)"
    )


class CasePatch(_CaseFields):
    pass


class TransitionIn(Strict):
    to: CaseState
    reason: str = Field(min_length=1, max_length=2000)
    on: Day | None = Field(None, description="Ngày của bước (mặc định hôm nay)")


class ReceptionSessionCreate(Strict):
    held_on: Day
    host: str = Field(min_length=1, max_length=300, description="Người chủ trì (Giám đốc Sở …)")
    place: str | None = Field(None, max_length=300)
    notes: str | None = Field(None, max_length=4000)
    cases: list[CaseCreate] = Field(default_factory=list, max_length=100, description="Vụ việc tiếp nhận tại buổi tiếp")


class FindingIn(Strict):
    finding: str = Field(min_length=1, max_length=4000)
    recommendation: str | None = Field(None, max_length=4000)
    deadline: Day | None = None
    done_on: Day | None = None


class InspectionCreate(Strict):
    case_code: Annotated[str, Field(max_length=40)] | None = Field(
        None, description="Hồ sơ thanh tra (kế hoạch/đột xuất)"
    )
    decision_number: Annotated[str, Field(min_length=1, max_length=60)]
    decision_date: Day
    issuer: str = Field(min_length=1, max_length=300)
    subject: str = Field(min_length=1, max_length=500)
    scope: str | None = Field(None, max_length=4000)
    team: list[Annotated[str, Field(min_length=1, max_length=200)]] = Field(default_factory=list, max_length=30)
    announced_on: Day | None = None
    direct_end_on: Day | None = None
    findings: list[FindingIn] = Field(default_factory=list, max_length=200)


class FindingDone(Strict):
    done_on: Day | None = Field(None, description="Ngày kiến nghị đã thực hiện (null: chưa thực hiện)")


class InspectionConclude(Strict):
    conclusion_number: Annotated[str, Field(min_length=1, max_length=60)]
    concluded_on: Day
    conclusion: str = Field(min_length=1, max_length=50_000)
    published: bool = False
    findings: list[FindingIn] | None = Field(None, max_length=200)


class MeasureIn(Strict):
    measure: str = Field(min_length=1, max_length=2000)
    deadline: Day
    done_on: Day | None = None


class SanctionCreate(Strict):
    number: Annotated[str, Field(min_length=1, max_length=60)]
    decided_on: Day
    issuer: str = Field(min_length=1, max_length=300)
    minutes_number: str | None = Field(None, max_length=60)
    violator_kind: Literal["person", "organisation"]
    violator_name: str = Field(min_length=1, max_length=300)
    tax_code: str | None = Field(None, pattern=r"^[0-9]{10}(-[0-9]{3})?$")
    point: str | None = Field(None, max_length=10, pattern=r"^[a-zđ]{1,2}$")
    clause: str = Field(max_length=10, pattern=r"^[0-9]{1,3}$")
    article: str = Field(max_length=10, pattern=r"^[0-9]{1,4}[a-z]?$")
    decree: str = Field(
        min_length=3, max_length=300, description="Ví dụ: Nghị định 174/2013/NĐ-CP (sửa đổi bởi 14/2022/NĐ-CP)"
    )
    violation: str = Field(min_length=1, max_length=4000)
    bracket_min_vnd: int = Field(ge=0, le=10**12, description="Mức phạt tối thiểu với cá nhân")
    bracket_max_vnd: int = Field(ge=0, le=10**12, description="Mức phạt tối đa với cá nhân (tổ chức gấp đôi)")
    fine_vnd: int = Field(ge=0, le=2 * 10**12)
    additional_penalties: str | None = Field(None, max_length=4000)
    delivered_on: Day | None = None
    inspection_id: int | None = Field(None, ge=1, le=2**31 - 1)
    case_code: str | None = Field(None, max_length=40)
    linked: LinkIn | None = None
    measures: list[MeasureIn] = Field(default_factory=list, max_length=50)


class SanctionPatch(Strict):
    status: Literal["issued", "delivered", "paid", "enforced", "complained", "annulled"] | None = None
    delivered_on: Day | None = None
    paid_on: Day | None = None
    measures: list[MeasureIn] | None = Field(None, max_length=50)
