"""Administrative procedures (thủ tục hành chính) and the dossiers (hồ sơ) received for them at the
one-stop desk (bộ phận một cửa).

Two words that must not be confused (both are "trả" in Vietnamese):

* ``sent_back`` — *trả lại hồ sơ*: an incomplete or invalid dossier handed back to the applicant, within
  3 working days of receipt (Decree 61/2018/NĐ-CP art. 19, as amended by Decree 107/2021/NĐ-CP). The
  report's ``returned`` figure counts these (the published "không có hồ sơ trả lại" means none of them).
* ``returned`` — *đã trả kết quả*: the result (a licence, or a refusal letter) handed over to the
  applicant, the last step of an ordinary dossier.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.audit.models import Audited
from registry.base import Base, InForce, Tracked, enum_check


class ProcedureField(StrEnum):
    telecom = "telecom"
    radio_frequency = "radio_frequency"
    press = "press"
    publishing = "publishing"
    it = "it"
    post = "post"


FIELD_NAMES = {
    ProcedureField.telecom: "Viễn thông và Internet",
    ProcedureField.radio_frequency: "Tần số vô tuyến điện",
    ProcedureField.press: "Báo chí",
    ProcedureField.publishing: "Xuất bản, in và phát hành",
    ProcedureField.it: "Công nghệ thông tin, điện tử",
    ProcedureField.post: "Bưu chính",
}
# The first part of a receipt code tells the desk which field a dossier belongs to.
FIELD_PREFIX = {
    ProcedureField.telecom: "VT",
    ProcedureField.radio_frequency: "TS",
    ProcedureField.press: "BC",
    ProcedureField.publishing: "XB",
    ProcedureField.it: "CN",
    ProcedureField.post: "BP",
}


class TimeUnit(StrEnum):
    working_days = "working_days"
    calendar_days = "calendar_days"
    hours = "hours"  # working hours, eight to a working day


UNIT_NAMES = {
    TimeUnit.working_days: "ngày làm việc",
    TimeUnit.calendar_days: "ngày",
    TimeUnit.hours: "giờ làm việc",
}


class OnlineService(StrEnum):
    """The current vocabulary (Decree 42/2022/NĐ-CP): một phần / toàn trình. Legacy levels 1–4
    (Decree 43/2011/NĐ-CP) are kept beside it: 2 = forms downloadable, 3 = submitted online,
    4 = also paid for and answered online."""

    none = "none"  # information only (legacy levels 1–2)
    partial = "partial"  # một phần (legacy level 3)
    end_to_end = "end_to_end"  # toàn trình (legacy level 4)


ONLINE_SERVICE_NAMES = {
    OnlineService.none: "Cung cấp thông tin",
    OnlineService.partial: "Một phần",
    OnlineService.end_to_end: "Toàn trình",
}
LEVEL_SERVICE = {1: OnlineService.none, 2: OnlineService.none, 3: OnlineService.partial, 4: OnlineService.end_to_end}


class Channel(StrEnum):
    online = "online"
    in_person = "in_person"
    post = "post"


CHANNEL_NAMES = {Channel.online: "Trực tuyến", Channel.in_person: "Trực tiếp", Channel.post: "Bưu chính công ích"}
PAPER_CHANNELS = frozenset({Channel.in_person, Channel.post})


class ApplicantKind(StrEnum):
    person = "person"
    organisation = "organisation"


APPLICANT_KIND_NAMES = {ApplicantKind.person: "cá nhân", ApplicantKind.organisation: "tổ chức"}


class Status(StrEnum):
    received = "received"  # tiếp nhận, receipt with the appointment date given
    transferred = "transferred"  # chuyển phòng chuyên môn
    in_progress = "in_progress"  # đang giải quyết (a step of the internal process)
    awaiting_supplement = "awaiting_supplement"  # chờ bổ sung: the clock is stopped
    result_ready = "result_ready"  # có kết quả (approved)
    refused = "refused"  # từ chối giải quyết, with reasons (a result too)
    returned = "returned"  # đã trả kết quả: the result handed over to the applicant
    sent_back = "sent_back"  # trả lại hồ sơ chưa đầy đủ, hợp lệ (within 3 working days)
    withdrawn = "withdrawn"  # the applicant withdrew the dossier


STATUS_NAMES = {
    Status.received: "Đã tiếp nhận",
    Status.transferred: "Đã chuyển phòng chuyên môn",
    Status.in_progress: "Đang giải quyết",
    Status.awaiting_supplement: "Chờ bổ sung hồ sơ (dừng tính thời gian)",
    Status.result_ready: "Đã có kết quả, chờ trả",
    Status.refused: "Từ chối giải quyết (có văn bản nêu lý do)",
    Status.returned: "Đã trả kết quả cho người nộp",
    Status.sent_back: "Đã trả lại hồ sơ chưa đầy đủ, hợp lệ",
    Status.withdrawn: "Người nộp đã rút hồ sơ",
}
OPEN = frozenset({Status.received, Status.transferred, Status.in_progress, Status.awaiting_supplement})
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.received: frozenset(
        {
            Status.transferred,
            Status.in_progress,
            Status.awaiting_supplement,
            Status.sent_back,
            Status.withdrawn,
            Status.result_ready,
            Status.refused,
        }
    ),  # fmt: skip
    Status.transferred: frozenset(
        {
            Status.in_progress,
            Status.awaiting_supplement,
            Status.sent_back,
            Status.withdrawn,
            Status.result_ready,
            Status.refused,
        }
    ),  # fmt: skip
    Status.in_progress: frozenset(
        {Status.in_progress, Status.awaiting_supplement, Status.result_ready, Status.refused, Status.withdrawn}
    ),
    Status.awaiting_supplement: frozenset({Status.in_progress, Status.withdrawn, Status.refused}),
    Status.result_ready: frozenset({Status.returned}),
    Status.refused: frozenset({Status.returned}),
    Status.returned: frozenset(),
    Status.sent_back: frozenset(),
    Status.withdrawn: frozenset(),
}


class Result(StrEnum):
    approved = "approved"
    refused = "refused"


RESULT_NAMES = {Result.approved: "chấp thuận", Result.refused: "từ chối"}


class Procedure(InForce, Audited, Tracked, Base):
    """One procedure of the catalogue, with its statutory time and its internal (ISO 9001) process."""

    __tablename__ = "procedure"
    __audit_entity__ = "procedure"
    __table_args__ = (
        enum_check("field", ProcedureField),
        enum_check("time_unit", TimeUnit),
        CheckConstraint("time_value > 0", name="time_value"),
        CheckConstraint("online_level BETWEEN 1 AND 4", name="online_level"),
        enum_check("online_service", OnlineService),
        CheckConstraint("fee_vnd IS NULL OR fee_vnd >= 0", name="fee_vnd"),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="dates"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)  # national code, 1.004474.000.00.00.H27
    name: Mapped[str] = mapped_column(Text)
    field: Mapped[str] = mapped_column(String(20), index=True)
    time_value: Mapped[int] = mapped_column(Integer)
    time_unit: Mapped[str] = mapped_column(String(16))
    fees: Mapped[str | None] = mapped_column(Text)  # as the catalogue words them ("Không", "1.000.000 đồng/giấy phép")
    fee_vnd: Mapped[int | None] = mapped_column(Integer)
    legal_basis: Mapped[str] = mapped_column(Text)
    online_level: Mapped[int] = mapped_column(Integer)
    online_service: Mapped[str] = mapped_column(String(12))
    notes: Mapped[str | None] = mapped_column(Text)
    # Thành phần hồ sơ: [{"name", "form", "copies", "required"}] as the national catalogue lists them.
    required_documents: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")

    steps: Mapped[list[ProcedureStep]] = relationship(
        order_by="ProcedureStep.step_no", cascade="all, delete-orphan", lazy="selectin"
    )


class ProcedureStep(Audited, Base):
    """One step of the internal process: who does what, in how much of the statutory time (same unit)."""

    __tablename__ = "procedure_step"
    __audit_entity__ = "procedure_step"
    __audit_parents__ = {"procedure_id": "procedure"}
    __table_args__ = (
        UniqueConstraint("procedure_id", "step_no"),
        CheckConstraint("step_no >= 1", name="step_no"),
        CheckConstraint("duration > 0", name="duration"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id", ondelete="CASCADE"), index=True)
    step_no: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(Text)  # the department's unit in charge (Bộ phận Một cửa, Phòng …)
    duration: Mapped[Decimal] = mapped_column(Numeric(7, 2))


class Dossier(Audited, Tracked, Base):
    """A dossier received at the one-stop desk. Dates are Vietnam calendar days; ``due_date`` is the
    appointment in force (printed on the receipt, moved by supplement pauses and by the one apology)."""

    __tablename__ = "dossier"
    __audit_entity__ = "dossier"
    __table_args__ = (
        enum_check("channel", Channel),
        enum_check("applicant_kind", ApplicantKind),
        enum_check("status", Status),
        enum_check("result", Result, or_null=True),
        CheckConstraint("num_nonnulls(resolved_on, sent_back_on, withdrawn_on) <= 1", name="one_closing"),
        CheckConstraint("(result IS NULL) = (resolved_on IS NULL)", name="result_date"),
        CheckConstraint("num_nonnulls(permit_id, press_licence_id) <= 1", name="one_record"),
        CheckConstraint(
            "(permit_id IS NULL AND press_licence_id IS NULL) OR result = 'approved'", name="record_result"
        ),
        CheckConstraint("due_date >= counted_from", name="due_after_start"),
        Index("ix_dossier_received_on", "received_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receipt_code: Mapped[str] = mapped_column(String(40), unique=True)
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedure.id"), index=True)
    applicant_kind: Mapped[str] = mapped_column(String(12))
    applicant_name: Mapped[str] = mapped_column(Text)
    applicant_id_number: Mapped[str | None] = mapped_column(String(20))  # ID card or tax code
    applicant_address: Mapped[str | None] = mapped_column(Text)
    applicant_phone: Mapped[str | None] = mapped_column(String(40))
    applicant_email: Mapped[str | None] = mapped_column(String(254))
    channel: Mapped[str] = mapped_column(String(12))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    received_on: Mapped[date] = mapped_column(Date)  # Vietnam date of received_at
    counted_from: Mapped[date] = mapped_column(Date)  # the day the statutory time counts from (not counted)
    first_due_date: Mapped[date] = mapped_column(Date)  # the appointment printed on the receipt
    due_date: Mapped[date] = mapped_column(Date)
    pre_apology_due_date: Mapped[date | None] = mapped_column(Date)
    apology_on: Mapped[date | None] = mapped_column(Date)
    apology_reason: Mapped[str | None] = mapped_column(Text)
    supplement_since: Mapped[date | None] = mapped_column(Date)  # the clock is stopped since this day
    paused_working_days: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(20), index=True)
    step_no: Mapped[int | None] = mapped_column(Integer)
    result: Mapped[str | None] = mapped_column(String(10))
    resolved_on: Mapped[date | None] = mapped_column(Date)  # the result (approval or refusal) was ready
    returned_on: Mapped[date | None] = mapped_column(Date)  # the result was handed over
    sent_back_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)
    permit_id: Mapped[int | None] = mapped_column(ForeignKey("permit.id", ondelete="RESTRICT"), unique=True)
    press_licence_id: Mapped[int | None] = mapped_column(
        ForeignKey("press_licence.id", ondelete="RESTRICT"), unique=True
    )
    source: Mapped[str] = mapped_column(String(10), default="desk", server_default="desk")  # desk or import
    notes: Mapped[str | None] = mapped_column(Text)
    # The papers the desk received: [{"name", "form", "copies"}] (none recorded for imported dossiers).
    documents_received: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list, server_default="[]")

    procedure: Mapped[Procedure] = relationship(lazy="joined")
    events: Mapped[list[DossierEvent]] = relationship(order_by="DossierEvent.id", lazy="selectin")


class DossierEvent(Audited, Base):
    """One move of a dossier: its status and step after the move, when, by whom, and a note."""

    __tablename__ = "dossier_event"
    __audit_entity__ = "dossier_event"
    __audit_parents__ = {"dossier_id": "dossier"}

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossier.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    step_no: Mapped[int | None] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
