"""EMF safety distances in the browser: the wedges on the permit-check map of a site and on the stations
map from zoom 16, their tooltip ("Khu vực 1: 6,3 m"), a site's dot still clickable over its wedges, the
record page's section (distances equal to the formula, never the EIRP), at desktop and phone sizes."""

from __future__ import annotations

import json
import math
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyproj import Geod
from sqlalchemy.orm import Session

from tests.factories import make_site, make_station
from tests.html_reader import elements
from tests.maps.browser import Browser
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

LON, LAT = 106.6880, 20.8610
GEOD = Geod(ellps="WGS84")
LAYER = "Khoảng cách an toàn (QCVN 8:2022)"


def _r(eirp_w: float) -> float:
    return math.sqrt(eirp_w / (4 * math.pi * 2.0))


def _shown(eirp_w: float) -> str:
    return f"{_r(eirp_w):.1f} m".replace(".", ",")


@pytest.fixture
def sites(db: Session) -> None:
    s = make_site(db, code="HP-EMF01", lon=LON, lat=LAT, address="Số 1 Điện Biên Phủ", pole_class="A2b")
    make_station(db, site=s, operator_code="VIETTEL", sectors=[(0.0, 4.0, 1000.0), (120.0, 4.0, 400.0)])
    make_station(db, site=s, operator_code="VNPT", sectors=[(240.0, 2.0, 4000.0), (300.0, 2.0, None)])
    make_station(db, code="HP-EMF02", lon=LON + 0.0015, lat=LAT, sectors=[(90.0, 2.0, 250.0)])


def _point(b: Browser, azimuth: float, distance: float) -> tuple[float, float]:
    """Where on the page the point ``distance`` metres from the site along ``azimuth`` is drawn."""
    lon, lat, _ = GEOD.fwd(LON, LAT, azimuth, distance)
    box = b.page.locator(".folium-map").bounding_box()
    assert box is not None
    p = b.page.evaluate(f"(function () {{ var p = window.registryMap.latLngToContainerPoint([{lat}, {lon}]);"
                        " return [p.x, p.y]; })()")  # fmt: skip
    return box["x"] + p[0], box["y"] + p[1]


def _view(b: Browser, lat: float, lon: float, zoom: int, down: float = 0.5) -> None:
    """Show (lat, lon) at ``zoom``, placed right of the controls and ``down`` the map's height (clear of
    the permit-check panel, a bottom sheet on a phone, and of the search box)."""
    b.page.evaluate(
        f"(function (m) {{ m.setView([{lat}, {lon}], {zoom}, {{animate: false}}); var s = m.getSize();"
        f" m.panBy([-0.15 * s.x, s.y * (0.5 - {down})], {{animate: false}}); }})(window.registryMap)"
    )
    b.settle()


def _hover(b: Browser, azimuth: float, distance: float, first_line: str) -> str:
    """The tooltip shown with the pointer ``distance`` metres from the site along ``azimuth``, once it
    starts with ``first_line``."""
    b.page.mouse.move(*_point(b, azimuth, distance))
    try:
        b.wait(
            "(function (t) { return t !== null && t.innerText.split('\\n')[0] === "
            + json.dumps(first_line)
            + "; })(document.querySelector('.emf-tooltip'))"
        )
    except Exception as exc:  # noqa: BLE001 - say what the tooltip said
        shown = b.page.evaluate("(function (t) { return t && t.innerText; })(document.querySelector('.emf-tooltip'))")
        raise AssertionError(f"tooltip {shown!r}, not {first_line!r}") from exc
    return str(b.page.locator(".emf-tooltip").inner_text())


def _wedges(b: Browser, n: int) -> None:
    b.wait(f"document.querySelector('.folium-map').getAttribute('data-emf-wedges') === '{n}'")
    assert b.page.locator("path.emf-wedge").count() == n


def _tick(box: Any, name: str) -> None:
    if name == "desktop":
        box.click()
    else:
        box.dispatch_event("click")


@pytest.mark.usefixtures("sites")
def test_the_site_map_draws_each_sector_as_a_wedge(client: TestClient) -> None:
    for size, name in (((1366, 768), "desktop"), ((390, 844), "phone")):
        b = Browser(client, viewport=size)
        try:
            b.open("/maps/sites/HP-EMF01", ready="window.emfLayer !== undefined")
            _wedges(b, 3)  # the sector without an EIRP has no wedge
            assert LAYER in b.page.locator(".leaflet-control-layers").inner_text()
            _view(b, LAT, LON, 18, down=0.2)
            # Inside the first sector's wedge (north, 6,3 m), past the site's own marker.
            assert _shown(1000) == "6,3 m"
            tip = _hover(b, 0.0, _r(1000) * 0.8, f"Khu vực 1: {_shown(1000)}")
            assert "Viettel" in tip and "hướng 0°" in tip and "HP-EMF01" in tip
            # VNPT's strong sector points south-west: 12,6 m.
            tip = _hover(b, 240.0, _r(4000) * 0.9, "Khu vực 1: 12,6 m")
            assert "VNPT" in tip and "hướng 240°" in tip
            shoot(b, f"maps-emf-site-map-{name}")
            # Outside every wedge (east, between the beams of 120° and 0°): no tooltip.
            b.page.mouse.move(*_point(b, 60.0, _r(4000) * 0.5))
            b.wait("document.querySelector('.emf-tooltip') === null")
            assert_clean(b)
        finally:
            b.close()


@pytest.mark.usefixtures("sites")
def test_the_stations_map_draws_the_wedges_in_view_from_zoom_16(anon: TestClient) -> None:
    for size, name in (((1366, 768), "desktop"), ((390, 844), "phone")):
        b = Browser(anon, viewport=size)
        try:
            b.open(f"/maps/stations?lat={LAT}&lon={LON}&z=15", ready="window.emfLayer !== undefined")
            assert b.page.locator("path.emf-wedge").count() == 0, "no wedge below zoom 16"
            _view(b, LAT, LON, 16)
            _wedges(b, 4)  # both sites' wedges
            _view(b, LAT, LON, 18, down=0.6)
            assert _shown(400) == "4,0 m"
            tip = _hover(b, 120.0, _r(400) * 0.8, f"Khu vực 2: {_shown(400)}")
            assert "Viettel" in tip and "hướng 120°" in tip
            # The site's dot is drawn over its wedges and still opens the site's popup.
            # (a phone shows the popup's content in a bottom sheet: the popup's opening is what counts)
            b.page.evaluate(
                "window.registryMap.once('popupopen', function (e) { window.emfPopup = String(e.popup.getContent()); })"
            )
            b.page.mouse.click(*_point(b, 0.0, 0.0))
            b.wait("window.emfPopup !== undefined && window.emfPopup.indexOf('HP-EMF01') >= 0")
            b.page.evaluate("window.registryMap.closePopup()")
            if name == "phone":
                b.page.keyboard.press("Escape")  # the bottom sheet
            # The layer is in the layer list and can be switched off (on a phone the list sits in a drawer
            # of the page's layout: there the box is ticked by its label's script).
            box = b.page.locator(".leaflet-control-layers label", has_text=LAYER).locator("input")
            assert box.is_checked()
            _tick(box, name)
            b.wait("document.querySelectorAll('path.emf-wedge').length === 0")
            _tick(box, name)
            _view(b, LAT, LON + 0.0007, 18)
            _wedges(b, 4)
            b.assert_fits()
            shoot(b, f"maps-emf-stations-{name}")
            assert "eirp" not in b.page.content().lower()
            assert_clean(b)
        finally:
            b.close()


@pytest.mark.usefixtures("sites")
def test_the_record_page_lists_the_distances_and_never_the_power(anon: TestClient, client: TestClient) -> None:
    for size, name in (((1366, 768), "desktop"), ((390, 844), "phone")):
        b = Browser(anon, viewport=size)
        try:
            b.page.goto("http://127.0.0.1/records/sites/HP-EMF01")
            section = b.page.locator("#safety-distances")
            assert "Khoảng cách an toàn trường điện từ" in section.inner_text()
            assert "thấp hơn giới hạn cho công chúng" in section.inner_text()
            assert b.page.locator("#safety-largest").inner_text().endswith(_shown(4000))
            rows = b.page.locator("#safety-table tbody tr").all_inner_texts()
            assert [r.split("\t") for r in rows] == [
                ["Viettel", "1", "0°", _shown(1000)],
                ["Viettel", "2", "120°", _shown(400)],
                ["VNPT", "1", "240°", _shown(4000)],
            ]
            # Neither the word nor the watts anywhere in the page's body (its markup and its text).
            body = b.page.evaluate("document.body.innerHTML")
            assert "eirp" not in body.lower()
            shown = b.page.locator("body").inner_text()
            assert not re.search(r"\b(4 ?000|1 ?000|400) ?W?\b", shown), "a sector's watts on the page"
            b.assert_fits()
            assert violations(b.page) == []
            shoot(b, f"maps-emf-record-{name}")
            assert_clean(b)
        finally:
            b.close()
    # Staff read the same section on the printable record.
    staff = client.get("/records/sites/HP-EMF01").text
    (largest,) = elements(staff, "p", id="safety-largest")
    assert largest.text.endswith("12,6 m")
    # The office's site page has the same section, beside the EIRP it shows staff in the sectors' table.
    office = client.get("/office/sites/HP-EMF01")
    assert office.status_code == 200, office.status_code
    (section,) = elements(office.text, "section", id="safety-distances")
    assert "Khoảng cách an toàn lớn nhất của vị trí: 12,6 m" in section.text
    cells = [c.text for c in elements(office.text, "td") if c.text.endswith(" m")]
    assert cells[:3] == [_shown(1000), _shown(400), _shown(4000)]
