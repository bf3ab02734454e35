"""The appointment date of a dossier and the one-stop rules that bound a dossier's life.

The one-stop rules below are data (``rule_value`` rows ``one_stop.*`` with their legal basis and
validity dates, registry/rules): ``OneStopRules.on(book, day)`` gives those in force on a day. A
dossier is governed by the rules in force on the day it was received. The statutory times are
catalogue data.

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
from dataclasses import dataclass, fields
from datetime import date, datetime, time

from sqlalchemy.orm import Session

from registry.calendar.days import VIETNAM, WorkCalendar
from registry.procedures.models import PAPER_CHANNELS, UNIT_NAMES, Channel, TimeUnit
from registry.rules.book import RuleBook


@dataclass(frozen=True)
class OneStopRules:
    """The one-stop rules in force on a day; each field is the rule ``one_stop.<field>``."""

    paper_cutoff: time  # Decree 61/2018/NĐ-CP art. 20
    online_cutoff: time  # office hours for online filings, Decree 45/2020/NĐ-CP [check]
    hours_per_working_day: int  # Labour Code 2019 art. 105
    send_back_working_days: int  # Decree 61/2018/NĐ-CP art. 19, amended by Decree 107/2021/NĐ-CP
    apology_lead_days: int  # Decree 61/2018/NĐ-CP art. 12, amended by Decree 107/2021/NĐ-CP

    @classmethod
    def on(cls, book: RuleBook, day: date) -> OneStopRules:
        return cls(**{f.name: book.value(f"one_stop.{f.name}", day) for f in fields(cls)})


def rules_on(session: Session, day: date) -> OneStopRules:
    return OneStopRules.on(RuleBook.load(session), day)


def counting_day(cal: WorkCalendar, received_at: datetime, channel: Channel | str, rules: OneStopRules) -> date:
    cutoff = rules.paper_cutoff if Channel(channel) in PAPER_CHANNELS else rules.online_cutoff
    return cal.counting_day(received_at, cutoff)


def add_statutory_time(cal: WorkCalendar, start: date, value: int, unit: TimeUnit | str, rules: OneStopRules) -> date:
    unit = TimeUnit(unit)
    if unit == TimeUnit.working_days:
        return cal.add_working_days(start, value)
    if unit == TimeUnit.calendar_days:
        return cal.add_calendar_days(start, value)
    return cal.add_working_days(start, math.ceil(value / rules.hours_per_working_day))


def appointment(
    cal: WorkCalendar,
    *,
    received_at: datetime,
    channel: Channel | str,
    value: int,
    unit: TimeUnit | str,
    rules: OneStopRules,
) -> tuple[date, date]:
    """(counting day, appointment date) of a dossier received at ``received_at`` through ``channel``."""
    start = counting_day(cal, received_at, channel, rules)
    return start, add_statutory_time(cal, start, value, unit, rules)


def reason(
    cal: WorkCalendar,
    *,
    received_at: datetime,
    channel: Channel | str,
    value: int,
    unit: TimeUnit | str,
    rules: OneStopRules,
    start: date,
    due: date,
) -> str:
    """Why the appointment is what ``appointment`` gave, in the words the desk says to the applicant:
    "Nhận từ 15:00 trở đi (hồ sơ giấy): tính từ ngày làm việc tiếp theo, 07/09/2026; …"."""
    local = (received_at if received_at.tzinfo else received_at.replace(tzinfo=VIETNAM)).astimezone(VIETNAM)
    paper = Channel(channel) in PAPER_CHANNELS
    cutoff = f"{(rules.paper_cutoff if paper else rules.online_cutoff):%H:%M}"
    kind = "hồ sơ giấy" if paper else "hồ sơ trực tuyến"
    if start == local.date():
        why = f"Nhận trước {cutoff} của ngày làm việc ({kind}): tính từ ngày nhận, {start:%d/%m/%Y}"
    elif not cal.is_working_day(local.date()):
        why = f"Nhận vào ngày nghỉ ({kind}): tính từ ngày làm việc tiếp theo, {start:%d/%m/%Y}"
    else:
        why = f"Nhận từ {cutoff} trở đi ({kind}): tính từ ngày làm việc tiếp theo, {start:%d/%m/%Y}"
    unit = TimeUnit(unit)
    span = f"{value} {UNIT_NAMES[unit]}"
    if unit == TimeUnit.working_days:
        span += " (không tính ngày nghỉ, ngày lễ)"
    elif unit == TimeUnit.hours:
        span += f" (làm tròn {math.ceil(value / rules.hours_per_working_day)} ngày làm việc)"
    elif unit == TimeUnit.calendar_days and (due - start).days != value:
        span += " (ngày cuối rơi vào ngày nghỉ: lùi sang ngày làm việc tiếp theo)"
    return f"{why}; thời hạn giải quyết {span} → hẹn trả ngày {due:%d/%m/%Y}"


def send_back_limit(cal: WorkCalendar, counted_from: date, rules: OneStopRules) -> date:
    """The last day an incomplete dossier may be sent back."""
    return cal.add_working_days(counted_from, rules.send_back_working_days)
