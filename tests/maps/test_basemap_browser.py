"""In Chromium: the stations map over a local base-map file (its magenta tiles on screen), a cluster
straddling a tile edge drawn whole, and with no base map, or base tiles that fail, the commune
boundaries and names with a note instead of a grey field."""

from __future__ import annotations

import io
from pathlib import Path

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy.orm import Session

from registry.settings import Settings
from tests.api.test_tile_edges import edge_lon
from tests.factories import make_site, make_station
from tests.maps.browser import Browser
from tests.maps.test_basemap import CENTRE, COLOUR, around, make_mbtiles, png
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

NOTE = "Không có bản đồ nền: hiển thị ranh giới xã, phường"
BASE_LOADED = "window.registryBasemap && window.registryBasemap.loaded > 0"


def own_violations(b: Browser) -> list:
    """axe's violations on the page (the pages let a phone zoom: WCAG 1.4.4; a pinch on the map
    zooms the map, Leaflet's container takes the touch itself)."""
    return list(violations(b.page))


def pixels(b: Browser) -> Image.Image:
    return Image.open(io.BytesIO(b.page.screenshot())).convert("RGB")


def test_local_base_map_and_an_edge_cluster_drawn_whole(
    anon: TestClient, db: Session, settings: Settings, tmp_path: Path
) -> None:
    settings.basemap_file = make_mbtiles(
        tmp_path / "nen.mbtiles", {k: png() for z in (11, 12, 13) for k in around(z, 4 if z < 13 else 6)}
    )
    # Twenty sites within two pixels west of the tile edge east of the centre, at the page's zoom 12.
    edge, _ = edge_lon(CENTRE[0], 12)
    pixel = 360 / 2**12 / 256
    for i in range(20):
        site = make_site(db, code=f"WHOLE-{i:02d}", lon=edge - pixel * (0.3 + (i % 4) * 0.4), lat=CENTRE[1] + i * 1e-6)
        make_station(db, site=site, operator_code="VIETTEL")
    b = Browser(anon, viewport=(1280, 800))
    try:
        b.open("/maps/stations")
        b.wait(BASE_LOADED)
        b.settle()
        assert b.page.evaluate("window.registryBasemap.fallback") is False
        assert b.page.locator(".basemap-note").count() == 0
        shot = pixels(b)
        magenta = sum(1 for p in shot.get_flattened_data() if p == COLOUR)
        assert magenta > 0.3 * shot.width * shot.height, magenta  # the file's tiles fill the map
        # The cluster: one circle in each of the two tiles, on the same spot, each whole.
        circles = b.page.evaluate(
            """([lon, lat]) => {
                var m = window.registryMap;
                var at = m.latLngToContainerPoint([lat, lon]), box = m.getContainer().getBoundingClientRect();
                var found = [];
                document.querySelectorAll("svg.leaflet-tile path").forEach(function (p) {
                    var r = p.getBoundingClientRect();
                    var cx = r.left + r.width / 2, cy = r.top + r.height / 2;
                    if (p.getAttribute("fill") === "#1f6feb" && Math.abs(cx - box.left - at.x) < 4 &&
                            Math.abs(cy - box.top - at.y) < 4) {
                        found.push({x: cx, y: cy, w: r.width, h: r.height,
                                    tile: p.ownerSVGElement.getBoundingClientRect().left});
                    }
                });
                return found;
            }""",
            [edge - pixel, CENTRE[1]],
        )
        assert len(circles) == 2 and circles[0]["tile"] != circles[1]["tile"], circles
        assert all(abs(c["w"] - c["h"]) < 1 and c["w"] > 26 for c in circles), circles
        # On screen the circle is drawn on both sides of the edge, and the base map beyond it.
        x, y, r = round(circles[0]["x"]), round(circles[0]["y"]), circles[0]["w"] / 2
        edge_x = max(c["tile"] for c in circles)
        assert x - r < edge_x < x + r
        for dx in (-r + 4, -4, 4, r - 4):
            colour = shot.getpixel((round(x + dx), y))
            assert colour[1] > 50 and colour[2] > colour[0], (dx, colour)  # cluster blue, not magenta
        assert shot.getpixel((round(x + r + 6), y)) == COLOUR
        shoot(b, "maps-basemap-local")
        assert own_violations(b) == []
        assert_clean(b)
    finally:
        b.close()


def test_no_base_map_shows_the_communes(anon: TestClient, settings: Settings) -> None:
    settings.map_tiles_url = None
    b = Browser(anon, viewport=(390, 844))
    try:
        b.open("/maps/stations", ready="window.registryBasemap && window.registryBasemap.fallback")
        b.wait("document.querySelectorAll('.commune-label').length > 2")
        b.settle()
        assert b.page.locator(".basemap-note").inner_text() == NOTE
        names = b.page.locator(".commune-label").all_inner_texts()
        assert all(n.strip() for n in names)
        # Placed names do not overlap one another.
        boxes = b.page.evaluate(
            "Array.from(document.querySelectorAll('.commune-label span')).map(function (e) {"
            "  var r = e.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; })"
        )
        for i, a in enumerate(boxes):
            for c in boxes[i + 1 :]:
                assert not (a[0] < c[2] - 1 and c[0] < a[2] - 1 and a[1] < c[3] - 1 and c[1] < a[3] - 1), (a, c)
        b.assert_fits()
        shoot(b, "maps-basemap-none-phone")
        # Zoomed far out, the boundaries stay and the names give way.
        b.page.evaluate("() => { window.registryMap.setZoom(9, {animate: false}); }")
        b.settle()
        b.wait("document.querySelectorAll('.commune-label').length === 0")
        assert_clean(b)
    finally:
        b.close()

    # Base tiles that fail to load (here a local address that answers 404): the same fallback.
    settings.map_tiles_url = "/maps/no-tiles-here/{z}/{x}/{y}.png"
    b = Browser(anon, viewport=(1366, 768))
    try:
        b.open("/maps/stations", ready="window.registryBasemap && window.registryBasemap.fallback")
        b.wait("document.querySelectorAll('.commune-label').length > 2")
        b.settle()
        assert b.page.evaluate("window.registryBasemap.errors") >= 2
        assert b.page.locator(".basemap-note").is_visible()
        # The layer list's communes are those drawn: switched on, and off again from there.
        communes = b.page.get_by_label("Ranh giới xã, phường")
        assert communes.is_checked()
        communes.uncheck()
        b.wait("document.querySelectorAll('.commune-label').length === 0")
        communes.check()
        b.wait("document.querySelectorAll('.commune-label').length > 2")
        shoot(b, "maps-basemap-failing-desktop")
        assert own_violations(b) == []
        assert_clean(b)
    finally:
        b.close()
