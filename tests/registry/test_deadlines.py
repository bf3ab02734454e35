"""Legal deadlines from the rules as data, on the working-day calendar, each equal to a date
computed by hand (2026: Tết 16–20 Feb, Hùng Kings 26–27 Apr, 30 Apr, 1 May, 31 Aug–2 Sep, 24 Nov)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy.orm import Session

from registry.calendar import service as calendar
from registry.cases.deadlines import Flags, Suspension, compute, resolution_deadlines, rule_for
from registry.errors import ValidationFailed


@pytest.mark.parametrize(
    ("accepted", "flags", "rule", "due"),
    [
        # The last working day before Tết: 13 Feb + 30 = Sun 15 Mar → Mon 16 Mar.
        (date(2026, 2, 13), Flags(), "KN1", date(2026, 3, 16)),
        # The eve of Tết, complex: 16 Feb + 45 = Thu 2 Apr.
        (date(2026, 2, 16), Flags(complex=True), "KN1-PT", date(2026, 4, 2)),
        # Remote and complex: 16 Feb + 60 = Fri 17 Apr.
        (date(2026, 2, 16), Flags(complex=True, remote=True), "KN1-VX-PT", date(2026, 4, 17)),
    ],
)
def test_a_complaint_accepted_just_before_tet(db: Session, accepted: date, flags: Flags, rule: str, due: date) -> None:
    cal = calendar.load(db)
    (deadline,) = resolution_deadlines(db, cal, case_kind="complaint", accepted_on=accepted, flags=flags)
    assert (deadline.rule, deadline.due) == (rule, due)


def test_a_denunciation_extended_twice(db: Session) -> None:
    cal = calendar.load(db)
    deadlines = resolution_deadlines(
        db,
        cal,
        case_kind="denunciation",
        accepted_on=date(2026, 3, 2),
        flags=Flags(especially_complex=True),
        extensions=2,
    )
    # 2 Mar + 30 = Wed 1 Apr; + 30 = Fri 1 May (Labour Day) → Mon 4 May; + 30 = Wed 3 Jun.
    assert [(d.rule, d.due) for d in deadlines] == [
        ("TC", date(2026, 4, 1)),
        ("TC-GH1", date(2026, 5, 4)),
        ("TC-GH2", date(2026, 6, 3)),
    ]
    # A merely complex denunciation may be extended once, not twice.
    with pytest.raises(ValidationFailed):
        resolution_deadlines(
            db, cal, case_kind="denunciation", accepted_on=date(2026, 3, 2), flags=Flags(complex=True), extensions=2
        )


def test_suspension_and_resumption(db: Session) -> None:
    cal = calendar.load(db)
    rule = rule_for(db, case_kind="complaint", step="resolution", on=date(2026, 3, 2), flags=Flags())
    assert compute(cal, rule, date(2026, 3, 2)).due == date(2026, 4, 1)
    # Suspended 10–20 Mar (10 days): 2 Mar + 40 = Sat 11 Apr → Mon 13 Apr.
    paused = compute(cal, rule, date(2026, 3, 2), suspensions=[Suspension(date(2026, 3, 10), date(2026, 3, 20))])
    assert paused.due == date(2026, 4, 13)
    # Still suspended on 25 Mar (15 days so far): 2 Mar + 45 = Thu 16 Apr.
    open_ = compute(
        cal, rule, date(2026, 3, 2), suspensions=[Suspension(date(2026, 3, 10), None)], today=date(2026, 3, 25)
    )
    assert open_.due == date(2026, 4, 16)
    # Working-day rules move by working days: denunciation handling, 7 WD from Mon 24 Aug 2026:
    # 25, 26, 27, 28 Aug, (31 Aug – 2 Sep off) 3, 4, 7 Sep; suspended 25 → 28 Aug (26, 27, 28: 3 WD)
    # adds 8, 9, 10 Sep.
    handling = rule_for(db, case_kind="denunciation", step="initial_handling", on=date(2026, 8, 24), flags=Flags())
    assert compute(cal, handling, date(2026, 8, 24)).due == date(2026, 9, 7)
    moved = compute(cal, handling, date(2026, 8, 24), suspensions=[Suspension(date(2026, 8, 25), date(2026, 8, 28))])
    assert moved.due == date(2026, 9, 10)


@pytest.mark.parametrize(
    ("received", "rule", "due"),
    [
        (date(2026, 6, 26), "KN-THULY", date(2026, 7, 6)),  # old rule: Fri 26 Jun + 10 days = Mon 6 Jul
        (date(2026, 6, 30), "KN-THULY", date(2026, 7, 10)),  # the last day under the old rule
        (date(2026, 7, 1), "KN-THULY-2026", date(2026, 7, 10)),  # 7 working days: 2,3,6,7,8,9,10 Jul
        (date(2026, 7, 3), "KN-THULY-2026", date(2026, 7, 14)),  # Fri 3 Jul: 6,7,8,9,10,13,14 Jul
    ],
)
def test_a_rule_that_changed_on_1_july_2026(db: Session, received: date, rule: str, due: date) -> None:
    cal = calendar.load(db)
    r = rule_for(db, case_kind="complaint", step="acceptance", on=received, flags=Flags())
    assert (r.code, compute(cal, r, received).due) == (rule, due)
