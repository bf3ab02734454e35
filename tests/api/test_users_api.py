"""Managing accounts through the API (admins only), audited without secrets."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from tests.api.helpers import assert_names_field, problem, versioned
from tests.conftest import ClientAs


def test_admin_creates_a_user_who_can_sign_in(client: TestClient, anon: TestClient, db: Session) -> None:
    created = client.post(
        "/api/users",
        json={"username": "Tran.Thi.B", "full_name": "Trần Thị B", "roles": ["press_manager", "viewer"]},
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["username"] == "tran.thi.b" and body["roles"] == ["press_manager", "viewer"]
    password = body["password"]
    assert len(password) >= 16
    assert "password" not in client.get("/api/users/tran.thi.b").json(), "shown once, at creation"
    token = anon.post("/api/auth/token", data={"username": "tran.thi.b", "password": password}).json()["access_token"]
    me = anon.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["full_name"] == "Trần Thị B"

    trail = db.scalars(
        select(AuditEvent).where(
            AuditEvent.entity_type == "user", AuditEvent.changes["username"][1].astext == "tran.thi.b"
        )
    ).all()
    assert [e.action for e in trail] == ["create"] and trail[0].actor == "admin-test"
    assert "password_hash" not in trail[0].changes and password not in str(trail[0].changes)
    assert trail[0].changes["roles"] == [None, ["press_manager", "viewer"]]


def test_bad_users_are_refused_naming_the_field(client: TestClient) -> None:
    for payload, field in [
        ({"username": "a b", "roles": ["viewer"]}, "username"),
        ({"username": "ok.name", "roles": ["king"]}, "roles"),
        ({"username": "ok.name", "roles": []}, "roles"),
        ({"username": "ok.name", "roles": ["viewer"], "password": "short"}, "password"),
        ({"username": "ok.name", "roles": ["viewer"], "email": "not-an-email"}, "email"),
    ]:
        assert_names_field(problem(client.post("/api/users", json=payload), 422), field)
    assert client.post("/api/users", json={"username": "twice", "roles": ["viewer"]}).status_code == 201
    problem(client.post("/api/users", json={"username": "TWICE", "roles": ["viewer"]}), 409)


def test_roles_change_at_once_and_disabling_revokes(client: TestClient, client_as: ClientAs) -> None:
    officer = client_as("viewer", username="sap.len")
    problem(officer.post("/api/sites", json={}), 403)
    url = "/api/users/sap.len"
    changed = client.patch(url, json={"roles": ["licensing_officer"]}, headers=versioned(client, url))
    assert changed.status_code == 200 and changed.headers["etag"] == '"2"'
    assert officer.post("/api/sites", json={}).status_code == 422, "the new role applies to the same token"
    problem(client.patch(url, json={"active": False}, headers={"If-Match": '"1"'}), 412)
    assert client.patch(url, json={"active": False}, headers=versioned(client, url)).status_code == 200
    problem(officer.get("/api/auth/me"), 401)


def test_the_last_admin_cannot_be_removed(client: TestClient) -> None:
    url = "/api/users/admin-test"
    problem(client.patch(url, json={"roles": ["viewer"]}, headers=versioned(client, url)), 409)
    problem(client.patch(url, json={"active": False}, headers=versioned(client, url)), 409)
    assert client.get("/api/auth/me").json()["roles"] == ["admin"]


def test_admin_resets_a_password(client: TestClient, client_as: ClientAs, anon: TestClient) -> None:
    user = client_as("inspector", username="quen.mk")
    reset = client.post("/api/users/quen.mk/password")
    assert reset.status_code == 200
    problem(user.get("/api/auth/me"), 401)  # old tokens revoked
    new = reset.json()["password"]
    assert anon.post("/api/auth/token", data={"username": "quen.mk", "password": new}).status_code == 200
    problem(client.post("/api/users/khong.co/password"), 404)
