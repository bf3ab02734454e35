"""The back office's test helpers: a browser signed in ON THE PAGE (the sign-in form, the session
cookie, the CSRF token in every form), and a TestClient signed in the same way (cookie + token)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient

from tests.conftest import TEST_PASSWORD, MakeUser

Shots = Callable[[Any, str], None]


@pytest.fixture
def office_browser(anon: TestClient, make_user: MakeUser) -> Iterator[Callable[..., Any]]:
    """``office_browser("licensing_officer", viewport=(1280, 800))``: Chromium signed in on the sign-in
    page as a new user holding those roles, at /office/. Closed after the test."""
    from tests.maps.browser import Browser

    opened: list[Any] = []

    def open_as(*roles: str, username: str | None = None, viewport: tuple[int, int] = (1280, 800)) -> Any:
        user = make_user(*roles, username=username)
        b = Browser(anon, viewport=viewport)
        opened.append(b)
        b.page.goto("http://127.0.0.1/maps/sign-in?next=/office/")
        b.page.fill("input[name=username]", user.username)
        b.page.fill("input[name=password]", TEST_PASSWORD)
        b.page.click("#sign-in-form button[type=submit]")
        b.page.wait_for_url(lambda url: urlsplit(url).path == "/office/")
        b.page.wait_for_selector("h1")
        b.user = user
        return b

    yield open_as
    for b in opened:
        b.close()


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "the page has no form with a CSRF token"
    return match.group(1)


@pytest.fixture
def cookie_client(anon: TestClient, make_user: MakeUser) -> Callable[..., TestClient]:
    """A TestClient signed in through the sign-in form's route with a cookie, like a browser: its
    unsafe requests need the CSRF token (``csrf_of(page.text)``) as a browser's forms carry it."""

    def sign_in(*roles: str, username: str | None = None) -> TestClient:
        user = make_user(*roles, username=username)
        r = anon.post("/api/auth/token?cookie=true", data={"username": user.username, "password": TEST_PASSWORD})
        assert r.status_code == 200, r.text
        return anon

    return sign_in


def shoot(b: Any, name: str) -> None:
    """A screenshot of the whole page into out/screenshots/ (the README's tour uses some of them)."""
    from tests.maps.browser import ARTEFACTS

    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    b.page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)


def assert_clean(b: Any) -> None:
    """No script error, and no failed load but the pages that answer a refusal on purpose (a refused
    form is a 422 page, a forbidden page a 403 page: Chromium logs those as "Failed to load resource").
    An asset or a fetch that failed would be a refusal that is not a page: that fails here."""
    failed_loads = [e for e in b.errors if e.startswith("Failed to load resource: the server responded")]
    others = [e for e in b.errors if e not in failed_loads]
    assert not others, others
    refusals = [r for r in b.responses if r.status_code >= 400]
    assert len(refusals) >= len(failed_loads) if failed_loads else True
    for r in refusals:
        assert r.headers.get("content-type", "").startswith("text/html"), (r.status_code, r.url)
    assert not b.external, b.external
