"""The map pages: Folium figures with local assets, a vector-grid layer of sites from /tiles, the
filters of the page in its URL, Vietnamese by default (English with ?lang=en)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import folium
from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.assets import LOCATE_CSS, LOCATE_JS, VECTORGRID_JS, LocalMap

CENTRE = (20.86, 106.68)  # Hải Phòng

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
        "many": "nhiều vị trí (số trong vòng tròn)",
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
        "many": "several sites (count in the circle)",
        "statuses": {
            "planned": "planned",
            "under_construction": "under construction",
            "operating": "operating",
            "dismantled": "dismantled",
        },
    },
}

FILTERS = ("operator", "technology", "pole_class", "status", "admin_unit", "q")


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
            function grid(url) {
                var g = L.vectorGrid.protobuf(url, {
                    rendererFactory: L.svg.tile,
                    interactive: true,
                    maxNativeZoom: 18,
                    getFeatureId: function (f) { return f.properties.code || null; },
                    vectorTileLayerStyles: {
                        sites: function (p) {
                            if (p.cluster) {
                                var r = Math.min(22, 6 + Math.log(p.point_count) * 3);
                                return {radius: r, fill: true, fillColor: "#1f6feb", fillOpacity: 0.55,
                                        color: "#0b3d91", weight: 1};
                            }
                            var colour = p.status === "operating" ? "#2da44e"
                                : (p.status === "dismantled" ? "#8c959f" : "#d4a72c");
                            return {radius: 5, fill: true, fillColor: colour, fillOpacity: 0.9,
                                    color: "#1f2328", weight: 1};
                        }
                    }
                });
                g.on("click", function (e) {
                    var p = e.layer.properties || {};
                    var html;
                    if (p.cluster || p.point_count) {
                        html = "<b>" + p.point_count + " " + t.cluster + "</b>";
                    } else {
                        var code = encodeURIComponent(p.code);
                        html = "<b>" + p.code + "</b><br>" + t.operators + ": " + (p.operators || "—") +
                            "<br>" + t.pole + ": " + (p.pole_class || "—") + ", " + t.height + ": " +
                            (p.pole_height_m || "—") + " m<br>" + t.status + ": " +
                            (t.statuses[p.status] || p.status) +
                            '<br><a href="/api/sites/' + code + '">' + t.record + "</a>" +
                            ' · <a href="/api/sites/' + code + '/permit-check">' + t.check + "</a>";
                    }
                    var at = e.originalEvent ? map.mouseEventToLatLng(e.originalEvent) : e.latlng;
                    L.popup().setLatLng(at).setContent(html).openOn(map);
                });
                return g;
            }
            // GeoJSON overlays fetched from the API the first time they are switched on.
            function lazy(url, style, label) {
                var layer = L.geoJSON(null, {
                    style: style,
                    onEachFeature: function (f, l) { l.bindTooltip(label(f.properties || {})); }
                });
                var loaded = false;
                layer.on("add", function () {
                    if (loaded) { return; }
                    loaded = true;
                    fetch(url).then(function (r) { return r.json(); }).then(function (data) { layer.addData(data); });
                });
                return layer;
            }
            var layer = grid({{ this.url_json }}).addTo(map);
            var overlays = {};
            overlays[t.sites] = layer;
            {{ this.layers_json }}.forEach(function (item) { overlays[item.label] = grid(item.url); });
            overlays[t.zones] = lazy("/api/zones", function (f) {
                return {color: "#cf222e", weight: 2, fillOpacity: 0.08};
            }, function (p) { return p.name + " (" + p.code + ")"; });
            overlays[t.communes] = lazy("/api/admin-units?level=commune&geometry=true", function () {
                return {color: "#57606a", weight: 1, fill: false, dashArray: "3"};
            }, function (p) { return p.name; });
            L.control.layers(null, overlays, {collapsed: false}).addTo(map);
            window.overlays = overlays;
            window.siteLayer = layer;
            window.registryMap = map;
        })();
        {% endmacro %}
        """
    )

    def __init__(self, url: str, text: dict[str, Any], layers: list[dict[str, str]]) -> None:
        super().__init__()
        self._name = "SiteTiles"
        self.url_json = json.dumps(url)
        self.text_json = json.dumps(text, ensure_ascii=False)
        # Extra switchable layers: one per operator and per technology (the page's filters kept).
        self.layers_json = json.dumps(layers, ensure_ascii=False)


class LocateMe(JSCSSMixin, MacroElement):
    """ "Locate me": the field inspector's position on the map."""

    default_js = [("locate", LOCATE_JS)]
    default_css = [("locate_css", LOCATE_CSS)]
    _template = Template(
        """{% macro script(this, kwargs) %}
        L.control.locate({strings: {title: {{ this.title }}}}).addTo({{ this._parent.get_name() }});
        {% endmacro %}"""
    )

    def __init__(self, title: str) -> None:
        super().__init__()
        self._name = "LocateMe"
        self.title = json.dumps(title, ensure_ascii=False)


class SiteSearch(MacroElement):
    """A search box: site or station code, or address, with or without diacritics (the sites API)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var t = {{ this.text_json }};
            var box = L.control({position: "topleft"});
            box.onAdd = function () {
                var div = L.DomUtil.create("div", "leaflet-bar site-search");
                div.style.background = "#fff";
                div.style.padding = "4px";
                div.innerHTML = '<input id="site-search" type="search" style="width:220px" placeholder="' +
                    t.search + '"><div id="site-results" ' +
                    'style="max-height:200px;overflow:auto;font:13px sans-serif"></div>';
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.disableScrollPropagation(div);
                var input = div.querySelector("input"), results = div.querySelector("#site-results");
                var timer = null;
                input.addEventListener("input", function () {
                    clearTimeout(timer);
                    var q = input.value.trim();
                    if (q.length < 2) { results.innerHTML = ""; return; }
                    timer = setTimeout(function () {
                        fetch("/api/sites?limit=10&q=" + encodeURIComponent(q))
                            .then(function (r) { return r.json(); })
                            .then(function (data) {
                                results.innerHTML = "";
                                (data.features || []).forEach(function (f) {
                                    var a = document.createElement("a");
                                    a.href = "#";
                                    a.className = "site-result";
                                    a.style.display = "block";
                                    a.textContent = f.properties.code + " — " + (f.properties.address || "");
                                    a.addEventListener("click", function (e) {
                                        e.preventDefault();
                                        var c = f.geometry.coordinates;
                                        map.setView([c[1], c[0]], 17);
                                    });
                                    results.appendChild(a);
                                });
                                if (!results.children.length) { results.textContent = t.nothing; }
                            });
                    }, 250);
                });
                return div;
            };
            box.addTo(map);
        })();
        {% endmacro %}"""
    )

    def __init__(self, text: dict[str, Any]) -> None:
        super().__init__()
        self._name = "SiteSearch"
        self.text_json = json.dumps(text, ensure_ascii=False)


def _base(lang: str, tiles_url: str | None) -> LocalMap:
    m = LocalMap(location=CENTRE, zoom_start=12, tiles=None, control_scale=True, prefer_canvas=True)
    if tiles_url:
        folium.TileLayer(tiles=tiles_url, attr="© OpenStreetMap", name="OSM").add_to(m)
    m.get_root().header.add_child(Element(f"<title>{TEXT[lang]['stations']}</title>"))
    return m


def _tile_url(filters: dict[str, str]) -> str:
    query = urlencode({k: v for k, v in filters.items() if v})
    return "/tiles/sites/{z}/{x}/{y}.pbf" + (f"?{query}" if query else "")


def stations_page(
    *, lang: str, filters: dict[str, str], tiles_url: str | None, operators: list[tuple[str, str]] | None = None
) -> str:
    """``operators``: (code, name) of the operators, each a layer that can be switched on."""
    text = TEXT[lang]
    m = _base(lang, tiles_url)
    layers = [{"label": name, "url": _tile_url({**filters, "operator": code})} for code, name in operators or []]
    layers += [
        {"label": f"{tech}", "url": _tile_url({**filters, "technology": tech})} for tech in ("2G", "3G", "4G", "5G")
    ]
    m.add_child(SiteTiles(_tile_url(filters), text, layers))
    m.add_child(LocateMe(text["locate"]))
    m.add_child(SiteSearch(text))
    legend = (
        f'<div id="legend" style="position:fixed;bottom:28px;right:12px;z-index:1000;background:#fff;padding:6px 10px;'
        f'border:1px solid #999;font:13px sans-serif"><b>{text["legend"]}</b><br>'
        f'<span style="color:#2da44e">●</span> {text["one"]}<br>'
        f'<span style="color:#1f6feb">●</span> {text["many"]}</div>'
    )
    m.get_root().html.add_child(Element(legend))
    return str(m.get_root().render())


def home_page(lang: str) -> str:
    text = TEXT[lang]
    return (
        f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8"><title>{text["home"]}</title></head>'
        f'<body style="font:16px sans-serif;margin:2em"><h1>{text["home"]}</h1><ul>'
        f'<li><a href="/maps/stations?lang={lang}">{text["stations"]}</a></li>'
        "</ul></body></html>"
    )
