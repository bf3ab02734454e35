"""Citizen reception schedule and sessions, case attachments (confidential for denunciations), counts."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import problem
from tests.cases.test_cases_api import SECRET, denunciation
from tests.conftest import ClientAs

PDF = b"%PDF-1.4\n% Thu to cao cua " + SECRET.encode() + b"\n%%EOF\n"


def test_the_reception_schedule_is_the_15th_or_the_next_working_day(anon: TestClient) -> None:
    body = anon.get("/api/reception-sessions/schedule", params={"year": 2026}).json()
    assert body["dates"] == [
        "2026-01-15",
        "2026-02-23",  # Sun 15 Feb, then Tết 16–20 and a weekend
        "2026-03-16",
        "2026-04-15",
        "2026-05-15",
        "2026-06-15",
        "2026-07-15",
        "2026-08-17",
        "2026-09-15",
        "2026-10-15",
        "2026-11-16",
        "2026-12-15",
    ]
    problem(anon.get("/api/reception-sessions/schedule", params={"year": 2050}), 422)


def test_a_session_creates_its_cases(client_as: ClientAs) -> None:
    inspector = client_as("inspector", username="tt.tiep")
    created = inspector.post(
        "/api/reception-sessions",
        json={
            "held_on": "2026-11-16",
            "host": "Giám đốc Sở",
            "place": "Trụ sở tiếp công dân",
            "cases": [
                {"kind": "petition", "received_on": "2026-01-01", "channel": "post", "subject": "Phản ánh sóng yếu"},
                {"kind": "complaint", "received_on": "2026-01-01", "channel": "post", "subject": "Khiếu nại trạm"},
            ],
        },
    )
    assert created.status_code == 201, created.text
    codes = created.json()["cases"]
    assert len(codes) == 2
    case = inspector.get(f"/api/cases/{codes[0]}").json()
    assert case["channel"] == "reception_session" and case["received_on"] == "2026-11-16"
    problem(client_as("viewer").post("/api/reception-sessions", json={"held_on": "2026-11-16", "host": "x"}), 403)


def test_attachments_of_a_denunciation_are_confidential(client_as: ClientAs, client: TestClient) -> None:
    handler = client_as("inspector", username="tt.dk")
    other = client_as("inspector", username="tt.khong")
    code = handler.post("/api/cases", json=denunciation(handler="tt.dk")).json()["code"]
    added = handler.post(
        f"/api/cases/{code}/attachments",
        files={"file": (f"to-cao-{SECRET}.pdf", PDF)},
        data={"description": "Đơn tố cáo"},
    )
    assert added.status_code == 201, added.text
    assert added.json()["confidential"] is True
    url = added.json()["href"]
    assert handler.get(url).content == PDF and client.get(url).status_code == 200
    problem(other.get(url), 403)
    assert other.get(f"/api/cases/{code}/attachments").json() == []
    assert len(handler.get(f"/api/cases/{code}/attachments").json()) == 1
    photo = other.post(
        f"/api/cases/{code}/attachments",
        files={"file": ("anh.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 20)},
        data={"confidential": "false"},
    )
    assert photo.status_code == 201 and photo.json()["confidential"] is False
    assert [a["confidential"] for a in other.get(f"/api/cases/{code}/attachments").json()] == [False]
    # Neither the file name nor its content reaches the audit trail.
    trail = client.get("/api/audit", params={"limit": 1000}).text
    assert SECRET not in trail
    problem(handler.post(f"/api/cases/{code}/attachments", files={"file": ("x.exe", b"MZ\x90\x00")}), 422)


def test_counts_for_a_period(client_as: ClientAs) -> None:
    inspector = client_as("inspector", username="tt.dem")
    for kind in ("complaint", "complaint", "petition"):
        inspector.post(
            "/api/cases",
            json={
                "kind": kind,
                "received_on": "2026-03-02",
                "channel": "online",
                "subject": "x",
                "handler": "tt.dem",
                "unit": "Thanh tra Sở",
            },
        ).raise_for_status()
    body = inspector.get("/api/cases/reports/counts", params={"from": "2026-03-01", "to": "2026-03-31"}).json()
    assert body["total"] == 3
    assert body["by_kind_and_state"] == {"complaint": {"received": 2}, "petition": {"received": 1}}
    row = body["per_handler_and_unit"]["tt.dem · Thanh tra Sở"]
    assert row["total"] == 3 and row["open"] == 3 and row["overdue"] == 2  # complaints not accepted within 10 days
    problem(inspector.get("/api/cases/reports/counts", params={"from": "2026-03-31", "to": "2026-03-01"}), 422)
