"""The OGC API's HTML pages: in the site's layout and under its Content-Security-Policy, with no
inline script, every stored text escaped, and links a person can follow from the landing page to
one feature."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_site
from tests.ogc.conftest import site_code

PAGES = [
    "/ogc?f=html",
    "/ogc/conformance?f=html",
    "/ogc/collections?f=html",
    "/ogc/collections/sites?f=html",
    "/ogc/collections/sites/items?f=html",
    "/ogc/collections/sites/items/OGC-003?f=html",
    "/ogc/collections/sites/queryables?f=html",
    "/ogc/collections/planning_zones/items?f=html",
    "/ogc/collections/communes/items?f=html&limit=5",
]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)


def test_pages_are_in_the_layout_under_the_csp_without_inline_script(world: dict[str, Any], anon: TestClient) -> None:
    for path in PAGES:
        response = anon.get(path)
        assert response.status_code == 200, (path, response.text)
        assert response.headers["content-type"].startswith("text/html")
        assert "script-src 'self'" in response.headers["content-security-policy"]
        assert not INLINE_SCRIPT.search(response.text), path
        assert '<html lang="vi">' in response.text and '<main id="main">' in response.text


def test_a_person_can_walk_from_the_landing_page_to_a_feature(world: dict[str, Any], anon: TestClient) -> None:
    landing = anon.get("/ogc", headers={"Accept": "text/html"}).text
    assert "/ogc/collections" in landing
    listing = anon.get("/ogc/collections?f=html").text
    assert 'href="/ogc/collections/sites/items?f=html"' in listing and "Vị trí cột ăng ten" in listing
    items = anon.get("/ogc/collections/sites/items?f=html&limit=5").text
    assert f'href="/ogc/collections/sites/items/{site_code(3)}?f=html"' in items
    assert 'rel="next"' in items and "Trang sau" in items
    one = anon.get(f"/ogc/collections/sites/items/{site_code(3)}?f=html").text
    assert "Chiều cao cột (m)" in one and "13" in one


def test_stored_text_is_escaped(world: dict[str, Any], db: Session, anon: TestClient) -> None:
    hostile = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    make_site(db, code="OGC-XSS", lon=106.7, lat=20.85, address=hostile)
    for path in ("/ogc/collections/sites/items?f=html&limit=1000", "/ogc/collections/sites/items/OGC-XSS?f=html"):
        page = anon.get(path).text
        assert hostile not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page
    as_json = anon.get("/ogc/collections/sites/items/OGC-XSS").json()
    assert as_json["properties"]["address"] == hostile  # JSON carries the text as it is


def test_a_browsers_refusals_are_pages_and_a_clients_stay_problem_json(world: dict[str, Any], anon: TestClient) -> None:
    html = {"Accept": "text/html,application/xhtml+xml;q=0.9,*/*;q=0.8"}
    for path, status in (
        ("/ogc/collections/nope", 404),
        ("/ogc/collections/sites/items/NOPE-1", 404),
        ("/ogc/collections/sites/items?limit=0", 400),
        ("/ogc/collections/cases/items", 401),
    ):
        page = anon.get(path, headers=html, follow_redirects=False)
        if status == 401:  # a page read that needs signing in goes to the sign-in page and back
            assert page.status_code == 303 and page.headers["location"].startswith("/maps/sign-in?next="), path
            continue
        assert page.status_code == status, (path, page.text)
        assert page.headers["content-type"].startswith("text/html"), path
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert 'href="/ogc?f=html"' in page.text
        client = anon.get(path)  # GDAL, QGIS, OWSLib: no Accept for HTML
        assert client.status_code == status and client.headers["content-type"] == "application/problem+json", path
    # f=json wins over a browser's Accept; a bad f is the 400 as JSON.
    assert anon.get("/ogc/collections/nope?f=json", headers=html).headers["content-type"] == "application/problem+json"
    assert anon.get("/ogc/collections/nope?f=xml", headers=html).headers["content-type"] == "application/problem+json"
