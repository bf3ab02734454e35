"""Radius and nearest answers against an independent geodesic computation (pyproj ``Geod``).

About 200 random sites in Hải Phòng's urban core; the API must return exactly the sites pyproj
puts within the radius (none lies within a millimetre of the circle, so the answer is not decided
by rounding), in the same order, with the same distances to a centimetre.
"""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from fastapi.testclient import TestClient
from shapely.geometry import Point, shape
from sqlalchemy.orm import Session

from registry.settings import Settings
from registry.stations.models import Site
from tests.api.helpers import codes, collection, geod_m, problem, walk
from tests.factories import URBAN_CORE, make_random_sites, random_points

SEEDS = [101, 202, 303]


@pytest.fixture
def field(db: Session) -> list[Site]:
    return make_random_sites(db, count=200, seed=7)


def distances(sites: list[Site], lon: float, lat: float) -> dict[str, float]:
    return {s.code: geod_m(lon, lat, s.source_x, s.source_y) for s in sites}


def clear_radius(dist: dict[str, float], rng: random.Random) -> float:
    """A radius that holds a few dozen sites and has none within 1e-3 m of its circle."""
    while True:
        radius = rng.uniform(1500.0, 4000.0)
        if all(abs(d - radius) > 1e-3 for d in dist.values()):
            return radius


def assert_well_separated(values: list[float]) -> None:
    """Precondition for comparing orders: no two distances closer than a millimetre."""
    ordered = sorted(values)
    assert all(b - a > 1e-3 for a, b in zip(ordered, ordered[1:], strict=False))


@pytest.mark.parametrize("seed", SEEDS)
def test_radius_search_is_exactly_the_geodesic_disc(client: TestClient, field: list[Site], seed: int) -> None:
    rng = random.Random(seed)
    ((lon, lat),) = random_points(rng, 1)
    dist = distances(field, lon, lat)
    radius = clear_radius(dist, rng)
    expected = {code for code, d in dist.items() if d <= radius}
    assert 3 <= len(expected) < len(field), "test set-up: the disc should hold some sites, not all"

    body = collection(client.get("/api/sites", params={"near": f"{lon!r},{lat!r}", "radius_m": radius, "limit": 1000}))
    got = codes(body)
    assert set(got) == expected
    assert len(got) == len(expected) == body["numberMatched"]
    for feature in body["features"]:
        assert feature["properties"]["distance_m"] == pytest.approx(dist[feature["id"]], abs=0.01)
    assert_well_separated([dist[c] for c in got])
    assert got == sorted(got, key=dist.__getitem__), "ordered by distance"


@pytest.mark.parametrize("seed", SEEDS)
def test_radius_search_pages_through_the_same_disc(client: TestClient, field: list[Site], seed: int) -> None:
    rng = random.Random(seed)
    ((lon, lat),) = random_points(rng, 1)
    dist = distances(field, lon, lat)
    radius = clear_radius(dist, rng)
    expected = sorted((c for c, d in dist.items() if d <= radius), key=dist.__getitem__)
    features, _ = walk(client, "/api/sites", {"near": f"{lon!r},{lat!r}", "radius_m": radius, "limit": 7})
    assert [f["id"] for f in features] == expected


@pytest.mark.parametrize("seed", SEEDS)
def test_stations_within_radius(client: TestClient, field: list[Site], seed: int) -> None:
    rng = random.Random(seed)
    ((lon, lat),) = random_points(rng, 1)
    dist = distances(field, lon, lat)
    radius = clear_radius(dist, rng)
    expected = {f"{code}-S" for code, d in dist.items() if d <= radius}  # one station per random site
    body = collection(
        client.get("/api/stations", params={"near": f"{lon!r},{lat!r}", "radius_m": radius, "limit": 1000})
    )
    assert {f["properties"]["station_code"] for f in body["features"]} == expected
    for f in body["features"]:
        assert f["properties"]["distance_m"] == pytest.approx(dist[f["properties"]["site_code"]], abs=0.01)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("n", [1, 10, 37])
def test_nearest_matches_geod_order_and_distance(client: TestClient, field: list[Site], seed: int, n: int) -> None:
    rng = random.Random(seed)
    ((lon, lat),) = random_points(rng, 1)
    dist = distances(field, lon, lat)
    assert_well_separated(list(dist.values()))
    expected = sorted(dist, key=dist.__getitem__)[:n]

    response = client.get("/api/sites/nearest", params={"lon": repr(lon), "lat": repr(lat), "n": n})
    body = collection(response)
    assert codes(body) == expected
    for feature in body["features"]:
        assert feature["properties"]["distance_m"] == pytest.approx(dist[feature["id"]], abs=0.01)


@pytest.mark.parametrize("where", [(106.30, 20.70), (106.675, 20.853), (107.0, 20.95)])
def test_nearest_from_inside_and_outside_the_cloud(
    client: TestClient, field: list[Site], where: tuple[float, float]
) -> None:
    lon, lat = where
    dist = distances(field, lon, lat)
    expected = sorted(dist, key=dist.__getitem__)[:10]
    body = collection(client.get("/api/sites/nearest", params={"lon": lon, "lat": lat}))
    assert codes(body) == expected, "default n is 10"


def test_nearest_with_an_operator_filter(client: TestClient, field: list[Site]) -> None:
    rng = random.Random(404)
    ((lon, lat),) = random_points(rng, 1)
    mobifone = [s for s in field if s.stations[0].operator.code == "MOBIFONE"]
    assert 10 < len(mobifone) < len(field)
    dist = distances(mobifone, lon, lat)
    expected = sorted(dist, key=dist.__getitem__)[:10]
    body = collection(
        client.get("/api/sites/nearest", params={"lon": lon, "lat": lat, "n": 10, "operator": "mobifone"})
    )
    assert codes(body) == expected
    for feature in body["features"]:
        assert feature["properties"]["distance_m"] == pytest.approx(dist[feature["id"]], abs=0.01)
        assert feature["properties"]["operators"] == ["MobiFone"]


def test_nearest_with_technology_and_pole_class_filters(client: TestClient, field: list[Site]) -> None:
    lon, lat = 106.68, 20.85
    chosen = [s for s in field if "5G" in s.stations[0].technologies and s.pole_class in ("A2a", "A2b")]
    assert len(chosen) > 5
    dist = distances(chosen, lon, lat)
    expected = sorted(dist, key=dist.__getitem__)[:5]
    body = collection(
        client.get(
            "/api/sites/nearest",
            params={"lon": lon, "lat": lat, "n": 5, "technology": "5G", "pole_class": "A2a,A2b"},
        )
    )
    assert codes(body) == expected


def test_nearest_asking_for_more_than_there_are(client: TestClient, db: Session, settings: Settings) -> None:
    made = make_random_sites(db, count=12, seed=8)
    body = collection(client.get("/api/sites/nearest", params={"lon": 106.68, "lat": 20.85, "n": settings.max_nearest}))
    assert sorted(codes(body)) == sorted(s.code for s in made)


def test_nearest_on_an_empty_registry(client: TestClient) -> None:
    body = collection(client.get("/api/sites/nearest", params={"lon": 106.68, "lat": 20.85}))
    assert body["features"] == []


def test_nearest_above_the_maximum_is_refused(client: TestClient, settings: Settings) -> None:
    body = problem(
        client.get("/api/sites/nearest", params={"lon": 106.68, "lat": 20.85, "n": settings.max_nearest + 1}),
        400,
    )
    assert "n" in {e.get("field") for e in body.get("errors", [])}


def test_bbox_and_within_agree_with_shapely(client: TestClient, field: list[Site]) -> None:
    rng = random.Random(505)
    for _ in range(5):
        x0, x1 = sorted(rng.uniform(URBAN_CORE[0], URBAN_CORE[2]) for _ in range(2))
        y0, y1 = sorted(rng.uniform(URBAN_CORE[1], URBAN_CORE[3]) for _ in range(2))
        box = shape({"type": "Polygon", "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]]})
        expected = sorted(s.code for s in field if box.contains(Point(s.source_x, s.source_y)))
        by_bbox = collection(client.get("/api/sites", params={"bbox": f"{x0!r},{y0!r},{x1!r},{y1!r}", "limit": 1000}))
        assert sorted(codes(by_bbox)) == expected
        by_within = collection(
            client.get("/api/sites", params={"within": json.dumps(box.__geo_interface__), "limit": 1000})
        )
        assert sorted(codes(by_within)) == expected


def test_within_a_multipolygon(client: TestClient, field: list[Site]) -> None:
    geometry: dict[str, Any] = {
        "type": "MultiPolygon",
        "coordinates": [
            [[[106.60, 20.80], [106.64, 20.80], [106.64, 20.84], [106.60, 20.84], [106.60, 20.80]]],
            [[[106.70, 20.86], [106.75, 20.86], [106.75, 20.90], [106.70, 20.90], [106.70, 20.86]]],
        ],
    }
    shp = shape(geometry)
    expected = sorted(s.code for s in field if shp.contains(Point(s.source_x, s.source_y)))
    assert expected
    body = collection(client.get("/api/sites", params={"within": json.dumps(geometry), "limit": 1000}))
    assert sorted(codes(body)) == expected


def test_radius_with_near_and_other_filters(client: TestClient, field: list[Site]) -> None:
    lon, lat = 106.68, 20.85
    dist = distances(field, lon, lat)
    radius = clear_radius(dist, random.Random(606))
    expected = {s.code for s in field if dist[s.code] <= radius and s.stations[0].operator.code in ("VIETTEL", "VNPT")}
    body = collection(
        client.get(
            "/api/sites",
            params={
                "near": f"{lon},{lat}",
                "radius_m": radius,
                "operator": "Viettel,VinaPhone",
                "limit": 1000,
            },
        )
    )
    assert set(codes(body)) == expected
