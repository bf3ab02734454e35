"""EMF safety distances through the API: the distance of each sector and the site's largest (public), the
EIRP staff-only, one wedge per sector checked against pyproj's Geod, the bbox route's bounds and
hostile parameters."""

from __future__ import annotations

import math
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pyproj import Geod
from shapely.geometry import Point, shape
from sqlalchemy.orm import Session

from registry.accounts.permissions import PUBLIC_FIELDS
from registry.settings import Settings
from tests.api.helpers import problem
from tests.factories import make_site, make_station

LON, LAT = 106.6880, 20.8610
GEOD = Geod(ellps="WGS84")


def _r(eirp_w: float) -> float:
    """The formula written out again, independently of registry/stations/emf.py."""
    return round(math.sqrt(eirp_w / (4 * math.pi * 2.0)), 2)


@pytest.fixture
def site(db: Session) -> Any:
    s = make_site(db, code="HP-EMF01", lon=LON, lat=LAT, address="Số 1 Điện Biên Phủ")
    # Viettel: three sectors, one without an EIRP; VNPT: one strong sector pointing north-west.
    make_station(
        db, site=s, operator_code="VIETTEL", sectors=[(0.0, 4.0, 1000.0), (120.0, 4.0, 400.0), (240.0, 4.0, None)]
    )
    make_station(db, site=s, operator_code="VNPT", sectors=[(315.0, 2.0, 4000.0)])
    # A second site 300 m east, with one sector, and one far away (outside a small bbox).
    make_station(db, code="HP-EMF02", lon=LON + 0.0029, lat=LAT, sectors=[(90.0, 2.0, 250.0)])
    make_station(db, code="HP-EMF99", lon=LON + 0.2, lat=LAT + 0.2, sectors=[(90.0, 2.0, 250.0)])
    make_site(db, code="HP-EMF00", lon=LON - 0.001, lat=LAT)  # no station: no wedge
    return s


def test_sectors_and_sites_carry_their_distance_and_the_public_never_the_eirp(
    site: Any, anon: TestClient, client: TestClient
) -> None:
    public = anon.get("/api/sites/HP-EMF01").json()["properties"]
    assert public["max_compliance_distance_m"] == _r(4000) == 12.62
    by_operator = {st["operator"]: st["sectors"] for st in public["stations"]}
    assert [(s["sector_no"], s["azimuth_deg"], s["compliance_distance_m"]) for s in by_operator["Viettel"]] == [
        (1, 0.0, _r(1000)),
        (2, 120.0, _r(400)),
        (3, 240.0, None),
    ]
    for st in public["stations"]:
        for sector in st["sectors"]:
            assert set(sector) <= PUBLIC_FIELDS["sector"] and "eirp_w" not in sector and "tilt_deg" not in sector
    assert "eirp_w" not in anon.get("/api/sites/HP-EMF01").text

    staff = client.get("/api/sites/HP-EMF01").json()["properties"]
    assert staff["max_compliance_distance_m"] == 12.62
    sectors = {st["operator"]: st["sectors"] for st in staff["stations"]}["Viettel"]
    assert [(s["eirp_w"], s["compliance_distance_m"]) for s in sectors] == [(1000.0, 6.31), (400.0, 3.99), (None, None)]
    # The station's own answer carries the distance as well, public fields only for the public.
    station_id = public["stations"][0]["id"]
    one = anon.get(f"/api/stations/{station_id}").json()
    assert [s["compliance_distance_m"] for s in one["sectors"]] == [6.31, 3.99, None]
    assert all("eirp_w" not in s for s in one["sectors"])
    assert client.get(f"/api/stations/{station_id}").json()["sectors"][0]["eirp_w"] == 1000.0


def test_a_site_without_an_eirp_has_no_distance(site: Any, anon: TestClient) -> None:
    assert anon.get("/api/sites/HP-EMF00").json()["properties"]["max_compliance_distance_m"] is None
    body = anon.get("/api/sites/HP-EMF00/safety-distances").json()
    assert body["type"] == "FeatureCollection" and body["features"] == []


def _vertex_checks(feature: dict[str, Any], beamwidth: float) -> None:
    """The wedge starts and ends at the site, its arc at the sector's distance (geodesic, pyproj) between
    azimuth ± half the beam width."""
    p = feature["properties"]
    ring = feature["geometry"]["coordinates"][0]
    assert ring[0] == ring[-1] == pytest.approx([LON, LAT], abs=1e-7)
    arc = ring[1:-1]
    r = p["compliance_distance_m"]
    slack = math.degrees(0.02 / r)  # coordinates are given to 1e-7° (about 1 cm)
    for lon, lat in arc:
        fwd, _, dist = GEOD.inv(LON, LAT, lon, lat)
        assert dist == pytest.approx(r, abs=0.02)
        off = (fwd - p["azimuth_deg"] + 540) % 360 - 180
        assert -beamwidth / 2 - slack <= off <= beamwidth / 2 + slack
    # The arc's ends are where pyproj puts the beam's edges, to the centimetre.
    for end, edge in ((arc[0], -beamwidth / 2), (arc[-1], beamwidth / 2)):
        lon, lat, _ = GEOD.fwd(LON, LAT, p["azimuth_deg"] + edge, r)
        assert GEOD.inv(lon, lat, *end)[2] < 0.02
    # A point along the azimuth just inside the distance lies in the wedge; just outside it does not.
    wedge = shape(feature["geometry"])
    for factor, inside in ((0.9, True), (1.1, False)):
        lon, lat, _ = GEOD.fwd(LON, LAT, p["azimuth_deg"], p["compliance_distance_m"] * factor)
        assert wedge.contains(Point(lon, lat)) is inside


def test_one_wedge_per_sector_along_its_azimuth(site: Any, anon: TestClient, client: TestClient) -> None:
    body = anon.get("/api/sites/HP-EMF01/safety-distances")
    assert body.status_code == 200 and body.headers["content-type"].startswith("application/geo+json")
    doc = body.json()
    assert doc["limit_w_m2"] == 2.0 and doc["beamwidth_deg"] == 65.0 and doc["rule"] == "emf.public_power_density"
    features = doc["features"]
    assert [(f["properties"]["operator"], f["properties"]["sector_no"]) for f in features] == [
        ("Viettel", 1),
        ("Viettel", 2),
        ("VNPT", 1),
    ]
    for f in features:
        assert set(f["properties"]) <= PUBLIC_FIELDS["safety_distance"]
        assert f["properties"]["site_code"] == "HP-EMF01"
        _vertex_checks(f, 65.0)
    assert [f["properties"]["compliance_distance_m"] for f in features] == [_r(1000), _r(400), _r(4000)]
    assert "eirp_w" not in body.text and "station_code" not in body.text

    staff = client.get("/api/sites/HP-EMF01/safety-distances").json()["features"]
    assert [f["properties"]["eirp_w"] for f in staff] == [1000.0, 400.0, 4000.0]


def test_the_beam_width_is_a_setting(site: Any, anon: TestClient, settings: Settings) -> None:
    settings.emf_beamwidth_deg = 30.0
    features = anon.get("/api/sites/HP-EMF01/safety-distances").json()["features"]
    for f in features:
        _vertex_checks(f, 30.0)


def test_the_wedges_of_the_sites_in_a_view(site: Any, anon: TestClient) -> None:
    box = f"{LON - 0.005},{LAT - 0.005},{LON + 0.005},{LAT + 0.005}"
    features = anon.get("/api/safety-distances", params={"bbox": box}).json()["features"]
    assert sorted({f["properties"]["site_code"] for f in features}) == ["HP-EMF01", "HP-EMF02"]
    assert len(features) == 4


def test_the_view_is_bounded_by_area_and_count(site: Any, anon: TestClient, settings: Settings) -> None:
    wide = anon.get("/api/safety-distances", params={"bbox": "106.0,20.0,107.0,21.0"})
    body = problem(wide, 400)
    assert "tối đa 100 km²" in body["detail"]
    settings.emf_max_sectors = 3
    box = f"{LON - 0.005},{LAT - 0.005},{LON + 0.005},{LAT + 0.005}"
    body = problem(anon.get("/api/safety-distances", params={"bbox": box}), 400)
    assert "tối đa 3" in body["detail"]
    settings.emf_max_sectors = 4
    assert len(anon.get("/api/safety-distances", params={"bbox": box}).json()["features"]) == 4


@pytest.mark.parametrize(
    "bbox",
    [
        "",
        "abc",
        "1,2,3",
        "106.7,20.9,106.6,20.8",  # min above max
        "nan,20.8,106.7,20.9",
        "inf,20.8,106.7,20.9",
        "-200,20.8,106.7,20.9",
        "<script>alert(1)</script>",
        "1," * 300,
        "106.6,20.8,106.7,20.9\x00",
    ],
)
def test_hostile_bboxes_are_refused_in_words(site: Any, anon: TestClient, bbox: str) -> None:
    answer = anon.get("/api/safety-distances", params={"bbox": bbox})
    assert answer.status_code in (400, 422), answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert answer.json()["detail"] and "Traceback" not in answer.text


def test_a_missing_bbox_or_unknown_site_is_a_clear_answer(site: Any, anon: TestClient) -> None:
    assert anon.get("/api/safety-distances").status_code == 422
    problem(anon.get("/api/sites/KHONG-CO/safety-distances"), 404)
    problem(anon.get("/api/sites/%3Cscript%3E/safety-distances"), 404)
