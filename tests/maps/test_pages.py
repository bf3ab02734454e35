"""The map pages load nothing from the internet (base-map tiles aside, a setting), carry their
filters in the URL, and speak Vietnamese by default."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient

from registry.settings import Settings

ATTRS = re.compile(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", re.IGNORECASE)


def assets(html: str) -> list[str]:
    return ATTRS.findall(html)


def test_the_stations_page_loads_only_local_assets(anon: TestClient) -> None:
    page = anon.get("/maps/stations")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    urls = assets(page.text)
    assert urls, "the page links its scripts"
    for url in urls:
        assert url.startswith(("/", "#")), url  # local: nothing from a CDN
        if url.startswith("/static/"):
            got = anon.get(url)
            assert got.status_code == 200 and len(got.content) > 100, url
    assert "https://" not in page.text and "http://" not in page.text.replace("http://www.w3.org", "")
    assert "<title>Bản đồ trạm gốc</title>" in page.text
    assert "/tiles/sites/{z}/{x}/{y}.pbf" in page.text


def test_filters_are_in_the_url_and_reach_the_tiles(anon: TestClient) -> None:
    page = anon.get("/maps/stations", params={"operator": "viettel", "technology": "5G", "lang": "en"}).text
    assert "/tiles/sites/{z}/{x}/{y}.pbf?operator=viettel\\u0026technology=5G" in page or (
        "/tiles/sites/{z}/{x}/{y}.pbf?operator=viettel&technology=5G" in page
    )
    assert "<title>Base station map</title>" in page


def test_base_map_tiles_are_a_setting(anon: TestClient, settings: Settings) -> None:
    settings.map_tiles_url = "/basemap/{z}/{x}/{y}.png"
    assert "/basemap/{z}/{x}/{y}.png" in anon.get("/maps/stations").text


@pytest.mark.parametrize("path", ["/maps/", "/maps/?lang=en"])
def test_home(anon: TestClient, path: str) -> None:
    page = anon.get(path)
    assert page.status_code == 200 and "/maps/stations" in page.text


def test_bad_page_parameters(anon: TestClient) -> None:
    assert anon.get("/maps/stations", params={"lang": "fr"}).status_code == 422
    assert anon.get("/maps/stations", params={"q": "x" * 201}).status_code == 422
    assert anon.get("/static/vendor/leaflet/package.json").status_code == 404  # only dist folders are served
