"""The other map pages and the record pages in headless Chromium: each loads with no console error
and no request leaving 127.0.0.1, draws what it should, and leaves a screenshot in out/screenshots.
Signing in through the sign-in page (a cookie) is driven like a user would."""

from __future__ import annotations

from typing import Any

import pytest
from pyproj import Geod

from tests.conftest import TEST_PASSWORD, ClientAs, MakeUser
from tests.maps.conftest import LAT, LON, SECRET, SECRET_ID
from tests.maps.test_browser import ARTEFACTS, Browser, pytestmark  # noqa: F401 - the same skip rule


def clean(b: Browser) -> None:
    assert b.errors == [], b.errors
    assert b.external == [], b.external


def click_at(b: Browser, lat: float, lon: float) -> None:
    x, y = b.page.evaluate(
        f"(function () {{ var p = window.registryMap.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()"
    )
    box = b.page.locator(".folium-map").bounding_box()
    assert box is not None
    b.page.mouse.click(box["x"] + x, box["y"] + y)


def popup_of(b: Browser, lat: float, lon: float) -> str:
    b.page.evaluate("window.registryMap.closePopup()")
    b.wait("document.querySelectorAll('.leaflet-popup-content').length === 0")
    click_at(b, lat, lon)
    popup = b.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    b.popup_shown()  # and the map still after the popup's auto-pan, for the next click
    return popup.inner_text()


def test_staff_see_sites_coloured_by_permit_standing(staff_browser: Browser, world: dict[str, Any]) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    b = staff_browser
    b.open(f"/maps/stations?lat={LAT}&lon={LON + 0.003}&z=16")  # waits until the tiles are drawn
    assert b.codes() >= {"MAP-0", "MAP-1", "MAP-2", "MAP-3"}
    assert "đủ giấy phép" in popup_of(b, LAT, LON)  # MAP-0 holds all it needs
    text = popup_of(b, LAT, LON + 0.002)
    assert "MAP-1" in text and "thiếu giấy phép" in text
    assert "thiếu giấy phép" in b.page.locator("#legend").inner_text()
    b.page.screenshot(path=str(ARTEFACTS / "stations-permits.png"))
    # Moving the map puts the view in the URL, so a copied link opens the same place.
    b.page.evaluate(f"window.registryMap.setView([{LAT + 0.01}, {LON}], 15)")
    b.wait("new URL(location.href).searchParams.get('z') === '15'")  # written once the move ends
    assert "z=15" in b.page.url and f"lat={LAT + 0.01:.5f}" in b.page.url
    clean(b)


def test_measuring_a_distance(public_browser: Browser, world: dict[str, Any]) -> None:
    b = public_browser
    b.open(f"/maps/stations?lat={LAT}&lon={LON}&z=16")
    b.page.click("#measure-toggle")
    click_at(b, LAT + 0.003, LON)
    click_at(b, LAT + 0.003, LON + 0.004)
    click_at(b, LAT + 0.001, LON + 0.004)
    measured = b.page.evaluate("window.measuredDistance()")
    _, _, d1 = Geod(ellps="WGS84").inv(LON, LAT + 0.003, LON + 0.004, LAT + 0.003)
    _, _, d2 = Geod(ellps="WGS84").inv(LON + 0.004, LAT + 0.003, LON + 0.004, LAT + 0.001)
    assert measured == pytest.approx(d1 + d2, rel=0.01)  # a click lands within a pixel or two
    shown = b.page.locator("#measure-result").inner_text()
    assert shown.startswith("Khoảng cách: ") and shown.endswith(" m")
    assert b.page.locator(".leaflet-popup-content").count() == 0, "no popup while measuring"
    b.page.screenshot(path=str(ARTEFACTS / "stations-measure.png"))
    b.page.click("#measure-toggle")
    assert b.page.evaluate("window.measuring") is False
    clean(b)


def test_the_permit_check_map(staff_browser: Browser, world: dict[str, Any]) -> None:
    b = staff_browser
    b.open("/maps/sites/MAP-1", ready="document.getElementById('verdict') !== null && window.L !== undefined")
    assert b.page.locator("#verdict").inner_text() == "Không tuân thủ"
    neighbours = b.page.locator("#neighbours").inner_text()
    assert "MAP-0" in neighbours and "quá gần" in neighbours and "MAP-3" in neighbours
    drawn = b.page.evaluate(
        "(function () { var n = {circle: 0, marker: 0, line: 0, area: 0}; window.registryMap.eachLayer(function (l) {"
        "  if (l instanceof L.Circle) { n.circle++; } else if (l instanceof L.CircleMarker) { n.marker++; }"
        "  else if (l instanceof L.Polygon) { n.area++; } else if (l instanceof L.Polyline) { n.line++; } });"
        " return n; })()"
    )
    # the spacing circle; the site, three bulky neighbours and the co-location candidates; lines to
    # the two that are too close; the zone
    assert drawn["circle"] == 1 and drawn["marker"] >= 4 and drawn["line"] == 2 and drawn["area"] >= 1, drawn
    b.page.screenshot(path=str(ARTEFACTS / "site-check.png"))
    clean(b)


def test_the_press_map_for_the_public(public_browser: Browser, world: dict[str, Any]) -> None:
    public_browser.open("/maps/press", ready="window.pressLoaded !== undefined")
    assert public_browser.page.evaluate("window.pressLoaded") == 2
    assert public_browser.page.locator("#press-count").inner_text() == "2"
    public_browser.page.screenshot(path=str(ARTEFACTS / "press.png"))
    clean(public_browser)


def test_the_press_map_for_staff(staff_browser: Browser, world: dict[str, Any]) -> None:
    b = staff_browser
    b.open("/maps/press?kind=print_newspaper", ready="window.pressLoaded !== undefined")
    assert b.page.evaluate("window.pressLoaded") == 1  # the filter in the URL
    text = popup_of(b, LAT + 0.004, LON)
    assert "Báo Thử Bản Đồ" in text and "sắp hết hạn" in text
    link = b.page.locator(".leaflet-popup-content a")
    assert link.get_attribute("href") == "/records/outlets/T-BAO?lang=vi"
    clean(b)


def test_the_cases_map(client_as: ClientAs, world: dict[str, Any]) -> None:
    b = Browser(client_as("inspector"))
    try:
        b.open("/maps/cases", ready="window.casesLoaded !== undefined")
        assert b.page.evaluate("window.casesLoaded") == 2
        b.page.get_by_text("Bản đồ nhiệt khiếu nại", exact=True).click()
        b.wait("window.heatPoints !== undefined", timeout=5000)
        assert b.page.evaluate("window.heatPoints") == 1
        text = popup_of(b, LAT - 0.002, LON + 0.001)
        assert world["denunciation"] in text and "quá hạn" in text
        html = b.page.content()
        assert SECRET not in html and SECRET_ID not in html
        b.page.screenshot(path=str(ARTEFACTS / "cases.png"))
        clean(b)
    finally:
        b.close()


@pytest.mark.parametrize(
    ("path", "heading"),
    [("/records/sites/MAP-0", "Vị trí MAP-0"), ("/records/outlets/T-BAO", "Báo Thử Bản Đồ"), ("case", "Tố cáo")],
)
def test_record_pages_print(staff_browser: Browser, world: dict[str, Any], path: str, heading: str) -> None:
    if path == "case":
        path = f"/records/cases/{world['denunciation']}"
    b = staff_browser
    b.open(path, ready="document.querySelector('h1') !== null")
    assert b.page.locator("h1").inner_text().startswith(heading)
    name = path.strip("/").replace("/", "-")
    b.page.screenshot(path=str(ARTEFACTS / f"{name}.png"), full_page=True)
    b.page.emulate_media(media="print")
    assert b.page.locator("nav").is_hidden(), "the navigation is not printed"
    pdf = b.page.pdf(path=str(ARTEFACTS / f"{name}.pdf"), format="A4")
    assert pdf.startswith(b"%PDF")
    clean(b)


def test_signing_in_through_the_page(public_browser: Browser, make_user: MakeUser, world: dict[str, Any]) -> None:
    make_user("inspector", username="tt.bando")
    b = public_browser
    b.page.goto("http://127.0.0.1/maps/cases?kind=complaint")
    b.page.wait_for_selector("#sign-in-form")
    b.page.fill("input[name=username]", "tt.bando")
    b.page.fill("input[name=password]", "sai mật khẩu")
    b.page.click("button[type=submit]")
    b.wait("document.getElementById('sign-in-error').textContent !== ''")
    assert "Không đăng nhập được" in b.page.locator("#sign-in-error").inner_text()
    b.errors.clear()  # the refused sign-in is a 401 the console reports
    b.page.fill("input[name=password]", TEST_PASSWORD)
    b.page.click("button[type=submit]")
    b.page.wait_for_url("**/maps/cases?kind=complaint")
    b.wait("window.casesLoaded !== undefined", timeout=10_000)
    assert b.page.evaluate("window.casesLoaded") == 1  # the filter survived the detour
    assert b.page.locator("#who").inner_text() == "tt.bando"
    clean(b)
