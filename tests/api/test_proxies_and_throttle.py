"""Client addresses (forwarded headers only from trusted proxies) and sign-in throttling keyed on the
address and the name together: an attacker slows only themself, and unknown names answer exactly like
known ones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from api.clients import resolve
from registry.accounts.models import SignInThrottle
from registry.audit.models import AuditEvent
from registry.settings import Settings
from tests.api.helpers import problem
from tests.conftest import TEST_PASSWORD, MakeUser

LOOKUP = "/public/dossiers/VT-260302-AAAAA-BBBBB"


def peer(app: FastAPI, address: str) -> TestClient:
    """A client whose TCP peer is ``address``."""
    return TestClient(app, raise_server_exceptions=False, client=(address, 40000))


def login(client: TestClient, username: str, password: str = TEST_PASSWORD, **headers: str) -> Any:
    return client.post("/api/auth/token", data={"username": username, "password": password}, headers=headers)


# --- Client address ---------------------------------------------------------------------------------


def test_resolve_believes_forwarded_headers_only_from_trusted_proxies() -> None:
    proxies = ("10.0.0.0/8", "2001:db8::/32")
    assert resolve("203.0.113.9", ["1.2.3.4"], ()) == "203.0.113.9"
    assert resolve("203.0.113.9", ["1.2.3.4"], proxies) == "203.0.113.9", "an untrusted peer's header is ignored"
    assert resolve("10.0.0.2", ["198.51.100.7"], proxies) == "198.51.100.7"
    # The client may write anything left of what the proxies appended.
    assert resolve("10.0.0.2", ["6.6.6.6", "198.51.100.7"], proxies) == "198.51.100.7"
    assert resolve("10.0.0.2", ["6.6.6.6", "198.51.100.7", "10.0.0.3"], proxies) == "198.51.100.7"
    assert resolve("10.0.0.2", ["10.0.0.9", "10.0.0.3"], proxies) == "10.0.0.9", "all trusted: the far end"
    assert resolve("10.0.0.2", [], proxies) == "10.0.0.2"
    assert resolve("10.0.0.2", ["<script>", "10.0.0.3"], proxies) == "10.0.0.3", "garbage is never a client"
    assert resolve("10.0.0.2", ["' OR 1=1 --"], proxies) == "10.0.0.2"
    assert resolve("10.0.0.2", [" [2001:db9::1]:443 "], proxies) == "2001:db9::1"
    assert resolve("::ffff:10.0.0.2", ["::ffff:198.51.100.7"], proxies) == "198.51.100.7"
    assert resolve("2001:db8::5", ["198.51.100.7"], proxies) == "198.51.100.7"
    assert resolve("testclient", ["198.51.100.7"], proxies) == "testclient", "a peer that is no address is kept"


def test_trusted_proxies_setting_is_checked() -> None:
    assert Settings(trusted_proxies="10.0.0.5, 10.1.0.0/16,::1").trusted_proxies == [  # type: ignore[arg-type]
        "10.0.0.5/32",
        "10.1.0.0/16",
        "::1/128",
    ]
    assert Settings().trusted_proxies == []
    for bad in ("localhost", "10.0.0.0/33", "1.2.3.4; rm -rf /", "*"):
        with pytest.raises(ValueError, match="TTTT_TRUSTED_PROXIES"):
            Settings(trusted_proxies=bad)  # type: ignore[arg-type]


def test_a_new_forwarded_for_per_request_does_not_escape_the_lookup_limit(app: FastAPI, settings: Settings) -> None:
    settings.public_lookup_limit = 3
    client = peer(app, "127.0.0.1")  # what uvicorn's defaults would have trusted
    for i in range(3):
        problem(client.get(LOOKUP, headers={"X-Forwarded-For": f"203.0.113.{i}"}), 404)
    for i in range(3, 8):
        response = client.get(LOOKUP, headers={"X-Forwarded-For": f"203.0.113.{i}", "X-Real-IP": f"198.51.100.{i}"})
        problem(response, 429)
        assert int(response.headers["retry-after"]) >= 1


def test_a_trusted_proxy_s_forwarded_address_is_the_client(app: FastAPI, settings: Settings) -> None:
    settings.public_lookup_limit = 2
    settings.trusted_proxies = ["127.0.0.1"]
    proxy = peer(app, "127.0.0.1")
    for _ in range(2):
        problem(proxy.get(LOOKUP, headers={"X-Forwarded-For": "203.0.113.50"}), 404)
    problem(proxy.get(LOOKUP, headers={"X-Forwarded-For": "203.0.113.50"}), 429)
    # The client cannot hide behind an address it writes itself left of the proxy's.
    problem(proxy.get(LOOKUP, headers={"X-Forwarded-For": "9.9.9.9, 203.0.113.50"}), 429)
    # Another client behind the same proxy has its own count.
    problem(proxy.get(LOOKUP, headers={"X-Forwarded-For": "203.0.113.51"}), 404)
    # Without a header the proxy itself is the client.
    problem(proxy.get(LOOKUP), 404)


def test_the_audit_keeps_the_resolved_address(
    app: FastAPI, db: Session, settings: Settings, make_user: MakeUser
) -> None:
    make_user("viewer", username="qua.proxy")
    settings.trusted_proxies = ["10.20.0.0/16"]
    assert login(peer(app, "10.20.3.4"), "qua.proxy", **{"X-Forwarded-For": "1.1.1.1, 203.0.113.77"}).status_code == 200
    assert login(peer(app, "192.0.2.8"), "qua.proxy", **{"X-Forwarded-For": "203.0.113.78"}).status_code == 200
    clients = db.scalars(
        select(AuditEvent.changes["client"][1].astext).where(AuditEvent.action == "sign_in").order_by(AuditEvent.id)
    ).all()
    assert clients[-2:] == ["203.0.113.77", "192.0.2.8"]


def test_the_session_cookie_is_secure_when_a_trusted_proxy_says_https(
    app: FastAPI, settings: Settings, make_user: MakeUser
) -> None:
    make_user("viewer", username="co.tls")
    url = "/api/auth/token?cookie=true"
    form = {"username": "co.tls", "password": TEST_PASSWORD}
    spoofed = peer(app, "192.0.2.9").post(url, data=form, headers={"X-Forwarded-Proto": "https"})
    assert "secure" not in spoofed.headers["set-cookie"].lower(), "an untrusted peer's header says nothing"
    settings.trusted_proxies = ["192.0.2.9"]
    behind = peer(app, "192.0.2.9").post(url, data=form, headers={"X-Forwarded-Proto": "https"})
    assert "secure" in behind.headers["set-cookie"].lower()


# --- Sign-in throttle -------------------------------------------------------------------------------


def _shape(response: Any) -> tuple[int, dict[str, Any], bool]:
    """What a client can tell from an answer, less its own request id and the seconds left in the
    window, which count down between two answers: the body and the header must say the same wait."""
    body = dict(response.json())
    body.pop("request_id", None)
    waited = body.pop("retry_after", None)
    assert (waited is None and "retry-after" not in response.headers) or str(waited) == response.headers["retry-after"]
    return response.status_code, body, "retry-after" in response.headers


def test_unknown_names_answer_exactly_like_known_ones(app: FastAPI, settings: Settings, make_user: MakeUser) -> None:
    settings.max_failed_logins = 2
    make_user("admin", username="that.co")
    known = [_shape(login(peer(app, "203.0.113.1"), "that.co", "sai-mat-khau-0")) for _ in range(4)]
    unknown = [_shape(login(peer(app, "203.0.113.2"), "khong.co", "sai-mat-khau-0")) for _ in range(4)]
    assert known == unknown
    assert [s for s, _, _ in known] == [401, 401, 429, 429]
    # A disabled account is one more name that answers like the others.
    make_user("viewer", username="da.tat", active=False)
    disabled = [_shape(login(peer(app, "203.0.113.3"), "da.tat")) for _ in range(4)]
    assert disabled == known


def test_an_attacker_cannot_lock_admin_out(app: FastAPI, settings: Settings, make_user: MakeUser) -> None:
    settings.max_failed_logins = 3
    make_user("admin", username="quan.tri")
    attacker, owner = peer(app, "203.0.113.66"), peer(app, "198.51.100.10")
    for _ in range(3):
        problem(login(attacker, "quan.tri", "doan-mo-0000"), 401)
    for name in ("quan.tri", "QUAN.TRI", " quan.tri "):  # the key is the lower-cased name
        problem(login(attacker, name, "doan-mo-0000"), 429)
    problem(login(attacker, "quan.tri", TEST_PASSWORD, **{"X-Forwarded-For": "198.51.100.10"}), 429)
    assert login(owner, "quan.tri").status_code == 200
    # The owner's own failures are counted apart from the attacker's.
    problem(login(owner, "quan.tri", "go-nham-0000"), 401)
    assert login(owner, "quan.tri").status_code == 200


def test_a_success_clears_the_count(app: FastAPI, settings: Settings, make_user: MakeUser) -> None:
    settings.max_failed_logins = 2
    make_user("viewer", username="hay.quen")
    c = peer(app, "203.0.113.30")
    for _ in range(3):
        problem(login(c, "hay.quen", "go-nham-0000"), 401)
        assert login(c, "hay.quen").status_code == 200  # two failures in a row never happen: never throttled


def test_one_address_cannot_spray_names(app: FastAPI, settings: Settings, db: Session) -> None:
    settings.max_failed_logins_per_client = 4
    sprayer = peer(app, "203.0.113.99")
    for i in range(4):
        problem(login(sprayer, f"ten.{i}", "mat-khau-pho-bien"), 401)
    refused = login(sprayer, "ten.moi", "mat-khau-pho-bien")
    problem(refused, 429)
    assert int(refused.headers["retry-after"]) >= 1
    # Other addresses are not affected.
    problem(login(peer(app, "203.0.113.100"), "ten.moi", "mat-khau-pho-bien"), 401)


def test_throttle_rows_keep_no_names_and_stay_bounded(app: FastAPI, db: Session, settings: Settings) -> None:
    name = "mat-khau-go-nham-vao-o-ten"
    problem(login(peer(app, "203.0.113.40"), name, "x" * 12), 401)
    rows = db.scalars(select(SignInThrottle)).all()
    assert rows and all(name.encode() not in r.name_hash and len(r.name_hash) in (0, 32) for r in rows)
    db.execute(update(SignInThrottle).values(window_start=datetime.now(UTC) - timedelta(days=1)))
    problem(login(peer(app, "203.0.113.41"), name, "x" * 12), 401)
    starts = db.scalars(select(SignInThrottle.window_start)).all()
    assert len(starts) == 2, "rows whose window ended were deleted by the next attempt"
    assert all(s > datetime.now(UTC) - timedelta(minutes=settings.sign_in_window_minutes) for s in starts)


def test_a_flood_leaves_a_bounded_trail(app: FastAPI, db: Session, settings: Settings, make_user: MakeUser) -> None:
    settings.max_failed_logins = 2
    user = make_user("viewer", username="bi.do")
    c = peer(app, "203.0.113.55")
    for _ in range(12):
        login(c, "bi.do", "doan-mo-0000")
    outcomes = db.scalars(
        select(AuditEvent.changes["outcome"][1].astext)
        .where(AuditEvent.entity_type == "user", AuditEvent.entity_id == str(user.id))
        .where(AuditEvent.action.in_(["sign_in", "sign_in_refused"]))
        .order_by(AuditEvent.id)
    ).all()
    assert outcomes == ["wrong_password", "wrong_password", "throttled"]
    assert db.scalar(select(func.count()).select_from(SignInThrottle)) == 2


@pytest.mark.parametrize(
    "username",
    ["a" * 65, "admin\x00", "'; DROP TABLE app_user; --", "ADMIN", "ädmin", "<script>alert(1)</script>", "🙂" * 10],
)
def test_hostile_names_are_answered_not_crashed(app: FastAPI, username: str) -> None:
    response = login(peer(app, "203.0.113.77"), username, "sai-mat-khau-0")
    assert response.status_code in (401, 422), response.text
    problem(response, response.status_code)
