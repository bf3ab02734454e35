"""An unexpected error: logged with the request id, answered with a generic 500 carrying that id."""

from __future__ import annotations

import logging

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from registry.settings import Settings


def test_unexpected_error_is_logged_and_answered_generically(
    session_factory: sessionmaker[Session], settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    from api.app import create_app

    app = create_app(settings, session_factory)

    @app.get("/boom")
    def boom() -> None:
        raise RuntimeError("SELECT password_hash FROM app_user -- internal detail")

    with TestClient(app, raise_server_exceptions=False) as client, caplog.at_level(logging.ERROR, "tttt.api"):
        response = client.get("/boom", headers={"X-Request-ID": "req-boom-42"})
    assert response.status_code == 500
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["request_id"] == "req-boom-42" and "req-boom-42" in body["detail"]
    assert response.headers["x-request-id"] == "req-boom-42"
    assert "password_hash" not in response.text and "RuntimeError" not in response.text
    (record,) = [r for r in caplog.records if "req-boom-42" in r.getMessage()]
    assert record.exc_info is not None and "internal detail" in str(record.exc_info[1])
