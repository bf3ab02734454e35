"""Inspections (decision, team, dates, conclusion, findings with deadlines) and sanction decisions
(violation cited as point/clause/article/decree, fine within its bracket, remedial measures,
payment within 10 days of delivery with 0.05 % a day after)."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from sqlalchemy import BigInteger, Boolean, CheckConstraint, Date, ForeignKey, Integer, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.audit.models import Audited
from registry.base import Base, Tracked, enum_check


class Inspection(Audited, Tracked, Base):
    __tablename__ = "inspection"
    __audit_entity__ = "inspection"
    __audit_parents__ = {"case_id": "case"}

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), unique=True)
    decision_number: Mapped[str] = mapped_column(String(60))
    decision_date: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(Text)
    subject: Mapped[str] = mapped_column(Text)  # who or what is inspected
    scope: Mapped[str | None] = mapped_column(Text)
    team: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
    announced_on: Mapped[date | None] = mapped_column(Date)
    direct_end_on: Mapped[date | None] = mapped_column(Date)  # end of direct inspection (incl. extensions)
    extensions: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    conclusion_number: Mapped[str | None] = mapped_column(String(60))
    concluded_on: Mapped[date | None] = mapped_column(Date)
    conclusion_published: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    conclusion: Mapped[str | None] = mapped_column(Text)

    findings: Mapped[list[Finding]] = relationship(order_by="Finding.id", lazy="selectin", cascade="all, delete-orphan")


class Finding(Audited, Base):
    __tablename__ = "inspection_finding"
    __audit_entity__ = "inspection_finding"
    __audit_parents__ = {"inspection_id": "inspection"}

    id: Mapped[int] = mapped_column(primary_key=True)
    inspection_id: Mapped[int] = mapped_column(ForeignKey("inspection.id", ondelete="CASCADE"), index=True)
    finding: Mapped[str] = mapped_column(Text)
    recommendation: Mapped[str | None] = mapped_column(Text)
    deadline: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)


class SanctionStatus(StrEnum):
    issued = "issued"
    delivered = "delivered"
    paid = "paid"
    enforced = "enforced"
    complained = "complained"
    annulled = "annulled"


SANCTION_STATUS_NAMES = {
    SanctionStatus.issued: "đã ban hành",
    SanctionStatus.delivered: "đã giao",
    SanctionStatus.paid: "đã nộp phạt",
    SanctionStatus.enforced: "đã cưỡng chế",
    SanctionStatus.complained: "bị khiếu nại",
    SanctionStatus.annulled: "đã hủy",
}


class Sanction(Audited, Tracked, Base):
    """A decision imposing an administrative sanction (quyết định xử phạt vi phạm hành chính)."""

    __tablename__ = "sanction"
    __audit_entity__ = "sanction"
    __audit_parents__ = {"inspection_id": "inspection", "case_id": "case"}
    __table_args__ = (
        enum_check("status", SanctionStatus),
        enum_check("violator_kind", ["person", "organisation"]),
        CheckConstraint("fine_vnd >= 0", name="fine"),
        CheckConstraint("linked_entity IS NULL OR linked_entity IN ('site', 'station', 'press_outlet')", name="linked"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str] = mapped_column(String(60), unique=True)
    decided_on: Mapped[date] = mapped_column(Date)
    issuer: Mapped[str] = mapped_column(Text)
    minutes_number: Mapped[str | None] = mapped_column(String(60))
    violator_kind: Mapped[str] = mapped_column(String(12))
    violator_name: Mapped[str] = mapped_column(Text)
    tax_code: Mapped[str | None] = mapped_column(String(20))
    # The violation as the decree cites it: điểm a, khoản 2, Điều 15, Nghị định 174/2013/NĐ-CP (sửa đổi …)
    point: Mapped[str | None] = mapped_column(String(10))
    clause: Mapped[str] = mapped_column(String(10))
    article: Mapped[str] = mapped_column(String(10))
    decree: Mapped[str] = mapped_column(Text)
    violation: Mapped[str] = mapped_column(Text)
    bracket_min_vnd: Mapped[int] = mapped_column(BigInteger)  # for an individual; organisations pay double
    bracket_max_vnd: Mapped[int] = mapped_column(BigInteger)
    fine_vnd: Mapped[int] = mapped_column(BigInteger)
    additional_penalties: Mapped[str | None] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(12), default=SanctionStatus.issued.value)
    delivered_on: Mapped[date | None] = mapped_column(Date)
    paid_on: Mapped[date | None] = mapped_column(Date)
    inspection_id: Mapped[int | None] = mapped_column(ForeignKey("inspection.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(ForeignKey("case_file.id"), index=True)
    linked_entity: Mapped[str | None] = mapped_column(String(16))
    linked_code: Mapped[str | None] = mapped_column(String(60))

    measures: Mapped[list[RemedialMeasure]] = relationship(
        order_by="RemedialMeasure.id", lazy="selectin", cascade="all, delete-orphan"
    )


class RemedialMeasure(Audited, Base):
    __tablename__ = "remedial_measure"
    __audit_entity__ = "remedial_measure"
    __audit_parents__ = {"sanction_id": "sanction"}

    id: Mapped[int] = mapped_column(primary_key=True)
    sanction_id: Mapped[int] = mapped_column(ForeignKey("sanction.id", ondelete="CASCADE"), index=True)
    measure: Mapped[str] = mapped_column(Text)
    deadline: Mapped[date] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
