"""The cases map (staff only): open cases with a location, one layer per kind, coloured by how their
deadline stands, and a heat map of complaints received in a period. Points come from
/api/cases.geojson, which carries no party, subject or content: a denouncer is never on the map."""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.assets import HEAT_JS
from maps.templating import dmy, part, script_json
from maps.widgets import add_common, base_map, legend, render
from registry.cases.views import DEADLINE_STATUS_NAMES
from registry.cases.vocabulary import KIND_NAMES

DEADLINE_COLOURS = {"overdue": "#cf222e", "due_soon": "#d4a72c", "within_deadline": "#2da44e", "suspended": "#8c959f"}
NO_DEADLINE = "#57606a"
COMPLAINTS = ("complaint", "second_complaint")

TEXT = {
    "vi": {
        "title": "Bản đồ vụ việc",
        "kinds": {k.value: n for k, n in KIND_NAMES.items()},
        "deadline": "Tình trạng hạn",
        "statuses": DEADLINE_STATUS_NAMES,
        "no_deadline": "không có hạn đang chạy",
        "due": "Hạn",
        "days_left": "ngày làm việc còn lại",
        "record": "Xem hồ sơ",
        "heat": "Bản đồ nhiệt khiếu nại",
        "count": "Vụ việc trên bản đồ",
        "received": "Nhận ngày",
    },
    "en": {
        "title": "Cases map",
        "kinds": {
            "complaint": "Complaint",
            "second_complaint": "Second complaint",
            "denunciation": "Denunciation",
            "petition": "Petition",
            "planned_inspection": "Planned inspection",
            "adhoc_inspection": "Ad hoc inspection",
        },
        "deadline": "Deadline",
        "statuses": {
            "overdue": "overdue",
            "due_soon": "due soon",
            "within_deadline": "within deadline",
            "suspended": "suspended",
        },
        "no_deadline": "no running deadline",
        "due": "Due",
        "days_left": "working days left",
        "record": "Open record",
        "heat": "Heat map of complaints",
        "count": "Cases on the map",
        "received": "Received",
    },
}


class CaseLayers(JSCSSMixin, MacroElement):
    default_js = [("leaflet_heat", HEAT_JS)]
    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var t = {{ this.text_json }};
            var COLOURS = {{ this.colours }};
            var layers = {}, overlays = {};
            // Taps count up to 16 px beyond a drawn point: a 44 px target around a 7 px dot.
            var tolerant = L.canvas({tolerance: 16});
            Object.keys(t.kinds).forEach(function (k) {
                layers[k] = L.featureGroup().addTo(map);
                overlays[esc(t.kinds[k])] = layers[k];
            });
            var heat = L.heatLayer([], {radius: 25, blur: 18, maxZoom: 15});
            overlays[esc(t.heat)] = heat;
            L.control.layers(null, overlays, {collapsed: false}).addTo(map);
            // Every value from the API goes through the page's esc() (widgets.EscapeHtml).
            fetch({{ this.cases_url }}, {credentials: "same-origin"})
                .then(function (r) { return r.json(); })
                .then(function (data) {
                    var shown = 0, bounds = L.latLngBounds([]);
                    (data.features || []).forEach(function (f) {
                        var p = f.properties, c = f.geometry.coordinates, at = [c[1], c[0]];
                        var colour = COLOURS[p.deadline_status] || {{ this.no_deadline }};
                        var html = "<b>" + esc(p.code) + "</b><br>" + esc(t.kinds[p.kind]) + " — " +
                            esc(p.state_name) + "<br>" + esc(t.received) + ": " + esc(dmy(p.received_on));
                        if (p.current_due) {
                            html += "<br>" + esc(t.due) + ": " + esc(dmy(p.current_due)) +
                                ' (<b class="deadline-state" ' +
                                'style="color:' + colour + '">' + esc(t.statuses[p.deadline_status]) + "</b>" +
                                (p.working_days_left != null ? ", " + esc(p.working_days_left) + " " + esc(t.days_left)
                                    : "") +
                                ")";
                        }
                        html += '<br><a href="/records/cases/' + esc(encodeURIComponent(p.code)) + "?lang=" +
                            esc(t.lang) + '">' + esc(t.record) + "</a>";
                        L.circleMarker(at, {radius: 7, color: "#1f2328", weight: 1, fillColor: colour,
                                            fillOpacity: 0.9, renderer: tolerant})
                            .bindPopup(html).bindTooltip(esc(p.code)).addTo(layers[p.kind]);
                        bounds.extend(at);
                        shown += 1;
                    });
                    document.getElementById("case-count").textContent = shown;
                    if (shown) { map.fitBounds(bounds.pad(0.1), {maxZoom: 15}); }
                    window.casesLoaded = shown;
                });
            var heatLoaded = false;
            heat.on("add", function () {
                if (heatLoaded) { return; }
                heatLoaded = true;
                fetch({{ this.heat_url }}, {credentials: "same-origin"})
                    .then(function (r) { return r.json(); })
                    .then(function (data) {
                        heat.setLatLngs((data.features || []).map(function (f) {
                            return [f.geometry.coordinates[1], f.geometry.coordinates[0], 1];
                        }));
                        window.heatPoints = (data.features || []).length;
                    });
            });
            window.caseLayers = layers;
            window.heatLayer = heat;
        })();
        {% endmacro %}"""
    )

    def __init__(self, cases_url: str, heat_url: str, text: dict[str, Any]) -> None:
        super().__init__()
        self._name = "CaseLayers"
        self.cases_url = script_json(cases_url)
        self.heat_url = script_json(heat_url)
        self.text_json = script_json(text)
        self.colours = script_json(DEADLINE_COLOURS)
        self.no_deadline = script_json(NO_DEADLINE)


def cases_page(
    *,
    lang: str,
    kinds: list[str],
    deadlines: list[str],
    heat_from: date,
    heat_to: date,
    tiles_url: str | None,
    username: str | None,
    here: str,
    nonce: str,
) -> str:
    """``nonce``: the response's CSP nonce (``request.state.csp_nonce``)."""
    text = {**TEXT[lang], "lang": lang}
    m = base_map(lang, tiles_url, text["title"])
    cases_query = urlencode({"kind": kinds, "deadline": deadlines}, doseq=True)
    heat_query = urlencode(
        {"kind": list(COMPLAINTS), "open": "false", "received_from": heat_from, "received_to": heat_to}, doseq=True
    )
    m.add_child(
        CaseLayers(
            "/api/cases.geojson" + (f"?{cases_query}" if cases_query else ""),
            f"/api/cases.geojson?{heat_query}",
            text,
        )
    )
    add_common(m, lang, username=username, here=here)
    root = m.get_root()
    # The heat layer's canvas lies over the markers; it must not swallow their clicks.
    root.header.add_child(Element("<style>.leaflet-heatmap-layer{pointer-events:none}</style>"))
    items = [(DEADLINE_COLOURS[k], text["statuses"][k]) for k in DEADLINE_COLOURS] + [
        (NO_DEADLINE, text["no_deadline"])
    ]
    root.html.add_child(legend(text["deadline"], items))
    root.html.add_child(
        Element(part("count", text["count"], "case-count", f"{text['heat']}: {dmy(heat_from)} – {dmy(heat_to)}"))
    )
    return render(m, lang=lang, nonce=nonce)
