"""GET /api/search: one box for codes, the registry's own addresses, communes and coordinates."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyproj import Geod
from sqlalchemy.orm import Session

from geo.crs import from_wgs84
from tests.factories import make_site, make_station

LON, LAT = 106.6881, 20.8449  # in Phường Lê Chân
GEOD = Geod(ellps="WGS84")


def metres(a: list[float] | tuple[float, float], b: tuple[float, float]) -> float:
    return float(GEOD.inv(a[0], a[1], b[0], b[1])[2])


@pytest.fixture
def places(db: Session, client: TestClient) -> dict[str, Any]:
    site = make_site(db, code="FIND-001", lon=LON, lat=LAT, address="Số 12 đường Tô Hiệu, tổ 3")
    make_station(db, site=site, station_code="HPG-BTS-7781")
    other = make_site(db, code="FIND-002", lon=LON + 0.01, lat=LAT, address="Số 5 Lạch Tray")
    outlet = {"code": "T-FIND", "kind": "print_newspaper", "name": "Báo Tìm Kiếm Thử",
              "address": "Số 9 Điện Biên Phủ", "position": {"lon": LON - 0.01, "lat": LAT}}  # fmt: skip
    assert client.post("/api/press/outlets", json=outlet).status_code == 201
    return {"site": site, "other": other}


def results(client: TestClient, q: str, **params: object) -> list[dict[str, Any]]:
    response = client.get("/api/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    body: list[dict[str, Any]] = response.json()["results"]
    return body


def test_codes_addresses_outlets_and_communes_without_diacritics(places: dict[str, Any], client: TestClient) -> None:
    first = results(client, "find-001")[0]
    assert (first["kind"], first["label"], first["code"]) == ("site", "FIND-001", "FIND-001")
    assert metres(first["position"], (LON, LAT)) < 0.01
    station = results(client, "HPG-BTS-7781")[0]
    assert (station["kind"], station["code"]) == ("station", "FIND-001")
    # An address, typed without diacritics, word order of the words kept loose.
    address = results(client, "to hieu so 12")[0]
    assert (address["kind"], address["code"]) == ("address", "FIND-001")
    assert address["label"] == "Số 12 đường Tô Hiệu, tổ 3"
    outlet = results(client, "dien bien phu")
    assert [r["kind"] for r in outlet] == ["outlet"] and outlet[0]["label"] == "Báo Tìm Kiếm Thử"
    # A commune by its name, with or without the kind word and diacritics: its extent and outline.
    for q in ("Lê Chân", "le chan", "phuong le chan"):
        commune = results(client, q)[0]
        assert (commune["kind"], commune["label"]) == ("commune", "Phường Lê Chân"), q
        x0, y0, x1, y1 = commune["bbox"]
        lon, lat = commune["position"]
        assert x0 < lon < x1 and y0 < lat < y1 and x1 - x0 < 0.2
        assert commune["outline"]["type"] in ("Polygon", "MultiPolygon")
        assert commune["kind_name"] == "Xã, phường"
    assert results(client, "Nhà hát lớn thành phố xyz") == []


def test_named_places_of_the_planning_zones(client: TestClient, anon: TestClient) -> None:
    """«Nhà hát lớn» is no site's address but the registry names it: a planning zone around it (public)."""
    ring = [[106.679, 20.865], [106.6905, 20.862], [106.6865, 20.854], [106.6755, 20.855], [106.679, 20.865]]
    zone = {"code": "FIND-QH", "name": "Khu trung tâm: Nhà hát lớn, quảng trường", "kind": "a1_only",
            "allowed_pole_classes": ["A1"], "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip
    assert client.post("/api/zones", json=zone).status_code == 201, zone
    for q in ("nha hat lon", "Nhà hát lớn", "quang truong nha hat"):
        found = [r for r in results(anon, q) if r["kind"] == "zone"]
        assert [r["code"] for r in found] == ["FIND-QH"], q
        x0, y0, x1, y1 = found[0]["bbox"]
        assert (x0, y0, x1, y1) == pytest.approx((106.6755, 20.854, 106.6905, 20.865), abs=1e-6)
        assert found[0]["kind_name"] == "Vùng quy hoạch" and found[0]["outline"]["type"] == "Polygon"


@pytest.mark.parametrize(
    "q",
    [
        "20.8449, 106.6881",
        "106.6881 20.8449",
        "20,8449 106,6881",
        "20.8449,106.6881",
        "20°50'41.64\"N 106°41'17.16\"E",
        "20 50 41.64 N 106 41 17.16 E",
    ],
)
def test_typed_coordinates(client: TestClient, q: str) -> None:
    first = results(client, q)[0]
    assert first["kind"] == "coordinates"
    assert metres(first["position"], (LON, LAT)) < 0.5, q


def test_vn2000_with_the_zone_as_meridian_or_epsg(client: TestClient) -> None:
    easting, northing = from_wgs84(9210, LON, LAT)
    for q in (
        f"X={northing:.2f} Y={easting:.2f} 105°45'",
        f"X = {northing:.2f}; Y = {easting:.2f} (EPSG:9210)",
        f"x: {northing:.2f}".replace(".", ",") + f" y: {easting:.2f}".replace(".", ",") + " kinh tuyến 105°45′",
    ):
        first = results(client, q)[0]
        assert first["kind"] == "coordinates", q
        assert "EPSG:9210" in first["detail"]
        assert metres(first["position"], (LON, LAT)) < 0.05, q
    # Without a zone, or outside Vietnam, typed numbers are no place.
    assert [r["kind"] for r in results(client, f"X={northing:.2f} Y={easting:.2f}")] != ["coordinates"]
    assert results(client, "48.8566, 2.3522") == []


def test_public_sees_a_station_only_as_its_site(places: dict[str, Any], anon: TestClient) -> None:
    found = results(anon, "HPG-BTS-7781")
    assert [(r["kind"], r["label"]) for r in found] == [("site", "FIND-001")]
    assert "HPG-BTS" not in str(found)


@pytest.mark.parametrize("q", ["<script>alert(1)</script>", "%", "_", "\\", "' OR 1=1 --", "x" * 200, "20°99'N 106°E"])
def test_hostile_text_is_just_text(places: dict[str, Any], client: TestClient, q: str) -> None:
    assert results(client, q) == []


def test_bounds(places: dict[str, Any], client: TestClient) -> None:
    assert client.get("/api/search", params={"q": "x" * 201}).status_code == 422
    assert client.get("/api/search", params={"q": "find", "limit": 21}).status_code == 422
    assert client.get("/api/search", params={"q": "find", "limit": 0}).status_code == 422
    assert len(results(client, "find", limit=1)) == 1
    assert results(client, "f") == []
