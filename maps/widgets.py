"""Pieces every map page shares: the base map, "locate me", a distance ruler, the legend and the
signed-in bar. Text comes in from the page (Vietnamese or English); nothing here loads from the web.

The one escaping path of the map pages:
- data placed in the figure's script goes in as ``script_json`` (``maps.templating``);
- text of a folium Tooltip or Popup goes through ``folium_text``;
- page code that puts a value from the API into HTML passes it through the one ``esc()`` that
  ``base_map`` defines in the figure's script (or sets ``textContent``)."""

from __future__ import annotations

import html

from branca.element import Element, MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.assets import LOCATE_CSS, LOCATE_JS, LocalMap, PageFigure
from maps.basemap import BaseLayer
from maps.templating import part, script_json

CENTRE = (20.86, 106.68)  # Hải Phòng

COMMON = {
    "vi": {
        "locate": "Vị trí của tôi",
        "measure": "Đo khoảng cách",
        "measure_hint": "Bấm các điểm trên bản đồ; bấm lại nút để kết thúc",
        "distance": "Khoảng cách",
        "legend": "Chú giải",
        "home": "Bản đồ",
        "controls": "Lớp bản đồ, chú giải, bộ lọc",
        "details": "Chi tiết",
        "close": "Đóng",
    },
    "en": {
        "locate": "Locate me",
        "measure": "Measure a distance",
        "measure_hint": "Click points on the map; click the button again to finish",
        "distance": "Distance",
        "legend": "Legend",
        "home": "Maps",
        "controls": "Layers, legend, filters",
        "details": "Details",
        "close": "Close",
    },
}


# Character references for what could end or interpolate a JavaScript template literal, or smuggle a
# character in through an escape sequence, once the text is inside one.
_TEMPLATE_LITERAL = {ord("`"): "&#96;", ord("$"): "&#36;", ord("\\"): "&#92;"}


def folium_text(value: object) -> str:
    """``value`` as the text of a folium Tooltip or Popup (``tooltip=folium_text(...)``).

    Folium 0.20 writes that text unchanged inside a JavaScript template literal, `` `<div>…</div>` ``,
    which Leaflet then shows as HTML. So the text is HTML-escaped (no markup), and backtick, ``$`` and
    backslash become character references: the literal can neither be closed, nor interpolate
    ``${…}``, nor decode a ``\\u003c`` into markup. The browser shows the text as it was stored."""
    return html.escape(str(value), quote=True).translate(_TEMPLATE_LITERAL)


class EscapeHtml(MacroElement):
    """The one ``esc(value)`` of a map page's scripts: text for ``innerHTML`` (popups, tooltips, layer
    names), a dash for a missing value; and ``dmy(iso)``, a date as the pages show it."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        function esc(s) {
            return String(s == null || s === "" ? "—" : s).replace(/[&<>"'`]/g, function (c) {
                return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;", "`": "&#96;"}[c];
            });
        }
        // An ISO date from the API as dd/mm/yyyy (maps.templating.dmy); anything else unchanged.
        function dmy(s) {
            var m = /^([0-9]{4})-([0-9]{2})-([0-9]{2})/.exec(s == null ? "" : String(s));
            return m ? m[3] + "/" + m[2] + "/" + m[1] : s;
        }
        {% endmacro %}"""
    )

    def __init__(self) -> None:
        super().__init__()
        self._name = "EscapeHtml"


def base_map(
    lang: str, tiles_url: str | None, title: str, *, location: tuple[float, float] = CENTRE, zoom: int = 12
) -> LocalMap:
    m = LocalMap(location=location, zoom_start=zoom, tiles=None, control_scale=True, prefer_canvas=True)
    m.add_child(BaseLayer(lang, tiles_url))  # the tiles, or the communes when none load (maps/basemap.py)
    root = m.get_root()
    root.header.add_child(Element(part("title", title)))
    m.add_child(EscapeHtml())
    return m


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
        self.title = script_json(title)


class Measure(MacroElement):
    """A ruler: click points, read the length of the line through them (great-circle distances,
    metres under 1 km, kilometres above, Vietnamese decimal comma). While it is on, clicks on the
    map do not open popups (``window.measuring``)."""

    _template = Template(
        """{% macro script(this, kwargs) %}
        (function () {
            var map = {{ this._parent.get_name() }};
            var t = {{ this.text_json }};
            var RULER = '<svg viewBox="0 0 24 24" width="18" height="18" style="margin-top:6px" aria-hidden="true">' +
                '<path d="M3 17 17 3l4 4L7 21z" fill="none" stroke="#333" stroke-width="2"/>' +
                '<path d="M7 13l2 2M10 10l2 2M13 7l2 2" stroke="#333" stroke-width="2"/></svg>';
            var points = [], marks = L.layerGroup(), line = null, out = null, button = null;
            window.measuring = false;
            function total() {
                var d = 0;
                for (var i = 1; i < points.length; i++) { d += map.distance(points[i - 1], points[i]); }
                return d;
            }
            function format(d) {
                var s = d < 1000 ? Math.round(d) + " m" : (d / 1000).toFixed(2) + " km";
                return t.comma ? s.replace(".", ",") : s;
            }
            function start() {
                window.measuring = true;
                points = [];
                marks.clearLayers().addTo(map);
                line = L.polyline([], {color: "#8250df", weight: 3, dashArray: "6 4"}).addTo(marks);
                map.getContainer().style.cursor = "crosshair";
                map.doubleClickZoom.disable();
                button.classList.add("active");
                out.textContent = t.measure_hint;
            }
            function stop() {
                window.measuring = false;
                map.getContainer().style.cursor = "";
                map.doubleClickZoom.enable();
                button.classList.remove("active");
                if (points.length < 2) { marks.remove(); out.textContent = ""; }
            }
            var control = L.control({position: "topleft"});
            control.onAdd = function () {
                var div = L.DomUtil.create("div", "leaflet-bar measure-control");
                button = L.DomUtil.create("a", "", div);
                button.href = "#";
                button.id = "measure-toggle";
                button.title = t.measure;
                button.setAttribute("role", "button");
                button.setAttribute("aria-label", t.measure);
                button.innerHTML = RULER;
                out = L.DomUtil.create("div", "", div);
                out.id = "measure-result";
                out.style.cssText = "background:#fff;font:12px sans-serif;max-width:180px;padding:0 4px";
                L.DomEvent.disableClickPropagation(div);
                L.DomEvent.on(button, "click", function (e) {
                    L.DomEvent.preventDefault(e);
                    if (window.measuring) { stop(); } else { start(); }
                });
                return div;
            };
            control.addTo(map);
            map.on("click", function (e) {
                if (!window.measuring) { return; }
                points.push(e.latlng);
                line.setLatLngs(points);
                L.circleMarker(e.latlng, {radius: 3, color: "#8250df"}).addTo(marks);
                if (points.length > 1) { out.textContent = t.distance + ": " + format(total()); }
            });
            window.measuredDistance = total;
            window.registryMap = window.registryMap || map;
        })();
        {% endmacro %}"""
    )

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._name = "Measure"
        self.text_json = script_json({**COMMON[lang], "comma": lang == "vi"})


def legend(title: str, items: list[tuple[str, str]], *, element_id: str = "legend") -> Element:
    """A fixed box in the lower right: (colour, label) per line."""
    return Element(part("legend", title, items, element_id))


def user_bar(lang: str, username: str | None, here: str) -> Element:
    """Top-centre: the home link, and who is signed in or a sign-in link that comes back here."""
    return Element(part("user_bar", lang, COMMON[lang]["home"], username, here))


def add_common(m: LocalMap, lang: str, *, username: str | None, here: str, measure: bool = True) -> None:
    """Locate me, the ruler, the top bar, and the phone layout: the map CSS, the controls button and
    the bottom sheet (maps/static/js/map-sheet.js)."""
    m.add_child(LocateMe(COMMON[lang]["locate"]))
    if measure:
        m.add_child(Measure(lang))
    root = m.get_root()
    root.header.add_child(Element(part("head")))
    root.html.add_child(user_bar(lang, username, here))
    root.html.add_child(Element(part("sheet", COMMON[lang])))


def render(m: LocalMap, *, lang: str, nonce: str) -> str:
    """The page's HTML; ``nonce`` is the one of this response's Content-Security-Policy
    (``request.state.csp_nonce``), written on the figure's script as it is generated."""
    figure = m.get_root()
    assert isinstance(figure, PageFigure)
    return figure.page(lang=lang, nonce=nonce)
