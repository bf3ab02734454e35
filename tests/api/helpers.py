"""Assertions shared by the API tests: problem+json bodies, GeoJSON collections, paging, geodesy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pyproj

GEOD = pyproj.Geod(ellps="WGS84")
PROBLEM = "application/problem+json"
GEOJSON = "application/geo+json"
COMMUNES = Path(__file__).resolve().parents[2] / "fixtures" / "haiphong" / "communes.geojson"


def geod_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    return float(GEOD.inv(lon1, lat1, lon2, lat2)[2])


def media_type(response: httpx.Response) -> str:
    return response.headers.get("content-type", "").split(";")[0].strip()


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The problem+json body of an error response, after checking its shape (RFC 9457)."""
    assert response.status_code == status, (response.status_code, response.text)
    assert media_type(response) == PROBLEM, response.headers.get("content-type")
    body = response.json()
    assert body["status"] == status
    assert isinstance(body.get("title"), str) and body["title"]
    assert isinstance(body.get("detail"), str) and body["detail"]
    assert isinstance(body.get("type"), str) and body["type"]
    # Clients never see database or stack text.
    lowered = response.text.lower()
    for leak in ("traceback", "sqlalchemy", "psycopg", "select ", "postgis error"):
        assert leak not in lowered, leak
    return body


def error_fields(body: dict[str, Any]) -> set[str]:
    """The fields named in the problem's ``errors`` list."""
    errors = body.get("errors")
    assert isinstance(errors, list) and errors, f"problem has no errors list: {body}"
    return {e["field"] for e in errors if e.get("field")}


def assert_names_field(body: dict[str, Any], field: str) -> None:
    fields = error_fields(body)
    assert field in fields or any(f.startswith(field + ".") for f in fields), (field, body)


def collection(response: httpx.Response) -> dict[str, Any]:
    """A GeoJSON FeatureCollection response, after checking its shape."""
    assert response.status_code == 200, response.text
    assert media_type(response) == GEOJSON
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert isinstance(body["features"], list)
    assert body["numberReturned"] == len(body["features"])
    for feature in body["features"]:
        assert feature["type"] == "Feature"
        assert feature["geometry"]["type"] == "Point"
        assert len(feature["geometry"]["coordinates"]) == 2
    return body


def link(body: dict[str, Any], rel: str) -> str | None:
    hrefs = [lk["href"] for lk in body.get("links", []) if lk["rel"] == rel]
    assert len(hrefs) <= 1, body["links"]
    return hrefs[0] if hrefs else None


def walk(client: Any, url: str, params: dict[str, Any] | None = None) -> tuple[list[dict[str, Any]], int]:
    """Follow ``next`` links from the first page; (every feature in order, number of pages)."""
    body = collection(client.get(url, params=params))
    matched = body["numberMatched"]
    features = list(body["features"])
    pages = 1
    while (href := link(body, "next")) is not None:
        body = collection(client.get(href))
        assert body["numberMatched"] == matched
        assert body["features"], "a next link must lead to a page with features"
        features.extend(body["features"])
        pages += 1
        assert pages < 1000
    assert len(features) == matched
    return features, pages


def codes(body: dict[str, Any]) -> list[str]:
    return [f["id"] for f in body["features"]]


def communes() -> list[dict[str, Any]]:
    return list(json.loads(COMMUNES.read_text(encoding="utf-8"))["features"])


def versioned(client: Any, url: str) -> dict[str, str]:
    """If-Match for the record at ``url`` as just read (empty when it does not exist)."""
    response = client.get(url)
    return {"If-Match": response.headers["etag"]} if response.status_code == 200 else {}


def page_problem(response: httpx.Response, status: int) -> dict[str, Any]:
    """The error page a browser gets where the API would answer problem+json (maps/templates/error.html),
    read back into the same shape: status, title, detail and the fields' errors."""
    import html
    import re

    assert response.status_code == status, (response.status_code, response.text[:500])
    assert media_type(response) == "text/html", response.headers.get("content-type")
    text = response.text
    assert f'id="error-page" data-status="{status}"' in text
    # The page's own stylesheet is inlined and may name the element <select>: leaks are looked for outside it.
    lowered = re.sub(r"<style\b.*?</style>", "", text, flags=re.S | re.I).lower()
    for leak in ("traceback", "sqlalchemy", "psycopg", "select ", "postgis error"):
        assert leak not in lowered, leak
    title = re.search(r"<h1>(.*?)</h1>", text, re.S)
    detail = re.search(r'<p class="lead">(.*?)</p>', text, re.S)
    assert title and detail and detail.group(1).strip()
    errors = [
        {"field": html.unescape(f), "message": html.unescape(m)}
        for f, m in re.findall(r"<li>(?:<b>(.*?)</b>: )?(.*?)</li>", text.split('class="error-list"', 1)[-1])
    ] if 'class="error-list"' in text else []  # fmt: skip
    return {"status": status, "title": html.unescape(title.group(1)), "detail": html.unescape(detail.group(1)),
            "errors": errors}  # fmt: skip
