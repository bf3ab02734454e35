"""Finding things on the stations map the way people describe them, and the sites near me, in Chromium
at a phone's size and a desktop's: a site code, an address typed without diacritics, a commune,
decimal/DMS/VN-2000 coordinates move the map there; the result list is readable and keyboard
operable; "Gần tôi" lists the nearest sites as the API ranks them, with distance and direction, and
follows me as I walk; "Gần điểm này" does the same from a point of the map."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyproj import Geod
from sqlalchemy.orm import Session

from geo.crs import from_wgs84
from tests.factories import make_site
from tests.html_reader import elements
from tests.maps.conftest import LAT, LON
from tests.maps.test_browser import ARTEFACTS, Browser, pytestmark  # noqa: F401 - the same skip rule
from tests.office.conftest import assert_clean
from tests.office.test_accessibility_browser import AXE

GEOD = Geod(ellps="WGS84")
STREET = (LON - 0.004, LAT + 0.003)  # FIND-ST, at "Số 15 phố Lạch Tray"
POINT = (106.6881, 20.8449)


def metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


def centre(b: Browser) -> tuple[float, float]:
    lon, lat = b.page.evaluate("(function () { var c = window.registryMap.getCenter(); return [c.lng, c.lat]; })()")
    return lon, lat


def find(b: Browser, q: str) -> list[dict[str, Any]]:
    """Type ``q`` and wait for its answer: the rows (kind, text, box) of the result list."""
    b.page.fill("#map-find-input", q)
    b.wait("(function (s) { return s.textContent !== '' && s.textContent !== 'Đang tìm…'; })"
           "(document.querySelector('#map-find-status'))")  # fmt: skip
    rows: list[dict[str, Any]] = b.page.evaluate(
        "Array.from(document.querySelectorAll('#map-find-list:not([hidden]) .map-find-row')).map(function (r) {"
        "  var b = r.getBoundingClientRect(), l = r.parentNode.getBoundingClientRect();"
        "  return {kind: r.dataset.kind, text: r.innerText, height: b.height, width: b.width, list: l.width};"
        "})"
    )
    return rows


def choose_first(b: Browser, q: str, kind: str) -> None:
    rows = find(b, q)
    assert rows and rows[0]["kind"] == kind, (q, rows)
    for row in rows:  # full-width rows a finger can hit
        assert row["height"] >= 44 and abs(row["width"] - row["list"]) <= 1, row
    b.page.press("#map-find-input", "Enter")
    b.settle()


@pytest.fixture
def street(db: Session, world: dict[str, Any]) -> None:
    make_site(db, code="FIND-ST", lon=STREET[0], lat=STREET[1], address="Số 15 phố Lạch Tray, tổ 4")


def test_the_map_pages_carry_the_search_box(client: TestClient, anon: TestClient, world: dict[str, Any]) -> None:
    """The stations and press maps for everyone, the permit-check map for staff; its text as JSON in the
    figure's script, in the page's language."""
    for who, path in ((anon, "/maps/stations"), (anon, "/maps/press"), (client, "/maps/sites/MAP-0")):
        for lang, word in (("vi", "Gần tôi"), ("en", "Near me")):
            page = who.get(path, params={"lang": lang})
            assert page.status_code == 200, path
            assert elements(page.text, "script", src="/static/js/map-find.js"), path
            assert elements(page.text, "link", href="/static/css/map-find.css"), path
            assert word in page.text, (path, lang)


@pytest.mark.parametrize("size", [(390, 844), (1366, 768)], ids=["phone", "desktop"])
def test_find_and_near_me(anon: TestClient, street: None, size: tuple[int, int]) -> None:
    name = "phone" if size[0] < 500 else "desktop"
    b = Browser(anon, viewport=size)
    try:
        b.open("/maps/stations")
        # A site code: the map goes there and rings the site.
        choose_first(b, "map-2", "site")
        assert metres(centre(b), (LON + 0.004, LAT)) < 1
        assert b.page.locator("path.map-find-ring").count() == 1
        # An address without diacritics.
        choose_first(b, "lach tray", "address")
        assert metres(centre(b), STREET) < 1
        # Keyboard: the second of several results, by arrow key and Enter.
        rows = find(b, "map-")
        assert len(rows) >= 4
        b.page.press("#map-find-input", "ArrowDown")
        active = b.page.get_attribute("#map-find-input", "aria-activedescendant")
        assert active == "map-find-option-1"
        assert b.page.get_attribute(f"#{active}", "aria-selected") == "true"
        second = b.page.inner_text(f"#{active} .map-find-label")
        b.page.press("#map-find-input", "Enter")
        b.settle()
        assert b.page.get_attribute("#map-find-input", "aria-expanded") == "false"
        index = int(second.split("-")[1])
        assert metres(centre(b), (LON + 0.002 * index, LAT)) < 1
        # A commune: the map fits its extent and draws its outline.
        choose_first(b, "phuong le chan", "commune")
        chosen = b.page.evaluate("window.mapFindChosen")
        x0, y0, x1, y1 = chosen["bbox"]
        assert metres(centre(b), ((x0 + x1) / 2, (y0 + y1) / 2)) < 100
        assert b.page.evaluate(f"window.registryMap.getBounds().contains([[{y0}, {x0}], [{y1}, {x1}]])")
        assert b.page.locator("path.map-find-outline").count() >= 1
        # Typed coordinates: decimal, DMS, VN-2000 X/Y with its zone.
        easting, northing = from_wgs84(9210, *POINT)
        for q in (
            "20.8449, 106.6881",
            "106,6881 20,8449",
            "20°50'41.64\"N 106°41'17.16\"E",
            f"X={northing:.2f} Y={easting:.2f} 105°45'",
        ):
            choose_first(b, q, "coordinates")
            assert metres(centre(b), POINT) < 1, q
        b.page.fill("#map-find-input", "map-")
        b.page.locator(".map-find-row").first.wait_for()
        b.page.screenshot(path=str(ARTEFACTS / f"maps-find-{name}.png"))
        # Nothing: said only then, and the list closed.
        assert find(b, "Nhà hát lớn") == []
        assert b.page.inner_text("#map-find-status") == "Không tìm thấy"
        b.page.press("#map-find-input", "Escape")
        b.page.press("#map-find-input", "Escape")
        assert b.page.input_value("#map-find-input") == ""

        # Near me, standing west of MAP-0.
        b.context.grant_permissions(["geolocation"], origin="http://127.0.0.1")
        here = (LON - 0.001, LAT + 0.0005)
        b.context.set_geolocation({"latitude": here[1], "longitude": here[0]})
        b.page.get_by_role("button", name="Gần tôi").click()
        near = near_rows(b, first="MAP-0")
        answer = anon.get("/api/sites/nearest", params={"lon": here[0], "lat": here[1], "n": 10}).json()
        assert [r["code"] for r in near] == [f["properties"]["code"] for f in answer["features"]]
        for row, feature in zip(near, answer["features"], strict=True):
            assert row["distance"] == pytest.approx(feature["properties"]["distance_m"], abs=1e-3)
            lon, lat = feature["geometry"]["coordinates"]
            azimuth, _, _ = GEOD.inv(here[0], here[1], lon, lat)
            assert row["bearing"] == pytest.approx(azimuth % 360, abs=0.01)
            assert row["height"] >= 44
            assert shown_distance(feature["properties"]["distance_m"]) in row["text"]
        distances = [r["distance"] for r in near]
        assert distances == sorted(distances)
        first = near[0]["text"]
        assert "MAP-0" in first and "Đông" in first  # MAP-0 lies east (and a little south) of me
        assert b.page.inner_text("#map-near-title") == "Vị trí gần tôi nhất"
        b.assert_fits()
        b.page.screenshot(path=str(ARTEFACTS / f"maps-near-{name}.png"))
        # I walk east past MAP-3: the list follows.
        b.context.set_geolocation({"latitude": LAT, "longitude": LON + 0.0065})
        near = near_rows(b, first="MAP-3")
        assert [r["code"] for r in near[:4]] == ["MAP-3", "MAP-2", "MAP-1", "MAP-0"]
        assert "Tây" in near[1]["text"]
        # A row centres the map on its site; its record link names the site.
        b.page.locator(".map-near-row[data-code='MAP-2'] .map-near-go").click()
        b.settle()
        assert metres(centre(b), (LON + 0.004, LAT)) < 1
        assert b.page.get_attribute(".map-near-row[data-code='MAP-2'] a", "href") == "/records/sites/MAP-2?lang=vi"
        # Near a point of the map: right-click (a long-press on a phone).
        b.page.evaluate(f"void window.registryMap.setView([{LAT}, {LON + 0.006}], 16)")
        b.settle()
        # A spot of bare map, below the controls that other pieces of the page put over it.
        spot = b.page.evaluate(
            "(function () { for (var y = window.innerHeight - 80; y > 100; y -= 20) {"
            "  for (var x = window.innerWidth - 40; x > 40; x -= 20) {"
            "    var e = document.elementFromPoint(x, y);"
            "    if (e && !e.closest('.leaflet-control, .leaflet-marker-icon') && e.closest('.folium-map')) {"
            "      return [x, y]; } } } return null; })()"
        )
        assert spot is not None
        b.page.mouse.click(spot[0], spot[1], button="right")
        b.wait("document.querySelector('#map-near-title').textContent === 'Vị trí gần điểm đã chọn nhất'")
        b.wait(f"window.mapNearShown && window.mapNearShown.lat < {LAT - 0.0005}")
        point = b.page.evaluate("[window.mapNearShown.lon, window.mapNearShown.lat]")
        answer = anon.get("/api/sites/nearest", params={"lon": point[0], "lat": point[1], "n": 10}).json()
        codes = [f["properties"]["code"] for f in answer["features"]]
        assert [r["code"] for r in near_rows(b, first=codes[0])] == codes
        if not b.page.evaluate("() => typeof window.axe !== 'undefined'"):
            b.page.evaluate(AXE.read_text(encoding="utf-8") + "\n;0")
        problems = b.page.evaluate(
            "async () => (await axe.run(document.querySelector('.map-find'),"
            " {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})).violations"
            ".map(function (v) { return v.id; })"
        )
        assert problems == []
        b.page.screenshot(path=str(ARTEFACTS / f"maps-near-point-{name}.png"))
        # The offline helper's service worker (maps/offline.py) is fetched by Chromium itself, outside
        # the test's routing, and fails here; that is not this page's doing.
        b.errors = [e for e in b.errors if e != "An unknown error occurred when fetching the script."]
        assert_clean(b)
        assert b.external == []
    finally:
        b.close()


def near_rows(b: Browser, *, first: str) -> list[dict[str, Any]]:
    b.wait(f"(function (r) {{ return r !== null && r.dataset.code === '{first}'; }})"
           "(document.querySelector('#map-near-list .map-near-row'))")  # fmt: skip
    rows: list[dict[str, Any]] = b.page.evaluate(
        "Array.from(document.querySelectorAll('#map-near-list .map-near-row')).map(function (r) {"
        "  return {code: r.dataset.code, distance: parseFloat(r.dataset.distanceM),"
        "          bearing: parseFloat(r.dataset.bearingDeg), text: r.innerText,"
        "          height: r.getBoundingClientRect().height};"
        "})"
    )
    return rows


def shown_distance(m: float) -> str:
    """Metres as the list writes them in Vietnamese: whole metres under 1 km, then km with a comma."""
    if m < 1000:
        return f"{round(m):,} m".replace(",", ".")
    return f"{m / 1000:.2f} km".replace(".", ",") if m < 10_000 else f"{m / 1000:.1f} km".replace(".", ",")
