"""Reading cases and what hangs on them: lists with filters, the map's cases, attachments, the
deadline rules, inspections, sanctions and reception sessions (newest first)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from registry.accounts.models import User
from registry.cases.enforcement_models import Inspection, Sanction
from registry.cases.models import Case, CaseAttachment, DeadlineRule, ReceptionSession
from registry.cases.service import OPEN_STATES
from registry.cases.vocabulary import CaseKind, CaseState, Channel
from registry.documents.models import Document
from registry.text import fold

_NEWEST = (Case.received_on.desc(), Case.id.desc())


def handler_names(session: Session, cases: Iterable[Case]) -> dict[int, str]:
    """The usernames of the cases' handlers, by user id."""
    ids = {c.handler_id for c in cases if c.handler_id is not None}
    if not ids:
        return {}
    return dict(session.execute(select(User.id, User.username).where(User.id.in_(ids))).tuples().all())


@dataclass(frozen=True)
class CaseFilter:
    """The back office's filters of a case list (any when empty); ``q`` matches the code or the
    subject with or without diacritics; ``open_only`` keeps the cases whose deadlines still run."""

    units: Collection[str] = ()
    channels: Collection[Channel] = ()
    received_from: date | None = None
    received_to: date | None = None
    q: str | None = None
    open_only: bool = False


ANY_CASE = CaseFilter()
# Sort keys of a case list (``-key`` for descending), newest first when none.
CASE_SORTS = {"code": (Case.code,), "kind": (Case.kind,), "received": (Case.received_on, Case.id),
              "state": (Case.state,), "unit": (Case.unit,)}  # fmt: skip


def _filtered(stmt: Select[Any], kinds: Collection[CaseKind] | None, states: Collection[CaseState] | None,
              handler: str | None, f: CaseFilter) -> Select[Any]:  # fmt: skip
    if kinds:
        stmt = stmt.where(Case.kind.in_([k.value for k in kinds]))
    if states:
        stmt = stmt.where(Case.state.in_([s.value for s in states]))
    if handler:
        stmt = stmt.join(User, User.id == Case.handler_id).where(User.username == handler.lower())
    if f.units:
        stmt = stmt.where(Case.unit.in_(list(f.units)))
    if f.channels:
        stmt = stmt.where(Case.channel.in_([c.value for c in f.channels]))
    if f.received_from:
        stmt = stmt.where(Case.received_on >= f.received_from)
    if f.received_to:
        stmt = stmt.where(Case.received_on <= f.received_to)
    if f.open_only:
        stmt = stmt.where(Case.state.in_([s.value for s in OPEN_STATES]))
    if f.q and fold(f.q):
        pattern = "%" + fold(f.q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        stmt = stmt.where(func.f_unaccent(func.lower(Case.code + " " + Case.subject)).like(pattern, escape="\\"))
    return stmt


def cases(
    session: Session,
    *,
    kinds: Collection[CaseKind] | None = None,
    states: Collection[CaseState] | None = None,
    handler: str | None = None,
    where: CaseFilter = ANY_CASE,
    sort: str | None = None,
    limit: int | None = None,
    offset: int = 0,
) -> list[Case]:
    """Cases of these kinds and states (any when empty), of one handler (by username), matching
    ``where``; newest first unless ``sort`` (a CASE_SORTS key, ``-`` for descending); a page of them
    when ``limit`` is given."""
    order = _NEWEST
    if sort and sort.lstrip("-") in CASE_SORTS:
        cols = CASE_SORTS[sort.lstrip("-")]
        order = tuple(c.desc() for c in cols) if sort.startswith("-") else cols
        order = (*order, Case.id.desc())
    stmt = _filtered(select(Case), kinds, states, handler, where).order_by(*order).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt))


def count_cases(
    session: Session,
    *,
    kinds: Collection[CaseKind] | None = None,
    states: Collection[CaseState] | None = None,
    handler: str | None = None,
    where: CaseFilter = ANY_CASE,
) -> int:
    stmt = _filtered(select(func.count(Case.id)), kinds, states, handler, where)
    return session.scalar(stmt) or 0


def units(session: Session) -> list[str]:
    """The units cases are kept by, as typed on the cases."""
    return list(session.scalars(select(Case.unit).where(Case.unit.is_not(None)).distinct().order_by(Case.unit)))


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


def case_enforcement(session: Session, case: Case) -> tuple[list[Inspection], list[Sanction]]:
    """The inspection and the sanction decisions recorded for this case."""
    inspections = session.scalars(select(Inspection).where(Inspection.case_id == case.id).order_by(Inspection.id))
    sanctions = session.scalars(
        select(Sanction).where(Sanction.case_id == case.id).order_by(Sanction.decided_on, Sanction.id)
    )
    return list(inspections), list(sanctions)


def reception_sessions(session: Session) -> list[ReceptionSession]:
    return list(session.scalars(select(ReceptionSession).order_by(ReceptionSession.held_on.desc())))
