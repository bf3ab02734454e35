"""The office menu leads somewhere for every role, and each role gets forms only for its own registers."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from registry.accounts.models import Role


@pytest.mark.parametrize("role", [r.value for r in Role])
def test_every_menu_link_opens_a_page(cookie_client: Callable[..., TestClient], role: str) -> None:
    c = cookie_client(role)
    home = c.get("/office/")
    assert home.status_code == 200
    menu = home.text.split('class="office-menu wide-menu', 1)[1].split("</nav>", 1)[0]
    links = re.findall(r'<a href="([^"]+)"', menu)
    assert "/office/" in links and len(links) == len(set(links))
    for href in links:
        page = c.get(href)
        assert page.status_code == 200, (role, href, page.status_code)
        assert page.headers["content-type"].startswith("text/html")


def test_each_role_gets_forms_for_its_own_registers_only(cookie_client: Callable[..., TestClient]) -> None:
    press = cookie_client("press_manager")
    for path in (
        "/office/sites/new",
        "/office/stations/new?site_code=X",
        "/office/permits/new",
        "/office/zones/import",
    ):
        assert press.get(path).status_code == 403, path
    assert press.get("/office/press/outlets/new").status_code == 200
    officer = cookie_client("licensing_officer")
    assert officer.get("/office/press/outlets/new").status_code == 403
    assert officer.get("/office/sites/new").status_code == 200
    menu = officer.get("/office/").text
    assert 'href="/office/press/outlets"' not in menu and 'href="/office/admin/users"' not in menu
