"""Appointment dates, each checked against a date computed by hand on the seeded calendar: weekends,
Tết (2019: 4–8 February off; 2026: 16–20 February off), the 2 September 2026 holidays (31 August –
2 September off), the 15:00 cut-off for paper dossiers and the 17:00 one for online dossiers."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from registry.calendar.days import VIETNAM, WorkCalendar
from registry.calendar.service import load
from registry.procedures.deadlines import OneStopRules, appointment, rules_on, send_back_limit
from tests.procedures.helpers import vn


@pytest.fixture(scope="module")
def cal(engine) -> WorkCalendar:  # type: ignore[no-untyped-def]
    with Session(engine) as session:
        return load(session)


@pytest.fixture(scope="module")
def rules(engine) -> OneStopRules:  # type: ignore[no-untyped-def]
    """The seeded one-stop rules (the same on every day since 2000)."""
    with Session(engine) as session:
        return rules_on(session, date(2026, 11, 28))


@pytest.mark.parametrize(
    ("received_at", "channel", "value", "unit", "start", "due"),
    [
        # Friday before Tết 2019, 10:00 in person: counted from Friday; Sat–Sun, Tết 4–8/2, Sat–Sun skipped
        # → 11/2 (1), 12/2 (2), 13/2 (3).
        (vn(2019, 2, 1, 10), "in_person", 3, "working_days", date(2019, 2, 1), date(2019, 2, 13)),
        # The same at 14:59 still counts from Friday; at 15:00 and after, from the next working day (11/2).
        (vn(2019, 2, 1, 14, 59), "post", 3, "working_days", date(2019, 2, 1), date(2019, 2, 13)),
        (vn(2019, 2, 1, 15, 0), "in_person", 3, "working_days", date(2019, 2, 11), date(2019, 2, 14)),
        (vn(2019, 2, 1, 15, 30), "in_person", 3, "working_days", date(2019, 2, 11), date(2019, 2, 14)),
        # Online: 16:30 is within office hours (counted from Friday); 17:30 is not (from 11/2).
        (vn(2019, 2, 1, 16, 30), "online", 3, "working_days", date(2019, 2, 1), date(2019, 2, 13)),
        (vn(2019, 2, 1, 17, 30), "online", 3, "working_days", date(2019, 2, 11), date(2019, 2, 14)),
        # Online on Saturday 14/2/2026, just before Tết 2026: counted from Monday 23/2; 5 working days →
        # 24, 25, 26, 27/2 and 2/3.
        (vn(2026, 2, 14, 11), "online", 5, "working_days", date(2026, 2, 23), date(2026, 3, 2)),
        # Paper at 15:05 on Friday 13/2/2026: counted from 23/2; 10 working days → 9/3.
        (vn(2026, 2, 13, 15, 5), "in_person", 10, "working_days", date(2026, 2, 23), date(2026, 3, 9)),
        # 30 calendar days from 1/4/2019 end on 1/5/2019, a holiday: rolled to Thursday 2/5.
        (vn(2019, 4, 1, 9), "in_person", 30, "calendar_days", date(2019, 4, 1), date(2019, 5, 2)),
        # 15 calendar days from Friday 16/1/2026 end on Saturday 31/1: rolled to Monday 2/2.
        (vn(2026, 1, 16, 9), "in_person", 15, "calendar_days", date(2026, 1, 16), date(2026, 2, 2)),
        # 24 working hours = 3 working days from Thursday 27/8/2026: 28/8 (1), 31/8–2/9 off, 3/9 (2), 4/9 (3).
        (vn(2026, 8, 27, 9), "in_person", 24, "hours", date(2026, 8, 27), date(2026, 9, 4)),
        # 4 working hours round up to one working day: Friday 28/8/2026 → Thursday 3/9.
        (vn(2026, 8, 28, 9), "online", 4, "hours", date(2026, 8, 28), date(2026, 9, 3)),
        # A paper dossier received on a Sunday counts from Monday.
        (vn(2019, 3, 10, 10), "post", 5, "working_days", date(2019, 3, 11), date(2019, 3, 18)),
        # A time in another zone is read in Vietnam time: 08:30 UTC is 15:30 in Hà Nội → next working day.
        (datetime.fromisoformat("2019-03-11T08:30:00+00:00"), "in_person", 1, "working_days", date(2019, 3, 12),
         date(2019, 3, 13)),
    ],
)  # fmt: skip
def test_appointment_equals_the_date_computed_by_hand(
    cal: WorkCalendar,
    rules: OneStopRules,
    received_at: datetime,
    channel: str,
    value: int,
    unit: str,
    start: date,
    due: date,
) -> None:
    assert appointment(cal, received_at=received_at, channel=channel, value=value, unit=unit, rules=rules) == (
        start,
        due,
    )


def test_incomplete_dossier_send_back_limit_is_three_working_days(cal: WorkCalendar, rules: OneStopRules) -> None:
    # Counted from Friday 1/2/2019: 11, 12, 13/2 (Tết in between).
    assert send_back_limit(cal, date(2019, 2, 1), rules) == date(2019, 2, 13)


@settings(max_examples=200, deadline=None)
@given(
    st.datetimes(min_value=datetime(2016, 1, 1), max_value=datetime(2034, 12, 1)),
    st.sampled_from(["online", "in_person", "post"]),
    st.integers(min_value=1, max_value=60),
    st.sampled_from(["working_days", "calendar_days", "hours"]),
)
def test_appointment_is_a_working_day_after_the_counting_day(
    cal: WorkCalendar, rules: OneStopRules, moment: datetime, channel: str, value: int, unit: str
) -> None:
    received_at = moment.replace(tzinfo=VIETNAM)
    start, due = appointment(cal, received_at=received_at, channel=channel, value=value, unit=unit, rules=rules)
    assert cal.is_working_day(start) and cal.is_working_day(due)
    assert received_at.date() <= start < due
    if unit == "working_days":
        assert cal.count_working_days(start, due) == value
