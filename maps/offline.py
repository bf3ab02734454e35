"""The map pages as an installable web app that works without the network in the field.

- ``MANIFEST``: the web app manifest (name, icons, start page), linked from every map and record page.
- ``/sw.js`` (``maps/static/sw.js``): the service worker. Online it lets every request through and keeps
  a copy of the static files it sees; offline it answers from what was saved, or with the page
  "not saved" (``unsaved_page``), an empty tile for a vector tile that was not saved.
- ``offline_page``: /maps/offline, where an inspector picks a commune and saves it; ``save_list`` says
  what the browser saves for one commune (``api.offline``); ``maps/static/js/offline.js`` does it.
- ``add_offline(m, lang)``: one line in a map page (the stations map) that registers the service worker
  and, with no network, draws the saved sites and says what was saved and when.

Saved data are kept per user: every cache and record carries the scope of who saved it (``u<id>`` or
``public``), and the browser shows only the scope of the last page opened online; signing in or out
forgets that scope until a page says who is signed in again (see sw.js)."""

from __future__ import annotations

import math
from typing import Any
from urllib.parse import quote

from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.assets import LEAFLET_CSS, LEAFLET_JS, LOCATE_CSS, LOCATE_JS, VECTORGRID_JS, LocalMap
from maps.templating import render

THEME = "#0b3d91"
DB_JS = "/static/js/offline-db.js"
OFFLINE_JS = "/static/js/offline.js"
ICONS = ("/static/icons/icon-192.png", "/static/icons/icon-512.png")
MANIFEST_URL = "/manifest.webmanifest"
UNSAVED = "/maps/offline/unsaved"
TILE_ZOOMS = range(12, 18)  # z 12-17: the commune from a whole view to single poles
TILE_URL = "/tiles/sites/{z}/{x}/{y}.pbf"

# What every saved page needs besides itself: the scripts and styles of the stations map and the records.
SHELL = (
    LEAFLET_JS,
    LEAFLET_CSS,
    VECTORGRID_JS,
    LOCATE_JS,
    LOCATE_CSS,
    DB_JS,
    OFFLINE_JS,
    "/static/js/print.js",
    MANIFEST_URL,
    "/favicon.ico",
    UNSAVED,
    *ICONS,
)

MANIFEST: dict[str, Any] = {
    "name": "Trạm gốc — Thanh tra hiện trường",
    "short_name": "Trạm gốc",
    "description": "Bản đồ trạm gốc và hồ sơ vị trí cột ăng ten, dùng được cả khi mất mạng",
    "lang": "vi",
    "start_url": "/maps/stations",
    "scope": "/",
    "display": "standalone",
    "background_color": "#ffffff",
    "theme_color": THEME,
    "icons": [
        {"src": ICONS[0], "sizes": "192x192", "type": "image/png", "purpose": "any"},
        {"src": ICONS[1], "sizes": "512x512", "type": "image/png", "purpose": "any"},
    ],
}

TEXT = {
    "vi": {
        "title": "Lưu bản đồ để dùng khi mất mạng",
        "unsaved": "Trang này chưa được lưu để dùng khi mất mạng",
        "panel": "Dùng khi mất mạng",
        "saved": "Đã lưu {name} lúc {at}, {count} vị trí",
        "stale": "Dữ liệu đã lưu {days} ngày trước — có thể đã cũ",
        "none": "Chưa lưu xã, phường nào trên thiết bị này.",
        "none_offline": "Đang mất mạng: chưa lưu xã, phường nào trên thiết bị này cho tài khoản đang dùng.",
        "offline": "Đang mất mạng — bản đồ hiện dữ liệu đã lưu",
        "saving": "Đang lưu {done}/{total}…",
        "done": "Đã lưu xong",
        "failed": "Không lưu được",
        "delete": "Xóa",
        "deleted": "Đã xóa dữ liệu đã lưu của {name}",
        "pick": "Hãy chọn một xã, phường trong danh sách",
        "nothing": "Không có xã, phường nào khớp",
        "unsupported": "Trình duyệt này không hỗ trợ lưu để dùng khi mất mạng",
        "record": "Xem hồ sơ",
        "stations": "Trạm",
        "tiles_skipped": "bản đồ nền vector không lưu (quá nhiều ô), hiện các vị trí đã lưu",
    },
    "en": {
        "title": "Save the map for use without the network",
        "unsaved": "This page was not saved for use without the network",
        "panel": "Offline use",
        "saved": "Saved {name} at {at}, {count} sites",
        "stale": "Data saved {days} days ago — may be out of date",
        "none": "No commune saved on this device.",
        "none_offline": "Offline: no commune saved on this device for the account in use.",
        "offline": "Offline — the map shows saved data",
        "saving": "Saving {done}/{total}…",
        "done": "Saved",
        "failed": "Could not save",
        "delete": "Delete",
        "deleted": "Deleted the saved data of {name}",
        "pick": "Pick a commune from the list",
        "nothing": "No commune matches",
        "unsupported": "This browser cannot save pages for offline use",
        "record": "Open record",
        "stations": "Stations",
        "tiles_skipped": "vector tiles not saved (too many), the saved sites are drawn",
    },
}


def scope_of(user_id: int | None) -> str:
    """The name of a user's saved data in the browser: ``u<id>``, or ``public`` for no one signed in."""
    return f"u{user_id}" if user_id is not None else "public"


def tile_range(bbox: tuple[float, float, float, float], z: int) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) of the web-mercator tiles at zoom ``z`` covering ``bbox`` (lon0, lat0, lon1, lat1)."""
    n = 2**z

    def x(lon: float) -> int:
        return min(n - 1, max(0, int((lon + 180.0) / 360.0 * n)))

    def y(lat: float) -> int:
        rad = math.radians(max(-85.0511, min(85.0511, lat)))
        return min(n - 1, max(0, int((1.0 - math.asinh(math.tan(rad)) / math.pi) / 2.0 * n)))

    return x(bbox[0]), y(bbox[3]), x(bbox[2]), y(bbox[1])


def tile_urls(bbox: tuple[float, float, float, float] | None, limit: int) -> list[str] | None:
    """The site tiles at z 12-17 over ``bbox``; None when they are more than ``limit`` (the saved GeoJSON
    is drawn instead), [] for no bbox (no sites)."""
    if bbox is None:
        return []
    ranges = [(z, tile_range(bbox, z)) for z in TILE_ZOOMS]
    if sum((x1 - x0 + 1) * (y1 - y0 + 1) for _, (x0, y0, x1, y1) in ranges) > limit:
        return None
    return [
        TILE_URL.format(z=z, x=x, y=y)
        for z, (x0, y0, x1, y1) in ranges
        for x in range(x0, x1 + 1)
        for y in range(y0, y1 + 1)
    ]


def bbox_of(features: list[dict[str, Any]]) -> tuple[float, float, float, float] | None:
    points = [f["geometry"]["coordinates"] for f in features if f.get("geometry")]
    if not points:
        return None
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    return min(lons), min(lats), max(lons), max(lats)


def save_list(
    *,
    commune: tuple[str, str],
    sites: dict[str, Any],
    scope: str,
    saved_at: str,
    stale_days: int,
    max_tiles: int,
) -> dict[str, Any]:
    """What the browser saves for one commune: its sites (GeoJSON with their stations, and the permit
    standing for staff), the pages and files to keep, the tiles if few enough."""
    features = sites["features"]
    bbox = bbox_of(features)
    tiles = tile_urls(bbox, max_tiles)
    pages = ["/maps/stations", "/maps/offline"] + [f"/records/sites/{quote(str(f['id']), safe='')}" for f in features]
    return {
        "commune": {"code": commune[0], "name": commune[1]},
        "scope": scope,
        "saved_at": saved_at,
        "stale_days": stale_days,
        "count": len(features),
        "bbox": bbox,
        "sites": sites,
        "pages": pages,
        "assets": list(SHELL),
        "tiles": tiles or [],
        "tiles_saved": tiles is not None,
    }


class OfflineScripts(JSCSSMixin, MacroElement):
    """The scripts that register the service worker and draw the saved sites with no network."""

    default_js = [("offline_db", DB_JS), ("offline", OFFLINE_JS)]
    _template = Template("")

    def __init__(self) -> None:
        super().__init__()
        self._name = "OfflineScripts"


def add_offline(m: LocalMap, lang: str) -> None:
    """Make a map page work offline: the service worker, and the "saved at" line with the saved sites."""
    from maps.pages import PERMIT_COLOURS, STATUS_COLOURS  # the stations map's colours (it imports this module)

    text = {**TEXT[lang], "colours": {"permits": PERMIT_COLOURS, "status": STATUS_COLOURS}}
    m.add_child(OfflineScripts())
    m.get_root().html.add_child(Element(render("offline_panel.html", lang=lang, t=text)))


def offline_page(*, lang: str, communes: list[tuple[str, str]], username: str | None, here: str, max_sites: int) -> str:
    """/maps/offline: pick a commune, save it; the communes saved on this device, each with a delete button."""
    data = {"communes": communes, "t": TEXT[lang], "lang": lang, "max_sites": max_sites}
    return render(
        "offline.html", lang=lang, title=TEXT[lang]["title"], data=data, t=TEXT[lang], username=username, here=here
    )


def unsaved_page(*, lang: str) -> str:
    """What the service worker answers, with no network, for a page that was not saved."""
    return render("offline_unsaved.html", lang=lang, title=TEXT[lang]["unsaved"], username=None, here=UNSAVED)
