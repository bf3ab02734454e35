"""Where the pages find Leaflet, its plugins and Swagger UI: under /static/vendor/, from maps/node_modules;
and the folium map and figure whose one inline script carries the page's CSP nonce."""

from __future__ import annotations

import re
from pathlib import Path

import folium
from branca.element import Figure
from jinja2 import Template

NODE_MODULES = Path(__file__).resolve().parent / "node_modules"
VENDOR = "/static/vendor"
# Only these package folders are served: their dist files, or for a package that ships its files at its
# root (Swagger UI), only the files listed in PACKAGE_FILES.
PACKAGES = (
    "leaflet",
    "leaflet.vectorgrid",
    "leaflet.locatecontrol",
    "leaflet.markercluster",
    "leaflet.heat",
    "chart.js",
    "swagger-ui-dist",
)
PACKAGE_FILES = {
    "swagger-ui-dist": frozenset(
        {"swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "oauth2-redirect.html", "oauth2-redirect.js"}
    ),
}

LEAFLET_JS = f"{VENDOR}/leaflet/dist/leaflet.js"
LEAFLET_CSS = f"{VENDOR}/leaflet/dist/leaflet.css"
VECTORGRID_JS = f"{VENDOR}/leaflet.vectorgrid/dist/Leaflet.VectorGrid.bundled.min.js"
LOCATE_JS = f"{VENDOR}/leaflet.locatecontrol/dist/L.Control.Locate.min.js"
LOCATE_CSS = f"{VENDOR}/leaflet.locatecontrol/dist/L.Control.Locate.min.css"
HEAT_JS = f"{VENDOR}/leaflet.heat/dist/leaflet-heat.js"
CHART_JS = f"{VENDOR}/chart.js/dist/chart.umd.min.js"
SWAGGER_JS = f"{VENDOR}/swagger-ui-dist/swagger-ui-bundle.js"
SWAGGER_CSS = f"{VENDOR}/swagger-ui-dist/swagger-ui.css"
SWAGGER_FAVICON = f"{VENDOR}/swagger-ui-dist/favicon-32x32.png"
SWAGGER_OAUTH2_REDIRECT = f"{VENDOR}/swagger-ui-dist/oauth2-redirect.html"

# What secrets.token_urlsafe gives (api/security.py); anything else is refused before it reaches an attribute.
NONCE = re.compile(r"[A-Za-z0-9_-]{16,64}")


class PageFigure(Figure):
    """branca's Figure with the nonce of the page's Content-Security-Policy on the one inline script that
    holds every element's code. The nonce is written when the page is generated (``page(lang, nonce)``),
    never added to finished HTML, where it would also bless a script injected into the text."""

    _template = Template(
        "<!DOCTYPE html>\n"
        '<html lang="{{ this.lang|e }}">\n'
        "<head>\n"
        "    {{this.header.render(**kwargs)}}\n"
        "</head>\n"
        "<body>\n"
        "    {{this.html.render(**kwargs)}}\n"
        "</body>\n"
        '<script nonce="{{ this.nonce|e }}">\n'
        "    {{this.script.render(**kwargs)}}\n"
        "</script>\n"
        "</html>\n",
    )

    lang: str | None = None
    nonce: str | None = None

    def page(self, *, lang: str, nonce: str) -> str:
        """The HTML of the page in ``lang`` whose script carries ``nonce`` (folium elements take no
        arguments to ``render``, so the two are set on the figure)."""
        if not NONCE.fullmatch(nonce):
            raise ValueError("a map page is rendered with the nonce of its Content-Security-Policy")
        if lang not in ("vi", "en"):
            raise ValueError("a map page is rendered in vi or en")
        self.lang, self.nonce = lang, nonce
        return str(self.render())


class LocalMap(folium.Map):
    """A folium map whose scripts and styles are the local copies (no CDN), in a ``PageFigure``.

    Its header is folium's without the inline ``<script>`` that sets ``L_NO_TOUCH`` and ``L_DISABLE_3D``
    to false: Leaflet reads an unset flag as false, and a page with no inline script outside the
    figure's one needs no nonce anywhere else. Its map and script macros are folium's own."""

    default_js = [("leaflet", LEAFLET_JS)]
    default_css = [("leaflet_css", LEAFLET_CSS)]
    _template = Template(
        """
        {% macro header(this, kwargs) %}
            <meta name="viewport" content="width=device-width, initial-scale=1.0" />
            <style>
                #{{ this.get_name() }} {
                    position: {{this.position}};
                    width: {{this.width[0]}}{{this.width[1]}};
                    height: {{this.height[0]}}{{this.height[1]}};
                    left: {{this.left[0]}}{{this.left[1]}};
                    top: {{this.top[0]}}{{this.top[1]}};
                }
                .leaflet-container { font-size: {{this.font_size}}; }
            </style>
            <style>html, body { width: 100%; height: 100%; margin: 0; padding: 0; }</style>
        {% endmacro %}
        {% macro html(this, kwargs) %}{{ folium_map.html(this, kwargs) }}{% endmacro %}
        {% macro script(this, kwargs) %}{{ folium_map.script(this, kwargs) }}{% endmacro %}
        """
    )
    _template.globals["folium_map"] = folium.Map._template.module

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        PageFigure().add_child(self)  # instead of the plain Figure folium put it in


def installed() -> bool:
    return (NODE_MODULES / "leaflet" / "dist" / "leaflet.js").exists()
