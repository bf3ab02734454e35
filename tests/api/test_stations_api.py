"""Stations through the API: the GeoJSON list and its filters, one station, create/patch/delete."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.stations.models import Sector, Station
from tests.api.helpers import assert_names_field, collection, link, problem, versioned, walk
from tests.factories import make_random_sites, make_site, make_station


def station_codes(client: TestClient, **params: Any) -> list[str]:
    body = collection(client.get("/api/stations", params={"limit": 1000, **params}))
    assert body["numberMatched"] == len(body["features"])
    return sorted(f["properties"]["station_code"] for f in body["features"])


@pytest.fixture
def network(db: Session) -> None:
    a = make_site(db, code="NW-A", lon=106.63, lat=20.84, pole_class="A1a", address="Số 5 Lạch Tray")
    b = make_site(db, code="NW-B", lon=106.68, lat=20.86, pole_class="A2b", address="Đường Tô Hiệu")
    make_station(db, site=a, operator_code="VIETTEL", station_code="V-1", technologies=["2G", "4G"])
    make_station(db, site=a, operator_code="MOBIFONE", station_code="M-1", technologies=["4G", "5G"])
    make_station(db, site=b, operator_code="MOBIFONE", station_code="M-2", technologies=["4G"], status="planned")
    make_station(
        db,
        site=b,
        operator_code="VNPT",
        station_code="N-1",
        technologies=["3G", "4G", "5G"],
        status="suspended",
    )


def test_station_list_is_a_feature_collection(client: TestClient, network: None) -> None:
    body = collection(client.get("/api/stations"))
    assert body["numberMatched"] == 4
    by_code = {f["properties"]["station_code"]: f for f in body["features"]}
    m1 = by_code["M-1"]
    assert m1["geometry"]["coordinates"] == pytest.approx([106.63, 20.84], abs=1e-7)
    props = m1["properties"]
    assert props["operator"] == "MobiFone" and props["operator_code"] == "MOBIFONE"
    assert props["site_code"] == "NW-A" and props["technologies"] == ["4G", "5G"]
    assert props["address"] == "Số 5 Lạch Tray" and props["pole_class"] == "A1a"
    assert m1["id"] == props["id"]
    assert link(body, "next") is None


def test_station_filters(client: TestClient, network: None) -> None:
    assert station_codes(client, operator="mobifone") == ["M-1", "M-2"]
    assert station_codes(client, operator="VinaPhone") == ["N-1"]
    assert station_codes(client, technology="4G,5G") == ["M-1", "N-1"]
    assert station_codes(client, technology="2G") == ["V-1"]
    assert station_codes(client, status="planned") == ["M-2"]
    assert station_codes(client, status="operating,suspended") == ["M-1", "N-1", "V-1"]
    assert station_codes(client, pole_class="A2b") == ["M-2", "N-1"]
    assert station_codes(client, q="lach tray") == ["M-1", "V-1"]
    assert station_codes(client, q="m-") == ["M-1", "M-2"]
    assert station_codes(client, operator="MOBIFONE", technology="5G") == ["M-1"]
    assert station_codes(client, bbox="106.60,20.80,106.65,20.85") == ["M-1", "V-1"]
    assert station_codes(client, near="106.68,20.86", radius_m=100) == ["M-2", "N-1"]


def test_station_paging_walks_every_station_once(client: TestClient, db: Session) -> None:
    make_random_sites(db, count=17, seed=31)
    features, pages = walk(client, "/api/stations", {"limit": 4})
    assert pages == 5
    ids = [f["id"] for f in features]
    assert len(ids) == len(set(ids)) == 17


def test_station_list_limit_above_maximum(client: TestClient) -> None:
    assert_names_field(problem(client.get("/api/stations", params={"limit": 100_000}), 400), "limit")


# --- create --------------------------------------------------------------------------------------


def test_create_station_with_operator_by_name(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-01000", lon=106.66, lat=20.84)
    response = client.post(
        "/api/stations",
        json={
            "operator": "mobifone",
            "station_code": "MBF-HP-0001",
            "site_code": "HP-01000",
            "technologies": ["5G", "4G", "4G"],
            "bands": ["1800", "n78"],
            "commissioning_date": "2024-05-17",
            "sectors": [{"azimuth_deg": 10, "tilt_deg": 3, "eirp_w": 900}, {"azimuth_deg": 130}],
        },
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"/api/stations/{body['id']}"
    assert body["operator_code"] == "MOBIFONE" and body["operator"] == "MobiFone"
    assert body["station_code"] == "MBF-HP-0001" and body["site_code"] == "HP-01000"
    assert body["technologies"] == ["4G", "5G"]
    assert body["bands"] == ["1800", "n78"]
    assert body["status"] == "operating"
    assert body["commissioning_date"] == "2024-05-17"
    assert body["version"] == 1
    assert [(s["sector_no"], s["azimuth_deg"], s["tilt_deg"], s["eirp_w"]) for s in body["sectors"]] == [
        (1, 10, 3, 900),
        (2, 130, None, None),
    ]
    stored = db.get(Station, body["id"])
    assert stored is not None and stored.station_code == "MBF-HP-0001"
    site = client.get("/api/sites/HP-01000").json()
    assert [s["station_code"] for s in site["properties"]["stations"]] == ["MBF-HP-0001"]


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Viettel", "VIETTEL"),
        ("VinaPhone", "VNPT"),
        ("vnpt", "VNPT"),
        ("Tập đoàn Viettel", "VIETTEL"),
        ("Vietnamobile", "VIETNAMOBILE"),
        ("gmobile", "GTEL"),
    ],
)
def test_operator_names_and_aliases(client: TestClient, db: Session, name: str, code: str) -> None:
    make_site(db, code="HP-01001", lon=106.66, lat=20.84)
    response = client.post("/api/stations", json={"operator": name, "station_code": "X1", "site_code": "HP-01001"})
    assert response.status_code == 201, response.text
    assert response.json()["operator_code"] == code


def test_duplicate_operator_station_code_conflicts(client: TestClient, db: Session) -> None:
    site = make_site(db, code="HP-01002", lon=106.66, lat=20.84)
    make_station(db, site=site, operator_code="VIETTEL", station_code="HPG0001")
    body = problem(
        client.post("/api/stations", json={"operator": "viettel", "station_code": "HPG0001", "site_code": "HP-01002"}),
        409,
    )
    assert "HPG0001" in body["detail"]
    # The same code at another operator is another station.
    ok = client.post("/api/stations", json={"operator": "VNPT", "station_code": "HPG0001", "site_code": "HP-01002"})
    assert ok.status_code == 201, ok.text
    assert db.scalar(select(func.count()).select_from(Station)) == 2


def test_unknown_operator_is_refused(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-01003", lon=106.66, lat=20.84)
    body = problem(
        client.post("/api/stations", json={"operator": "Sfone", "station_code": "S1", "site_code": "HP-01003"}),
        422,
    )
    assert_names_field(body, "operator")
    assert db.scalar(select(func.count()).select_from(Station)) == 0


def test_organisation_that_is_not_an_operator_is_refused(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-01004", lon=106.66, lat=20.84)
    # An owner organisation (not a mobile operator) created on the fly by a site.
    client.patch(
        "/api/sites/HP-01004",
        headers=versioned(client, "/api/sites/HP-01004"),
        json={"owner": "Công ty Hạ tầng Thử nghiệm"},
    ).raise_for_status()
    body = problem(
        client.post(
            "/api/stations",
            json={"operator": "Công ty Hạ tầng Thử nghiệm", "station_code": "S1", "site_code": "HP-01004"},
        ),
        422,
    )
    assert_names_field(body, "operator")


def test_unknown_site_is_refused(client: TestClient) -> None:
    body = problem(
        client.post("/api/stations", json={"operator": "Viettel", "station_code": "S1", "site_code": "HP-55555"}),
        422,
    )
    assert_names_field(body, "site_code")


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        (
            {"operator": "Viettel", "station_code": "S1", "site_code": "HP-01005", "technologies": ["6G"]},
            "technologies",
        ),
        (
            {"operator": "Viettel", "station_code": "S1", "site_code": "HP-01005", "status": "broken"},
            "status",
        ),
        ({"operator": "Viettel", "station_code": "", "site_code": "HP-01005"}, "station_code"),
        ({"operator": "Viettel", "site_code": "HP-01005"}, "station_code"),
        ({"operator": "Viettel", "station_code": "S1", "site_code": "HP 01005"}, "site_code"),
        (
            {
                "operator": "Viettel",
                "station_code": "S1",
                "site_code": "HP-01005",
                "sectors": [{"azimuth_deg": 360}],
            },
            "sectors",
        ),
        (
            {
                "operator": "Viettel",
                "station_code": "S1",
                "site_code": "HP-01005",
                "commissioning_date": "31/13/2024",
            },
            "commissioning_date",
        ),
    ],
)
def test_invalid_station_bodies_name_the_field(
    client: TestClient, db: Session, payload: dict[str, Any], field: str
) -> None:
    make_site(db, code="HP-01005", lon=106.66, lat=20.84)
    assert_names_field(problem(client.post("/api/stations", json=payload), 422), field)
    assert db.scalar(select(func.count()).select_from(Station)) == 0


# --- read, change, delete ------------------------------------------------------------------------


def test_get_station_by_id(client: TestClient, db: Session) -> None:
    st = make_station(
        db,
        operator_code="VNPT",
        station_code="HP_VNP_1",
        technologies=["3G", "4G"],
        sectors=[(45, 2, 500)],
        code="HP-01006",
    )
    body = client.get(f"/api/stations/{st.id}").json()
    assert body["id"] == st.id and body["station_code"] == "HP_VNP_1" and body["operator_code"] == "VNPT"
    assert body["site_code"] == "HP-01006"
    assert body["sectors"] == [
        {"sector_no": 1, "azimuth_deg": 45, "tilt_deg": 2, "eirp_w": 500, "compliance_distance_m": 4.46}
    ]


def test_missing_station_is_404_problem(client: TestClient) -> None:
    problem(client.get("/api/stations/987654321"), 404)


def test_patch_technologies_and_sectors(client: TestClient, db: Session) -> None:
    st = make_station(db, technologies=["2G"], sectors=[(0, None, None)], code="HP-01007")
    response = client.patch(
        f"/api/stations/{st.id}",
        headers=versioned(client, f"/api/stations/{st.id}"),
        json={
            "technologies": ["5G", "4G"],
            "sectors": [{"azimuth_deg": 90, "tilt_deg": 5}, {"azimuth_deg": 270}],
            "status": "suspended",
        },
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["technologies"] == ["4G", "5G"]
    assert [(s["sector_no"], s["azimuth_deg"], s["tilt_deg"]) for s in body["sectors"]] == [
        (1, 90, 5),
        (2, 270, None),
    ]
    assert body["status"] == "suspended"
    assert body["version"] == 2
    again = client.get(f"/api/stations/{st.id}").json()
    assert again["technologies"] == ["4G", "5G"] and len(again["sectors"]) == 2 and again["version"] == 2
    assert db.scalar(select(func.count()).select_from(Sector).where(Sector.station_id == st.id)) == 2
    # Only what is sent changes.
    third = client.patch(
        f"/api/stations/{st.id}", headers=versioned(client, f"/api/stations/{st.id}"), json={"bands": ["900"]}
    ).json()
    assert third["technologies"] == ["4G", "5G"] and third["bands"] == ["900"] and third["version"] == 3


def test_patch_moves_a_station_to_another_site(client: TestClient, db: Session) -> None:
    st = make_station(db, code="HP-01008", lon=106.66, lat=20.84)
    make_site(db, code="HP-01009", lon=106.67, lat=20.84)
    body = client.patch(
        f"/api/stations/{st.id}", headers=versioned(client, f"/api/stations/{st.id}"), json={"site_code": "HP-01009"}
    ).json()
    assert body["site_code"] == "HP-01009"
    assert [s["station_code"] for s in client.get("/api/sites/HP-01009").json()["properties"]["stations"]] == [
        st.station_code
    ]
    assert client.get("/api/sites/HP-01008").json()["properties"]["stations"] == []
    assert_names_field(
        problem(
            client.patch(
                f"/api/stations/{st.id}",
                headers=versioned(client, f"/api/stations/{st.id}"),
                json={"site_code": "HP-404"},
            ),
            422,
        ),
        "site_code",
    )


def test_patch_missing_station_is_404(client: TestClient) -> None:
    problem(
        client.patch(
            "/api/stations/987654321", headers=versioned(client, "/api/stations/987654321"), json={"bands": ["900"]}
        ),
        404,
    )


def test_delete_station(client: TestClient, db: Session) -> None:
    st = make_station(db, sectors=[(0, None, None), (120, None, None)], code="HP-01010")
    station_id = st.id
    response = client.delete(f"/api/stations/{station_id}", headers=versioned(client, f"/api/stations/{station_id}"))
    assert response.status_code == 204 and response.content == b""
    problem(client.get(f"/api/stations/{station_id}"), 404)
    assert db.scalar(select(func.count()).select_from(Sector).where(Sector.station_id == station_id)) == 0
    problem(client.delete(f"/api/stations/{station_id}", headers=versioned(client, f"/api/stations/{station_id}")), 404)
    # The site is empty now and can go.
    assert client.delete("/api/sites/HP-01010", headers=versioned(client, "/api/sites/HP-01010")).status_code == 204


@pytest.mark.parametrize("station_id", ["-1", "0", "2147483648", "99999999999999999999"])
def test_out_of_range_station_ids_are_404(client: TestClient, station_id: str) -> None:
    problem(client.get(f"/api/stations/{station_id}"), 404)
    problem(client.delete(f"/api/stations/{station_id}", headers=versioned(client, f"/api/stations/{station_id}")), 404)


@pytest.mark.parametrize("field", ["status", "bands", "technologies", "commissioning_date"])
def test_station_patch_with_null_is_a_422_or_clears_never_a_conflict(
    client: TestClient, db: Session, field: str
) -> None:
    st = make_station(db, code="HP-01011", commissioning_date=None, sectors=[(0, None, None)])
    response = client.patch(
        f"/api/stations/{st.id}", headers=versioned(client, f"/api/stations/{st.id}"), json={field: None}
    )
    if response.status_code == 200:
        assert response.json()[field] in (None, [])
    else:
        assert_names_field(problem(response, 422), field)
