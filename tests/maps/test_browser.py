"""The stations map in headless Chromium (the harness is tests/maps/browser.py: every request answered
in-process, none may leave 127.0.0.1, no console error)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_site, make_station
from tests.maps.browser import ARTEFACTS, CHROMIUM, Browser, pytestmark

__all__ = ["ARTEFACTS", "CHROMIUM", "Browser", "pytestmark"]  # other browser tests import them from here
LON, LAT = 106.700, 20.840


@pytest.fixture
def browser(anon: TestClient):  # type: ignore[no-untyped-def]
    b = Browser(anon)
    yield b
    b.close()


@pytest.fixture
def sites(db: Session) -> None:
    for i, operator in enumerate(("VIETTEL", "VNPT", "MOBIFONE", "VIETTEL")):
        site = make_site(db, code=f"MAP-{i}", lon=LON + i * 0.002, lat=LAT, pole_class="A2b", pole_height_m=30)
        make_station(db, site=site, operator_code=operator)


@pytest.mark.usefixtures("sites")
def test_the_stations_page_in_a_browser(browser: Browser) -> None:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    browser.open("/maps/stations")
    browser.page.evaluate(f"window.registryMap.setView([{LAT}, {LON + 0.003}], 16)")
    browser.settle()  # the zoom has ended and the tiles of the new view are drawn
    assert browser.codes() == {"MAP-0", "MAP-1", "MAP-2", "MAP-3"}
    browser.page.screenshot(path=str(ARTEFACTS / "stations.png"))
    # Click the site MAP-2 where it is drawn: its popup names it and links its record.
    x, y = browser.page.evaluate(
        "(function (ll) { var p = window.registryMap.latLngToContainerPoint(ll); return [p.x, p.y]; })"
        f"([{LAT}, {LON + 0.004}])"
    )
    box = browser.page.locator(".folium-map").bounding_box()
    assert box is not None
    browser.page.mouse.click(box["x"] + x, box["y"] + y)
    popup = browser.page.locator(".leaflet-popup-content")
    try:
        popup.wait_for(timeout=5000)
    except Exception as exc:  # noqa: BLE001 - say what the page saw
        browser.page.screenshot(path=str(ARTEFACTS / "stations-no-popup.png"))
        raise AssertionError(f"no popup at {x},{y} (box {box}); errors {browser.errors}") from exc
    assert "MAP-2" in popup.inner_text() and "MobiFone" in popup.inner_text()
    assert "đang hoạt động" in popup.inner_text()
    browser.popup_shown()  # faded in, and the map still after its auto-pan (for the screenshot)
    assert popup.locator("a").first.get_attribute("href") == "/records/sites/MAP-2?lang=vi"
    assert "Giấy phép" not in popup.inner_text()  # the public does not see permit standing
    browser.page.screenshot(path=str(ARTEFACTS / "stations-popup.png"))
    assert browser.errors == [], browser.errors
    assert browser.external == [], browser.external


@pytest.mark.usefixtures("sites")
def test_a_filter_in_the_url_changes_what_is_shown(browser: Browser) -> None:
    view = f"window.registryMap.setView([{LAT}, {LON + 0.003}], 16)"
    browser.open("/maps/stations")
    browser.page.evaluate(view)
    browser.settle()
    everything = browser.codes()
    browser.open("/maps/stations?operator=viettel&lang=en")
    browser.page.evaluate(view)
    browser.settle()
    assert browser.codes() == {"MAP-0", "MAP-3"} < everything  # the Viettel sites only
    assert browser.page.title() == "Base station map"
    assert browser.errors == [] and browser.external == []


@pytest.mark.usefixtures("sites")
def test_layers_switch_on_and_off(browser: Browser, db: Session) -> None:
    from tests.factories import box, make_zone

    make_zone(db, polygon=box(LON, LAT, 0.01), kind="a1_only", allowed_pole_classes=["A1"], code="Z-MAP", urban=True)
    browser.open("/maps/stations")
    labels = browser.page.locator(".leaflet-control-layers-overlays label").all_inner_texts()
    assert {"Vị trí cột ăng ten", "Vùng quy hoạch", "Ranh giới xã, phường"} <= {x.strip() for x in labels}
    # Operators and technologies are the page's filters now (combined with AND), not "or" layers.
    assert "Viettel" in browser.page.locator("#filter-operator option").all_inner_texts()
    assert "5G" in browser.page.locator("#filter-technology option").all_inner_texts()
    browser.page.get_by_text("Vùng quy hoạch").click()
    browser.page.wait_for_load_state("networkidle")
    browser.wait('window.overlays["Vùng quy hoạch"].getLayers().length > 0', timeout=5000)
    browser.page.evaluate(f"window.registryMap.setView([{LAT}, {LON}], 13)")
    browser.settle()
    browser.page.screenshot(path=str(ARTEFACTS / "stations-zones.png"))
    # Switching the sites off removes them from the map.
    browser.page.get_by_text("Vị trí cột ăng ten").click()
    assert browser.page.evaluate("window.registryMap.hasLayer(window.siteLayer)") is False
    assert browser.errors == [] and browser.external == []


@pytest.mark.usefixtures("sites")
def test_search_by_code_or_address_moves_the_map(browser: Browser) -> None:
    browser.open("/maps/stations")
    browser.page.fill("#map-find-input", "map-3")
    result = browser.page.locator(".map-find-row").first
    result.wait_for(timeout=5000)
    assert "MAP-3" in result.inner_text()
    result.click()
    centre = browser.page.evaluate("(function () { var c = window.registryMap.getCenter(); return [c.lat, c.lng]; })()")
    assert centre == pytest.approx([LAT, LON + 0.006], abs=1e-5)
    assert browser.page.evaluate("window.registryMap.getZoom()") == 17
    browser.page.fill("#map-find-input", "khong co dau nay")
    browser.wait("document.querySelector('#map-find-status').textContent === 'Không tìm thấy'")
    assert browser.errors == [] and browser.external == []
