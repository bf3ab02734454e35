"""Every page answers with a Content-Security-Policy whose nonce is new per request and is the one on the
page's own scripts; every answer carries nosniff, Referrer-Policy and X-Frame-Options. The escaping
helpers of the map pages are checked on hostile text. (Chromium's view of the same: test_hostile_browser.)"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import pytest
from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from api.security import policy, tiles_origin
from maps.widgets import folium_text
from registry.settings import Settings
from tests.conftest import TEST_SECRET

HOSTILE = [
    '<img src=x onerror="window.__xss=1">',
    "</script><script>window.__xss=1</script>",
    "${window.__xss=1}",
    "`;window.__xss=1;`",
    "'-(window.__xss=1)-'",
    "a\u2028b\u2029c",
    "\\u003cimg src=x onerror=alert(1)\\u003e",
]


def html_routes(app: FastAPI) -> list[str]:
    routes = []
    for route in app.routes:
        if isinstance(route, APIRoute) and "GET" in route.methods:
            response_class = getattr(route.response_class, "value", route.response_class)
            if isinstance(response_class, type) and issubclass(response_class, HTMLResponse):
                routes.append(route.path)
    return routes


class Scripts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.handlers: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handlers += [name for name, _ in attrs if name.startswith("on")]
        if tag == "script":
            self.scripts.append(dict(attrs))


def directives(header: str) -> dict[str, str]:
    return {d.strip().split(" ", 1)[0]: d.strip().partition(" ")[2] for d in header.split(";") if d.strip()}


def test_every_page_has_the_policy_and_its_nonce_is_new_each_time(
    app: FastAPI, client: TestClient, world: dict[str, Any]
) -> None:
    paths = {
        "/records/sites/{code}": "/records/sites/MAP-0",
        "/records/outlets/{code}": "/records/outlets/T-BAO",
        "/records/cases/{code}": f"/records/cases/{quote(world['denunciation'], safe='')}",
        "/maps/sites/{code}": "/maps/sites/MAP-1",
    }
    routes = html_routes(app)
    # Every HTML route of the app is walked: a page added later is checked without editing this test.
    assert {"/maps/", "/maps/stations", "/maps/sites/{code}", "/maps/press", "/maps/cases", "/docs"} <= set(routes)
    for route in routes:
        path = paths.get(route, route)
        assert "{" not in path, f"give {route} a path in this test"
        first, second = client.get(path), client.get(path)
        assert first.status_code == 200, (path, first.status_code, first.text[:300])
        assert first.headers["content-type"].startswith("text/html")
        csp = directives(first.headers["content-security-policy"])
        nonce = re.fullmatch(r"'self' 'nonce-([A-Za-z0-9_-]{22,})'", csp["script-src"])
        assert nonce, (path, csp["script-src"])
        assert second.headers["content-security-policy"] != first.headers["content-security-policy"], path
        assert csp["frame-ancestors"] == "'none'" and csp["object-src"] == "'none'" and csp["base-uri"] == "'none'"
        assert csp["default-src"] == "'self'" and csp["connect-src"] == "'self'" and csp["form-action"] == "'self'"
        assert "unsafe-inline" not in csp["script-src"] and "unsafe-eval" not in csp["script-src"]
        assert first.headers["x-content-type-options"] == "nosniff"
        assert first.headers["referrer-policy"] == "same-origin"
        assert first.headers["x-frame-options"] == "DENY"
        # Each inline script of the page is the page's own: it carries this response's nonce (or is data).
        parsed = Scripts()
        parsed.feed(first.text)
        assert parsed.handlers == [], (path, parsed.handlers)
        for script in parsed.scripts:
            if script.get("src") or script.get("type") == "application/json":
                continue
            assert script.get("nonce") == nonce.group(1), (path, script)


def test_every_answer_has_the_headers_that_are_not_the_policy(client: TestClient, anon: TestClient) -> None:
    for response in (
        client.get("/api/sites?limit=1"),
        anon.get("/health"),
        anon.get("/api/sites/NO-SUCH-SITE"),  # a problem+json
        anon.get("/static/vendor/leaflet/dist/leaflet.js"),
        anon.get("/static/vendor/swagger-ui-dist/swagger-ui.css"),
    ):
        assert response.headers["x-content-type-options"] == "nosniff", response.url
        assert response.headers["referrer-policy"] == "same-origin"
        assert response.headers["x-frame-options"] == "DENY"
        assert "content-security-policy" not in response.headers  # not a page


def test_the_swagger_ui_package_serves_only_its_listed_files(anon: TestClient) -> None:
    assert anon.get("/static/vendor/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200
    assert anon.get("/static/vendor/swagger-ui-dist/oauth2-redirect.html").status_code == 200
    others = ("index.html", "swagger-initializer.js", "package.json", "swagger-ui.js.map", "%2e%2e/leaflet/dist/x")
    for other in others:
        assert anon.get(f"/static/vendor/swagger-ui-dist/{other}").status_code == 404, other


def test_docs_is_swagger_ui_from_this_site(anon: TestClient) -> None:
    page = anon.get("/docs")
    assert page.status_code == 200
    assert "https://" not in page.text and "http://" not in page.text
    assert '<script src="/static/vendor/swagger-ui-dist/swagger-ui-bundle.js">' in page.text
    assert anon.get("/redoc").status_code == 404


def test_the_policy_allows_images_from_the_tile_server_only(app: FastAPI, anon: TestClient) -> None:
    app.state.settings = Settings(secret_key=TEST_SECRET, map_tiles_url="https://{s}.tile.example.org/{z}/{x}/{y}.png")
    csp = directives(anon.get("/maps/").headers["content-security-policy"])
    assert csp["img-src"] == "'self' data: https://*.tile.example.org"
    assert tiles_origin("https://tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://tile.openstreetmap.org"
    assert tiles_origin("http://10.0.0.5:8080/tiles/{z}/{x}/{y}.png") == "http://10.0.0.5:8080"
    # Nothing that could add a directive or a scheme source reaches the policy.
    for bad in (None, "", "/tiles/{z}/{x}/{y}.png", "https://a.org; script-src *", "javascript:alert(1)",
                "https://a.org'/x", "data:image/png", "https://user:pw@a.org/x"):  # fmt: skip
        assert tiles_origin(bad) is None, bad
    assert "img-src 'self' data:;" in policy("n" * 22)


@pytest.mark.parametrize("text", HOSTILE)
def test_folium_text_can_neither_end_the_template_literal_nor_be_markup(text: str) -> None:
    out = folium_text(text)
    assert not set(out) & set("<>`$\\\"'"), out
    # Inside the literal folium writes, the JavaScript value is the escaped text itself: a browser shows
    # it as the original (html.unescape gives it back).
    from html import unescape

    assert unescape(out) == text
    assert json.loads(json.dumps(out)) == out


def test_a_map_page_is_never_rendered_without_a_valid_nonce() -> None:
    from maps import pages

    for nonce in ("", "short", 'x" onload="alert(1)', "a" * 22 + "<"):
        with pytest.raises(ValueError):
            pages.stations_page(lang="vi", filters={}, tiles_url=None, nonce=nonce)
    html = pages.stations_page(lang="vi", filters={}, tiles_url=None, nonce="N" * 24)
    parsed = Scripts()
    parsed.feed(html)
    inline = [s for s in parsed.scripts if not s.get("src")]
    assert inline == [{"nonce": "N" * 24}]  # one inline script, the figure's
