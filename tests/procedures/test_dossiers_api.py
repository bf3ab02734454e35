"""The catalogue and the one-stop desk through the API: receipt, appointment, moves, supplement pause,
apology, sending back, results linked to permits and licences, who may do what."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.procedures.receipts import PATTERN
from tests.api.helpers import problem
from tests.conftest import ClientAs
from tests.factories import make_permit, make_site
from tests.procedures.helpers import make_procedure

TELECOM = "1.000001.000.00.00.H27"
PRESS = "1.000002.000.00.00.H27"


@pytest.fixture
def procs(db: Session) -> None:
    make_procedure(db, TELECOM, field="telecom", value=10)
    make_procedure(db, PRESS, field="press", value=15, name="Cấp giấy phép xuất bản bản tin")


def receive(c: TestClient, code: str = TELECOM, at: str = "2026-03-02T09:00:00+07:00", **kw: Any) -> dict[str, Any]:
    body = {
        "procedure_code": code,
        "applicant": {"kind": "person", "name": "Nguyễn Thị Mẫu", "phone": "0912345678"},
        "channel": "in_person",
        "received_at": at,
        **kw,
    }
    r = c.post("/api/dossiers", json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def go(c: TestClient, d: dict[str, Any], to: str, at: str, **kw: Any) -> Any:
    return c.post(
        f"/api/dossiers/{d['receipt_code']}/transitions",
        json={"to": to, "at": at, **kw},
        headers={"If-Match": f'"{d["version"]}"'},
    )


def test_catalogue(client: TestClient, anon: TestClient, client_as: ClientAs) -> None:
    body = {
        "code": "1.004474.000.00.00.H27",
        "name": "Cấp giấy phép xuất bản bản tin",
        "field": "press",
        "time_value": 15,
        "time_unit": "working_days",
        "legal_basis": "Luật Báo chí 2016",
        "online_level": 3,
        "effective_from": "2018-07-01",
        "steps": [
            {"name": "Tiếp nhận", "unit": "Bộ phận Một cửa", "duration": 0.5},
            {"name": "Thẩm định", "unit": "Phòng Báo chí, Xuất bản", "duration": 12},
            {"name": "Ký duyệt", "unit": "Ban Giám đốc Sở", "duration": 2},
        ],
    }
    bad = problem(client.post("/api/procedures", json=body), 422)
    assert bad["errors"][0]["field"] == "steps" and "14.5" in bad["errors"][0]["message"]
    body["steps"][2]["duration"] = 2.5  # type: ignore[index]
    r = client.post("/api/procedures", json=body)
    assert r.status_code == 201, r.text
    assert r.json()["online_service"] == "partial" and r.json()["time_text"] == "15 ngày làm việc"
    problem(client.post("/api/procedures", json=body), 409)
    problem(client_as("one_stop_officer").post("/api/procedures", json=body), 403)
    listed = anon.get("/api/procedures", params={"field": "press"}).json()
    assert [p["code"] for p in listed["items"]] == ["1.004474.000.00.00.H27"]
    p = anon.get("/api/procedures/1.004474.000.00.00.H27")
    assert p.json()["steps"][1]["duration"] == 12.0
    changed = client.patch(
        "/api/procedures/1.004474.000.00.00.H27", json={"online_level": 4}, headers={"If-Match": p.headers["etag"]}
    )
    assert changed.status_code == 200 and changed.json()["online_service"] == "end_to_end"
    assert changed.json()["version"] == 2


@pytest.mark.usefixtures("procs")
def test_receipt_appointment_and_supplement_pause(client_as: ClientAs, anon: TestClient) -> None:
    desk = client_as("one_stop_officer")
    d = receive(desk)
    assert PATTERN.match(d["receipt_code"]) and d["receipt_code"].startswith("VT-260302-")
    # Monday 2/3/2026, 09:00, 10 working days → Monday 16/3.
    assert (d["counted_from"], d["due_date"], d["status"], d["step"]["step_no"]) == (
        "2026-03-02", "2026-03-16", "received", 1
    )  # fmt: skip
    # A move the rules do not allow is told in words (the codes stay in "allowed" for programs).
    early = problem(go(desk, d, "returned", "2026-03-02T10:00:00+07:00"), 409)
    assert "«Đã tiếp nhận»" in early["detail"] and "«Đã chuyển phòng chuyên môn»" in early["detail"]
    assert "transferred" not in early["detail"] and "transferred" in early["allowed"]
    receipt = desk.get(f"/api/dossiers/{d['receipt_code']}/receipt")
    assert d["receipt_code"] in receipt.text and "16/03/2026" in receipt.text and "Nguyễn Thị Mẫu" in receipt.text
    d = go(desk, d, "transferred", "2026-03-02T15:30:00+07:00").json()
    d = go(desk, d, "awaiting_supplement", "2026-03-04T10:00:00+07:00", note="Thiếu bản sao").json()
    assert d["supplement_since"] == "2026-03-04"
    # Complete again on Monday 9/3: three working days stopped (5, 6, 9/3) → appointment 19/3.
    d = go(desk, d, "in_progress", "2026-03-09T09:00:00+07:00", step_no=3).json()
    assert (d["due_date"], d["paused_working_days"], d["step"]["step_no"]) == ("2026-03-19", 3, 3)
    d = go(desk, d, "result_ready", "2026-03-19T10:00:00+07:00").json()
    assert (d["result"], d["outcome"], d["step"]["step_no"]) == ("approved", "on_time", 4)
    d = go(desk, d, "returned", "2026-03-20T10:00:00+07:00").json()
    assert d["status"] == "returned" and [e["status"] for e in d["events"]] == [
        "received", "transferred", "awaiting_supplement", "in_progress", "result_ready", "returned"
    ]  # fmt: skip
    wrong = problem(go(desk, d, "in_progress", "2026-03-21T10:00:00+07:00"), 409)
    assert wrong["type"].endswith("invalid-transition")
    stale = go(desk, {**d, "version": 1}, "returned", "2026-03-21T10:00:00+07:00")
    problem(stale, 412)
    # The public sees the progress, never the applicant.
    public = anon.get(f"/public/dossiers/{d['receipt_code'].lower()}")
    assert public.status_code == 200, public.text
    assert public.json()["status"] == "returned" and "Nguyễn" not in public.text and "0912345678" not in public.text
    assert public.headers["cache-control"] == "no-store"


@pytest.mark.usefixtures("procs")
def test_apology_once_a_day_before_and_late(client_as: ClientAs) -> None:
    desk = client_as("one_stop_officer")
    d = receive(desk)  # due 16/3/2026
    url = f"/api/dossiers/{d['receipt_code']}/apology"
    tag = {"If-Match": '"1"'}
    late = desk.post(url, json={"new_due_date": "2026-03-20", "reason": "Xác minh", "on": "2026-03-16"}, headers=tag)
    assert problem(late, 422)["errors"][0]["field"] == "on"
    weekend = desk.post(url, json={"new_due_date": "2026-03-21", "reason": "Xác minh", "on": "2026-03-13"}, headers=tag)
    assert problem(weekend, 422)["errors"][0]["field"] == "new_due_date"
    ok = desk.post(url, json={"new_due_date": "2026-03-20", "reason": "Xác minh", "on": "2026-03-13"}, headers=tag)
    assert ok.status_code == 200, ok.text
    d = ok.json()
    assert d["due_date"] == "2026-03-20" and d["apology"]["previous_due_date"] == "2026-03-16"
    again = desk.post(
        url, json={"new_due_date": "2026-03-25", "reason": "Lần hai", "on": "2026-03-14"}, headers={"If-Match": '"2"'}
    )
    assert "một lần" in problem(again, 409)["detail"]
    d = go(desk, d, "result_ready", "2026-03-18T10:00:00+07:00").json()
    assert d["outcome"] == "late"  # an apology is late however the new date is met


@pytest.mark.usefixtures("procs")
def test_send_back_within_three_working_days_and_reasons(client_as: ClientAs) -> None:
    desk = client_as("one_stop_officer")
    d = receive(desk, at="2026-02-13T15:05:00+07:00")  # counted from 23/2 (after Tết): limit 26/2
    assert d["counted_from"] == "2026-02-23"
    no_reason = problem(go(desk, d, "sent_back", "2026-02-24T09:00:00+07:00"), 422)
    assert no_reason["errors"][0]["field"] == "note"
    too_late = problem(go(desk, d, "sent_back", "2026-02-27T09:00:00+07:00", note="Thiếu giấy tờ"), 409)
    assert "3 ngày làm việc" in too_late["detail"]
    d = go(desk, d, "sent_back", "2026-02-26T16:00:00+07:00", note="Thiếu giấy tờ").json()
    assert d["status"] == "sent_back" and d["outcome"] == "sent_back"
    other = receive(desk, at="2026-02-24T09:00:00+07:00")
    backwards = problem(go(desk, other, "transferred", "2026-02-23T09:00:00+07:00"), 422)
    assert backwards["errors"][0]["field"] == "at"
    future = problem(go(desk, other, "transferred", "2099-01-01T09:00:00+07:00"), 422)
    assert future["errors"][0]["field"] == "at"


@pytest.mark.usefixtures("procs")
def test_officers_move_dossiers_of_their_field_only(client_as: ClientAs) -> None:
    desk = client_as("one_stop_officer")
    telecom, press = receive(desk), receive(desk, code=PRESS)
    licensing, manager = client_as("licensing_officer"), client_as("press_manager")
    assert go(licensing, telecom, "transferred", "2026-03-02T15:30:00+07:00").status_code == 200
    problem(go(licensing, press, "transferred", "2026-03-02T15:30:00+07:00"), 403)
    assert go(manager, press, "transferred", "2026-03-02T15:30:00+07:00").status_code == 200
    problem(licensing.post("/api/dossiers", json={}), 403)
    assert client_as("viewer").get(f"/api/dossiers/{telecom['receipt_code']}").status_code == 200
    problem(client_as().get(f"/api/dossiers/{telecom['receipt_code']}"), 401)


@pytest.mark.usefixtures("procs")
def test_result_links_the_permit_both_ways(client_as: ClientAs, client: TestClient, db: Session) -> None:
    desk = client_as("one_stop_officer")
    permit = make_permit(db, kind="construction_notification", site=make_site(db))
    d = receive(desk)
    wrong_kind = problem(go(desk, d, "result_ready", "2026-03-10T10:00:00+07:00", press_licence_id=permit.id), 422)
    assert wrong_kind["errors"][0]["field"] == "press_licence_id"
    d = go(desk, d, "result_ready", "2026-03-10T10:00:00+07:00", permit_id=permit.id).json()
    assert d["permit"]["id"] == permit.id and d["outcome"] == "early"
    view = client.get(f"/api/permits/{permit.id}").json()
    assert view["dossier"]["receipt_code"] == d["receipt_code"]
    other = go(desk, receive(desk), "result_ready", "2026-03-10T10:00:00+07:00").json()
    taken = desk.put(
        f"/api/dossiers/{other['receipt_code']}/record", json={"permit_id": permit.id}, headers={"If-Match": '"2"'}
    )
    assert problem(taken, 409)["detail"].startswith(f"Giấy phép số {permit.id} đã gắn với hồ sơ")
    open_one = receive(desk)
    refused = desk.put(
        f"/api/dossiers/{open_one['receipt_code']}/record", json={"permit_id": permit.id}, headers={"If-Match": '"1"'}
    )
    problem(refused, 409)


@pytest.mark.usefixtures("procs")
def test_result_links_a_press_licence(client_as: ClientAs, client: TestClient, db: Session) -> None:
    from registry.press.models import PressLicence, PressOutlet

    outlet = PressOutlet(code="BC-T0001", kind="newsletter", name="Bản tin thử nghiệm", status="active")
    db.add(outlet)
    db.flush()
    licence = PressLicence(outlet_id=outlet.id, kind="newsletter_licence", number="12/GP-STTTT")
    db.add(licence)
    db.flush()
    desk = client_as("one_stop_officer")
    d = receive(desk, code=PRESS)
    d = go(desk, d, "result_ready", "2026-03-10T10:00:00+07:00", press_licence_id=licence.id).json()
    assert d["press_licence"]["id"] == licence.id
    view = client.get(f"/api/press/licences/{licence.id}").json()
    assert view["dossier"]["receipt_code"] == d["receipt_code"]


@pytest.mark.usefixtures("procs")
def test_dossier_input_errors_name_the_field(client_as: ClientAs, db: Session) -> None:
    desk = client_as("one_stop_officer")
    base = {"procedure_code": TELECOM, "applicant": {"kind": "person", "name": "A"}, "channel": "in_person"}
    cases = [
        ({**base, "procedure_code": "9.999999.000.00.00.H27"}, "procedure_code"),
        ({**base, "received_at": "2099-01-01T09:00:00+07:00"}, "received_at"),
        ({**base, "received_at": "2014-01-01T09:00:00+07:00"}, "procedure_code"),  # not yet in force
        ({**base, "channel": "fax"}, "channel"),
        ({**base, "applicant": {"kind": "person", "name": ""}}, "applicant.name"),
    ]
    for body, field in cases:
        errors = problem(desk.post("/api/dossiers", json=body), 422)["errors"]
        assert errors[0]["field"] == field, (field, errors)
    # In force, but before the working-day calendar begins.
    make_procedure(db, "1.000009.000.00.00.H27", effective_from=date(2000, 1, 1))
    old = {**base, "procedure_code": "1.000009.000.00.00.H27", "received_at": "2014-06-02T09:00:00+07:00"}
    assert problem(desk.post("/api/dossiers", json=old), 422)["errors"][0]["field"] == "received_at"


@pytest.mark.usefixtures("procs")
def test_list_filters(client_as: ClientAs) -> None:
    desk = client_as("one_stop_officer")
    receive(desk)
    receive(desk, code=PRESS, at="2026-03-05T09:00:00+07:00")
    listed = desk.get("/api/dossiers", params={"procedure": PRESS}).json()
    assert listed["total"] == 1 and listed["items"][0]["procedure"]["code"] == PRESS
    overdue = desk.get("/api/dossiers", params={"overdue": "true"}).json()
    assert overdue["total"] == 2  # both appointments (March 2026) are past by now
    bad = desk.get("/api/dossiers", params={"received_from": "2026-03-05", "received_to": "2026-03-01"})
    problem(bad, 422)


def test_receipt_code_entropy() -> None:
    from registry.procedures.receipts import RANDOM_CHARS, new_code, normalise

    assert RANDOM_CHARS * 5 >= 40
    codes = {new_code("VT", date(2026, 3, 2)) for _ in range(2000)}
    assert len(codes) == 2000 and all(PATTERN.match(c) for c in codes)
    code = next(iter(codes))
    typed = code.lower().replace("0", "o").replace("1", "l")
    assert normalise(typed) == code
    assert re.fullmatch(r"VT-260302-.{5}-.{5}", code)
