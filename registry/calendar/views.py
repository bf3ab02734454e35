"""The calendar as the back office draws it: a year as twelve months of weeks, each day with its state
in words (working day, weekend, public holiday, Tết, a weekend day worked in exchange, a day off in
exchange), and one day with the effect it has on its month. Built on what the API's
``GET /api/calendar/{year}`` answers (``service.year``) and on the same counting calendar."""

from __future__ import annotations

import calendar as _calendar
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from registry.calendar import service
from registry.calendar.days import WorkCalendar
from registry.calendar.models import CalendarDay
from registry.errors import FieldError, ValidationFailed
from registry.text import fold

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
WEEKDAY_SHORT = ("T2", "T3", "T4", "T5", "T6", "T7", "CN")

# A day's state: its words (the legend and what a screen reader hears in each cell).
STATES: dict[str, str] = {
    "working": "Ngày làm việc",
    "weekend": "Nghỉ cuối tuần",
    "holiday": "Nghỉ lễ",
    "tet": "Nghỉ Tết Nguyên đán",
    "exchange": "Ngày nghỉ bù",
    "swapped": "Làm việc bù (ngày cuối tuần)",
}


def state_of(day: date, kind: str | None, name: str | None) -> str:
    """The state of ``day`` given its calendar row (``kind`` None: the ordinary week). A day off is
    told apart by its name: Tết's days name Tết (not New Year's Day), a day off in exchange says
    "nghỉ bù" or "thay cho" (as the holidays package and the government's notices name them)."""
    if kind == "working":
        return "swapped" if day.weekday() >= 5 else "working"
    if kind == "off":
        words = fold(name or "")
        if "nghi bu" in words or "thay cho" in words:
            return "exchange"
        if "tet" in words.split() and "duong lich" not in words:
            return "tet"
        return "holiday"
    return "weekend" if day.weekday() >= 5 else "working"


@dataclass(frozen=True)
class GridDay:
    day: date
    state: str
    name: str | None
    working: bool

    @property
    def iso(self) -> str:
        return self.day.isoformat()

    @property
    def words(self) -> str:
        """The day's state as a screen reader says it, with its name when it has one."""
        said = STATES[self.state]
        return f"{said}: {self.name}" if self.name and self.state != "working" else said


def month_working_days(cal: WorkCalendar, year: int, month: int) -> int:
    last = _calendar.monthrange(year, month)[1]
    return sum(1 for d in range(1, last + 1) if cal.is_working_day(date(year, month, d)))


def year_grid(session: Session, year: int) -> dict[str, Any]:
    """Twelve months of weeks (Monday first; None outside the month), each month with its working
    days and its named days, the year's total; a year the calendar lacks is NotFound (as the API)."""
    answer = service.year(session, year)
    cal = service.load(session)
    rows = {date.fromisoformat(d["date"]): d for d in answer["days"]}
    months = []
    for month in range(1, 13):
        weeks = []
        named = []
        for week in _calendar.Calendar(firstweekday=0).monthdatescalendar(year, month):
            cells: list[GridDay | None] = []
            for d in week:
                if d.month != month:
                    cells.append(None)
                    continue
                row = rows.get(d)
                cell = GridDay(
                    d,
                    state_of(d, row["kind"] if row else None, row["name"] if row else None),
                    row["name"] if row else None,
                    cal.is_working_day(d),
                )
                cells.append(cell)
                if row:
                    named.append(cell)
            weeks.append(cells)
        months.append(
            {
                "month": month,
                "weeks": weeks,
                "named": named,
                "working_days": month_working_days(cal, year, month),
            }
        )
    return {
        "year": year,
        "lunar_new_year": date.fromisoformat(answer["lunar_new_year"]),
        "working_days": sum(m["working_days"] for m in months),
        "months": months,
        "first_year": cal.first.year,
        "last_year": cal.last.year,
    }


def parse_day(text: str) -> date:
    """A day in a page's address: ``dd-mm-yyyy`` (as people write it) or ``yyyy-mm-dd``."""
    parts = text.split("-")
    try:
        if len(parts) == 3 and len(parts[0]) == 4:
            return date(int(parts[0]), int(parts[1]), int(parts[2]))
        if len(parts) == 3 and len(parts[2]) == 4 and len(parts[0]) <= 2 and len(parts[1]) <= 2:
            return date(int(parts[2]), int(parts[1]), int(parts[0]))
    except ValueError:
        pass
    raise ValidationFailed(
        "Ngày không hợp lệ",
        [FieldError("Ngày viết dd-mm-yyyy hoặc yyyy-mm-dd, ví dụ 03-05-2027", field="day", value=text[:20])],
    )


def day_view(session: Session, day: date) -> dict[str, Any]:
    """One day: its row (None: the ordinary week), its state, and its month's working days."""
    cal = service.load(session)
    if not (cal.first <= day <= cal.last):
        raise ValidationFailed(
            "Ngày ngoài lịch", [FieldError(f"Lịch có {cal.first.year}–{cal.last.year}", field="day")]
        )
    record = session.get(CalendarDay, day)
    row = service.day_dict(record) if record is not None else None
    return {
        "day": day,
        "weekday": WEEKDAYS[day.weekday()],
        "record": row,
        "state": state_of(day, row["kind"] if row else None, row["name"] if row else None),
        "working": cal.is_working_day(day),
        "month_working_days": month_working_days(cal, day.year, day.month),
        "previous": day - timedelta(days=1),
        "next": day + timedelta(days=1),
    }
