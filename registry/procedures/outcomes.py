"""What a dossier's standing is on a day, measured against its appointment date.

* resolved (a result — approval or refusal — ready on ``resolved_on``):
  ``early`` before the appointment day, ``on_time`` on it, ``late`` after it; a dossier that had an
  apology is ``late`` whatever day the result came (Decree 61/2018/NĐ-CP as amended by 107/2021);
* ``sent_back`` (returned to the applicant as incomplete, counted as ``returned`` in reports) and
  ``withdrawn`` are closed without a result;
* open on the day: ``pending_within_deadline`` while the appointment day has not passed (the day
  itself is within) or while the clock is stopped for a supplement requested no later than the
  appointment day; ``pending_overdue`` otherwise. The appointment of an open dossier on a past day is
  the one in force then: an apology issued after that day is not yet counted.

The report (registry/procedures/reports.py) applies the same definitions in SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

EARLY, ON_TIME, LATE = "early", "on_time", "late"
PENDING_WITHIN, PENDING_OVERDUE = "pending_within_deadline", "pending_overdue"
SENT_BACK, WITHDRAWN = "sent_back", "withdrawn"

OUTCOME_NAMES = {
    EARLY: "Giải quyết trước hạn",
    ON_TIME: "Giải quyết đúng hạn",
    LATE: "Giải quyết quá hạn",
    PENDING_WITHIN: "Đang giải quyết, trong hạn",
    PENDING_OVERDUE: "Đang giải quyết, quá hạn",
    SENT_BACK: "Trả lại hồ sơ (chưa đầy đủ, hợp lệ)",
    WITHDRAWN: "Người nộp rút hồ sơ",
}


class DossierDates(Protocol):
    received_on: date
    due_date: date
    pre_apology_due_date: date | None
    apology_on: date | None
    supplement_since: date | None
    resolved_on: date | None
    sent_back_on: date | None
    withdrawn_on: date | None


def resolved_outcome(d: DossierDates) -> str | None:
    if d.resolved_on is None:
        return None
    if d.apology_on is not None or d.resolved_on > d.due_date:
        return LATE
    return EARLY if d.resolved_on < d.due_date else ON_TIME


def due_on(d: DossierDates, on: date) -> date:
    """The appointment in force on ``on``."""
    if d.apology_on is not None and d.apology_on > on and d.pre_apology_due_date is not None:
        return d.pre_apology_due_date
    return d.due_date


def outcome(d: DossierDates, on: date) -> str | None:
    """The dossier's standing at the end of ``on``; None when it was not yet received."""
    if d.received_on > on:
        return None
    if d.resolved_on is not None and d.resolved_on <= on:
        return resolved_outcome(d)
    if d.sent_back_on is not None and d.sent_back_on <= on:
        return SENT_BACK
    if d.withdrawn_on is not None and d.withdrawn_on <= on:
        return WITHDRAWN
    due = due_on(d, on)
    stopped = d.supplement_since is not None and d.supplement_since <= on and d.supplement_since <= due
    return PENDING_WITHIN if stopped or on <= due else PENDING_OVERDUE
