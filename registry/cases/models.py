from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import Boolean, CheckConstraint, Date, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.audit.models import Audited
from registry.base import Base, Tracked


class CaseKind(StrEnum):
    complaint = "complaint"
    second_complaint = "second_complaint"
    denunciation = "denunciation"
    petition = "petition"
    planned_inspection = "planned_inspection"
    adhoc_inspection = "adhoc_inspection"


KIND_NAMES = {
    CaseKind.complaint: "Khiếu nại",
    CaseKind.second_complaint: "Khiếu nại lần hai",
    CaseKind.denunciation: "Tố cáo",
    CaseKind.petition: "Kiến nghị, phản ánh",
    CaseKind.planned_inspection: "Thanh tra theo kế hoạch",
    CaseKind.adhoc_inspection: "Thanh tra đột xuất",
}


class Step(StrEnum):
    acceptance = "acceptance"  # decide whether to accept (thụ lý)
    initial_handling = "initial_handling"  # denunciations: classify and handle the information
    transfer = "transfer"  # outside competence: transfer to the competent body
    resolution = "resolution"  # resolve (giải quyết)
    extension = "extension"  # one extension of the resolution


class DeadlineRule(Audited, Tracked, Base):
    """How long a step of a case may take, from which event, for which case, in force when.

    Null flags match any case; a rule with ``complex`` true applies only to complex cases, with
    false only to simple ones. Extensions count from the previous deadline; ``extension_no`` says
    which extension (1, 2) a rule is for.
    """

    __tablename__ = "deadline_rule"
    __audit_entity__ = "deadline_rule"
    __table_args__ = (
        CheckConstraint(f"case_kind IN ({', '.join(repr(k.value) for k in CaseKind)})", name="case_kind"),
        CheckConstraint(f"step IN ({', '.join(repr(s.value) for s in Step)})", name="step"),
        CheckConstraint("unit IN ('working_days', 'calendar_days')", name="unit"),
        CheckConstraint("starts_from IN ('received', 'accepted', 'previous_deadline')", name="starts_from"),
        CheckConstraint("duration > 0", name="duration"),
        CheckConstraint("certainty IN ('firm', 'check')", name="certainty"),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    case_kind: Mapped[str] = mapped_column(String(24))
    step: Mapped[str] = mapped_column(String(20))
    duration: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(16))
    starts_from: Mapped[str] = mapped_column(String(20))
    complex: Mapped[bool | None] = mapped_column(Boolean)
    especially_complex: Mapped[bool | None] = mapped_column(Boolean)
    remote: Mapped[bool | None] = mapped_column(Boolean)
    extension_no: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    certainty: Mapped[str] = mapped_column(String(8), default="check")
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)


class Channel(StrEnum):
    in_person = "in_person"
    post = "post"
    online = "online"
    reception_session = "reception_session"
    transferred = "transferred"


class CaseState(StrEnum):
    received = "received"
    accepted = "accepted"
    refused = "refused"
    transferred = "transferred"
    in_progress = "in_progress"
    suspended = "suspended"
    extended = "extended"
    concluded = "concluded"
    closed = "closed"


CHANNEL_NAMES = {
    Channel.in_person: "trực tiếp",
    Channel.post: "qua bưu chính",
    Channel.online: "trực tuyến",
    Channel.reception_session: "buổi tiếp công dân",
    Channel.transferred: "cơ quan khác chuyển đến",
}
STEP_NAMES = {
    Step.acceptance: "thụ lý",
    Step.initial_handling: "xử lý ban đầu",
    Step.transfer: "chuyển đơn",
    Step.resolution: "giải quyết",
    Step.extension: "gia hạn",
}
UNIT_NAMES = {"working_days": "ngày làm việc", "calendar_days": "ngày"}

STATE_NAMES = {
    CaseState.received: "đã nhận",
    CaseState.accepted: "đã thụ lý",
    CaseState.refused: "không thụ lý",
    CaseState.transferred: "đã chuyển",
    CaseState.in_progress: "đang giải quyết",
    CaseState.suspended: "tạm đình chỉ",
    CaseState.extended: "đã gia hạn",
    CaseState.concluded: "đã kết luận",
    CaseState.closed: "đã đóng",
}

# The only moves a case may make; anything else is refused with the allowed ones named.
TRANSITIONS: dict[CaseState, frozenset[CaseState]] = {
    CaseState.received: frozenset({CaseState.accepted, CaseState.refused, CaseState.transferred}),
    CaseState.accepted: frozenset({CaseState.in_progress}),
    CaseState.in_progress: frozenset({CaseState.suspended, CaseState.extended, CaseState.concluded}),
    CaseState.suspended: frozenset({CaseState.in_progress}),
    CaseState.extended: frozenset({CaseState.extended, CaseState.suspended, CaseState.concluded}),
    CaseState.concluded: frozenset({CaseState.closed}),
    CaseState.refused: frozenset({CaseState.closed}),
    CaseState.transferred: frozenset({CaseState.closed}),
    CaseState.closed: frozenset(),
}


class PartyRole(StrEnum):
    complainant = "complainant"
    denouncer = "denouncer"
    petitioner = "petitioner"
    respondent = "respondent"  # the person or body complained about or denounced


PARTY_ROLE_NAMES = {
    PartyRole.complainant: "Người khiếu nại",
    PartyRole.denouncer: "Người tố cáo",
    PartyRole.petitioner: "Người kiến nghị, phản ánh",
    PartyRole.respondent: "Người bị khiếu nại, bị tố cáo",
}
# Parties whose identity the law protects (Luật Tố cáo 2018): only the assigned handler and admins.
CONFIDENTIAL_ROLES = frozenset({PartyRole.denouncer})
