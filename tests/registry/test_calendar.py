"""The working-day calendar: Tết on the Vietnamese calendar, swapped days, Civil Code counting,
the one-stop 15:00 cut-off, and an admin's changes — every expected date computed by hand."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.calendar import service
from registry.calendar.days import OutOfCalendar
from registry.calendar.seed import lunar_new_year
from tests.api.helpers import problem


@pytest.mark.parametrize(
    ("year", "tet"),
    # Vietnamese calendar (UTC+7); the Chinese calendar gives 20/2/1985, 18/2/2007 and 3/2/2030.
    [(1985, date(1985, 1, 21)), (2007, date(2007, 2, 17)), (2030, date(2030, 2, 2)), (2026, date(2026, 2, 17))],
)
def test_tet_is_on_the_vietnamese_calendar(year: int, tet: date) -> None:
    assert lunar_new_year(year) == tet


def test_the_seeded_table_holds_tet_and_the_swapped_saturday(db: Session) -> None:
    cal = service.load(db)
    assert not cal.is_working_day(date(2030, 2, 2))  # Tết 2030 (a Saturday, but named as Tết)
    assert not cal.is_working_day(date(2030, 2, 4))  # a Monday of Tết
    assert cal.is_working_day(date(2026, 8, 22))  # Saturday worked for the 31 August bridge
    assert not cal.is_working_day(date(2026, 8, 31))
    assert not cal.is_working_day(date(2026, 11, 24))  # Vietnam Culture Day, from 2026
    assert cal.is_working_day(date(2025, 11, 24))
    assert (cal.first, cal.last) == (date(2015, 1, 1), date(2035, 12, 31))


def test_counting(db: Session) -> None:
    cal = service.load(db)
    # Friday 13 Feb 2026, before Tết (16–20 Feb off): five working days end on Friday 27 Feb.
    assert cal.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)
    assert cal.add_working_days(date(2026, 2, 13), 0) == date(2026, 2, 13)
    # The swapped Saturday counts: Fri 21 Aug → Sat 22, Mon 24 (Mon 31 Aug, 1–2 Sep off).
    assert cal.count_working_days(date(2026, 8, 21), date(2026, 8, 24)) == 2
    assert cal.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
    # Calendar days: 20 Apr + 7 = Mon 27 Apr (Hùng Kings, observed) → rolls to Tue 28 Apr.
    assert cal.add_calendar_days(date(2026, 4, 20), 7) == date(2026, 4, 28)
    assert cal.add_calendar_days(date(2026, 4, 20), 3) == date(2026, 4, 23)
    assert cal.next_working_day(date(2026, 4, 29)) == date(2026, 5, 4)  # 30/4, 1/5, weekend
    assert cal.count_working_days(date(2026, 3, 1), date(2026, 2, 1)) == -cal.count_working_days(
        date(2026, 2, 1), date(2026, 3, 1)
    )
    with pytest.raises(OutOfCalendar):
        cal.add_working_days(date(2035, 12, 20), 30)


@pytest.mark.parametrize(
    ("received", "counted"),
    [
        (datetime(2026, 11, 27, 14, 59), date(2026, 11, 27)),  # Friday before 15:00
        (datetime(2026, 11, 27, 15, 0), date(2026, 11, 30)),  # at 15:00: next working day (Monday)
        (datetime(2026, 11, 28, 9, 0), date(2026, 11, 30)),  # Saturday
        (datetime(2026, 11, 23, 16, 0), date(2026, 11, 25)),  # Monday late; Tuesday 24/11 is a holiday
        (datetime(2026, 11, 27, 8, 30, tzinfo=UTC), date(2026, 11, 30)),  # 15:30 in Vietnam
        (datetime(2026, 11, 27, 7, 59, tzinfo=timezone(timedelta(hours=0))), date(2026, 11, 27)),  # 14:59
    ],
)
def test_one_stop_cutoff(db: Session, received: datetime, counted: date) -> None:
    from registry.rules.book import RuleBook

    cutoff = RuleBook.load(db).value("one_stop.paper_cutoff", received.date())
    assert service.load(db).counting_day(received, cutoff) == counted


def test_calendar_api_and_admin_changes(client: TestClient, anon: TestClient, client_as) -> None:  # type: ignore[no-untyped-def]
    year = anon.get("/api/calendar/2026").json()
    assert year["lunar_new_year"] == "2026-02-17"
    assert {"date": "2026-08-22", "kind": "working"}.items() <= next(
        d for d in year["days"] if d["date"] == "2026-08-22"
    ).items()
    assert year["working_days"] == 249
    due = anon.get("/api/calendar/deadline", params={"start": "2026-12-29", "working_days": 3}).json()
    assert due["due"] == "2027-01-04"  # 30, 31 Dec; 1 Jan off; weekend; Mon 4 Jan
    late = anon.get(
        "/api/calendar/deadline", params={"received_at": "2026-11-27T15:10:00+07:00", "working_days": 1}
    ).json()
    assert (late["counted_from"], late["due"]) == ("2026-11-30", "2026-12-01")
    problem(anon.get("/api/calendar/deadline", params={"start": "2026-12-29"}), 422)
    problem(anon.get("/api/calendar/deadline", params={"start": "2040-01-01", "working_days": 1}), 422)
    problem(anon.get("/api/calendar/2050"), 404)
    body = {
        "kind": "off",
        "name": "Nghỉ bù thử nghiệm",
        "reason": "Thông báo của Chính phủ (thử)",
        "legal_basis": "TB thử",
    }
    problem(client_as("licensing_officer").put("/api/calendar/days/2026-12-30", json=body), 403)
    problem(anon.put("/api/calendar/days/2026-12-30", json=body), 401)
    created = client.put("/api/calendar/days/2026-12-30", json=body)
    assert created.status_code == 200, created.text
    assert (
        client.get("/api/calendar/deadline", params={"start": "2026-12-29", "working_days": 3}).json()["due"]
        == "2027-01-05"
    )
    url = "/api/calendar/days/2026-12-30"
    problem(client.put(url, json={**body, "name": "Sửa"}), 428)
    assert client.put(url, json={**body, "name": "Sửa"}, headers={"If-Match": '"1"'}).status_code == 200
    assert client.delete(url, headers={"If-Match": '"2"'}).status_code == 204
    problem(client.put("/api/calendar/days/2026-12-31", json={**body, "kind": "holiday"}), 422)
