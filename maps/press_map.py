"""The press map: outlets, representative offices and resident correspondents as layers, coloured by
licence status for staff (the API gives licences to staff only) and by kind for the public. The
points come from /api/press/outlets.geojson with the page's filters; a province has hundreds, not
millions, so GeoJSON is enough."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from branca.element import Element, MacroElement
from jinja2 import Template

from maps.find import add_find
from maps.licence_states import STATE_COLOURS
from maps.templating import part, script_json
from maps.widgets import add_common, base_map, legend, render
from registry.press.views import LICENCE_STATUS_NAMES

# One definition of the standings' colours for the map, the lists and the record pages.
LICENCE_COLOURS = STATE_COLOURS
GROUP_COLOURS = {"outlets": "#1f6feb", "representative_office": "#8250df", "resident_correspondent": "#bf3989"}

TEXT = {
    "vi": {
        "title": "Bản đồ báo chí",
        "groups": {
            "outlets": "Cơ quan báo chí, bản tin, trang tổng hợp",
            "representative_office": "Văn phòng đại diện",
            "resident_correspondent": "Phóng viên thường trú",
        },
        "licence": "Giấy phép",
        "record": "Xem hồ sơ",
        "valid_until": "hết hạn",
        "count": "Số điểm trên bản đồ",
        "legend_staff": "Tình trạng giấy phép",
        "legend_public": "Loại",
    },
    "en": {
        "title": "Press map",
        "groups": {
            "outlets": "Outlets, newsletters, general websites",
            "representative_office": "Representative offices",
            "resident_correspondent": "Resident correspondents",
        },
        "licence": "Licence",
        "record": "Open record",
        "valid_until": "valid until",
        "count": "Points on the map",
        "legend_staff": "Licence status",
        "legend_public": "Kind",
    },
}


class PressLayers(MacroElement):
    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var t = {{ this.text_json }};
            var LICENCE = {{ this.licence_colours }}, GROUPS = {{ this.group_colours }};
            var layers = {};
            // Taps count up to 16 px beyond a drawn point: a 44 px target around an 8 px dot.
            var tolerant = L.canvas({tolerance: 16});
            Object.keys(t.groups).forEach(function (g) { layers[g] = L.featureGroup().addTo(map); });
            var names = {};
            Object.keys(t.groups).forEach(function (g) { names[esc(t.groups[g])] = layers[g]; });
            L.control.layers(null, names, {collapsed: false}).addTo(map);
            // Every value from the API goes through the page's esc() (widgets.EscapeHtml).
            fetch({{ this.url_json }}, {credentials: "same-origin"})
                .then(function (r) { return r.json(); })
                .then(function (data) {
                    var shown = 0, bounds = L.latLngBounds([]);
                    (data.features || []).forEach(function (f) {
                        if (!f.geometry) { return; }
                        var p = f.properties, c = f.geometry.coordinates, at = [c[1], c[0]];
                        var group = (p.kind === "representative_office" || p.kind === "resident_correspondent")
                            ? p.kind : "outlets";
                        var colour = (p.licence ? LICENCE[p.licence.status] : GROUPS[group]) || "#57606a";
                        var html = "<b>" + esc(p.name) + "</b><br>" + esc(p.kind_name) + "<br>" + esc(p.address);
                        if (p.licence) {
                            html += "<br>" + esc(t.licence) + ': <b class="licence-state" style="color:' + colour +
                                '">' +
                                esc(p.licence.status_name) + "</b>" +
                                (p.licence.number ? " (" + esc(p.licence.number) + (p.licence.valid_until ?
                                    ", " + esc(t.valid_until) + " " + esc(dmy(p.licence.valid_until)) : "") + ")" : "");
                        }
                        html += '<br><a href="/records/outlets/' + esc(encodeURIComponent(p.code)) + "?lang=" +
                            esc(t.lang) + '">' + esc(t.record) + "</a>";
                        L.circleMarker(at, {radius: group === "outlets" ? 8 : 6, color: "#1f2328", weight: 1,
                                            fillColor: colour, fillOpacity: 0.9, renderer: tolerant})
                            .bindPopup(html).bindTooltip(esc(p.name))
                            .addTo(layers[group]);
                        bounds.extend(at);
                        shown += 1;
                    });
                    document.getElementById("press-count").textContent = shown;
                    if (shown) { map.fitBounds(bounds.pad(0.1), {maxZoom: 15}); }
                    window.pressLoaded = shown;
                });
            window.pressLayers = layers;
        })();
        {% endmacro %}"""
    )

    def __init__(self, url: str, text: dict[str, Any]) -> None:
        super().__init__()
        self._name = "PressLayers"
        self.url_json = script_json(url)
        self.text_json = script_json(text)
        self.licence_colours = script_json(LICENCE_COLOURS)
        self.group_colours = script_json(GROUP_COLOURS)


FILTERS = ("kind", "status", "licence_status", "admin_unit", "q")


def press_page(
    *,
    lang: str,
    filters: dict[str, list[str] | str],
    tiles_url: str | None,
    username: str | None,
    staff: bool,
    here: str,
    nonce: str,
) -> str:
    """``nonce``: the response's CSP nonce (``request.state.csp_nonce``)."""
    text = {**TEXT[lang], "lang": lang}
    m = base_map(lang, tiles_url, text["title"])
    query = urlencode({k: v for k, v in filters.items() if v}, doseq=True)
    m.add_child(PressLayers("/api/press/outlets.geojson" + (f"?{query}" if query else ""), text))
    add_common(m, lang, username=username, here=here)
    add_find(m, lang, near=False)  # outlets by name or address
    if staff:
        items = [
            (LICENCE_COLOURS[k], LICENCE_STATUS_NAMES[k] if lang == "vi" else k.replace("_", " "))
            for k in LICENCE_COLOURS
        ]
        title = text["legend_staff"]
    else:
        items = [(GROUP_COLOURS[g], text["groups"][g]) for g in GROUP_COLOURS]
        title = text["legend_public"]
    root = m.get_root()
    root.html.add_child(legend(title, items))
    root.html.add_child(Element(part("count", text["count"], "press-count")))
    return render(m, lang=lang, nonce=nonce)
