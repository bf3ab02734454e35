"""Where the pages find Leaflet and its plugins: under /static/vendor/, from maps/node_modules."""

from __future__ import annotations

from pathlib import Path

import folium

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
VENDOR = "/static/vendor"
# Only these package folders are served (their dist files).
PACKAGES = (
    "leaflet",
    "leaflet.vectorgrid",
    "leaflet.locatecontrol",
    "leaflet.markercluster",
    "leaflet.heat",
    "chart.js",
)

LEAFLET_JS = f"{VENDOR}/leaflet/dist/leaflet.js"
LEAFLET_CSS = f"{VENDOR}/leaflet/dist/leaflet.css"
VECTORGRID_JS = f"{VENDOR}/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js"
LOCATE_JS = f"{VENDOR}/leaflet.locatecontrol/dist/L.Control.Locate.min.js"
LOCATE_CSS = f"{VENDOR}/leaflet.locatecontrol/dist/L.Control.Locate.min.css"
HEAT_JS = f"{VENDOR}/leaflet.heat/dist/leaflet-heat.js"
CHART_JS = f"{VENDOR}/chart.js/dist/chart.umd.min.js"


class LocalMap(folium.Map):
    """A folium map whose scripts and styles are the local copies (no CDN)."""

    default_js = [("leaflet", LEAFLET_JS)]
    default_css = [("leaflet_css", LEAFLET_CSS)]


def installed() -> bool:
    return (NODE_MODULES / "leaflet" / "dist" / "leaflet.js").exists()
