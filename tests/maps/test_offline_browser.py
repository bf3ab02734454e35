"""Offline in the field, in Chromium with its service worker: an inspector saves a commune on /maps/offline,
loses the network, reopens the stations map from what was saved (the saved sites and when they were
saved), opens a site's record page, meets the "not saved" page, sees old data marked, and deletes it;
someone else using the same browser sees none of it.

The test harness answers requests through Playwright's routing (tests/maps/browser.py): here the routing is
on the browser context, which also sees the service worker's own requests (a page route does not), and
with the network "lost" every routed request fails as a disconnected network would."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from registry.text import fold
from tests.maps.browser import Browser
from tests.maps.test_browser import pytestmark  # noqa: F401 - the same skip rule
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

SAVED_ONLINE = "document.querySelector('#offline-saved .offline-saved-at') !== null"


class FieldBrowser(Browser):
    """A Browser whose requests, the service worker's included, are answered by the app until ``offline``."""

    def __init__(self, client: TestClient, *, viewport: tuple[int, int] = (1366, 768)) -> None:
        super().__init__(client, viewport=viewport, service_workers="allow")
        self.offline = False
        self.page.unroute("**/*")
        self.context.route("**/*", self._route)

    def _route(self, route) -> None:  # type: ignore[no-untyped-def]
        if self.offline:
            route.abort("internetdisconnected")
            return
        self._answer(route)

    def go_offline(self, offline: bool = True) -> None:
        self.offline = offline
        self.context.set_offline(offline)

    def goto(self, path: str, ready: str) -> None:
        self.page.goto(f"http://127.0.0.1{path}")
        self.wait(ready)
        self.settle()


def test_an_inspector_saves_a_commune_and_opens_it_offline(
    client: TestClient, anon: TestClient, world: dict[str, Any]
) -> None:
    site = client.get("/api/sites/MAP-0").json()["properties"]
    commune, name = site["commune_code"], site["commune"]
    b = FieldBrowser(client)
    try:
        # Online: the page registers the service worker, which takes the page over.
        b.goto("/maps/offline", "document.getElementById('commune-q') !== null")
        b.wait("navigator.serviceWorker.controller !== null")
        # Typed without diacritics, the commune is found; saving says what was saved and when.
        b.page.fill("#commune-q", fold(name))
        b.page.click(f"#commune-results button[data-code='{commune}']")
        assert b.page.input_value("#commune-q") == name
        b.page.click("#offline-save")
        b.wait("/Đã lưu xong|Không lưu được/.test(document.getElementById('offline-message').textContent)", 30_000)
        failed = [(r.status_code, str(r.url)) for r in b.responses if r.status_code >= 400]
        assert "Đã lưu xong" in b.page.locator("#offline-message").inner_text(), failed
        saved = b.page.locator("#offline-saved").inner_text()
        assert f"Đã lưu {name} lúc" in saved and "4 vị trí" in saved
        assert violations(b.page) == []
        shoot(b, "maps-offline-save")

        # No network: the stations map opens from what was saved, with the saved sites and when.
        b.go_offline()
        b.goto("/maps/stations", "window.offlineReady === true")
        status = b.page.locator("#offline-status").inner_text()
        assert "Đang mất mạng" in status and f"Đã lưu {name} lúc" in status and "4 vị trí" in status
        assert "có thể đã cũ" not in status
        drawn = b.page.evaluate(
            "(function () { var codes = []; window.offlineLayer.eachLayer(function (g) {"
            "  g.eachLayer(function (m) { codes.push(m.feature.properties.code); }); }); return codes.sort(); })()"
        )
        assert drawn == ["MAP-0", "MAP-1", "MAP-2", "MAP-3"]
        # Staff saved the permit standing with the sites: MAP-0 is drawn in the colour of "valid".
        colour = b.page.evaluate(
            "(function () { var c; window.offlineLayer.eachLayer(function (g) { g.eachLayer(function (m) {"
            "  if (m.feature.properties.code === 'MAP-0') { c = m.options.fillColor; } }); }); return c; })()"
        )
        assert colour == "#2da44e"
        shoot(b, "maps-offline-map")
        b.page.set_viewport_size({"width": 390, "height": 844})
        b.settle()
        b.assert_fits()
        shoot(b, "maps-offline-map-phone")
        b.page.set_viewport_size({"width": 1366, "height": 768})

        # A site opens its saved record page.
        b.page.evaluate(
            "window.offlineLayer.eachLayer(function (g) { g.eachLayer(function (m) {"
            "  if (m.feature.properties.code === 'MAP-1') { m.openPopup(); } }); })"
        )
        b.page.locator(".leaflet-popup a.offline-record").click()
        b.page.wait_for_url("**/records/sites/MAP-1")
        record = b.page.locator("main").inner_text()
        assert "MAP-1" in record and "Thông tin vị trí" in record and "Trạm gốc" in record
        shoot(b, "maps-offline-record")

        # A page that was not saved says so.
        b.page.goto("http://127.0.0.1/maps/press")
        assert "chưa được lưu" in b.page.locator("main").inner_text()
        shoot(b, "maps-offline-unsaved")

        # Saved nine days ago: the map marks the data as possibly out of date.
        b.goto("/maps/stations", "window.offlineReady === true")
        b.page.evaluate(
            "OfflineDB.getScope().then(function (s) { return OfflineDB.list(s); }).then(function (rs) {"
            "  var r = rs[0]; r.saved_at = new Date(Date.now() - 9 * 86400000 - 60000).toISOString();"
            "  return OfflineDB.put(r); })"
        )
        b.goto("/maps/stations", "window.offlineReady === true")
        assert "Dữ liệu đã lưu 9 ngày trước — có thể đã cũ" in b.page.locator("#offline-status").inner_text()
        b.page.set_viewport_size({"width": 390, "height": 844})
        b.settle()
        shoot(b, "maps-offline-stale-phone")
        b.page.set_viewport_size({"width": 1366, "height": 768})

        # Someone else (here the public) opening a page online gets a scope of their own: offline, the
        # staff's saved map and sites are not shown to them (they saved none: the "not saved" page).
        b.go_offline(False)
        b.client = anon
        b.goto("/maps/stations", "window.offlineReady === true")
        b.go_offline()
        b.page.goto("http://127.0.0.1/maps/stations")
        assert "chưa được lưu" in b.page.locator("main").inner_text()
        assert b.page.locator("#offline-panel").count() == 0

        # Back as the inspector: the saved commune is there again, and deleting it removes its cache.
        b.go_offline(False)
        b.client = client
        b.goto("/maps/offline", SAVED_ONLINE)
        b.page.set_viewport_size({"width": 390, "height": 844})
        shoot(b, "maps-offline-save-phone")
        b.assert_fits()
        b.page.click("#offline-saved button.offline-delete")
        b.wait("/Đã xóa/.test(document.getElementById('offline-message').textContent)")
        assert "Chưa lưu xã, phường nào" in b.page.locator("#offline-saved").inner_text()
        left = b.page.evaluate("caches.keys()")
        assert not [k for k in left if k.startswith("tttt-offline:")], left
        # Failed loads while the network was off are the point of the test; nothing else may fail.
        b.errors = [e for e in b.errors if "ERR_INTERNET_DISCONNECTED" not in e and "net::ERR_FAILED" not in e]
        b.responses = [r for r in b.responses if r.status_code < 400]
        assert_clean(b)
    finally:
        b.close()
