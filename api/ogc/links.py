"""Links of the OGC API: absolute addresses (GDAL prefixes a relative one with the landing page's
path, which doubles /ogc), each with its relation, media type and a Vietnamese title; and its JSON
answers."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from fastapi import Request, Response

JSON = "application/json"
GEOJSON = "application/geo+json"
HTML = "text/html"
SCHEMA = "application/schema+json"
OPENAPI = "application/vnd.oai.openapi+json;version=3.0"
MVT = "application/vnd.mapbox-vector-tile"
REL = "http://www.opengis.net/def/rel/ogc/1.0/"


def url(request: Request, path: str, **query: Any) -> str:
    """The absolute address of ``path`` (under the app's root) with ``query`` (None values left out)."""
    base = str(request.base_url).rstrip("/")
    shown = {k: v for k, v in query.items() if v is not None}
    return base + path + (f"?{urlencode(shown)}" if shown else "")


def link(rel: str, href: str, media: str, title: str, **extra: Any) -> dict[str, Any]:
    return {"rel": rel, "type": media, "title": title, "href": href, **extra}


def self_and_alternate(request: Request, shown: str, *, json_media: str = JSON) -> list[dict[str, Any]]:
    """``self`` for the format shown and ``alternate`` for the other one, both on this request's URL."""
    as_json = str(request.url.include_query_params(f="json"))
    as_html = str(request.url.include_query_params(f="html"))
    if shown == "html":
        return [link("self", as_html, HTML, "Trang này"), link("alternate", as_json, json_media, "Dạng JSON")]
    return [link("self", as_json, json_media, "Tài liệu này"), link("alternate", as_html, HTML, "Dạng trang web")]


def answer(body: dict[str, Any], media: str = JSON, headers: dict[str, str] | None = None) -> Response:
    """A JSON document of the OGC API (the format was negotiated: Vary: Accept)."""
    return Response(
        json.dumps(body, ensure_ascii=False), media_type=media, headers={"Vary": "Accept", **(headers or {})}
    )
