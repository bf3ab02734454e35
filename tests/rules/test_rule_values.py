"""Legal constants as data: a new value from a day on governs what happens from that day, the value
before it still governs what came before; only an admin enters values, and bad ones are refused."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.rules.book import RuleBook
from tests.api.helpers import problem
from tests.conftest import ClientAs
from tests.procedures.helpers import make_procedure
from tests.procedures.test_dossiers_api import receive


def test_the_seeded_rules_are_listed_with_their_legal_basis(anon: TestClient) -> None:
    rows = {r["code"]: r for r in anon.get("/api/rules", params={"on": "2026-11-28"}).json()}
    assert rows["one_stop.paper_cutoff"]["value"] == "15:00"
    assert rows["sanction.payment_days"]["value"] == "10" and "Điều 73" in rows["sanction.payment_days"]["legal_basis"]
    assert {"one_stop.online_cutoff", "sanction.late_fee_percent_per_day", "press.annual_report_due"} <= set(rows)


def test_a_later_cut_off_applies_from_its_day(client: TestClient, db: Session) -> None:
    make_procedure(db, "1.000001.000.00.00.H27", value=3)
    # Paper at 15:30 on Friday 30/10/2026: after the 15:00 cut-off → counted from Monday 2/11, due 5/11.
    before = receive(client, at="2026-10-30T15:30:00+07:00")
    assert (before["counted_from"], before["due_date"]) == ("2026-11-02", "2026-11-05")
    body = {"code": "one_stop.paper_cutoff", "value": "16:00", "effective_from": "2026-11-01",
            "legal_basis": "Quyết định thử nghiệm của UBND tỉnh"}  # fmt: skip
    added = client.post("/api/rules", json=body)
    assert added.status_code == 201, added.text
    # The same hour on Friday 6/11 now falls before the cut-off: counted from that day; 9, 10, 11/11.
    after = receive(client, at="2026-11-06T15:30:00+07:00")
    assert (after["counted_from"], after["due_date"]) == ("2026-11-06", "2026-11-11")
    # A dossier received before the change, entered after it, keeps the rule of its day.
    old = receive(client, at="2026-10-29T15:30:00+07:00")
    assert old["counted_from"] == "2026-10-30"
    history = {
        r["effective_from"]: r for r in client.get("/api/rules", params={"code": "one_stop.paper_cutoff"}).json()
    }
    assert history["1990-01-01"]["effective_to"] == "2026-11-01" and history["2026-11-01"]["effective_to"] is None
    book = RuleBook.load(db)
    assert str(book.value("one_stop.paper_cutoff", date(2026, 10, 31))) == "15:00:00"
    assert str(book.value("one_stop.paper_cutoff", date(2026, 11, 1))) == "16:00:00"
    # The change is in the audit trail like any other.
    events = client.get("/api/audit", params={"entity": "rule_value"}).json()["events"]
    assert {e["action"] for e in events} >= {"create", "update"}


def test_the_days_to_pay_a_fine_follow_the_rule(client: TestClient, db: Session) -> None:
    book_before = RuleBook.load(db)
    assert book_before.value("sanction.payment_days", date(2026, 1, 1)) == 10
    added = client.post(
        "/api/rules",
        json={"code": "sanction.payment_days", "value": "15", "effective_from": "2027-01-01",
              "legal_basis": "Luật sửa đổi (thử nghiệm)"},
    )  # fmt: skip
    assert added.status_code == 201, added.text
    from registry.cases.enforcement_models import Sanction
    from registry.cases.enforcement_service import late_fee, payment_due

    book = RuleBook.load(db)
    old = Sanction(delivered_on=date(2026, 12, 20), fine_vnd=10_000_000, paid_on=None)
    new = Sanction(delivered_on=date(2027, 1, 5), fine_vnd=10_000_000, paid_on=None)
    assert payment_due(old, book) == date(2026, 12, 30)
    assert payment_due(new, book) == date(2027, 1, 20)
    # 0.05 % a day: 5,000 đồng a day on 10 million, 4 days late.
    assert late_fee(new, date(2027, 1, 24), book) == 20_000
    assert late_fee(new, date(2027, 1, 20), book) == 0


def test_values_are_checked_and_only_an_admin_enters_them(client: TestClient, client_as: ClientAs) -> None:
    base = {"code": "one_stop.paper_cutoff", "value": "16:00", "effective_from": "2027-01-01", "legal_basis": "X"}
    for bad, field in (
        ({"value": "25:00"}, "value"),
        ({"value": "4pm"}, "value"),
        ({"effective_from": "1990-01-01"}, "effective_from"),
        ({"code": "one_stop.nothing"}, None),
        ({"code": "Bad Code"}, "code"),
        ({"legal_basis": ""}, "legal_basis"),
    ):
        response = client.post("/api/rules", json={**base, **bad})
        if field is None:
            problem(response, 404)
        else:
            assert problem(response, 422)["errors"][0]["field"] == field, bad
    problem(client.post("/api/rules", json={**base, "code": "sanction.payment_days", "value": "-3"}), 422)
    problem(client.post("/api/rules", json={**base, "code": "press.annual_report_due", "value": "02-30"}), 422)
    problem(client_as("one_stop_officer").post("/api/rules", json=base), 403)
    assert client.post("/api/rules", json=base).status_code == 201
    twice = client.post("/api/rules", json={**base, "value": "16:30"})
    assert problem(twice, 422)["errors"][0]["field"] == "effective_from"  # not before or on the latest
    assert (
        client.get("/api/rules", params={"code": "one_stop.paper_cutoff", "on": str(date(2027, 1, 1))}).json()[0][
            "value"
        ]
        == "16:00"
    )


def test_a_day_before_any_rule_is_refused_not_a_crash(anon: TestClient) -> None:
    answer = anon.get("/api/calendar/deadline", params={"received_at": "1985-02-20T10:00:00+07:00", "working_days": 3})
    body = problem(answer, 422)
    assert "one_stop.paper_cutoff" in body["errors"][0]["message"]


def test_rule_list_parameters_are_checked(anon: TestClient) -> None:
    assert problem(anon.get("/api/rules", params={"code": "Bad Code"}), 422)["errors"][0]["field"] == "code"
    assert problem(anon.get("/api/rules", params={"on": "2026-02-30"}), 422)["errors"][0]["field"] == "on"
    assert anon.get("/api/rules", params={"code": "no.such.rule"}).json() == []
