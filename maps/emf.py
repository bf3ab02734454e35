"""The EMF safety-distance layer of the map pages: one semi-transparent wedge per sector with an EIRP,
along its azimuth, its radius the sector's safety distance (QCVN 8:2022/BTTTT, registry/stations/emf.py),
as Germany's EMF map (EMF-Karte of the Bundesnetzagentur) draws them.

A page adds it with one line, ``add_emf(m, lang)`` (the sites in view, from zoom 16) or
``add_emf(m, lang, site=code)`` (one site). The drawing is ``static/js/emf-layer.js``; the page's script
only calls it with its settings as JSON. The layer joins the page's layer list when there is one."""

from __future__ import annotations

from typing import Any

from branca.element import MacroElement
from folium.elements import JSCSSMixin
from jinja2 import Template

from maps.assets import LocalMap
from maps.templating import metres, script_json

MIN_ZOOM = 16  # below it the wedges (a few metres) are smaller than a site's dot
SCRIPT = "/static/js/emf-layer.js"

TEXT = {
    "vi": {
        "layer": "Khoảng cách an toàn (QCVN 8:2022)",
        "sector": "Khu vực",
        "azimuth": "hướng",
        "site": "Vị trí",
    },
    "en": {
        "layer": "Safety distances (QCVN 8:2022)",
        "sector": "Sector",
        "azimuth": "azimuth",
        "site": "Site",
    },
}


class EmfLayer(JSCSSMixin, MacroElement):
    default_js = [("emf_layer", SCRIPT)]
    _template = Template(
        """{% macro script(this, kwargs) %}
        window.registryEmf({{ this._parent.get_name() }}, {{ this.config_json }});
        {% endmacro %}"""
    )

    def __init__(self, lang: str, site: str | None) -> None:
        super().__init__()
        self._name = "EmfLayer"
        self.config_json = script_json({"text": TEXT[lang], "comma": lang == "vi", "site": site, "min_zoom": MIN_ZOOM})


def add_emf(m: LocalMap, lang: str, *, site: str | None = None) -> None:
    """The safety-distance wedges on ``m``: of the site ``site``, or of the sites in view (zoom ≥ 16)."""
    m.add_child(EmfLayer(lang, site))


def safety_section(feature: dict[str, Any]) -> dict[str, Any]:
    """The rows of the safety-distance section (``emf.html``) from a site as the API gave it to the reader:
    each sector with a distance, by station, and the site's largest."""
    p = feature["properties"]
    rows = [
        {
            "operator": st.get("operator"),
            "sector": s["sector_no"],
            "azimuth": f"{round(s['azimuth_deg'])}°",
            "distance": metres(s["compliance_distance_m"]),
        }
        for st in p.get("stations", [])
        for s in st.get("sectors") or []
        if s.get("compliance_distance_m") is not None
    ]
    largest = p.get("max_compliance_distance_m")
    return {"rows": rows, "largest": None if largest is None else metres(largest)}
