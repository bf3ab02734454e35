"""The calendar as stored: loading it for counting, reading a year, and an admin's changes."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.calendar.days import WorkCalendar
from registry.calendar.models import CalendarDay
from registry.calendar.seed import lunar_new_year
from registry.errors import FieldError, NotFound, ValidationFailed
from registry.versions import check_version


def load(session: Session) -> WorkCalendar:
    """The whole calendar (a few hundred rows) for counting; covered from the first to the last seeded year."""
    rows = session.execute(select(CalendarDay.day, CalendarDay.kind)).all()
    years = session.execute(select(func.min(CalendarDay.day), func.max(CalendarDay.day))).one()
    first = date(years[0].year, 1, 1) if years[0] else date(2015, 1, 1)
    last = date(years[1].year, 12, 31) if years[1] else date(2035, 12, 31)
    return WorkCalendar.of(((r[0], r[1]) for r in rows), first, last)


def day_dict(day: CalendarDay) -> dict[str, Any]:
    return {
        "date": day.day.isoformat(),
        "weekday": day.day.isoweekday(),
        "kind": day.kind,
        "name": day.name,
        "reason": day.reason,
        "legal_basis": day.legal_basis,
        "source": day.source,
        "version": day.version,
    }


def year(session: Session, y: int) -> dict[str, Any]:
    cal = load(session)
    first, last = date(y, 1, 1), date(y, 12, 31)
    if not (cal.first <= first and last <= cal.last):
        raise NotFound(f"Lịch ngày làm việc chưa có năm {y} (có {cal.first.year}–{cal.last.year})")
    days = session.scalars(select(CalendarDay).where(CalendarDay.day.between(first, last)).order_by(CalendarDay.day))
    return {
        "year": y,
        "lunar_new_year": lunar_new_year(y).isoformat(),
        "working_days": cal.count_working_days(date(y - 1, 12, 31), last) if cal.first < first else None,
        "days": [day_dict(d) for d in days],
    }


def set_day(
    session: Session,
    day: date,
    *,
    kind: str,
    name: str,
    reason: str,
    legal_basis: str | None,
    expected_version: int | None,
) -> CalendarDay:
    """Mark ``day`` as off or working (an admin, with the reason); a new day needs no version."""
    cal = load(session)
    if not (cal.first <= day <= cal.last):
        raise ValidationFailed(
            "Ngày ngoài lịch", [FieldError(f"Lịch có {cal.first.year}–{cal.last.year}", field="date")]
        )
    record = session.get(CalendarDay, day, with_for_update=True)
    if record is None:
        record = CalendarDay(day=day, kind=kind, name=name, reason=reason, legal_basis=legal_basis, source="admin")
        session.add(record)
    else:
        check_version(record, expected_version, what=f"Ngày {day:%d/%m/%Y}")
        record.kind, record.name, record.reason, record.legal_basis, record.source = (
            kind,
            name,
            reason,
            legal_basis,
            "admin",
        )
    session.flush()
    return record


def clear_day(session: Session, day: date, *, expected_version: int | None) -> None:
    """Back to the ordinary week for ``day``."""
    record = session.get(CalendarDay, day, with_for_update=True)
    if record is None:
        raise NotFound(f"Ngày {day:%d/%m/%Y} không có trong danh sách ngày đặc biệt")
    check_version(record, expected_version, what=f"Ngày {day:%d/%m/%Y}")
    session.delete(record)
    session.flush()
