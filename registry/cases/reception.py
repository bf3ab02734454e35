"""Citizen reception (tiếp công dân): the monthly schedule and the sessions, whose cases enter the
register with the channel ``reception_session``."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.calendar.days import WorkCalendar
from registry.cases.models import Case, ReceptionSession
from registry.cases.schemas import ReceptionSessionCreate
from registry.cases.service import create_case
from registry.cases.vocabulary import Channel
from registry.lookup import one


def schedule(cal: WorkCalendar, year: int, day_of_month: int) -> list[date]:
    """The reception day of each month: ``day_of_month``, or the next working day."""
    return [cal.working_day_on_or_after(date(year, month, day_of_month)) for month in range(1, 13)]


def create_session(
    session: Session, data: ReceptionSessionCreate, *, actor: str
) -> tuple[ReceptionSession, list[Case]]:
    record = ReceptionSession(held_on=data.held_on, host=data.host, place=data.place, notes=data.notes)
    session.add(record)
    session.flush()
    cases = []
    for item in data.cases:
        at = {"channel": Channel.reception_session, "received_on": data.held_on, "reception_session_id": record.id}
        item = item.model_copy(update=at)
        cases.append(create_case(session, item, actor=actor))
    session.flush()
    return record, cases


def get_session(session: Session, session_id: int) -> ReceptionSession:
    return one(session, ReceptionSession, ReceptionSession.id == session_id,
               missing=f"Không có buổi tiếp công dân số {session_id}")  # fmt: skip


def session_cases(session: Session, record: ReceptionSession) -> list[Case]:
    return list(session.scalars(select(Case).where(Case.reception_session_id == record.id).order_by(Case.id)))


def session_dict(session: Session, record: ReceptionSession) -> dict[str, Any]:
    codes = list(session.scalars(select(Case.code).where(Case.reception_session_id == record.id).order_by(Case.id)))
    return {
        "id": record.id,
        "held_on": record.held_on.isoformat(),
        "host": record.host,
        "place": record.place,
        "notes": record.notes,
        "cases": codes,
        "version": record.version,
    }
