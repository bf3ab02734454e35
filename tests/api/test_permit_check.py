"""The permit check against cases built here: a site just inside (or outside) a zone edge, a pole
exactly at the spacing distance, a certificate expiring today, a rule that changed on a given date,
and a proposed site that is checked without being stored."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pyproj
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from registry.stations.models import Site
from tests.api.helpers import problem, versioned
from tests.factories import box, make_licence, make_permit, make_site, make_station, make_zone

GEOD = pyproj.Geod(ellps="WGS84")
ON = date(2026, 11, 28)
# A quiet corner of the urban core, away from the shared test data.
LON, LAT = 106.700, 20.840


def east_of(lon: float, lat: float, metres: float) -> tuple[float, float]:
    x, y, _ = GEOD.fwd(lon, lat, 90.0, metres)
    return x, y


def check(client: TestClient, code: str, on: date = ON) -> dict[str, Any]:
    response = client.get(f"/api/sites/{code}/permit-check", params={"on": on.isoformat()})
    assert response.status_code == 200, response.text
    return response.json()


def fully_permitted(db: Session, site: Site, *, until: date | None = None) -> None:
    """Every site permit the seeded rules ask of an A2a/A2b site under 45 m."""
    make_permit(db, kind="construction_notification", site=site)
    make_permit(db, kind="construction_permit", site=site)
    for st in site.stations:
        make_permit(db, kind="inspection_certificate", station=st, valid_until=until or ON + timedelta(days=900))


def reasons(body: dict[str, Any]) -> set[str]:
    return {r["code"] for r in body["reasons"]}


@pytest.fixture
def urban_area(db: Session) -> None:
    # Urban by zone, so the spacing rule does not depend on the approximate commune map.
    make_zone(db, polygon=box(LON, LAT, 0.05), kind="urban", urban=True, code="Z-URBAN")


@pytest.mark.usefixtures("urban_area")
def test_a_fully_permitted_site_is_compliant(client: TestClient, db: Session) -> None:
    site = make_site(db, code="PC-OK", lon=LON, lat=LAT, pole_class="A2b", pole_height_m=30)
    make_station(db, site=site, bands=["1800"])
    make_licence(db, band="1800", valid_until=date(2035, 1, 1))
    db.expire(site, ["stations"])
    fully_permitted(db, site)
    body = check(client, "PC-OK")
    assert body["verdict"] == "compliant", body["reasons"]
    assert {p["rule"] for p in body["required_permits"]} == {"SITE-NOTIFY", "SITE-A2B-PERMIT"}
    assert all(p["met"] for p in body["required_permits"])
    assert body["stations"][0]["frequency_licences"][0]["status"] == "valid"
    assert [z["code"] for z in body["zones"]] == ["Z-URBAN"] and body["urban"] is True


@pytest.mark.parametrize(("inside", "expected"), [(True, {"pole_class_not_allowed"}), (False, set())])
def test_a_site_just_inside_or_outside_a_zone_edge(
    client: TestClient, db: Session, inside: bool, expected: set[str]
) -> None:
    half = 0.01
    make_zone(db, polygon=box(LON, LAT, half), kind="a1_only", allowed_pole_classes=["A1"], code="Z-A1")
    edge = LON + half
    # About 1 cm inside or outside the eastern edge.
    lon = edge - 1e-7 if inside else edge + 1e-7
    site = make_site(db, code="PC-EDGE", lon=lon, lat=LAT, pole_class="A2a", pole_height_m=12)
    fully_permitted(db, site)
    body = check(client, "PC-EDGE")
    assert ("Z-A1" in [z["code"] for z in body["zones"]]) is inside
    assert reasons(body) & {"pole_class_not_allowed"} == expected
    assert body["verdict"] == ("non_compliant" if inside else "compliant")


def test_a_site_exactly_on_the_zone_boundary_is_in_the_zone(client: TestClient, db: Session) -> None:
    make_zone(db, polygon=box(LON, LAT, 0.01), kind="height_limited", max_height_m=20, code="Z-H")
    site = make_site(db, code="PC-ON", lon=LON + 0.01, lat=LAT, pole_class="A2b", pole_height_m=25)
    fully_permitted(db, site)
    body = check(client, "PC-ON")
    (zone,) = body["zones"]
    assert zone["code"] == "Z-H" and zone["height_allowed"] is False
    assert "too_high" in reasons(body)


@pytest.mark.usefixtures("urban_area")
@pytest.mark.parametrize(("distance", "violates"), [(150.0, False), (149.9, True), (150.1, False)])
def test_a_pole_at_the_spacing_distance(client: TestClient, db: Session, distance: float, violates: bool) -> None:
    # A2a up to 15 m in an urban area: 150 m between bulky poles (seeded general rule).
    site = make_site(db, code="PC-SP", lon=LON, lat=LAT, pole_class="A2a", pole_height_m=12)
    fully_permitted(db, site)
    lon2, lat2 = east_of(LON, LAT, distance)
    make_site(db, code="PC-NB", lon=lon2, lat=lat2, pole_class="A2b", pole_height_m=30)
    make_site(db, code="PC-SMALL", lon=LON, lat=LAT + 0.0005, pole_class="A1a", pole_height_m=3)  # not bulky
    body = check(client, "PC-SP")
    assert body["spacing"]["min_distance_m"] == 150.0 and body["spacing"]["zone_specific"] is False
    close = body["spacing"]["too_close"]
    assert [c["code"] for c in close] == (["PC-NB"] if violates else [])
    if violates:
        assert close[0]["distance_m"] == pytest.approx(distance, abs=0.01)
    assert ("spacing" in reasons(body)) is violates
    # Every other site within 500 m is a co-location candidate, nearest first, small ones too.
    candidates = [c["code"] for c in body["colocation_candidates"]]
    assert set(candidates) == {"PC-NB", "PC-SMALL"} and candidates[0] == "PC-SMALL"


def test_a_zone_spacing_rule_overrides_the_general_one(client: TestClient, db: Session) -> None:
    make_zone(db, polygon=box(LON, LAT, 0.05), kind="rural", urban=False, code="Z-R")
    site = make_site(db, code="PC-Z", lon=LON, lat=LAT, pole_class="A2a", pole_height_m=20)
    fully_permitted(db, site)
    lon2, lat2 = east_of(LON, LAT, 380.0)
    make_site(db, code="PC-Z2", lon=lon2, lat=lat2, pole_class="A2a", pole_height_m=20)
    general = check(client, "PC-Z")
    assert general["spacing"]["min_distance_m"] == 350.0 and general["spacing"]["too_close"] == []
    created = client.post(
        "/api/spacing-rules",
        json={
            "zone_code": "Z-R",
            "pole_class": "A2",
            "min_distance_m": 400,
            "legal_basis": "QĐ thử",
            "effective_from": "2026-01-01",
        },
    )
    assert created.status_code == 201, created.text
    body = check(client, "PC-Z")
    assert body["spacing"]["zone_specific"] is True and body["spacing"]["min_distance_m"] == 400.0
    assert [c["code"] for c in body["spacing"]["too_close"]] == ["PC-Z2"]


@pytest.mark.usefixtures("urban_area")
@pytest.mark.parametrize(
    ("until", "state", "days", "verdict"),
    [
        (ON, "expiring", 0, "action_needed"),  # expires today: still valid today
        (ON - timedelta(days=1), "expired", -1, "non_compliant"),
        (ON + timedelta(days=60), "expiring", 60, "action_needed"),
        (ON + timedelta(days=61), "valid", 61, "compliant"),
    ],
)
def test_an_inspection_certificate_around_its_expiry(
    client: TestClient, db: Session, until: date, state: str, days: int, verdict: str
) -> None:
    site = make_site(db, code="PC-CERT", lon=LON, lat=LAT, pole_class="A2b", pole_height_m=30)
    make_station(db, site=site, bands=[])
    db.expire(site, ["stations"])
    fully_permitted(db, site, until=until)
    body = check(client, "PC-CERT")
    (need,) = body["stations"][0]["required_permits"]
    assert need["state"] == state and need["permit"]["days_until_expiry"] == days
    assert body["verdict"] == verdict, body["reasons"]


@pytest.mark.usefixtures("urban_area")
def test_suspended_and_revoked_permits_do_not_count(client: TestClient, db: Session) -> None:
    site = make_site(db, code="PC-SUS", lon=LON, lat=LAT, pole_class="A2b", pole_height_m=30)
    make_permit(db, kind="construction_notification", site=site)
    make_permit(db, kind="construction_permit", site=site, suspended_from=ON - timedelta(days=3), suspended_until=ON)
    body = check(client, "PC-SUS")
    assert {p["rule"]: p["state"] for p in body["required_permits"]}["SITE-A2B-PERMIT"] == "suspended"
    assert check(client, "PC-SUS", ON + timedelta(days=1))["verdict"] == "compliant"
    make_permit(db, kind="construction_notification", site=site, revoked_on=ON)
    # The best permit wins: the unrevoked notification still answers the rule.
    assert {p["rule"]: p["state"] for p in check(client, "PC-SUS")["required_permits"]}["SITE-NOTIFY"] == "valid"


@pytest.mark.usefixtures("urban_area")
def test_a_rule_that_changed_on_a_given_date(client: TestClient, db: Session) -> None:
    """From 2026-07-01 (in this test) a written exemption also answers for ground towers."""
    site = make_site(db, code="PC-RULE", lon=LON, lat=LAT, pole_class="A2b", pole_height_m=30)
    make_permit(db, kind="construction_notification", site=site)
    make_permit(db, kind="construction_exemption", site=site)
    url = "/api/permit-rules/SITE-A2B-PERMIT"
    ended = client.patch(url, json={"effective_to": "2026-07-01"}, headers=versioned(client, url))
    assert ended.status_code == 200, ended.text
    new = client.post(
        "/api/permit-rules",
        json={
            "code": "SITE-A2B-PERMIT-2026",
            "applies_to": "site",
            "permit_kinds": ["construction_permit", "construction_exemption"],
            "pole_classes": ["A2b"],
            "description": "Cột A2b: giấy phép xây dựng hoặc văn bản miễn phép (quy định thử)",
            "legal_basis": "Văn bản thử nghiệm",
            "effective_from": "2026-07-01",
        },
    )
    assert new.status_code == 201, new.text
    before = check(client, "PC-RULE", date(2026, 6, 30))
    assert before["verdict"] == "non_compliant"
    assert {p["rule"]: p["state"] for p in before["required_permits"]}["SITE-A2B-PERMIT"] == "missing"
    after = check(client, "PC-RULE", date(2026, 7, 1))
    assert after["verdict"] == "compliant", after["reasons"]
    assert "SITE-A2B-PERMIT" not in {p["rule"] for p in after["required_permits"]}
    on_day = client.get("/api/permit-rules", params={"on": "2026-07-01"}).json()
    assert "SITE-A2B-PERMIT-2026" in {r["code"] for r in on_day} and "SITE-A2B-PERMIT" not in {
        r["code"] for r in on_day
    }


def test_tall_structures_and_airport_zones_need_an_obstacle_approval(client: TestClient, db: Session) -> None:
    rooftop = make_site(db, code="PC-TALL", lon=LON, lat=LAT, pole_class="A2a", pole_height_m=12, building_height_m=33)
    fully_permitted(db, rooftop)
    needs = {p["rule"] for p in check(client, "PC-TALL")["required_permits"]}
    assert "SITE-TALL-OBSTACLE" in needs  # 33 + 12 = 45 m above ground
    make_zone(db, polygon=box(LON + 0.2, LAT, 0.02), kind="airport", code="Z-AIR")
    low = make_site(db, code="PC-AIR", lon=LON + 0.2, lat=LAT, pole_class="A1a", pole_height_m=6)
    fully_permitted(db, low)
    assert "SITE-AIRPORT-OBSTACLE" in {p["rule"] for p in check(client, "PC-AIR")["required_permits"]}


@pytest.mark.usefixtures("urban_area")
def test_a_proposed_site_is_checked_without_being_stored(client: TestClient, db: Session) -> None:
    make_site(db, code="PC-EXIST", lon=LON, lat=LAT, pole_class="A2b", pole_height_m=40)
    counts = (
        db.scalar(select(func.count()).select_from(Site)),
        db.scalar(select(func.count()).select_from(AuditEvent)),
    )
    lon, lat = east_of(LON, LAT, 120.0)
    body = {
        "position": {"lon": lon, "lat": lat},
        "pole_class": "A2b",
        "pole_height_m": 36,
        "on": ON.isoformat(),
    }
    response = client.post("/api/permit-check", json=body)
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["verdict"] == "non_compliant"
    assert [c["code"] for c in result["spacing"]["too_close"]] == ["PC-EXIST"]
    assert result["colocation_candidates"][0]["code"] == "PC-EXIST"
    assert {p["rule"] for p in result["permits_to_obtain"]} == {"SITE-NOTIFY", "SITE-A2B-PERMIT"}
    db.expire_all()
    after = (db.scalar(select(func.count()).select_from(Site)), db.scalar(select(func.count()).select_from(AuditEvent)))
    assert after == counts
    # The same proposal in VN-2000 (TM-3 105°45', EPSG:9210) gives the same answer.
    tm3 = pyproj.Transformer.from_crs(4326, 9210, always_xy=True)
    e, n = tm3.transform(lon, lat)
    vn = client.post(
        "/api/permit-check",
        json={**body, "position": {"crs": 9210, "easting": e, "northing": n}},
    ).json()
    assert vn["spacing"]["too_close"][0]["distance_m"] == pytest.approx(
        result["spacing"]["too_close"][0]["distance_m"], abs=0.05
    )


def test_bad_proposals_name_the_field(client: TestClient) -> None:
    for payload, field in [
        ({"position": {"lon": 106.7, "lat": 20.84}, "pole_class": "B1", "pole_height_m": 10}, "pole_class"),
        ({"position": {"lon": 106.7, "lat": 20.84}, "pole_class": "A2a", "pole_height_m": -1}, "pole_height_m"),
        ({"position": {"lon": 106.7}, "pole_class": "A2a", "pole_height_m": 10}, "position"),
        ({"position": {"lon": 106.7, "lat": 20.84}, "pole_class": "A2a", "pole_height_m": 10, "on": "x"}, "on"),
    ]:
        body = problem(client.post("/api/permit-check", json=payload), 422)
        assert any(e["field"].startswith(field) for e in body["errors"]), body


def test_the_public_cannot_run_the_check(anon: TestClient, db: Session) -> None:
    make_site(db, code="PC-PUB", lon=LON, lat=LAT)
    problem(anon.get("/api/sites/PC-PUB/permit-check"), 401)
