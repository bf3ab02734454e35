"""Geometry size (issue #13 item 10): every geometry input is bounded in vertices, counted on the raw
GeoJSON before shapely or PostGIS builds anything; a zone import is bounded in features too."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from geo.checks import vertex_count
from registry.settings import Settings
from registry.zones.models import PlanningZone
from tests.api.helpers import assert_names_field, problem


def ring(n: int, lon: float = 106.68, lat: float = 20.86, r: float = 0.01) -> list[list[float]]:
    """A closed ring of ``n`` distinct vertices (plus the closing one) around a point in Hải Phòng."""
    points = [
        [round(lon + r * math.cos(2 * math.pi * i / n), 7), round(lat + r * math.sin(2 * math.pi * i / n), 7)]
        for i in range(n)
    ]
    return [*points, points[0]]


def polygon(n: int, **kw: float) -> dict[str, Any]:
    return {"type": "Polygon", "coordinates": [ring(n, **kw)]}


def test_vertex_count_of_each_geojson_shape() -> None:
    assert vertex_count(polygon(4)) == 5
    multi = {"type": "MultiPolygon", "coordinates": [[ring(4)], [ring(6), ring(3)]]}
    assert vertex_count(multi) == 5 + 7 + 4
    assert vertex_count({"type": "Feature", "properties": {}, "geometry": polygon(9)}) == 10
    collection = {"type": "GeometryCollection", "geometries": [polygon(4), {"type": "Point", "coordinates": [1, 2]}]}
    assert vertex_count(collection) == 6
    assert vertex_count({"type": "Polygon", "coordinates": [ring(3)], "bbox": [[1, 2]] * 50}) == 4


def test_vertex_count_stops_early_and_survives_hostile_nesting() -> None:
    assert vertex_count(polygon(200_000), stop_after=10) == 11
    deep: Any = [1.0, 2.0]
    for _ in range(100_000):  # deeper than any recursion limit
        deep = [deep]
    assert vertex_count({"type": "Polygon", "coordinates": deep}) == 1
    assert vertex_count({"type": "Polygon", "coordinates": "[[1,2]]"}) == 0
    assert vertex_count(None) == 0
    assert vertex_count({"type": "Polygon", "coordinates": [[[True, False]]]}) == 0


def zone_body(code: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"code": code, "name": "Vùng thử <script>alert(1)</script>", "kind": "height_limited", "geometry": geometry}


def zones(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(PlanningZone)) or 0)


def test_a_zone_body_over_the_vertex_limit_is_422_naming_geometry(client: TestClient, db: Session) -> None:
    before = zones(db)
    limit = Settings().max_geometry_vertices
    body = problem(client.post("/api/zones", json=zone_body("V-BIG", polygon(limit + 50))), 422)
    assert_names_field(body, "geometry")
    assert f"{limit:,}".replace(",", ".") in body["errors"][0]["message"]
    assert zones(db) == before
    assert client.post("/api/zones", json=zone_body("V-OK", polygon(500))).status_code == 201


def test_a_200000_vertex_zone_body_is_refused(client: TestClient, db: Session) -> None:
    before = zones(db)
    response = client.post("/api/zones", json=zone_body("V-HUGE", polygon(200_000)))
    # Over 1 MB of JSON: the body limit refuses it before the vertices are even counted.
    assert problem(response, 413)["type"].endswith("/limit-exceeded")
    assert zones(db) == before


def test_a_zone_patch_is_bounded_too(client: TestClient) -> None:
    created = client.post("/api/zones", json=zone_body("V-PATCH", polygon(8)))
    assert created.status_code == 201, created.text
    response = client.patch(
        "/api/zones/V-PATCH", json={"geometry": polygon(20_000)}, headers={"If-Match": created.headers["ETag"]}
    )
    assert_names_field(problem(response, 422), "geometry")


def feature(code: str, geometry: dict[str, Any]) -> dict[str, Any]:
    return {"type": "Feature", "properties": {"code": code, "name": code, "kind": "urban"}, "geometry": geometry}


def upload(client: TestClient, collection: dict[str, Any]) -> Any:
    data = json.dumps({"type": "FeatureCollection", "features": collection}).encode()
    return client.post("/api/zones/import", files={"file": ("vung.geojson", data, "application/geo+json")})


def test_an_imported_200000_vertex_zone_is_422_naming_the_feature(client: TestClient, db: Session) -> None:
    before = zones(db)
    features = [feature("IMP-1", polygon(10)), feature("IMP-2", polygon(200_000, lon=106.7))]
    body = problem(upload(client, features), 422)  # type: ignore[arg-type]
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(2, "geometry")]
    assert zones(db) == before


def test_the_features_of_one_import_are_bounded(client: TestClient, settings: Settings, db: Session) -> None:
    settings.max_zone_features = 3
    features = [feature(f"F-{i}", polygon(6, lon=106.6 + i / 50)) for i in range(4)]
    body = problem(upload(client, features), 413)  # type: ignore[arg-type]
    assert body["limit"] == 3 and body["errors"][0]["field"] == "file"
    settings.max_zone_features = 4
    assert upload(client, features).status_code == 200  # type: ignore[arg-type]


def test_within_polygons_are_bounded(client: TestClient, settings: Settings) -> None:
    settings.max_geometry_vertices = 100
    within = json.dumps(polygon(150))
    body = problem(client.get("/api/stations", params={"within": within}), 422)
    assert_names_field(body, "within")
    assert client.get("/api/stations", params={"within": json.dumps(polygon(50))}).status_code == 200


@pytest.mark.parametrize("n", [4, 9_999])
def test_geometries_within_the_limit_are_accepted(client: TestClient, n: int) -> None:
    response = client.post("/api/zones", json=zone_body(f"V-{n}", polygon(n)))
    assert response.status_code == 201, response.text[:300]
