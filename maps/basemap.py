"""The base layer of every map page (``maps.widgets.base_map``): tiles from TTTT_MAP_TILES_URL or the
local file the app serves (api/basemap.py), and commune boundaries with their names when no base map
answers. The work is done by maps/static/js/basemap-fallback.js; this element starts it with the page's
words and the tiles' address as JSON."""

from __future__ import annotations

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.assets import VECTORGRID_JS
from maps.templating import script_json

BASEMAP_JS = "/static/js/basemap-fallback.js"
BASEMAP_CSS = "/static/css/basemap.css"
# Simplified to 5 m: invisible below zoom 16, far fewer vertices than surveyed boundaries carry.
COMMUNES_URL = "/api/admin-units?level=commune&geometry=true&simplify=5"

TEXT = {
    "vi": {
        "note": "Không có bản đồ nền: hiển thị ranh giới xã, phường",
        "attribution": "© Những người đóng góp OpenStreetMap",
    },
    "en": {"note": "No base map: showing commune and ward boundaries", "attribution": "© OpenStreetMap contributors"},
}


class BaseLayer(JSCSSMixin, MacroElement):
    """The base map of ``tiles_url`` (None: none), and the communes when it does not load."""

    default_js = [("basemap_fallback", BASEMAP_JS)]
    default_css = [("basemap_css", BASEMAP_CSS)]
    _template = Template(
        """{% macro script(this, kwargs) %}
        window.registryBasemap = basemapFallback({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}"""
    )

    def __init__(self, lang: str, tiles_url: str | None) -> None:
        super().__init__()
        self._name = "BaseLayer"
        local = bool(tiles_url and tiles_url.startswith("/basemap/"))
        if tiles_url and tiles_url.endswith(".pbf"):
            self.default_js = [("vectorgrid", VECTORGRID_JS), *self.default_js]
        self.config_json = script_json(
            {
                "tiles": tiles_url,
                "local": local,
                "tilejson": "/basemap/tiles.json" if local else None,
                "communes": COMMUNES_URL,
                **TEXT[lang],
            }
        )
