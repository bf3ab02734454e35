"""What the public sees of sites and stations, and what roles limited to some fields may change."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.accounts.permissions import PUBLIC_FIELDS
from registry.organisations.models import Organisation
from tests.api.helpers import problem, versioned
from tests.conftest import ClientAs
from tests.factories import make_station

PRIVATE_SITE = {"owner", "notes", "source", "provenance", "source_crs", "building_height_m", "entered_admin_unit"}
PRIVATE_STATION = {"equipment_model", "configuration", "station_code"}
# A sector's power and tilt stay staff-only; its safety distance is public, and so its azimuth (the map
# draws the distance as a wedge along it).
PRIVATE_SECTOR = {"eirp_w", "tilt_deg"}


@pytest.fixture
def station(db: Session) -> Any:
    owner = Organisation(code="CHU-NHA", name="Hộ ông Nguyễn Văn A", short_name="Ông A", is_operator=False)
    db.add(owner)
    db.flush()
    st = make_station(
        db,
        code="HP-04000",
        station_code="HPG0400",
        sectors=[(0.0, 2.0, 500.0), (120.0, 2.0, 500.0)],
        commissioning_date=date(2024, 5, 1),
        address="Số 5 Lạch Tray",
    )
    st.equipment_model = "Ericsson AIR 6449"
    st.site.owner_id = owner.id
    st.site.notes = "Chủ nhà khó tính, gọi trước khi đến"
    db.flush()
    return st


def _assert_public_site(props: dict[str, Any]) -> None:
    assert set(props) <= PUBLIC_FIELDS["site"], set(props) - PUBLIC_FIELDS["site"]
    assert not PRIVATE_SITE & set(props)


@pytest.mark.usefixtures("station")
def test_the_public_sees_location_operator_technology_only(anon: TestClient, client: TestClient) -> None:
    one = anon.get("/api/sites/HP-04000").json()
    assert one["geometry"]["type"] == "Point"
    _assert_public_site(one["properties"])
    assert one["properties"]["address"] == "Số 5 Lạch Tray"
    (st,) = one["properties"]["stations"]
    assert st["operator"] and st["technologies"] == ["4G"]
    assert not PRIVATE_STATION & set(st)
    assert [set(s) for s in st["sectors"]] == [PUBLIC_FIELDS["sector"]] * 2
    assert [s["compliance_distance_m"] for s in st["sectors"]] == [4.46, 4.46]  # sqrt(500 / 8π)
    assert one["properties"]["max_compliance_distance_m"] == 4.46
    for url in ("/api/sites", "/api/sites/nearest?lon=106.683&lat=20.86&n=1"):
        for feature in anon.get(url).json()["features"]:
            _assert_public_site(feature["properties"])
            assert "Ông A" not in str(feature)
    for feature in anon.get("/api/stations").json()["features"]:
        assert set(feature["properties"]) <= PUBLIC_FIELDS["station"]
        assert not PRIVATE_STATION & set(feature["properties"])
    station_id = st["id"]
    single = anon.get(f"/api/stations/{station_id}").json()
    assert set(single) <= PUBLIC_FIELDS["station"]
    assert all(not PRIVATE_SECTOR & set(s) for s in single["sectors"])

    # Staff see everything.
    full = client.get("/api/sites/HP-04000").json()["properties"]
    assert full["owner"] == "Ông A" and full["notes"].startswith("Chủ nhà")
    assert full["stations"][0]["equipment_model"] == "Ericsson AIR 6449"
    assert [s["eirp_w"] for s in full["stations"][0]["sectors"]] == [500.0, 500.0]
    staff_list = client.get("/api/sites").json()["features"][0]["properties"]
    assert staff_list["owner"] == "Ông A"


@pytest.mark.usefixtures("station")
@pytest.mark.parametrize("fmt", ["csv", "xlsx", "geojson", "kml"])
def test_exports_need_a_sign_in(anon: TestClient, client_as: ClientAs, fmt: str) -> None:
    problem(anon.get(f"/api/stations.{fmt}"), 401)
    assert client_as("viewer").get(f"/api/stations.{fmt}").status_code == 200


@pytest.mark.usefixtures("station")
def test_history_is_not_public(anon: TestClient) -> None:
    problem(anon.get("/api/sites/HP-04000/history"), 401)
    problem(anon.get("/api/audit", params={"entity": "site"}), 401)


@pytest.mark.usefixtures("station")
def test_an_inspector_changes_status_and_notes_only(client_as: ClientAs, station: Any) -> None:
    inspector = client_as("inspector")
    url = "/api/sites/HP-04000"
    refused = inspector.patch(url, json={"address": "Khác", "notes": "x"}, headers=versioned(inspector, url))
    body = problem(refused, 403)
    assert [e["field"] for e in body["errors"]] == ["address"]
    assert inspector.get(url).json()["properties"]["address"] == "Số 5 Lạch Tray", "nothing was written"
    ok = inspector.patch(
        url, json={"status": "dismantled", "notes": "Kiểm tra 28/11: đã tháo"}, headers=versioned(inspector, url)
    )
    assert ok.status_code == 200, ok.text
    assert ok.json()["properties"]["status"] == "dismantled"

    st_url = f"/api/stations/{station.id}"
    problem(inspector.patch(st_url, json={"bands": ["900"]}, headers=versioned(inspector, st_url)), 403)
    assert (
        inspector.patch(st_url, json={"status": "suspended"}, headers=versioned(inspector, st_url)).status_code == 200
    )
    problem(inspector.delete(st_url, headers=versioned(inspector, st_url)), 403)


@pytest.mark.usefixtures("station")
def test_a_user_with_two_roles_gets_the_wider_one(client_as: ClientAs) -> None:
    both = client_as("inspector", "licensing_officer")
    url = "/api/sites/HP-04000"
    assert both.patch(url, json={"address": "Số 7"}, headers=versioned(both, url)).status_code == 200
