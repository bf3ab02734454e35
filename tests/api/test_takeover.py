"""Taking a case over to read the denouncer: only an admin, or the current handler handing the case to
another active inspector, changes a case's handler; a writer recording a case may take it themself
only; every change of handler is in the case's history by username, never with the denouncer."""

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
from tests.api.helpers import assert_names_field, problem, versioned
from tests.cases.test_cases_api import SECRET, denunciation, leaks
from tests.conftest import ClientAs, MakeUser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def staff(client_as: ClientAs) -> dict[str, TestClient]:
    return {
        "handler": client_as("inspector", username="tt.giao"),
        "intruder": client_as("inspector", username="tt.khac"),
        "next": client_as("inspector", username="tt.moi"),
        "licensing": client_as("licensing_officer", username="cb.cp"),
    }


def _case(client: TestClient, staff: dict[str, TestClient]) -> str:
    """A denunciation assigned to tt.giao (by the admin ``client``), with a confidential letter."""
    created = client.post("/api/cases", json=denunciation(handler="tt.giao"))
    assert created.status_code == 201, created.text
    code: str = created.json()["code"]
    letter = staff["handler"].post(f"/api/cases/{code}/attachments", files={"file": ("thu.pdf", PDF)})
    assert letter.status_code == 201 and letter.json()["confidential"] is True
    return code


def _handler(client: TestClient, code: str) -> Any:
    return client.get(f"/api/cases/{code}").json()["handler"]


def _reads_nothing(c: TestClient, code: str) -> None:
    """Every endpoint that shows a case, read by ``c``, holds no trace of the denouncer."""
    url = f"/api/cases/{code}"
    for response in (
        c.get(url),
        c.get("/api/cases"),
        c.get("/api/cases", params={"handler": "tt.khac"}),
        c.get("/api/cases.geojson", params={"open": "false"}),
        c.get(f"{url}/history"),
        c.get(f"{url}/attachments"),
        c.get(f"/records/cases/{code}"),
        c.get("/api/audit", params={"limit": 1000}),
    ):
        assert response.status_code == 200, (response.request.url, response.status_code)
        assert not leaks(response.text), response.request.url
    assert c.get(f"{url}/attachments").json() == [], "the confidential letter is not even listed"
    export = c.get("/api/cases.xlsx")
    cells = [
        str(v) for row in load_workbook(BytesIO(export.content)).worksheets[0].iter_rows(values_only=True) for v in row
    ]
    assert cells and not any(leaks(v) for v in cells)


@pytest.mark.parametrize("target", ["tt.khac", "TT.KHAC", " tt.khac ", "tt.moi", None])
def test_another_inspector_can_neither_take_the_case_nor_read_the_denouncer(
    client: TestClient, staff: dict[str, TestClient], db: Session, target: str | None
) -> None:
    code = _case(client, staff)
    url = f"/api/cases/{code}"
    intruder = staff["intruder"]
    refused = intruder.patch(url, json={"handler": target, "unit": "Phòng X"}, headers=versioned(intruder, url))
    assert_names_field(problem(refused, 403), "handler")
    assert not leaks(refused.text)
    assert _handler(client, code) == "tt.giao"
    assert client.get(url).json()["unit"] is None, "the refused request changed nothing"
    _reads_nothing(intruder, code)
    attachment = staff["handler"].get(f"{url}/attachments").json()[0]["href"]
    problem(intruder.get(attachment), 403)
    # Nor with a stale or wildcard version, nor through the transitions endpoint.
    problem(intruder.patch(url, json={"handler": "tt.khac"}, headers={"If-Match": '"99"'}), 412)
    moved = intruder.post(f"{url}/transitions", json={"to": "accepted", "reason": "x", "handler": "tt.khac"})
    assert_names_field(problem(moved, 422), "handler")
    assert _handler(client, code) == "tt.giao"


def test_a_writer_may_take_a_new_case_themself_but_not_give_it(
    client: TestClient, staff: dict[str, TestClient], client_as: ClientAs
) -> None:
    mine = staff["intruder"].post("/api/cases", json=denunciation(handler="TT.KHAC"))
    assert mine.status_code == 201, mine.text
    assert mine.json()["handler"] == "tt.khac" and mine.json()["parties"][0]["name"] == SECRET
    given = staff["intruder"].post("/api/cases", json=denunciation(handler="tt.giao"))
    assert_names_field(problem(given, 403), "handler")
    # The reception desk is one more way to create cases: the same rule.
    session = staff["intruder"].post(
        "/api/reception-sessions",
        json={"held_on": "2026-11-16", "host": "Giám đốc Sở", "cases": [denunciation(handler="tt.giao")]},
    )
    problem(session, 403)
    codes = [c["code"] for c in client.get("/api/cases", params={"limit": 1000}).json()["items"]]
    assert codes == [mine.json()["code"]], "nothing of the refused requests was kept"
    # An admin gives new cases to anyone who may handle them, and to no one else.
    assert client.post("/api/cases", json=denunciation(handler="tt.moi")).json()["handler"] == "tt.moi"
    assert_names_field(problem(client.post("/api/cases", json=denunciation(handler="cb.cp")), 422), "handler")


def test_the_handler_hands_over_and_loses_the_identity(
    client: TestClient, staff: dict[str, TestClient], make_user: MakeUser
) -> None:
    code = _case(client, staff)
    url = f"/api/cases/{code}"
    handler, successor = staff["handler"], staff["next"]
    assert successor.get(url).json()["parties"][0] == {"role": "denouncer", "confidential": True}
    make_user("inspector", username="tt.nghi", active=False)
    for bad in ("tt.nghi", "cb.cp", "khong.co", "x" * 64):  # not an active inspector
        assert_names_field(
            problem(handler.patch(url, json={"handler": bad}, headers=versioned(handler, url)), 422), "handler"
        )
    # The handler cannot drop the case on nobody either.
    assert_names_field(
        problem(handler.patch(url, json={"handler": None}, headers=versioned(handler, url)), 403), "handler"
    )
    handed = handler.patch(url, json={"handler": "tt.moi"}, headers=versioned(handler, url))
    assert handed.status_code == 200, handed.text
    assert handed.json()["handler"] == "tt.moi" and not leaks(handed.text)
    assert successor.get(url).json()["parties"][0]["name"] == SECRET
    _reads_nothing(handler, code)
    # And it cannot take it back.
    problem(handler.patch(url, json={"handler": "tt.giao"}, headers=versioned(handler, url)), 403)
    # Naming the handler the case already has is no change, allowed to any case writer.
    same = staff["intruder"].patch(url, json={"handler": "tt.moi", "unit": "Phòng Y"}, headers=versioned(client, url))
    assert same.status_code == 200 and same.json()["unit"] == "Phòng Y" and not leaks(same.text)


def test_an_admin_reassigns_and_the_history_says_who_to_whom(
    client: TestClient, staff: dict[str, TestClient], db: Session
) -> None:
    code = _case(client, staff)
    url = f"/api/cases/{code}"
    assert client.patch(url, json={"handler": "tt.khac"}, headers=versioned(client, url)).status_code == 200
    assert staff["intruder"].get(url).json()["parties"][0]["name"] == SECRET
    handed = staff["intruder"].patch(url, json={"handler": "tt.moi"}, headers=versioned(client, url))
    assert handed.status_code == 200
    assert client.patch(url, json={"handler": None}, headers=versioned(client, url)).json()["handler"] is None
    history = client.get(f"{url}/history", params={"limit": 100}).json()["events"]
    changes = [
        (e["actor"], [e["changes"]["handler"]["before"], e["changes"]["handler"]["after"]])
        for e in history
        if "handler" in e["changes"]
    ]
    assert sorted(map(json.dumps, changes)) == sorted(
        map(
            json.dumps,
            [
                ("admin-test", [None, "tt.giao"]),
                ("admin-test", ["tt.giao", "tt.khac"]),
                ("tt.khac", ["tt.khac", "tt.moi"]),
                ("admin-test", ["tt.moi", None]),
            ],
        )
    )
    assert not leaks(json.dumps(history, ensure_ascii=False))
    for event in db.scalars(select(AuditEvent)):
        assert not leaks(json.dumps(event.changes, ensure_ascii=False))
    # The inspectors who own cases read the same names in the history, still without the denouncer.
    seen = staff["next"].get(f"{url}/history", params={"limit": 100})
    assert seen.status_code == 200 and "tt.moi" in seen.text and not leaks(seen.text)
