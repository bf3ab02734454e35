"""The map pages on a phone (390×844) and on a desktop (1366×768), in Chromium (#18 part A): on a phone
the controls wait behind one button, the top bar sits above the map (over no control or detail), a
site's details slide up in a bottom sheet (closable, keyboard reachable), sites take taps in 44 px,
buttons are 44 px, nothing scrolls sideways; the stations page's filters combine with AND, show as
chips, stay in the URL and are removed one by one or all at once."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from registry.clock import today
from tests.factories import make_station
from tests.maps.conftest import LAT, LON
from tests.maps.test_browser import Browser, pytestmark  # noqa: F401 - the same skip rule
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

ISO_DATE = re.compile(r"\b\d{4}-\d\d-\d\d\b")
PHONE = (390, 844)
DESKTOP = (1366, 768)

# Boxes of what is shown (display, visibility, a size), for overlap and size checks.
BOXES = """(sel) => Array.from(document.querySelectorAll(sel)).filter(function (e) {
  var s = getComputedStyle(e), r = e.getBoundingClientRect();
  return s.display !== "none" && s.visibility !== "hidden" && r.width > 0 && r.height > 0 && !e.closest("[hidden]");
}).map(function (e) { var r = e.getBoundingClientRect();
  return {id: e.id || e.className.baseVal || e.className, x: r.x, y: r.y, w: r.width, h: r.height}; })"""


def axe_problems(b: Browser) -> list[Any]:
    """axe's violations on the page (the pages let a phone zoom: WCAG 1.4.4; a pinch on the map
    zooms the map, Leaflet's container takes the touch itself)."""
    return list(violations(b.page))


def boxes(b: Browser, selector: str) -> list[dict[str, Any]]:
    return list(b.page.evaluate(BOXES, selector))


def overlap(a: dict[str, Any], c: dict[str, Any]) -> bool:
    return (
        a["x"] < c["x"] + c["w"] and c["x"] < a["x"] + a["w"] and a["y"] < c["y"] + c["h"] and c["y"] < a["y"] + a["h"]
    )


def phone_layout(b: Browser) -> None:
    """What every map page shows on a phone: one controls button, a top bar over nothing, 44 px buttons."""
    b.assert_fits()
    [bar] = boxes(b, "#user-bar")
    assert bar["y"] == 0 and bar["h"] >= 44
    shown = boxes(b, ".leaflet-control, #controls-toggle, .map-legend, .map-count, .filter-chips, #sheet-reopen")
    for box in shown:
        assert not overlap(bar, box), (bar, box)
    # The layer list, the legend and the filters wait in the drawer.
    assert boxes(b, ".leaflet-control-layers, .map-legend, .map-filters") == []
    for box in boxes(b, ".leaflet-bar a, #controls-toggle, .filter-chip, #sheet-reopen, .leaflet-control-locate a"):
        assert box["w"] >= 44 and box["h"] >= 44, box
    b.page.click("#controls-toggle")
    assert b.page.get_attribute("#controls-toggle", "aria-expanded") == "true"
    drawer = boxes(b, "#map-drawer")[0]
    assert drawer["x"] >= 0 and drawer["x"] + drawer["w"] <= PHONE[0] and drawer["y"] + drawer["h"] <= PHONE[1]
    assert boxes(b, "#map-drawer .leaflet-control-layers") and boxes(b, "#map-drawer .map-legend")
    b.page.keyboard.press("Escape")
    b.wait("document.getElementById('map-drawer').hidden")


def tap_beside(b: Browser, lat: float, lon: float, dx: int) -> None:
    """A tap ``dx`` px to the right of where the point (lat, lon) is drawn."""
    x, y = b.page.evaluate(
        f"(function () {{ var p = window.registryMap.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()"
    )
    box = b.page.locator(".folium-map").bounding_box()
    assert box is not None
    b.page.mouse.click(box["x"] + x + dx, box["y"] + y)


def sheet_text(b: Browser) -> str:
    # Open, and risen all the way (it slides up).
    b.wait(
        "(function (s) { return !s.hidden && s.classList.contains('open') && "
        "s.getBoundingClientRect().bottom <= window.innerHeight + 1; })(document.getElementById('map-sheet'))"
    )
    sheet = boxes(b, "#map-sheet")[0]
    assert sheet["x"] == 0 and sheet["w"] == PHONE[0] and sheet["y"] + sheet["h"] <= PHONE[1] + 1, sheet
    assert b.page.locator(".leaflet-popup-content").count() == 0 or not boxes(b, ".leaflet-popup")
    return b.page.locator("#sheet-body").inner_text()


def close_sheet(b: Browser) -> None:
    b.page.keyboard.press("Escape")
    b.wait("document.getElementById('map-sheet').hidden")


def test_the_stations_map_on_a_phone_with_filters(client: TestClient, world: dict[str, Any], db: Any) -> None:
    # MAP-3 (Viettel) also has a 5G station: Viettel AND 5G is MAP-3 alone.
    make_station(db, site=world["sites"][3], operator_code="VIETTEL", technologies=("4G", "5G"))
    b = Browser(client, viewport=PHONE)
    try:
        b.open(f"/maps/stations?lat={LAT}&lon={LON + 0.003}&z=16")
        assert b.codes() == {"MAP-0", "MAP-1", "MAP-2", "MAP-3"}
        phone_layout(b)
        shoot(b, "maps-phone-stations")
        # Each site takes taps in a circle 44 px across, larger than its drawn dot.
        hits = boxes(b, "path.site-hit")
        dots = boxes(b, "path.site-dot")
        assert hits and all(h["w"] >= 44 and h["h"] >= 44 for h in hits), hits
        assert dots and all(d["w"] < 20 for d in dots)
        # A tap 18 px beside MAP-1 opens its details in the bottom sheet, focus in it.
        tap_beside(b, LAT, LON + 0.002, 18)
        details = sheet_text(b)
        assert details.startswith("MAP-1") and "thiếu giấy phép" in details
        assert b.page.evaluate("document.activeElement.id") == "map-sheet"
        assert b.page.locator("#sheet-body a").first.get_attribute("href") == "/records/sites/MAP-1?lang=vi"
        b.assert_fits()
        shoot(b, "maps-phone-stations-sheet")
        # The close button is a 44 px button reached by the keyboard.
        close = boxes(b, "#sheet-close")[0]
        assert close["w"] >= 44 and close["h"] >= 44
        b.page.focus("#sheet-close")
        b.page.keyboard.press("Enter")
        b.wait("document.getElementById('map-sheet').hidden")

        # Filters: Viettel, then 5G too (AND), from the drawer.
        b.page.click("#controls-toggle")
        b.page.select_option("#filter-operator", "VIETTEL")
        b.page.click("#map-filters button[type=submit]")
        b.page.wait_for_url("**/maps/stations?**operator=VIETTEL**")
        b.wait("window.siteLayer !== undefined")
        b.settle()
        assert b.codes() == {"MAP-0", "MAP-3"}
        b.page.click("#controls-toggle")
        assert b.page.locator("#filter-operator").input_value() == "VIETTEL"
        b.page.select_option("#filter-technology", "5G")
        b.page.select_option("#filter-permits", "missing")
        b.page.click("#map-filters button[type=submit]")
        b.page.wait_for_url("**technology=5G**")
        b.wait("window.siteLayer !== undefined")
        b.settle()
        assert b.codes() == {"MAP-3"}
        chips = b.page.locator("a.filter-chip").all_inner_texts()
        assert [c.replace("\n", " ").strip() for c in chips] == [
            "Viettel ×", "5G ×", "thiếu giấy phép ×", "Xoá tất cả bộ lọc"
        ]  # fmt: skip
        assert "z=16" in b.page.url  # the view was kept
        phone_layout(b)
        shoot(b, "maps-phone-stations-filters")
        assert axe_problems(b) == []
        # A reload (or a shared link) keeps them.
        b.page.reload()
        b.wait("window.siteLayer !== undefined")
        b.settle()
        assert b.codes() == {"MAP-3"} and b.page.locator("a.filter-chip").count() == 4
        # Removing 5G and the standing, one chip at a time: Viettel's sites again.
        b.page.click("a.filter-chip[data-filter=technology]")
        b.page.wait_for_url(lambda url: "technology" not in url)
        b.page.click("a.filter-chip[data-filter=permits]")
        b.page.wait_for_url(lambda url: "permits" not in url)
        b.wait("window.siteLayer !== undefined")
        b.settle()
        assert b.codes() == {"MAP-0", "MAP-3"}
        # And all at once.
        b.page.click("#filters-clear")
        b.page.wait_for_url(lambda url: "operator" not in url)
        b.wait("window.siteLayer !== undefined")
        b.settle()
        assert b.codes() == {"MAP-0", "MAP-1", "MAP-2", "MAP-3"} and b.page.locator("a.filter-chip").count() == 0
        assert_clean(b)
    finally:
        b.close()


def test_the_other_map_pages_and_the_site_record_on_a_phone(client: TestClient, world: dict[str, Any]) -> None:
    b = Browser(client, viewport=PHONE)
    try:
        # The permit-check map: the verdict in the sheet at once, dates dd/mm/yyyy, the rules' legal bases.
        b.open("/maps/sites/MAP-1", ready="document.getElementById('verdict') !== null && window.L !== undefined")
        b.wait("document.querySelector('#map-sheet #check-panel') !== null")
        details = sheet_text(b)
        assert "Không tuân thủ" in details and f"Ngày xét: {today():%d/%m/%Y}" in details
        assert "Căn cứ: Luật Xây dựng" in details and "ví dụ" not in details
        assert boxes(b, "#verdict")[0]["x"] >= 0
        b.assert_fits()
        shoot(b, "maps-phone-site-check")
        close_sheet(b)
        phone_layout(b)
        b.page.click("#sheet-reopen")
        assert "Không tuân thủ" in sheet_text(b)
        close_sheet(b)
        # A bulky neighbour's canvas dot takes a tap 14 px beside it (its tooltip opens).
        assert_clean(b)

        # The press map: a tap beside the outlet shows it in the sheet, its licence date as dd/mm/yyyy.
        b.open("/maps/press", ready="window.pressLoaded !== undefined")
        phone_layout(b)
        b.page.evaluate(f"void window.registryMap.setView([{LAT + 0.004}, {LON}], 16, {{animate: false}})")
        b.settle()
        tap_beside(b, LAT + 0.004, LON, 14)
        details = sheet_text(b)
        assert "Báo Thử Bản Đồ" in details and "sắp hết hạn" in details
        assert re.search(r"hết hạn \d\d/\d\d/\d{4}", details) and not ISO_DATE.search(details)
        shoot(b, "maps-phone-press")
        close_sheet(b)

        # The cases map.
        b.open("/maps/cases", ready="window.casesLoaded !== undefined")
        phone_layout(b)
        b.page.evaluate(f"void window.registryMap.setView([{LAT - 0.002}, {LON + 0.001}], 16, {{animate: false}})")
        b.settle()
        tap_beside(b, LAT - 0.002, LON + 0.001, 14)
        details = sheet_text(b)
        assert world["denunciation"] in details and "Nhận ngày: " in details
        assert re.search(r"Nhận ngày: \d\d/\d\d/\d{4}", details) and not ISO_DATE.search(details)
        shoot(b, "maps-phone-cases")
        close_sheet(b)
        assert axe_problems(b) == []

        # The maps' home page and the site record page: no sideways scrolling.
        b.page.goto("http://127.0.0.1/maps/")
        b.page.wait_for_load_state("networkidle")
        b.assert_fits()
        shoot(b, "maps-phone-home")
        b.page.goto("http://127.0.0.1/records/sites/MAP-0")
        b.page.wait_for_load_state("networkidle")
        b.assert_fits()
        shoot(b, "maps-phone-site-record")
        assert_clean(b)
    finally:
        b.close()


def test_the_desktop_keeps_popups_and_panels(client: TestClient, world: dict[str, Any]) -> None:
    b = Browser(client, viewport=DESKTOP)
    try:
        b.open(f"/maps/stations?lat={LAT}&lon={LON + 0.003}&z=16&operator=VIETTEL")
        assert b.codes() == {"MAP-0", "MAP-3"}
        # Filters, chips and the legend in their own places; no phone button.
        assert boxes(b, "#map-filters") and boxes(b, "#legend") and boxes(b, ".leaflet-control-layers")
        assert boxes(b, "#controls-toggle") == [] and boxes(b, "#map-sheet") == []
        [bar] = boxes(b, "#user-bar")
        placed = boxes(b, "#user-bar, .leaflet-control, #map-filters, #legend, .filter-chips")
        for i, one in enumerate(placed):
            for other in placed[i + 1 :]:
                assert not overlap(one, other), (one, other)
        # A popup, below the top bar (its first line, the code, readable).
        tap_beside(b, LAT, LON + 0.006, 0)
        b.popup_shown()
        popup = boxes(b, ".leaflet-popup-content")[0]
        assert b.page.locator(".leaflet-popup-content").inner_text().startswith("MAP-3")
        assert popup["y"] >= bar["y"] + bar["h"]
        b.assert_fits()
        shoot(b, "maps-desktop-stations-filters")
        b.open("/maps/sites/MAP-1", ready="document.getElementById('verdict') !== null && window.L !== undefined")
        panel = boxes(b, "#check-panel")[0]
        assert panel["x"] + panel["w"] <= DESKTOP[0] and boxes(b, "#map-sheet") == []
        for control in boxes(b, "#user-bar, .leaflet-control, .map-legend"):  # the search box included
            assert not overlap(panel, control), (panel, control)
        shoot(b, "maps-desktop-site-check")
        assert_clean(b)
    finally:
        b.close()
