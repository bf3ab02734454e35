"""Every query parameter of /items refused as 400 problem+json naming it when it is wrong or hostile
(OGC API – Features /req/core/query-param-invalid and -unknown), and the answers' format chosen by
``f`` or the Accept header."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import media_type, problem
from tests.ogc.conftest import SITES

ITEMS = "/ogc/collections/sites/items"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "1000000"}, "limit"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-5"}, "limit"),
        ({"limit": "10; DROP TABLE site"}, "limit"),
        ({"offset": "-1"}, "offset"),
        ({"offset": "99999999999"}, "offset"),
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "106.7,20.9,106.6,20.8"}, "bbox"),  # min above max
        ({"bbox": "nan,20,107,21"}, "bbox"),
        ({"bbox": "106,20,inf,21"}, "bbox"),
        ({"bbox": "106,20,200,21"}, "bbox"),
        ({"bbox": "x,y,z,w"}, "bbox"),
        ({"bbox": "1e400,0,1,1"}, "bbox"),
        ({"bbox": "106,20,107,21", "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/4326"}, "bbox"),  # lat 106
        ({"crs": "EPSG:2154"}, "crs"),
        ({"crs": "http://www.opengis.net/def/crs/EPSG/0/99999"}, "crs"),
        ({"crs": "'; SELECT 1; --"}, "crs"),
        ({"crs": "+proj=longlat +towgs84=0,0,0"}, "crs"),
        ({"bbox-crs": "urn:x"}, "bbox-crs"),
        ({"filter-crs": "EPSG:1"}, "filter-crs"),
        ({"datetime": "yesterday"}, "datetime"),
        ({"datetime": "2025-02-30"}, "datetime"),
        ({"datetime": "2025-01-02/2025-01-01"}, "datetime"),
        ({"datetime": "a/b/c"}, "datetime"),
        ({"f": "xml"}, "f"),
        ({"filter-lang": "cql-text"}, "filter-lang"),
        ({"sortby": "code"}, "sortby"),
        ({"limit": "5", "token": "x"}, "token"),
    ],
)
def test_bad_parameters_are_400_naming_them(
    world: dict[str, Any], anon: TestClient, params: dict[str, str], field: str
) -> None:
    collection = "stations" if "datetime" in params else "sites"
    body = problem(anon.get(f"/ogc/collections/{collection}/items", params=params), 400)
    assert body["errors"][0]["field"] == field, body
    assert body["type"].endswith("invalid-parameter")


def test_the_item_route_refuses_unknown_parameters_and_bad_crs(world: dict[str, Any], anon: TestClient) -> None:
    problem(anon.get(ITEMS + "/OGC-001", params={"crs": "EPSG:27700"}), 400)
    problem(anon.get(ITEMS + "/OGC-001", params={"limit": "5"}), 400)
    assert anon.get(ITEMS + "/OGC-001", params={"crs": "EPSG:9210"}).status_code == 200


def test_six_number_bbox_and_open_intervals_are_accepted(world: dict[str, Any], anon: TestClient) -> None:
    with_heights = anon.get(ITEMS, params={"bbox": "106,20,-100,107,21,9000"})
    assert with_heights.status_code == 200 and with_heights.json()["numberMatched"] == SITES
    for open_ended in ("../..", "2020-01-01/", "/2030-01-01"):
        found = anon.get("/ogc/collections/stations/items", params={"datetime": open_ended}).json()
        assert found["numberMatched"] == SITES, open_ended


def test_format_follows_f_then_accept(world: dict[str, Any], anon: TestClient) -> None:
    browser = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"
    assert media_type(anon.get(ITEMS, headers={"Accept": browser})) == "text/html"
    assert media_type(anon.get(ITEMS, headers={"Accept": "application/geo+json, application/json"})) == (
        "application/geo+json"
    )
    assert media_type(anon.get(ITEMS, headers={"Accept": "*/*"})) == "application/geo+json"
    assert media_type(anon.get(ITEMS, params={"f": "json"}, headers={"Accept": browser})) == "application/geo+json"
    assert media_type(anon.get(ITEMS, params={"f": "geojson"})) == "application/geo+json"
    assert media_type(anon.get("/ogc/collections", headers={"Accept": browser})) == "text/html"
    assert media_type(anon.get("/ogc/collections/sites/queryables")) == "application/schema+json"
    answer = anon.get(ITEMS)
    assert answer.headers["vary"] == "Accept"


def test_next_links_keep_every_parameter(world: dict[str, Any], anon: TestClient) -> None:
    params = {"limit": "4", "crs": "EPSG:9210", "filter": "pole_class = 'A2b'", "bbox": "106,20,107,21"}
    body = anon.get(ITEMS, params=params).json()
    (next_link,) = [link for link in body["links"] if link["rel"] == "next"]
    follow = anon.get(next_link["href"])
    assert follow.status_code == 200 and follow.headers["content-crs"].endswith("/9210>")
    second = follow.json()
    assert second["numberReturned"] == 4 and second["numberMatched"] == body["numberMatched"] == 13
    assert all(f["properties"]["pole_class"] == "A2b" for f in second["features"])
    assert all(f["geometry"]["coordinates"][0] > 1000 for f in second["features"])  # still metres
