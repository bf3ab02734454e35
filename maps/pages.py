"""The map pages: Folium figures with local assets, a vector-grid layer of sites from /tiles, the
filters of the page in its URL, Vietnamese by default (English with ?lang=en)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.assets import VECTORGRID_JS
from maps.emf import add_emf
from maps.find import add_find
from maps.offline import add_offline
from maps.templating import part, script_json
from maps.widgets import add_common, base_map, legend, render

PERMIT_COLOURS = {
    "valid": "#2da44e",
    "expiring": "#d4a72c",
    "expired": "#e16f24",
    "missing": "#cf222e",
    "inactive": "#8c959f",
}
STATUS_COLOURS = {
    "operating": "#2da44e",
    "under_construction": "#d4a72c",
    "planned": "#bf8700",
    "dismantled": "#8c959f",
}

TEXT = {
    "vi": {
        "stations": "Bản đồ trạm gốc",
        "home": "Bản đồ",
        "sites": "Vị trí cột ăng ten",
        "cluster": "vị trí",
        "record": "Xem hồ sơ",
        "check": "Kiểm tra giấy phép",
        "operators": "Doanh nghiệp",
        "pole": "Loại cột",
        "height": "Chiều cao",
        "status": "Trạng thái",
        "locate": "Vị trí của tôi",
        "zones": "Vùng quy hoạch",
        "search": "Tìm mã trạm, mã vị trí, địa chỉ…",
        "nothing": "Không tìm thấy",
        "communes": "Ranh giới xã, phường",
        "legend": "Chú giải",
        "one": "một vị trí",
        "many": "nhóm vị trí (phóng to để xem từng vị trí)",
        "permits": "Giấy phép",
        "site_map": "Bản đồ kiểm tra",
        "filters": "Bộ lọc",
        "technology": "Công nghệ",
        "any": "Tất cả",
        "apply": "Lọc",
        "clear": "Xoá tất cả bộ lọc",
        "remove": "Bỏ bộ lọc",
        "pole_class": "Loại cột",
        "admin_unit": "Xã, phường",
        "q": "Tìm",
        "permit_states": {
            "valid": "đủ giấy phép",
            "expiring": "giấy phép sắp hết hạn",
            "expired": "giấy phép đã hết hạn",
            "missing": "thiếu giấy phép",
            "inactive": "không hoạt động",
        },
        "statuses": {
            "planned": "quy hoạch",
            "under_construction": "đang xây dựng",
            "operating": "đang hoạt động",
            "dismantled": "đã tháo dỡ",
        },
    },
    "en": {
        "stations": "Base station map",
        "home": "Maps",
        "sites": "Antenna sites",
        "cluster": "sites",
        "record": "Open record",
        "check": "Permit check",
        "operators": "Operators",
        "pole": "Pole class",
        "height": "Height",
        "status": "Status",
        "locate": "Locate me",
        "zones": "Planning zones",
        "search": "Find a site or station code, an address…",
        "nothing": "Nothing found",
        "communes": "Commune boundaries",
        "legend": "Legend",
        "one": "one site",
        "many": "group of sites (zoom in to see each)",
        "permits": "Permits",
        "site_map": "Check map",
        "filters": "Filters",
        "technology": "Technology",
        "any": "Any",
        "apply": "Filter",
        "clear": "Clear all filters",
        "remove": "Remove filter",
        "pole_class": "Pole class",
        "admin_unit": "Commune",
        "q": "Search",
        "permit_states": {
            "valid": "all permits valid",
            "expiring": "a permit expiring soon",
            "expired": "a permit expired",
            "missing": "a required permit missing",
            "inactive": "not in operation",
        },
        "statuses": {
            "planned": "planned",
            "under_construction": "under construction",
            "operating": "operating",
            "dismantled": "dismantled",
        },
    },
}

FILTERS = ("operator", "technology", "pole_class", "status", "admin_unit", "q", "permits")
TECHNOLOGIES = ("2G", "3G", "4G", "5G")


class SiteTiles(JSCSSMixin, MacroElement):
    """The sites as a vector-grid layer from /tiles/sites; clusters drawn with their count."""

    default_js = [("vectorgrid", VECTORGRID_JS)]

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        (function () {
            var t = {{ this.text_json }};
            // VectorGrid's point features look like markers to Leaflet 1.9 but have no latlng, so
            // Leaflet's event code would fail on them: tolerate it (the click handler below uses
            // the mouse position instead).
            var map0 = {{ this._parent.get_name() }};
            var toPoint = map0.latLngToContainerPoint;
            map0.latLngToContainerPoint = function (ll) { return ll ? toPoint.call(this, ll) : L.point(0, 0); };
            var map = {{ this._parent.get_name() }};
            var PERMIT_COLOURS = {{ this.permit_colours }};
            var STATUS_COLOURS = {{ this.status_colours }};
            function grid(url) {
                var g = L.vectorGrid.protobuf(url, {
                    rendererFactory: L.svg.tile,
                    interactive: true,
                    maxNativeZoom: 18,
                    getFeatureId: function (f) { return f.properties.code || null; },
                    vectorTileLayerStyles: {
                        sites: function (p) {
                            // Over each drawn dot an invisible circle 44 px across takes the taps (a
                            // finger's size); the dot itself stays small enough to tell sites apart.
                            // VectorGrid makes a feature's last style the one that takes events.
                            var hit = {radius: 22, fill: true, fillColor: "#000", fillOpacity: 0, stroke: false,
                                       className: "site-hit"};
                            if (p.point_count !== undefined && !p.cluster) {
                                // a lone site far out: its state shows once zoomed in
                                return [{radius: 4, fill: true, fillColor: "#1f6feb", fillOpacity: 0.7,
                                        color: "#0b3d91", weight: 1}, hit];
                            }
                            if (p.cluster) {
                                var r = Math.min(22, 6 + Math.log(p.point_count) * 3);
                                return [{radius: r, fill: true, fillColor: "#1f6feb", fillOpacity: 0.55,
                                        color: "#0b3d91", weight: 1}, hit];
                            }
                            var colour = p.permits ? PERMIT_COLOURS[p.permits]
                                : (STATUS_COLOURS[p.status] || "#d4a72c");
                            return [{radius: 5, fill: true, fillColor: colour, fillOpacity: 0.9,
                                    color: "#1f2328", weight: 1, className: "site-dot"}, hit];
                        }
                    }
                });
                g.on("click", function (e) {
                    if (window.measuring) { return; }
                    // Every value from the tiles goes through esc(); the link takes the code URL-encoded.
                    var p = e.layer.properties || {};
                    var html;
                    if (p.cluster || p.point_count) {
                        html = "<b>" + esc(p.point_count) + " " + esc(t.cluster) + "</b>";
                    } else {
                        var code = esc(encodeURIComponent(p.code)), lang = esc(t.lang);
                        html = "<b>" + esc(p.code) + "</b><br>" + esc(t.operators) + ": " + esc(p.operators) +
                            "<br>" + esc(t.pole) + ": " + esc(p.pole_class) + ", " + esc(t.height) + ": " +
                            esc(p.pole_height_m) + " m<br>" + esc(t.status) + ": " +
                            esc(t.statuses[p.status] || p.status) +
                            (PERMIT_COLOURS[p.permits] ? "<br>" + esc(t.permits) +
                                ': <b class="permit-state" style="color:' + PERMIT_COLOURS[p.permits] + '">' +
                                esc(t.permit_states[p.permits]) + "</b>" : "") +
                            '<br><a href="/records/sites/' + code + "?lang=" + lang + '">' + esc(t.record) +
                            '</a> · <a href="/maps/sites/' + code + "?lang=" + lang + '">' + esc(t.check) + "</a>";
                    }
                    var at = e.originalEvent ? map.mouseEventToLatLng(e.originalEvent) : e.latlng;
                    // Kept clear of the top bar (the site code is the popup's first line).
                    L.popup({autoPanPaddingTopLeft: [20, 100]}).setLatLng(at).setContent(html).openOn(map);
                });
                return g;
            }
            // GeoJSON overlays fetched from the API the first time they are switched on.
            function lazy(url, style, label) {
                var layer = L.geoJSON(null, {
                    style: style,
                    onEachFeature: function (f, l) { l.bindTooltip(esc(label(f.properties || {}))); }
                });
                var loaded = false;
                layer.on("add", function () {
                    if (loaded) { return; }
                    loaded = true;
                    fetch(url).then(function (r) { return r.json(); }).then(function (data) { layer.addData(data); });
                });
                return layer;
            }
            // Leaflet writes a layer's name as HTML: an operator's name is stored text, so esc() it.
            var layer = grid({{ this.url_json }}).addTo(map);
            var overlays = {};
            overlays[esc(t.sites)] = layer;
            overlays[esc(t.zones)] = lazy("/api/zones", function (f) {
                return {color: "#cf222e", weight: 2, fillOpacity: 0.08};
            }, function (p) { return p.name + " (" + p.code + ")"; });
            // The base layer's communes (with their names; on already when there is no base map).
            overlays[esc(t.communes)] = window.registryBasemap.communes ||
                lazy("/api/admin-units?level=commune&geometry=true", function () {
                return {color: "#57606a", weight: 1, fill: false, dashArray: "3"};
            }, function (p) { return p.name; });
            L.control.layers(null, overlays, {collapsed: false}).addTo(map);
            // The view joins the filters in the URL, so a copied link opens the same place.
            map.on("moveend", function () {
                var c = map.getCenter(), u = new URL(window.location.href);
                u.searchParams.set("lat", c.lat.toFixed(5));
                u.searchParams.set("lon", c.lng.toFixed(5));
                u.searchParams.set("z", map.getZoom());
                window.history.replaceState(null, "", u.pathname + u.search);
            });
            window.overlays = overlays;
            window.siteLayer = layer;
            window.registryMap = map;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, url: str, text: dict[str, Any]) -> None:
        super().__init__()
        self._name = "SiteTiles"
        self.url_json = script_json(url)
        self.text_json = script_json(text)
        self.permit_colours = script_json(PERMIT_COLOURS)
        self.status_colours = script_json(STATUS_COLOURS)


def _tile_url(filters: dict[str, str]) -> str:
    """One tile address carrying every filter of the page: the tiles combine them with AND."""
    query = urlencode({k: v for k, v in filters.items() if v})
    return "/tiles/sites/{z}/{x}/{y}.pbf" + (f"?{query}" if query else "")


def _option(options: dict[str, str], value: str) -> str:
    """The option (code) a filter's value names: itself, or the code or name it is in another case."""
    if value in options:
        return value
    wanted = value.strip().casefold()
    return next((code for code, name in options.items() if wanted in (code.casefold(), name.casefold())), value)


def _filter_bar(
    text: dict[str, Any],
    filters: dict[str, str],
    operators: list[tuple[str, str]],
    *,
    staff: bool,
    view: tuple[float, float, int] | None,
) -> Element:
    """The filters of the stations page: a form of selects (operator, technology, status, and permit
    standing for staff) and a chip per filter in force, each linking to the page without it."""
    lang = text["lang"]
    names: dict[str, dict[str, str]] = {
        "operator": {code: name for code, name in operators},
        "technology": {t: t for t in TECHNOLOGIES},
        "status": text["statuses"],
        "permits": text["permit_states"] if staff else {},
    }
    # A filter is kept as the address gave it (?operator=viettel), which the lists read whatever its case
    # and by code or name: the select shows, and the chip names, the option it means.
    chosen = {key: _option(names.get(key, {}), value) for key, value in filters.items()}
    selects = [
        {"name": key, "label": text[label], "options": list(names[key].items()), "chosen": chosen.get(key, "")}
        for key, label in (("operator", "operators"), ("technology", "technology"), ("status", "status"))
    ]
    if staff:
        selects.append(
            {
                "name": "permits",
                "label": text["permits"],
                "options": list(names["permits"].items()),
                "chosen": chosen.get("permits", ""),
            }  # fmt: skip
        )
    place = {"lat": f"{view[0]:.5f}", "lon": f"{view[1]:.5f}", "z": str(view[2])} if view else {}

    def href(kept: dict[str, str]) -> str:
        return "/maps/stations?" + urlencode({"lang": lang, **kept, **place})

    chips = [
        {
            "name": key,
            "label": names.get(key, {}).get(chosen[key], value),
            "href": href({k: v for k, v in filters.items() if k != key}),
        }
        for key, value in filters.items()
    ]
    hidden = {k: v for k, v in filters.items() if k not in {s["name"] for s in selects}}
    values = {"lang": lang, "selects": selects, "chips": chips, "hidden": hidden, "clear_href": href({})}
    return Element(part("filters", values, text))


def stations_page(
    *,
    lang: str,
    filters: dict[str, str],
    tiles_url: str | None,
    operators: list[tuple[str, str]] | None = None,
    username: str | None = None,
    staff: bool = False,
    here: str = "/maps/stations",
    view: tuple[float, float, int] | None = None,
    nonce: str,
) -> str:
    """``operators``: (code, name) of the operators, offered in the page's filters. The filters (the
    page's URL) go into one tile address and combine with AND; each is shown as a chip that removes it.
    Staff see sites coloured by permit standing (the tiles carry it for them) and may filter on it, the
    public sees them by site status.
    ``nonce``: the response's CSP nonce (``request.state.csp_nonce``)."""
    text = {**TEXT[lang], "lang": lang}
    m = (
        base_map(lang, tiles_url, text["stations"], location=view[:2], zoom=view[2])
        if view
        else base_map(lang, tiles_url, text["stations"])
    )
    filters = {k: v for k, v in filters.items() if v and (staff or k != "permits")}
    m.add_child(SiteTiles(_tile_url(filters), text))
    add_emf(m, lang)  # maps/emf.py: the sectors' EMF safety distances from zoom 16
    add_find(m, lang)
    add_common(m, lang, username=username, here=here)
    add_offline(m, lang)  # maps/offline.py: the service worker; offline, the saved sites
    m.get_root().html.add_child(_filter_bar(text, filters, operators or [], staff=staff, view=view))
    if staff:
        items = [(PERMIT_COLOURS[k], text["permit_states"][k]) for k in PERMIT_COLOURS]
    else:
        items = [(STATUS_COLOURS[k], text["statuses"][k]) for k in STATUS_COLOURS]
    m.get_root().html.add_child(legend(text["legend"], [*items, ("#1f6feb", text["many"])]))
    return render(m, lang=lang, nonce=nonce)
