"""Hostile text in every stored field a map page shows, and in every query parameter a map page echoes,
opened in Chromium under the pages' real Content-Security-Policy: popups, tooltips, the layer list and
the zones and communes overlays switched on. Nothing runs (``window.__xss`` stays undefined, no dialog,
no console error, no request for the ``x`` image) and the text is shown as it was stored."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, urlencode

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import ClientAs
from tests.factories import box, make_zone
from tests.maps.browser import ARTEFACTS, Browser, pytestmark  # noqa: F401 - the same skip rule
from tests.maps.conftest import LAT, LON
from tests.maps.test_phone_browser import sheet_text, tap_beside

IMG = '<img src=x onerror="window.__xss=1">'
SCRIPT = "</script><script>window.__xss=1</script>"
TEMPLATE = "${window.__xss=1}"
BACKTICK = "`;window.__xss=1;`"
QUOTE = "'-(window.__xss=1)-'"
LINE = "a\u2028b\u2029c"
ALL = [IMG, SCRIPT, TEMPLATE, BACKTICK, QUOTE, LINE]

# The four sites of the world, renamed (codes are at most 40 characters; the first has no "/" so its
# permit-check map has a path).
SITES = {"MAP-0": IMG, "MAP-1": TEMPLATE, "MAP-2": BACKTICK, "MAP-3": SCRIPT}
OPERATORS = {"VIETTEL": IMG, "VNPT": SCRIPT, "MOBIFONE": TEMPLATE + BACKTICK}
ZONE_NAMES = {TEMPLATE: f"{IMG} {QUOTE}", BACKTICK: f"{SCRIPT} {TEMPLATE} {LINE}"}
COMMUNE = f"{IMG} {BACKTICK}"
OUTLET = {"name": f"{IMG} {TEMPLATE}", "address": f"{SCRIPT} {LINE}", "licence": QUOTE}
CASE_CODES = {"denunciation": IMG, "complaint": TEMPLATE}


@pytest.fixture
def hostile(db: Session, world: dict[str, Any]) -> dict[str, Any]:
    """The map world with every text a map page shows replaced by a hostile one (stored as is: the
    pages must hold whatever a row may hold, whichever way it got there)."""
    for code, new in SITES.items():
        db.execute(
            text("UPDATE site SET code = :new, address = :address WHERE code = :code"),
            {"new": new, "address": f"{QUOTE} {LINE} {code}", "code": code},
        )
    for code, name in OPERATORS.items():
        db.execute(
            text("UPDATE organisation SET short_name = :s, name = :n WHERE code = :c"),
            {"s": name, "n": name, "c": code},
        )
    db.execute(text("UPDATE planning_zone SET code = :c, name = :n WHERE code = 'Z-MAP'"),
               {"c": TEMPLATE, "n": ZONE_NAMES[TEMPLATE]})  # fmt: skip
    second = make_zone(db, polygon=box(LON + 0.003, LAT, 0.004), kind="general", code=BACKTICK, urban=True)
    db.execute(text("UPDATE planning_zone SET name = :n WHERE id = :id"), {"n": ZONE_NAMES[BACKTICK], "id": second.id})
    commune = db.execute(text("SELECT admin_unit_id FROM site WHERE code = :c"), {"c": IMG}).scalar_one()
    db.execute(text("UPDATE admin_unit SET name = :n WHERE id = :id"), {"n": COMMUNE, "id": commune})
    db.execute(text("UPDATE press_outlet SET name = :n, address = :a WHERE code = 'T-BAO'"),
               {"n": OUTLET["name"], "a": OUTLET["address"]})  # fmt: skip
    db.execute(text("UPDATE press_licence SET number = :n WHERE number = 'GP-BAN-DO'"), {"n": OUTLET["licence"]})
    for kind, code in CASE_CODES.items():
        db.execute(text("UPDATE case_file SET code = :new WHERE code = :old"), {"new": code, "old": world[kind]})
    db.flush()
    db.expire_all()
    return world


def nothing_ran(b: Browser) -> None:
    assert b.page.evaluate("typeof window.__xss") == "undefined"
    assert b.dialogs == [], b.dialogs
    assert b.page.evaluate("document.querySelectorAll('img[src=\"x\"]').length") == 0
    assert b.errors == [], b.errors
    assert b.external == [], b.external
    assert not [r.url for r in b.responses if r.url.path == "/x"], "the x image was requested"


def shown(texts: list[str], *wanted: str) -> None:
    """Each of ``wanted`` appears as text in one of ``texts`` (line separators aside: Chromium's
    innerText may render them as line breaks)."""
    flat = [t.replace("\u2028", "").replace("\u2029", "").replace("\n", "") for t in texts]
    for w in wanted:
        w = w.replace("\u2028", "").replace("\u2029", "")
        assert any(w in t for t in flat), (w, texts)


def sheet_at(b: Browser, lat: float, lon: float) -> str:
    """On a phone: tap the point, and the text of the bottom sheet its details rise in."""
    tap_beside(b, lat, lon, 0)
    return sheet_text(b)


def popup_at(b: Browser, lat: float, lon: float) -> str:
    b.page.evaluate("window.registryMap.closePopup()")
    b.wait("document.querySelectorAll('.leaflet-popup-content').length === 0")
    x, y = b.page.evaluate(
        f"(function () {{ var p = window.registryMap.latLngToContainerPoint([{lat}, {lon}]); return [p.x, p.y]; }})()"
    )
    frame = b.page.locator(".folium-map").bounding_box()
    assert frame is not None
    b.page.mouse.click(frame["x"] + x, frame["y"] + y)
    popup = b.page.locator(".leaflet-popup-content")
    popup.wait_for(timeout=5000)
    b.popup_shown()  # and the map still after the popup's auto-pan, for the next click
    return popup.inner_text()


def open_tooltips(b: Browser, layers: str = "window.registryMap") -> list[str]:
    """Open the tooltip of every layer under ``layers`` and return the texts shown (once each is in
    the page and has faded in)."""
    b.settle()  # a tooltip opens where its layer is drawn: not while the map moves
    opened = b.page.evaluate(
        f"(function (root) {{ var n = 0; window.__tooltips = []; function walk(l) {{"
        "  if (l.getTooltip && l.getTooltip()) { l.openTooltip(); window.__tooltips.push(l.getTooltip()); n++; }"
        "  if (l.eachLayer && l !== root) { l.eachLayer(walk); } }"
        f"  root.eachLayer(walk); return n; }})({layers})"
    )
    assert opened > 0, f"no tooltip under {layers}"
    b.wait(
        "window.__tooltips.every(function (t) { var e = t.getElement();"
        "  return t.isOpen() && document.body.contains(e) && e.getAnimations().length === 0; })"
    )
    return b.page.locator(".leaflet-tooltip").all_inner_texts()


def test_hostile_stored_text_on_the_stations_map(staff_browser: Browser, hostile: dict[str, Any]) -> None:
    b = staff_browser
    b.open(f"/maps/stations?lat={LAT}&lon={LON + 0.003}&z=16")  # waits until the tiles are drawn
    assert b.codes() >= set(SITES.values())
    for i, (old, code) in enumerate(SITES.items()):
        popup = popup_at(b, LAT, LON + i * 0.002)
        shown([popup], code)
        if old == "MAP-0":
            shown([popup], OPERATORS["VIETTEL"])
            link = b.page.locator(".leaflet-popup-content a").first.get_attribute("href")
            assert link == f"/records/sites/{quote(code, safe='')}?lang=vi"
    b.page.screenshot(path=str(ARTEFACTS / "hostile-stations-popup.png"))
    b.page.evaluate("window.registryMap.closePopup()")
    # Operators' names are the filter's options (they were layer names, which Leaflet writes as HTML).
    labels = b.page.locator("#filter-operator option").all_inner_texts()
    shown(labels, *OPERATORS.values())
    # The zones and communes overlays, switched on, label each area with its stored name.
    b.page.get_by_text("Vùng quy hoạch", exact=True).click()
    b.page.get_by_label("Ranh giới xã, phường", exact=True).check()  # on already with no base map
    b.wait('window.overlays["Vùng quy hoạch"].getLayers().length >= 2', timeout=10_000)
    b.wait('window.overlays["Ranh giới xã, phường"].getLayers().length > 0', timeout=10_000)
    b.page.evaluate(f"void window.registryMap.setView([{LAT}, {LON + 0.003}], 14)")
    zones = open_tooltips(b, 'window.overlays["Vùng quy hoạch"]')
    shown(zones, f"{ZONE_NAMES[TEMPLATE]} ({TEMPLATE})", f"{ZONE_NAMES[BACKTICK]} ({BACKTICK})")
    shown(open_tooltips(b, 'window.overlays["Ranh giới xã, phường"]'), COMMUNE)
    b.page.screenshot(path=str(ARTEFACTS / "hostile-stations-overlays.png"))
    # The search box lists codes and addresses from the API.
    b.page.fill("#map-find-input", "window")
    b.page.locator(".map-find-row").first.wait_for(timeout=5000)
    shown(b.page.locator(".map-find-row").all_inner_texts(), *SITES.values())
    nothing_ran(b)


def test_hostile_query_parameters_on_the_map_pages(public_browser: Browser, hostile: dict[str, Any]) -> None:
    b = public_browser
    for payload in ALL:
        query = urlencode({"q": payload, "operator": payload, "admin_unit": payload})
        b.open(f"/maps/stations?{query}")
        # The page echoes its own address in the sign-in link: as a link, encoded.
        href = b.page.locator("#sign-in").get_attribute("href")
        assert href is not None and href.startswith("/maps/sign-in?") and "<" not in href
        b.open(
            f"/maps/press?{urlencode({'q': payload, 'admin_unit': payload})}", ready="window.pressLoaded !== undefined"
        )
        assert b.page.evaluate("window.pressLoaded") == 0
        nothing_ran(b)


def test_hostile_stored_text_on_the_permit_check_map(staff_browser: Browser, hostile: dict[str, Any]) -> None:
    b = staff_browser
    b.open(f"/maps/sites/{quote(IMG, safe='')}", ready="document.getElementById('verdict') !== null && window.L")
    assert b.page.title().endswith(IMG)
    panel = b.page.locator("#check-panel").inner_text()
    shown([panel], IMG, TEMPLATE, ZONE_NAMES[TEMPLATE], BACKTICK, SCRIPT)
    tooltips = open_tooltips(b)
    # The zones (folium GeoJson), the site, its bulky neighbours: every tooltip a folium template literal.
    shown(
        tooltips, f"{ZONE_NAMES[TEMPLATE]} ({TEMPLATE})", ZONE_NAMES[BACKTICK], f"{IMG}: ", TEMPLATE, BACKTICK, SCRIPT
    )
    b.page.screenshot(path=str(ARTEFACTS / "hostile-site-check.png"))
    nothing_ran(b)
    b.page.set_viewport_size({"width": 390, "height": 844})
    b.open(f"/maps/sites/{quote(IMG, safe='')}", ready="document.getElementById('verdict') !== null")
    b.page.screenshot(path=str(ARTEFACTS / "hostile-site-check-phone.png"))
    nothing_ran(b)


def test_hostile_stored_text_on_the_press_map(staff_browser: Browser, hostile: dict[str, Any]) -> None:
    b = staff_browser
    b.open("/maps/press", ready="window.pressLoaded !== undefined")
    assert b.page.evaluate("window.pressLoaded") == 2
    popup = popup_at(b, LAT + 0.004, LON)
    shown([popup], OUTLET["name"], OUTLET["address"], OUTLET["licence"])
    shown(open_tooltips(b, "window.pressLayers.outlets"), OUTLET["name"])
    b.page.screenshot(path=str(ARTEFACTS / "hostile-press.png"))
    nothing_ran(b)


def test_hostile_case_codes_on_the_cases_map(client_as: ClientAs, hostile: dict[str, Any]) -> None:
    b = Browser(client_as("inspector"), viewport=(390, 844))
    try:
        b.open("/maps/cases", ready="window.casesLoaded !== undefined")
        assert b.page.evaluate("window.casesLoaded") == 2
        # On a phone the case's details rise in the bottom sheet instead of a popup (maps/static/js/map-sheet.js).
        shown([sheet_at(b, LAT - 0.002, LON + 0.001)], CASE_CODES["denunciation"])
        link = b.page.locator("#sheet-body a").first.get_attribute("href")
        assert link == f"/records/cases/{quote(IMG, safe='')}?lang=vi"
        b.page.keyboard.press("Escape")
        b.wait("document.getElementById('map-sheet').hidden")
        shown(open_tooltips(b, "window.caseLayers.complaint"), CASE_CODES["complaint"])
        b.page.screenshot(path=str(ARTEFACTS / "hostile-cases-phone.png"))
        nothing_ran(b)
    finally:
        b.close()


def test_docs_is_swagger_ui_with_nothing_from_outside(public_browser: Browser) -> None:
    b = public_browser
    b.open("/docs", ready="document.querySelector('.swagger-ui .info .title') !== null")
    b.wait("document.querySelectorAll('.opblock').length > 3")  # the operations of the first tag are drawn
    assert "tttt-registry" in b.page.locator(".swagger-ui .info .title").inner_text()
    docs = [r for r in b.responses if r.url.path == "/docs"]
    assert docs and "nonce-" in docs[0].headers["content-security-policy"]
    b.page.screenshot(path=str(ARTEFACTS / "docs.png"))
    nothing_ran(b)
