"""The appointment date of a dossier and the one-stop rules that bound a dossier's life.

These are rules of law kept as constants (each names its legal basis): they are the same for every
procedure and change only with a new decree, unlike the statutory times, which are catalogue data.

Counting (on the working-day calendar, registry/calendar/days.py):

* the **counting day** — the day the statutory time counts from (itself not counted):
  - a paper dossier (in person, by post) received before 15:00 on a working day counts from that
    day; after 15:00, or on a day off, from the next working day (Decree 61/2018/NĐ-CP, art. 20:
    a dossier received after 15:00 is transferred on the next working day);
  - an online dossier may be filed at any hour: filed on a working day before the end of office
    hours (17:00) it counts from that day, otherwise from the next working day (Decree
    45/2020/NĐ-CP on online procedures: a dossier filed outside office hours is received on the
    next working day) [check: the hour is the department's office hours, kept here];
* the **appointment** = counting day + the procedure's statutory time:
  - working days: the N-th working day after the counting day;
  - calendar days: counting day + N, rolled forward to the next working day when that is a day
    off (Civil Code 2015, arts. 147–148);
  - hours: working hours, eight to a working day, rounded up to whole working days (the
    appointment is a day, not an hour);
* a supplement request stops the clock: when the dossier is complete again the appointment moves
  by the working days it waited (Decree 61/2018/NĐ-CP, art. 19);
* an apology (phiếu xin lỗi và hẹn lại ngày trả kết quả) gives a new appointment once, issued at
  least one day before the appointment (Decree 61/2018/NĐ-CP, art. 12, as amended by Decree
  107/2021/NĐ-CP); the dossier is counted late however the new date is met;
* an incomplete or invalid dossier is sent back within 3 working days of receipt (Decree
  61/2018/NĐ-CP, art. 19, as amended by Decree 107/2021/NĐ-CP).
"""

from __future__ import annotations

import math
from datetime import date, datetime, time

from registry.calendar.days import ONE_STOP_CUTOFF, WorkCalendar
from registry.procedures.models import PAPER_CHANNELS, Channel, TimeUnit

PAPER_CUTOFF = ONE_STOP_CUTOFF  # 15:00, Decree 61/2018/NĐ-CP art. 20
ONLINE_CUTOFF = time(17, 0)  # end of office hours for online filings, Decree 45/2020/NĐ-CP [check]
HOURS_PER_WORKING_DAY = 8  # Labour Code 2019 art. 105: normal working time of 8 hours a day
SEND_BACK_WORKING_DAYS = 3  # Decree 61/2018/NĐ-CP art. 19, amended by Decree 107/2021/NĐ-CP
APOLOGY_LEAD_DAYS = 1  # at least one day before the appointment; Decree 61/2018 art. 12, Decree 107/2021
MAX_APOLOGIES = 1  # the appointment may be re-set only once (same articles)


def counting_day(cal: WorkCalendar, received_at: datetime, channel: Channel | str) -> date:
    cutoff = PAPER_CUTOFF if Channel(channel) in PAPER_CHANNELS else ONLINE_CUTOFF
    return cal.counting_day(received_at, cutoff)


def add_statutory_time(cal: WorkCalendar, start: date, value: int, unit: TimeUnit | str) -> date:
    unit = TimeUnit(unit)
    if unit == TimeUnit.working_days:
        return cal.add_working_days(start, value)
    if unit == TimeUnit.calendar_days:
        return cal.add_calendar_days(start, value)
    return cal.add_working_days(start, math.ceil(value / HOURS_PER_WORKING_DAY))


def appointment(
    cal: WorkCalendar, *, received_at: datetime, channel: Channel | str, value: int, unit: TimeUnit | str
) -> tuple[date, date]:
    """(counting day, appointment date) of a dossier received at ``received_at`` through ``channel``."""
    start = counting_day(cal, received_at, channel)
    return start, add_statutory_time(cal, start, value, unit)


def send_back_limit(cal: WorkCalendar, counted_from: date) -> date:
    """The last day an incomplete dossier may be sent back."""
    return cal.add_working_days(counted_from, SEND_BACK_WORKING_DAYS)
