"""Reading cases and what hangs on them: lists with filters, the map's cases, attachments, the
deadline rules, inspections, sanctions and reception sessions (newest first)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.accounts.models import User
from registry.cases.enforcement_models import Inspection, Sanction
from registry.cases.models import Case, CaseAttachment, DeadlineRule, ReceptionSession
from registry.cases.service import OPEN_STATES
from registry.cases.vocabulary import CaseKind, CaseState
from registry.documents.models import Document

_NEWEST = (Case.received_on.desc(), Case.id.desc())


def handler_names(session: Session, cases: Iterable[Case]) -> dict[int, str]:
    """The usernames of the cases' handlers, by user id."""
    ids = {c.handler_id for c in cases if c.handler_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).tuples().all())


def cases(
    session: Session,
    *,
    kinds: Collection[CaseKind] | None = None,
    states: Collection[CaseState] | None = None,
    handler: str | None = None,
) -> list[Case]:
    """Cases of these kinds and states (any when empty), of one handler (by username), newest first."""
    stmt = select(Case).order_by(*_NEWEST)
    if kinds:
        stmt = stmt.where(Case.kind.in_([k.value for k in kinds]))
    if states:
        stmt = stmt.where(Case.state.in_([s.value for s in states]))
    if handler:
        stmt = stmt.join(User, User.id == Case.handler_id).where(User.username == handler.lower())
    return list(session.scalars(stmt))


def mapped_cases(
    session: Session,
    *,
    kinds: Collection[CaseKind] | None = None,
    states: Collection[CaseState] | None = None,
    open_only: bool = True,
    received_from: date | None = None,
    received_to: date | None = None,
    limit: int,
) -> list[Case]:
    """Cases with a position, newest first, at most ``limit``."""
    stmt = select(Case).where(Case.geom.is_not(None)).order_by(*_NEWEST)
    if kinds:
        stmt = stmt.where(Case.kind.in_([k.value for k in kinds]))
    if states:
        stmt = stmt.where(Case.state.in_([s.value for s in states]))
    if open_only:
        stmt = stmt.where(Case.state.in_([s.value for s in OPEN_STATES]))
    if received_from:
        stmt = stmt.where(Case.received_on >= received_from)
    if received_to:
        stmt = stmt.where(Case.received_on <= received_to)
    return list(session.scalars(stmt.limit(limit)))


def attachments(session: Session, case: Case) -> list[CaseAttachment]:
    return list(
        session.scalars(select(CaseAttachment).where(CaseAttachment.case_id == case.id).order_by(CaseAttachment.id))
    )


def attachment(session: Session, case: Case, attachment_id: int) -> CaseAttachment | None:
    """One attachment of this case (None when the number belongs to no attachment of it)."""
    return session.scalar(
        select(CaseAttachment).where(CaseAttachment.id == attachment_id, CaseAttachment.case_id == case.id)
    )


def attachment_document(session: Session, attachment: CaseAttachment) -> Document:
    doc = session.get(Document, attachment.document_id)
    assert doc is not None  # a foreign key
    return doc


def deadline_rules(session: Session, *, on: date | None = None) -> list[DeadlineRule]:
    """The deadline rules (those in force on ``on`` when given) by kind, step and start."""
    stmt = select(DeadlineRule).order_by(
        DeadlineRule.case_kind, DeadlineRule.step, DeadlineRule.effective_from, DeadlineRule.code
    )
    if on is not None:
        stmt = stmt.where(DeadlineRule.in_force_on(on))
    return list(session.scalars(stmt))


def inspections(session: Session) -> list[Inspection]:
    return list(session.scalars(select(Inspection).order_by(Inspection.decision_date.desc(), Inspection.id.desc())))


def sanctions(session: Session) -> list[Sanction]:
    return list(session.scalars(select(Sanction).order_by(Sanction.decided_on.desc(), Sanction.id.desc())))


def reception_sessions(session: Session) -> list[ReceptionSession]:
    return list(session.scalars(select(ReceptionSession).order_by(ReceptionSession.held_on.desc())))
