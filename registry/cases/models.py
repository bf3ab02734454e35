"""The tables of a case: the case, its parties, its links to registry records, its state transitions, its
attachments, the reception sessions it came from, and the deadline rules its steps are counted by."""

from __future__ import annotations

from datetime import date, datetime

from geoalchemy2 import Geometry, WKBElement
from sqlalchemy import Boolean, CheckConstraint, Date, DateTime, ForeignKey, Integer, String, Text, func
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.audit.models import Audited
from registry.base import Base, InForce, Tracked, enum_check
from registry.cases.vocabulary import CaseKind, CaseState, Channel, PartyRole, Step


class Case(Audited, Tracked, Base):
    __tablename__ = "case_file"
    __audit_entity__ = "case"
    __table_args__ = (
        enum_check("kind", CaseKind),
        enum_check("channel", Channel),
        enum_check("state", CaseState),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[str] = mapped_column(String(24))
    received_on: Mapped[date] = mapped_column(Date)
    channel: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(Text)
    content: Mapped[str | None] = mapped_column(Text)
    geom: Mapped[WKBElement | None] = mapped_column(Geometry("POINT", srid=4326, spatial_index=False))
    complex: Mapped[bool] = mapped_column(Boolean, default=False)
    especially_complex: Mapped[bool] = mapped_column(Boolean, default=False)
    remote: Mapped[bool] = mapped_column(Boolean, default=False)
    state: Mapped[str] = mapped_column(String(16), default=CaseState.received.value)
    handler_id: Mapped[int | None] = mapped_column(ForeignKey("app_user.id"), index=True)
    unit: Mapped[str | None] = mapped_column(Text)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    concluded_on: Mapped[date | None] = mapped_column(Date)
    extensions: Mapped[int] = mapped_column(Integer, default=0)
    outcome: Mapped[str | None] = mapped_column(Text)
    reception_session_id: Mapped[int | None] = mapped_column(ForeignKey("reception_session.id"), index=True)

    parties: Mapped[list[CaseParty]] = relationship(back_populates="case", order_by="CaseParty.id", lazy="selectin")
    transitions: Mapped[list[CaseTransition]] = relationship(order_by="CaseTransition.id", lazy="selectin")
    links: Mapped[list[CaseLink]] = relationship(order_by="CaseLink.id", lazy="selectin")


class CaseParty(Audited, Base):
    """Who complained, denounced, petitioned, or is complained about. A denouncer's identity is kept
    out of the audit trail altogether (only the role is recorded) and shown only to the handler."""

    __tablename__ = "case_party"
    __audit_entity__ = "case_party"
    __audit_parents__ = {"case_id": "case"}
    __audit_exclude__ = frozenset({"name", "id_number", "address", "phone", "email"})
    __table_args__ = (enum_check("role", PartyRole),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(Text)
    id_number: Mapped[str | None] = mapped_column(String(20))
    address: Mapped[str | None] = mapped_column(Text)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))

    case: Mapped[Case] = relationship(back_populates="parties")


class CaseLink(Audited, Base):
    """A registry record the case is about: a site, station, press outlet or organisation."""

    __tablename__ = "case_link"
    __audit_entity__ = "case_link"
    __audit_parents__ = {"case_id": "case"}
    __table_args__ = (enum_check("entity", ["site", "station", "press_outlet", "organisation"]),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    entity: Mapped[str] = mapped_column(String(16))
    entity_code: Mapped[str] = mapped_column(String(60))


class CaseTransition(Audited, Base):
    """One move of the state machine: who, when, from what to what, and why."""

    __tablename__ = "case_transition"
    __audit_entity__ = "case_transition"
    __audit_parents__ = {"case_id": "case"}

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    from_state: Mapped[str | None] = mapped_column(String(16))
    to_state: Mapped[str] = mapped_column(String(16))
    on_day: Mapped[date] = mapped_column(Date)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    reason: Mapped[str] = mapped_column(Text)


class ReceptionSession(Audited, Tracked, Base):
    """A citizen reception session (buổi tiếp công dân) held by the head of the department."""

    __tablename__ = "reception_session"
    __audit_entity__ = "reception_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    held_on: Mapped[date] = mapped_column(Date, index=True)
    host: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class CaseAttachment(Audited, Base):
    """A document or photo of a case, stored once by checksum. Attachments of a denunciation are
    confidential by default (a letter names its writer): only the handler and admins see them."""

    __tablename__ = "case_attachment"
    __audit_entity__ = "case_attachment"
    __audit_parents__ = {"case_id": "case"}
    # A confidential attachment's description may name the denouncer; the case's history is read by
    # more people than the handler, so no description is kept in the audit trail.
    __audit_exclude__ = frozenset({"description"})

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("case_file.id", ondelete="CASCADE"), index=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id"))
    description: Mapped[str | None] = mapped_column(Text)
    confidential: Mapped[bool] = mapped_column(Boolean, default=False)
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DeadlineRule(InForce, Audited, Tracked, Base):
    """How long a step of a case may take, from which event, for which case, in force when.

    Null flags match any case; a rule with ``complex`` true applies only to complex cases, with
    false only to simple ones. Extensions count from the previous deadline; ``extension_no`` says
    which extension (1, 2) a rule is for.
    """

    __tablename__ = "deadline_rule"
    __audit_entity__ = "deadline_rule"
    __table_args__ = (
        enum_check("case_kind", CaseKind),
        enum_check("step", Step),
        enum_check("unit", ["working_days", "calendar_days"]),
        enum_check("starts_from", ["received", "accepted", "previous_deadline"]),
        CheckConstraint("duration > 0", name="duration"),
        enum_check("certainty", ["firm", "check"]),
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
