"""The sign-in page in headless Chromium with a hostile ``next``: nothing in it runs, signing in goes back
to exactly that same-site address, and an off-site ``next`` leads home instead."""

from __future__ import annotations

from urllib.parse import quote, unquote, urlsplit

from fastapi.testclient import TestClient

from tests.conftest import TEST_PASSWORD, MakeUser
from tests.maps.test_browser import Browser, pytestmark  # noqa: F401 - the same skip rule

HOSTILE = '</script><script>window.__xss=1</script>"><img src=x onerror="window.__xss=1">${window.__xss=1}\'-(window.__xss=1)-\'\u2028'  # noqa: E501


def sign_in(b: Browser, target: str, username: str) -> None:
    dialogs: list[str] = []
    b.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    b.page.goto("http://127.0.0.1/maps/sign-in?next=" + quote(target, safe=""))
    b.page.wait_for_selector("#sign-in-form")
    assert b.page.evaluate("window.__xss") is None and dialogs == []
    assert b.page.locator("img").count() == 0
    b.page.fill("input[name=username]", username)
    b.page.fill("input[name=password]", TEST_PASSWORD)
    b.page.click("button[type=submit]")
    b.page.wait_for_url(lambda url: "/sign-in" not in url, timeout=10_000)
    b.page.wait_for_load_state("load")
    assert b.page.evaluate("window.__xss") is None and dialogs == []


def test_a_hostile_next_is_only_where_to_go_back(anon: TestClient, make_user: MakeUser) -> None:
    make_user("inspector", username="tt.dangnhap")
    b = Browser(anon)
    try:
        target = "/maps/?lang=en&x=" + HOSTILE  # raw: the old page wrote it into its script as it came
        sign_in(b, target, "tt.dangnhap")
        landed = urlsplit(b.page.url)
        assert landed.path == "/maps/" and unquote(landed.query) == "lang=en&x=" + HOSTILE
        assert b.page.locator("#who").inner_text() == "tt.dangnhap"
        b.page.context.clear_cookies()
        sign_in(b, "//evil.example/" + HOSTILE, "tt.dangnhap")
        assert urlsplit(b.page.url).netloc == "127.0.0.1" and urlsplit(b.page.url).path == "/maps/"
        assert b.errors == [] and b.external == [], (b.errors, b.external)
    finally:
        b.close()
