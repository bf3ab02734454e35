"""Signing in and out: tokens with an expiry, revocation, throttling, disabled accounts, own password."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry.accounts.models import AuthToken, SignInThrottle, User
from registry.settings import MissingSecret, Settings
from tests.api.helpers import problem
from tests.conftest import TEST_PASSWORD, MakeUser


def login(client: TestClient, username: str, password: str = TEST_PASSWORD):  # type: ignore[no-untyped-def]
    return client.post("/api/auth/token", data={"username": username, "password": password})


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_login_me_logout(anon: TestClient, make_user: MakeUser, db: Session) -> None:
    make_user("licensing_officer", "inspector", username="can.bo")
    response = login(anon, "Can.Bo")  # user names are case-insensitive
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "bearer" and body["expires_in"] == 8 * 3600
    expires = datetime.fromisoformat(body["expires_at"])
    assert timedelta(hours=7.9) < expires - datetime.now(UTC) < timedelta(hours=8.1)
    token = body["access_token"]
    stored = db.scalars(select(AuthToken.token_hash)).all()
    assert token.encode() not in stored and all(len(h) == 32 for h in stored), "only a keyed hash is kept"

    me = anon.get("/api/auth/me", headers=bearer(token))
    assert me.status_code == 200
    assert me.json()["username"] == "can.bo"
    assert me.json()["roles"] == ["inspector", "licensing_officer"]
    assert "Thanh tra viên" in me.json()["role_names"]
    assert "password_hash" not in me.text

    assert anon.post("/api/auth/logout", headers=bearer(token)).status_code == 204
    gone = anon.get("/api/auth/me", headers=bearer(token))
    problem(gone, 401)
    assert gone.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("username", "password"), [("can.bo", "sai-mat-khau-0"), ("khong.co", TEST_PASSWORD), ("", ""), ("can.bo", "")]
)
def test_wrong_credentials_are_one_answer(anon: TestClient, make_user: MakeUser, username: str, password: str) -> None:
    make_user("viewer", username="can.bo")
    response = login(anon, username, password)
    assert response.status_code in (401, 422)
    if response.status_code == 401:
        assert problem(response, 401)["detail"] == "Sai tên đăng nhập hoặc mật khẩu"


def test_repeated_failures_slow_the_address_not_the_account(
    app: FastAPI, anon: TestClient, make_user: MakeUser, db: Session, settings: Settings
) -> None:
    """Failures throttle this address for this name (429 + Retry-After, even with the right password)
    and never lock the account: it signs in from another address, and no lock is written on it."""
    settings.max_failed_logins = 3
    make_user("viewer", username="bi.khoa")
    for _ in range(3):
        problem(login(anon, "bi.khoa", "sai-mat-khau-0"), 401)
    throttled = login(anon, "bi.khoa", "sai-mat-khau-0")
    body = problem(throttled, 429)
    assert 1 <= int(throttled.headers["retry-after"]) <= settings.sign_in_window_minutes * 60
    assert "địa chỉ này" in body["detail"] and "tài khoản" not in body["detail"].lower()
    problem(login(anon, "bi.khoa"), 429)  # even the right password, from this address, until the window ends
    elsewhere = TestClient(app, raise_server_exceptions=False, client=("198.51.100.20", 40000))
    assert login(elsewhere, "bi.khoa").status_code == 200, "the account itself is never locked"
    user = db.scalar(select(User).where(User.username == "bi.khoa"))
    assert user is not None and user.locked_until is None and user.failed_logins == 0
    # The window over, this address may try again.
    db.execute(update(SignInThrottle).values(window_start=datetime.now(UTC) - timedelta(hours=1)))
    assert login(anon, "bi.khoa").status_code == 200


def test_expired_revoked_and_disabled_tokens(anon: TestClient, make_user: MakeUser, db: Session) -> None:
    make_user("viewer", username="het.han")
    token = login(anon, "het.han").json()["access_token"]
    assert anon.get("/api/auth/me", headers=bearer(token)).status_code == 200
    db.execute(update(AuthToken).values(expires_at=datetime.now(UTC) - timedelta(seconds=1)))
    problem(anon.get("/api/auth/me", headers=bearer(token)), 401)

    token = login(anon, "het.han").json()["access_token"]
    db.execute(update(User).where(User.username == "het.han").values(active=False))
    problem(anon.get("/api/auth/me", headers=bearer(token)), 401)
    problem(login(anon, "het.han"), 401)  # a disabled account cannot sign in


@pytest.mark.parametrize(
    "header", [b"Bearer garbage", b"Bearer tttt_" + b"x" * 43, ("Bearer tttt_" + "é" * 300).encode(), b"Bearer "]
)
def test_a_bad_token_is_401_not_the_public(anon: TestClient, header: bytes) -> None:
    response = anon.get("/api/sites", headers={"Authorization": header})  # type: ignore[dict-item]
    problem(response, 401)  # a credential that was sent and fails is never read as "the public"


def test_change_own_password(anon: TestClient, make_user: MakeUser) -> None:
    make_user("viewer", username="doi.mk")
    token = login(anon, "doi.mk").json()["access_token"]
    wrong = anon.post(
        "/api/auth/password",
        json={"current_password": "khong-dung-0", "new_password": "mat-khau-moi-123"},
        headers=bearer(token),
    )
    assert problem(wrong, 422)["errors"][0]["field"] == "current_password"
    short = anon.post(
        "/api/auth/password", json={"current_password": TEST_PASSWORD, "new_password": "ngan"}, headers=bearer(token)
    )
    assert problem(short, 422)["errors"][0]["field"] == "new_password"
    ok = anon.post(
        "/api/auth/password",
        json={"current_password": TEST_PASSWORD, "new_password": "mat-khau-moi-123"},
        headers=bearer(token),
    )
    assert ok.status_code == 204
    problem(anon.get("/api/auth/me", headers=bearer(token)), 401)  # every old token is revoked
    problem(login(anon, "doi.mk"), 401)
    assert login(anon, "doi.mk", "mat-khau-moi-123").status_code == 200


def test_production_refuses_to_start_without_a_secret_key(tmp_path: Path) -> None:
    from api.app import create_app

    with pytest.raises(MissingSecret, match="TTTT_SECRET_KEY"):
        create_app(Settings(environment="production", secret_key=None, data_dir=tmp_path))
    with pytest.raises(MissingSecret, match="32"):
        create_app(Settings(environment="production", secret_key="short", data_dir=tmp_path))
    dev = Settings(environment="development", secret_key=None, data_dir=tmp_path)
    create_app(dev)
    key = tmp_path / "secret-key"
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    assert dev.secret() == dev.secret() and len(dev.secret()) >= 32, "the development key is kept, not regenerated"


def test_a_browser_signs_in_with_a_cookie_that_changes_nothing_without_its_csrf_token(
    anon: TestClient, make_user: MakeUser
) -> None:
    make_user("admin", username="ban.do")
    response = anon.post("/api/auth/token?cookie=true", data={"username": "ban.do", "password": TEST_PASSWORD})
    assert response.status_code == 200, response.text
    header = response.headers["set-cookie"].lower()
    assert "tttt_token=" in header and "httponly" in header and "samesite=strict" in header
    token = response.json()["access_token"]
    anon.cookies.clear()
    anon.cookies.set("tttt_token", token)
    assert anon.get("/api/auth/me").json()["username"] == "ban.do"
    # Never for a change without the session's CSRF token (tests/office/test_csrf.py has the rest):
    # a request the browser sends by itself cannot alter anything.
    problem(anon.post("/api/users", json={"username": "x", "roles": ["viewer"]}), 403)
    problem(anon.post("/api/auth/password", json={"current": "a", "new": "b"}), 403)
    # A stale cookie leaves public pages public instead of failing them.
    anon.cookies.set("tttt_token", "stale")
    assert anon.get("/api/sites?limit=1").status_code == 200
    problem(anon.get("/api/auth/me"), 401)
    anon.cookies.set("tttt_token", token)
    out = anon.post("/api/auth/logout")
    assert out.status_code == 204 and 'tttt_token=""' in out.headers["set-cookie"]
    problem(anon.get("/api/auth/me"), 401)
    plain = anon.post("/api/auth/token", data={"username": "ban.do", "password": TEST_PASSWORD})
    assert "set-cookie" not in plain.headers


def test_sign_ins_and_refusals_are_in_the_audit_trail(
    anon: TestClient, client: TestClient, make_user: MakeUser
) -> None:
    user = make_user("viewer", username="nhat.ky")
    assert login(anon, "nhat.ky").status_code == 200
    problem(login(anon, "nhat.ky", "sai mật khẩu rồi"), 401)
    problem(login(anon, "Mật khẩu gõ nhầm ô"), 401)  # a name that is no account
    events = [
        e
        for e in client.get("/api/audit", params={"entity": "user", "limit": 50}).json()["events"]
        if e["action"].startswith("sign_in")
    ]
    mine = [(e["action"], e["changes"]["outcome"]["after"]) for e in events if e["entity_id"] == str(user.id)]
    assert ("sign_in", "ok") in mine and ("sign_in_refused", "wrong_password") in mine
    unknown = [e for e in events if e["entity_id"] == "-"]
    assert (
        unknown and unknown[0]["actor"] == "anonymous" and unknown[0]["changes"]["outcome"]["after"] == "unknown_user"
    )
    assert all("Mật khẩu gõ nhầm ô" not in str(e) and "sai mật khẩu" not in str(e) for e in events)
    assert all(e["changes"]["client"]["after"] for e in events)
    refused = client.get("/api/audit", params={"action": "sign_in_refused", "limit": 50}).json()["events"]
    assert {e["action"] for e in refused} == {"sign_in_refused"}
    problem(client.get("/api/audit", params={"action": "login"}), 422)
