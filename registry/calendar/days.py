"""Counting days the way Vietnamese law does, over a calendar of exceptions.

* Working days: Monday–Friday, except days off, plus weekend days swapped into working days.
* A period of N working days from an event: the event's day is not counted; the period ends at the
  end of the N-th working day after it.
* A period of N calendar days (Civil Code 2015, arts. 147–148): the first day is not counted; when the
  last day is not a working day, the period ends at the end of the next working day.
* One-stop desks: a paper dossier received after 15:00, or on a day that is not a working day, is
  counted from the next working day.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
MAX_SPAN_DAYS = 366 * 30  # no deadline is counted over more than thirty years


class OutOfCalendar(ValueError):
    """The count reaches beyond the years the calendar covers."""


@dataclass(frozen=True)
class WorkCalendar:
    off: frozenset[date] = field(default_factory=frozenset)
    working: frozenset[date] = field(default_factory=frozenset)  # weekend days worked
    first: date = date(2015, 1, 1)
    last: date = date(2035, 12, 31)

    @classmethod
    def of(cls, days: Iterable[tuple[date, str]], first: date, last: date) -> WorkCalendar:
        days = list(days)
        return cls(
            frozenset(d for d, k in days if k == "off"), frozenset(d for d, k in days if k == "working"), first, last
        )

    def _covered(self, day: date) -> None:
        if not (self.first <= day <= self.last):
            raise OutOfCalendar(
                f"Lịch ngày làm việc chỉ có từ {self.first:%d/%m/%Y} đến {self.last:%d/%m/%Y}; "
                f"ngày {day:%d/%m/%Y} ngoài phạm vi"
            )

    def is_working_day(self, day: date) -> bool:
        self._covered(day)
        if day in self.working:
            return True
        return day.weekday() < 5 and day not in self.off

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after ``day``."""
        d = day + timedelta(days=1)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def working_day_on_or_after(self, day: date) -> date:
        return day if self.is_working_day(day) else self.next_working_day(day)

    def add_working_days(self, start: date, n: int) -> date:
        """The N-th working day after ``start`` (``start`` itself is not counted)."""
        if n < 0 or n > MAX_SPAN_DAYS:
            raise ValueError("Số ngày phải từ 0")
        d = start
        for _ in range(n):
            d = self.next_working_day(d)
        return d

    def add_calendar_days(self, start: date, n: int) -> date:
        """``start`` + N days, rolled forward to the next working day when it is not one."""
        if n < 0 or n > MAX_SPAN_DAYS:
            raise ValueError("Số ngày phải từ 0")
        return self.working_day_on_or_after(start + timedelta(days=n))

    def count_working_days(self, start: date, end: date) -> int:
        """Working days after ``start`` up to and including ``end`` (negative when ``end`` is before)."""
        if end < start:
            return -self.count_working_days(end, start)
        self._covered(start)
        self._covered(end)
        return sum(1 for i in range(1, (end - start).days + 1) if self.is_working_day(start + timedelta(days=i)))

    def counting_day(self, received_at: datetime, cutoff: time) -> date:
        """The day a dossier counts as received: the same working day before the cut-off, otherwise
        the next working day (times without a zone are Vietnam time)."""
        local = (received_at if received_at.tzinfo else received_at.replace(tzinfo=VIETNAM)).astimezone(VIETNAM)
        day = local.date()
        if self.is_working_day(day) and local.time() < cutoff:
            return day
        return self.next_working_day(day)
