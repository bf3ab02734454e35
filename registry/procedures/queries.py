"""Reading the procedures catalogue and the one-stop desk's dossiers with their filters."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, not_, or_, select
from sqlalchemy.orm import Session

from registry.procedures.models import OPEN, Channel, Dossier, DossierEvent, Procedure, ProcedureField, Status
from registry.procedures.reports import FIGURES
from registry.text import fold


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
    fields: Collection[ProcedureField] = field(default_factory=tuple)
    actor: str | None = None  # someone who moved the dossier (an event's actor)
    q: str | None = None  # part of the receipt code, or of the applicant's name with or without diacritics
    # A figure of the period report (registry/procedures/reports.py), with the period: the dossiers it counts.
    figure: str | None = None
    period: tuple[date, date] | None = None


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def figure_condition(figure: str, since: date, until: date) -> ColumnElement[bool]:
    """The dossiers a figure of the period report counts, in the report's own terms (reports._SQL)."""
    closed = func.coalesce(Dossier.resolved_on, Dossier.sent_back_on, Dossier.withdrawn_on)
    in_period = and_(Dossier.received_on <= until, or_(closed.is_(None), closed >= since))
    due_then = case(
        (and_(Dossier.apology_on > until, Dossier.pre_apology_due_date.is_not(None)), Dossier.pre_apology_due_date),
        else_=Dossier.due_date,
    )
    open_at_end = or_(closed.is_(None), closed > until)
    within = or_(
        due_then >= until,
        func.coalesce(and_(Dossier.supplement_since <= until, Dossier.supplement_since <= due_then), False),
    )
    resolved = Dossier.resolved_on <= until
    no_apology = Dossier.apology_on.is_(None)
    early = and_(resolved, no_apology, Dossier.resolved_on < Dossier.due_date)
    on_time = and_(resolved, no_apology, Dossier.resolved_on == Dossier.due_date)
    late = and_(resolved, or_(Dossier.apology_on.is_not(None), Dossier.resolved_on > Dossier.due_date))
    conditions: dict[str, ColumnElement[bool]] = {
        "received": Dossier.received_on <= until,
        "carried_over": Dossier.received_on < since,
        "new": Dossier.received_on >= since,
        "resolved": resolved,
        "resolved_early": early,
        "resolved_on_time": on_time,
        "resolved_late": late,
        "resolved_on_time_or_early": or_(early, on_time),
        "refused": and_(resolved, Dossier.result == "refused"),
        "returned": Dossier.sent_back_on <= until,
        "withdrawn": Dossier.withdrawn_on <= until,
        "pending_within_deadline": and_(open_at_end, within),
        "pending_overdue": and_(open_at_end, not_(within)),
    }
    return and_(in_period, conditions[figure])


FIGURE_KEYS = FIGURES  # every figure of the period report has its dossiers


def _dossiers(f: DossierFilter) -> Select[Any]:
    stmt = select(Dossier)
    if f.statuses:
        stmt = stmt.where(Dossier.status.in_([s.value for s in f.statuses]))
    if f.procedure or f.fields:
        stmt = stmt.join(Procedure, Procedure.id == Dossier.procedure_id)
    if f.procedure:
        stmt = stmt.where(Procedure.code == f.procedure)
    if f.fields:
        stmt = stmt.where(Procedure.field.in_([ProcedureField(x).value for x in f.fields]))
    if f.actor:
        stmt = stmt.where(
            select(DossierEvent.id).where(DossierEvent.dossier_id == Dossier.id, DossierEvent.actor == f.actor).exists()
        )
    if f.q and f.q.strip():
        text = f.q.strip()
        stmt = stmt.where(
            or_(
                Dossier.receipt_code.ilike(_like(text), escape="\\"),
                func.f_unaccent(func.lower(Dossier.applicant_name)).like(_like(fold(text)), escape="\\"),
            )
        )
    if f.figure and f.period:
        stmt = stmt.where(figure_condition(f.figure, *f.period))
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


# The orders a list of dossiers may take; "queue": the overdue (on ``today``) first, then by appointment.
SORTS = ("received", "due", "code", "queue")


def dossier_page(
    session: Session, f: DossierFilter, *, limit: int, offset: int, sort: str = "-received", today: date | None = None
) -> tuple[int, list[Dossier]]:
    """How many dossiers match, and one page of them (by default newest received first)."""
    stmt = _dossiers(f)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    key, desc = sort.lstrip("-"), sort.startswith("-")
    if key == "queue":
        overdue = and_(
            Dossier.status.in_([s.value for s in OPEN if s != Status.awaiting_supplement]),
            Dossier.due_date < (today or date.today()),
        )
        order: list[Any] = [case((overdue, 0), else_=1), Dossier.due_date, Dossier.received_at]
    else:
        column = {"received": Dossier.received_at, "due": Dossier.due_date, "code": Dossier.receipt_code}[key]
        order = [column.desc() if desc else column]
    order.append(Dossier.id.desc() if desc else Dossier.id)
    stmt = stmt.order_by(*order).limit(limit).offset(offset)
    return total, list(session.scalars(stmt))


def actors(session: Session) -> list[str]:
    """Who has moved dossiers (events' actors), for a filter of the desk's queue."""
    return list(session.scalars(select(DossierEvent.actor).distinct().order_by(DossierEvent.actor).limit(500)))


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
