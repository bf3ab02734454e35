"""Reading the procedures catalogue and the one-stop desk's dossiers with their filters."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import Session

from registry.procedures.models import OPEN, Channel, Dossier, Procedure, ProcedureField, Status


def procedures(
    session: Session,
    *,
    field: ProcedureField | None = None,
    online_level: int | None = None,
    on: date | None = None,
) -> list[Procedure]:
    """The catalogue by field and code: of one field, one online level, in force on a day."""
    stmt = select(Procedure).order_by(Procedure.field, Procedure.code)
    if field:
        stmt = stmt.where(Procedure.field == field.value)
    if online_level:
        stmt = stmt.where(Procedure.online_level == online_level)
    if on:
        stmt = stmt.where(Procedure.in_force_on(on))
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class DossierFilter:
    statuses: Collection[Status] = field(default_factory=tuple)
    procedure: str | None = None  # its code
    channel: Channel | None = None
    received_from: date | None = None
    received_to: date | None = None
    overdue_on: date | None = None  # still being handled and past its due date on this day


def _dossiers(f: DossierFilter) -> Select[Any]:
    stmt = select(Dossier)
    if f.statuses:
        stmt = stmt.where(Dossier.status.in_([s.value for s in f.statuses]))
    if f.procedure:
        stmt = stmt.join(Procedure, Procedure.id == Dossier.procedure_id).where(Procedure.code == f.procedure)
    if f.channel:
        stmt = stmt.where(Dossier.channel == f.channel.value)
    if f.received_from:
        stmt = stmt.where(Dossier.received_on >= f.received_from)
    if f.received_to:
        stmt = stmt.where(Dossier.received_on <= f.received_to)
    if f.overdue_on:
        stmt = stmt.where(
            Dossier.resolved_on.is_(None), Dossier.sent_back_on.is_(None), Dossier.withdrawn_on.is_(None),
            Dossier.supplement_since.is_(None), Dossier.due_date < f.overdue_on,
        )  # fmt: skip
    return stmt


def dossier_page(session: Session, f: DossierFilter, *, limit: int, offset: int) -> tuple[int, list[Dossier]]:
    """How many dossiers match, and one page of them, newest received first."""
    stmt = _dossiers(f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    stmt = stmt.order_by(Dossier.received_at.desc(), Dossier.id.desc()).limit(limit).offset(offset)
    return total, list(session.scalars(stmt))


def waiting_in_fields(session: Session, fields: Collection[str], *, on: date) -> tuple[int, int]:
    """Open dossiers of procedures in ``fields`` (the desk: every field), and how many of them are
    past their due date on ``on`` (a dossier waiting for a supplement has its clock stopped)."""
    late = case((Dossier.due_date < on, 1), else_=0)
    stmt = (
        select(
            func.count(),
            func.coalesce(func.sum(case((Dossier.status == Status.awaiting_supplement.value, 0), else_=late)), 0),
        )  # fmt: skip
        .select_from(Dossier)
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(Dossier.status.in_([s.value for s in OPEN]), Procedure.field.in_(list(fields)))
    )
    total, overdue = session.execute(stmt).one()
    return int(total), int(overdue)
