"""Cases through the API: the state machine, deadlines on the calendar, and the denouncer's identity
kept from everyone but the assigned handler and admins — on every endpoint that returns cases."""

from __future__ import annotations

import json
from io import BytesIO
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from tests.api.helpers import problem, versioned
from tests.conftest import ClientAs
from tests.factories import make_site

SECRET = "Nguyễn Thị Bí Mật"
SECRET_ID = "031099123456"
SECRET_PHONE = "0912 345 678"


def denunciation(handler: str | None = None, **extra: Any) -> dict[str, Any]:
    body = {
        "kind": "denunciation",
        "received_on": "2026-03-02",
        "channel": "post",
        "subject": "Tố cáo trạm phát sóng lắp đặt không phép",
        "content": "Người tố cáo đề nghị giữ bí mật",
        "parties": [
            {
                "role": "denouncer",
                "name": SECRET,
                "id_number": SECRET_ID,
                "phone": SECRET_PHONE,
                "address": "Số 3 ngõ 5",
            },
            {"role": "respondent", "name": "Công ty Hạ tầng X"},
        ],
        **extra,
    }
    if handler:
        body["handler"] = handler
    return body


@pytest.fixture
def people(client_as: ClientAs) -> dict[str, TestClient]:
    return {
        "handler": client_as("inspector", username="tt.giao"),
        "other_inspector": client_as("inspector", username="tt.khac"),
        "viewer": client_as("viewer", username="lanh.dao"),
        "licensing": client_as("licensing_officer", username="cb.cp"),
        "press": client_as("press_manager", username="cb.bc"),
    }


def leaks(text: str) -> bool:
    return SECRET in text or SECRET_ID in text or SECRET_PHONE in text or "Bí Mật" in text


def test_the_denouncer_is_seen_only_by_the_handler_and_admins(
    people: dict[str, TestClient], client: TestClient, anon: TestClient, db: Session
) -> None:
    created = people["other_inspector"].post("/api/cases", json=denunciation())
    assert created.status_code == 201, created.text
    code = created.json()["code"]
    assert code == "TC-2026-0001"
    # The inspector who entered it but is not assigned does not see the identity, not even in the answer.
    assert not leaks(created.text)
    url = f"/api/cases/{code}"
    # Giving a case to someone is an admin's act (tests/api/test_takeover.py).
    assigned = client.patch(url, json={"handler": "tt.giao"}, headers=versioned(client, url))
    assert assigned.status_code == 200, assigned.text
    for who in ("handler",):
        body = people[who].get(url).json()
        assert body["parties"][0]["name"] == SECRET and body["parties"][0]["confidential"] is True
    assert client.get(url).json()["parties"][0]["name"] == SECRET  # admin
    for who in ("other_inspector", "viewer", "licensing", "press"):
        c = people[who]
        for response in (
            c.get(url),
            c.get("/api/cases"),
            c.get("/api/cases", params={"deadline": "due_soon", "due_within": 100}),
            c.get(f"{url}/history"),
            c.get("/api/audit", params={"limit": 1000}),
            c.get("/api/audit", params={"entity": "case_party", "limit": 1000}),
        ):
            assert not leaks(response.text), (who, response.request.url)
        one = c.get(url).json()
        assert one["parties"][0] == {"role": "denouncer", "confidential": True}
        assert one["parties"][1]["name"] == "Công ty Hạ tầng X"  # the respondent is not protected
        export = c.get("/api/cases.xlsx")
        assert export.status_code == 200
        cells = [
            str(v)
            for row in load_workbook(BytesIO(export.content)).worksheets[0].iter_rows(values_only=True)
            for v in row
        ]
        assert not any(leaks(v) for v in cells)
    # Changes by the handler answer with the identity to the handler only.
    moved = people["handler"].post(
        f"{url}/transitions",
        json={"to": "accepted", "reason": "Đủ điều kiện", "on": "2026-03-05"},
        headers=versioned(people["handler"], url),
    )
    assert moved.status_code == 200 and moved.json()["parties"][0]["name"] == SECRET
    patched = people["other_inspector"].patch(url, json={"unit": "Phòng Thanh tra"}, headers=versioned(client, url))
    assert patched.status_code == 200 and not leaks(patched.text)
    # The audit trail never held the identity: not even an admin finds it there.
    for event in db.scalars(select(AuditEvent)):
        assert not leaks(json.dumps(event.changes, ensure_ascii=False))
    problem(anon.get(url), 401)
    problem(anon.get("/api/cases"), 401)


def test_the_state_machine_and_deadlines(people: dict[str, TestClient]) -> None:
    handler = people["handler"]
    created = handler.post(
        "/api/cases", json=denunciation(handler="tt.giao", especially_complex=True, received_on="2026-02-25")
    ).json()
    url = f"/api/cases/{created['code']}"
    steps = created["deadlines"]["steps"]
    assert steps[0]["rule"] == "TC-XULY" and steps[0]["due"] == "2026-03-06"  # 7 WD from Wed 25 Feb

    def move(to: str, on: str) -> Any:
        return handler.post(
            f"{url}/transitions",
            json={"to": to, "reason": f"Chuyển sang {to}", "on": on},
            headers=versioned(handler, url),
        )

    bad = move("concluded", "2026-03-02")
    body = problem(bad, 409)
    assert body["allowed"] == ["accepted", "refused", "transferred"] and body["current_state"] == "received"
    assert move("accepted", "2026-03-02").json()["deadlines"]["current_due"] == "2026-04-01"
    move("in_progress", "2026-03-03")
    # Suspended 10 → 20 March: ten days added.
    move("suspended", "2026-03-10")
    resumed = move("in_progress", "2026-03-20").json()
    assert resumed["deadlines"]["current_due"] == "2026-04-13"  # 2 Mar + 40 = Sat 11 Apr → Mon 13 Apr
    first = move("extended", "2026-04-10").json()
    second = move("extended", "2026-05-10").json()
    assert first["extensions"] == 1 and second["extensions"] == 2
    # Extensions count from the (suspension-shifted) deadline: 13 Apr + 30 = 13 May; + 30 = Fri 12 Jun.
    assert [s["due"] for s in second["deadlines"]["steps"]][-2:] == ["2026-05-13", "2026-06-12"]
    problem(move("extended", "2026-06-01"), 409)  # no third extension in the law
    problem(move("concluded", "2026-01-01"), 422)  # before the previous step
    done = move("concluded", "2026-06-01").json()
    assert done["state"] == "concluded" and done["deadlines"]["status"] is None
    assert [t["to"] for t in done["transitions"]] == [
        "received", "accepted", "in_progress", "suspended", "in_progress", "extended", "extended", "concluded"
    ]  # fmt: skip
    assert all(t["actor"] in ("tt.giao",) for t in done["transitions"][1:])
    closed = move("closed", "2026-06-02").json()
    problem(move("in_progress", "2026-06-03"), 409)
    assert closed["state_name"] == "đã đóng"


def test_overdue_and_who_may_write(people: dict[str, TestClient], client: TestClient, db: Session) -> None:
    make_site(db, code="CASE-SITE", lon=106.68, lat=20.86)
    complaint = {
        "kind": "complaint",
        "received_on": "2025-01-06",
        "channel": "in_person",
        "subject": "Khiếu nại về trạm gần trường học",
        "links": [{"entity": "site", "code": "CASE-SITE"}],
        "parties": [{"role": "complainant", "name": "Trần Văn Khiếu"}],
    }
    created = people["handler"].post("/api/cases", json=complaint)
    assert created.status_code == 201, created.text
    assert created.json()["links"] == [{"entity": "site", "code": "CASE-SITE"}]
    overdue = people["viewer"].get("/api/cases", params={"deadline": "overdue"}).json()["items"]
    assert created.json()["code"] in {c["code"] for c in overdue}
    problem(people["viewer"].post("/api/cases", json=complaint), 403)
    problem(people["licensing"].post("/api/cases", json=complaint), 403)
    bad_link = dict(complaint, links=[{"entity": "site", "code": "KHONG-CO"}])
    assert problem(people["handler"].post("/api/cases", json=bad_link), 422)["errors"][0]["field"] == "links.0.code"
    bad_handler = dict(complaint, handler="cb.cp")  # a licensing officer cannot handle cases
    assert problem(client.post("/api/cases", json=bad_handler), 422)["errors"][0]["field"] == "handler"
    # An inspector may not give a new case to someone else at all (tests/api/test_takeover.py).
    assert problem(people["handler"].post("/api/cases", json=bad_handler), 403)["errors"][0]["field"] == "handler"


def test_cases_show_on_the_record_they_are_about(people: dict[str, TestClient], anon: TestClient, db: Session) -> None:
    make_site(db, code="CASE-REC", lon=106.68, lat=20.86)
    body = denunciation(links=[{"entity": "site", "code": "CASE-REC"}])
    code = people["handler"].post("/api/cases", json=body).json()["code"]
    on_site = people["licensing"].get("/api/sites/CASE-REC").json()["properties"]["cases"]
    assert [c["code"] for c in on_site] == [code] and not leaks(json.dumps(on_site, ensure_ascii=False))
    assert "cases" not in anon.get("/api/sites/CASE-REC").json()["properties"]
    rules = people["viewer"].get("/api/deadline-rules", params={"on": "2026-07-01"}).json()
    assert "KN-THULY-2026" in {r["code"] for r in rules} and "KN-THULY" not in {r["code"] for r in rules}
