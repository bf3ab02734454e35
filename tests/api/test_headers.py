"""Headers a client sends are not believed blindly: X-Request-ID only as a short safe token (it goes
into the audit trail), If-Match: * never stands for a version, and 405 answers say what is Allowed."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from registry.stations.models import Site
from tests.api.helpers import problem, versioned
from tests.cases.test_cases_api import denunciation
from tests.conftest import MakeUser
from tests.factories import make_site

GENERATED = re.compile(r"[0-9a-f]{32}")


def test_a_safe_request_id_is_kept_in_the_answer_and_the_trail(client: TestClient, db: Session) -> None:
    rid = "support-2026.12:ticket_42-" + "x" * 38  # 64 characters, the most accepted
    created = client.post("/api/cases", json=denunciation(), headers={"X-Request-ID": rid})
    assert created.status_code == 201 and created.headers["x-request-id"] == rid
    assert rid in db.scalars(select(AuditEvent.request_id)).all()


@pytest.mark.parametrize(
    "hostile",
    [
        "x" * 65,
        "y" * 5000,
        "<script>alert(1)</script>",
        "a b",
        "id;DROP TABLE audit_event",
        "ré-01",
        '=HYPERLINK("http://evil")',
        "../../etc/passwd",
        "",
    ],
)
def test_an_unsafe_request_id_is_replaced(client: TestClient, db: Session, hostile: str) -> None:
    created = client.post("/api/cases", json=denunciation(), headers={"X-Request-ID": hostile.encode()})  # type: ignore[dict-item]
    assert created.status_code == 201, created.text  # a 65-character id used to break the audit insert
    answered = created.headers["x-request-id"]
    assert GENERATED.fullmatch(answered) and answered != hostile
    ids = set(db.scalars(select(AuditEvent.request_id)).all())
    assert answered in ids and hostile not in ids
    # Error answers carry the generated id too, never the client's text.
    missing = client.get("/api/cases/KHONG-CO", headers={"X-Request-ID": hostile.encode()})  # type: ignore[dict-item]
    body = problem(missing, 404)
    assert GENERATED.fullmatch(body["request_id"])
    assert not hostile or hostile not in missing.text.replace(body["request_id"], "")


@pytest.mark.parametrize("header", ["*", " * ", 'W/"*"', '"1", "2"', '*, "1"'])
def test_if_match_star_is_not_a_version(client: TestClient, db: Session, make_user: MakeUser, header: str) -> None:
    """RFC 9110 makes ``If-Match: *`` true whenever the record exists, which is the blind overwrite the
    version rule forbids: 428 (a version is required), like a missing If-Match; lists and odd tags 412."""
    code = client.post("/api/cases", json=denunciation()).json()["code"]
    make_site(db, code="SAO-01", lon=106.68, lat=20.86)
    make_user("viewer", username="sao.sao")
    targets = [
        ("PATCH", f"/api/cases/{code}", {"unit": "Phòng Z"}),
        ("PATCH", "/api/users/sao.sao", {"full_name": "Đổi mù"}),
        ("PATCH", "/api/sites/SAO-01", {"notes": "Ghi đè mù"}),
        ("DELETE", "/api/sites/SAO-01", None),
    ]
    for method, url, body in targets:
        response = client.request(method, url, json=body, headers={"If-Match": header})
        expected = 428 if header.strip() == "*" else 412
        problem(response, expected)
        if expected == 428:
            assert "If-Match: *" in response.json()["detail"]
    assert client.get(f"/api/cases/{code}").json()["unit"] is None
    assert client.get("/api/users/sao.sao").json()["full_name"] is None
    assert db.scalar(select(Site.notes).where(Site.code == "SAO-01")) is None
    # The version that was read still works.
    url = f"/api/cases/{code}"
    assert client.patch(url, json={"unit": "Phòng Z"}, headers=versioned(client, url)).status_code == 200


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/auth/me", {"GET"}),
        ("PUT", "/api/cases", {"GET", "POST"}),
        ("POST", "/health", {"GET"}),
        ("PUT", "/api/auth/token", {"POST"}),
        ("PATCH", "/api/cases/TC-2026-0001/history", {"GET"}),
    ],
)
def test_405_says_what_is_allowed(
    client: TestClient, anon: TestClient, method: str, path: str, allowed: set[str]
) -> None:
    for c in (client, anon):
        response = c.request(method, path)
        problem(response, 405)
        assert {m.strip() for m in response.headers["allow"].split(",")} >= allowed
        assert method not in response.headers["allow"]
