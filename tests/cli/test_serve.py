"""`tttt serve` as a client meets it: a real server on 127.0.0.1 in its own process group.

The public look-up's rate limit was bypassed by sending a different ``X-Forwarded-For`` with each
request: uvicorn, by default, believes that header from 127.0.0.1 and rewrites the client address.
`tttt serve` turns that off (client addresses behind trusted proxies are the app's business, from
``TTTT_TRUSTED_PROXIES``), which only a served process can show: the test client never runs uvicorn.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import Engine

from tests.conftest import TEST_SECRET

LIMIT = 3


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def served(engine: Engine) -> Iterator[str]:
    """The app served by `tttt serve` (one worker) on the test database; its base URL."""
    port = _free_port()
    tttt = Path(sys.executable).with_name("tttt")
    argv = [str(tttt)] if tttt.exists() else [sys.executable, "-m", "api.cli"]
    env = dict(
        os.environ,
        DATABASE_URL=engine.url.render_as_string(hide_password=False),
        TTTT_SECRET_KEY=TEST_SECRET,
        TTTT_PUBLIC_LOOKUP_LIMIT=str(LIMIT),
        TTTT_TRUSTED_PROXIES="",
    )
    process = subprocess.Popen(
        [*argv, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "1"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60  # a bound on the wait for the server, not a timing assertion
        while time.monotonic() < deadline and process.poll() is None:
            try:
                if httpx.get(f"{base}/health", timeout=5).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            raise AssertionError("tttt serve did not answer /health")
        yield base
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.communicate(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()


def test_a_new_forwarded_address_per_request_does_not_escape_the_look_up_limit(served: str) -> None:
    statuses = []
    with httpx.Client(base_url=served, timeout=10) as client:
        for i in range(LIMIT + 3):
            response = client.get("/public/dossiers/KHONG-CO-HO-SO", headers={"X-Forwarded-For": f"203.0.113.{i + 1}"})
            statuses.append(response.status_code)
    assert statuses[:LIMIT] == [404] * LIMIT
    assert statuses[LIMIT:] == [429] * 3
    assert response.headers["Retry-After"].isdigit()
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_served_pages_carry_the_security_headers(served: str) -> None:
    page = httpx.get(f"{served}/maps/", timeout=10)
    assert page.status_code == 200
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["X-Request-ID"]
