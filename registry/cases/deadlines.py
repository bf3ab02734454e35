"""Legal deadlines of a case, computed from the rules in force on the day of the starting event.

A step's deadline is the rule's duration counted on the working-day calendar from its starting
event (working days: the event's day not counted; calendar days: rolled forward when the last day is
not a working day). Time a case spends suspended does not count: the deadline moves by the days
(of the rule's unit) the case was suspended. Extensions count from the deadline they extend.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.calendar.days import WorkCalendar
from registry.cases.models import DeadlineRule
from registry.errors import FieldError, ValidationFailed


@dataclass(frozen=True)
class Flags:
    complex: bool = False
    especially_complex: bool = False
    remote: bool = False


@dataclass(frozen=True)
class Suspension:
    start: date  # suspended from this day
    end: date | None  # resumed on this day (None: still suspended)


@dataclass(frozen=True)
class Deadline:
    rule: str
    step: str
    start: date
    due: date
    duration: int
    unit: str
    legal_basis: str


def _matches(rule: DeadlineRule, flags: Flags, extension_no: int | None) -> bool:
    complex_ = flags.complex or flags.especially_complex
    return (
        (rule.complex is None or rule.complex == complex_)
        and (rule.especially_complex is None or rule.especially_complex == flags.especially_complex)
        and (rule.remote is None or rule.remote == flags.remote)
        and rule.extension_no == extension_no
    )


def rule_for(
    session: Session, *, case_kind: str, step: str, on: date, flags: Flags, extension_no: int | None = None
) -> DeadlineRule:
    """The rule in force on ``on`` for this kind of case and step; the most specific one wins."""
    candidates = session.scalars(
        select(DeadlineRule).where(
            DeadlineRule.case_kind == case_kind,
            DeadlineRule.step == step,
            DeadlineRule.in_force_on(on),
        )
    ).all()
    matching = [r for r in candidates if _matches(r, flags, extension_no)]
    if not matching:
        raise ValidationFailed(
            "Không có quy tắc thời hạn",
            [FieldError(f"Không có quy tắc cho {case_kind}/{step} vào ngày {on:%d/%m/%Y}", field="step")],
        )
    specificity = lambda r: sum(v is not None for v in (r.complex, r.especially_complex, r.remote))  # noqa: E731
    return max(matching, key=specificity)


def _suspended_days(cal: WorkCalendar, unit: str, suspensions: Sequence[Suspension], until: date) -> int:
    total = 0
    for s in suspensions:
        end = s.end or until
        if end <= s.start:
            continue
        total += cal.count_working_days(s.start, end) if unit == "working_days" else (end - s.start).days
    return total


def compute(
    cal: WorkCalendar,
    rule: DeadlineRule,
    start: date,
    *,
    suspensions: Sequence[Suspension] = (),
    today: date | None = None,
) -> Deadline:
    """The due date of ``rule`` counted from ``start``, moved by the time spent suspended (the
    suspended days are added to the period before it is counted, so it rolls forward once)."""
    if rule.unit == "working_days":
        plain = cal.add_working_days(start, rule.duration)
    else:
        plain = cal.add_calendar_days(start, rule.duration)
    pause = _suspended_days(cal, rule.unit, suspensions, today or plain)
    if rule.unit == "working_days":
        due = cal.add_working_days(start, rule.duration + pause)
    else:
        due = cal.add_calendar_days(start, rule.duration + pause)
    return Deadline(rule.code, rule.step, start, due, rule.duration, rule.unit, rule.legal_basis)


def resolution_deadlines(
    session: Session,
    cal: WorkCalendar,
    *,
    case_kind: str,
    accepted_on: date,
    flags: Flags,
    extensions: int = 0,
    suspensions: Sequence[Suspension] = (),
) -> list[Deadline]:
    """The resolution deadline and each extension granted, from the rules in force on acceptance."""
    rule = rule_for(session, case_kind=case_kind, step="resolution", on=accepted_on, flags=flags)
    out = [compute(cal, rule, accepted_on, suspensions=suspensions)]
    for n in range(1, extensions + 1):
        ext = rule_for(session, case_kind=case_kind, step="extension", on=accepted_on, flags=flags, extension_no=n)
        out.append(compute(cal, ext, out[-1].due))
    return out
