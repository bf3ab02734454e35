"""Reference lists behind the filters: organisations and administrative units."""

from __future__ import annotations

from fastapi.testclient import TestClient
from shapely.geometry import shape

from tests.api.helpers import assert_names_field, communes, media_type, problem


def test_operators(client: TestClient) -> None:
    response = client.get("/api/organisations", params={"operator": "true"})
    assert response.status_code == 200
    codes = {o["code"] for o in response.json()}
    assert codes == {"VIETTEL", "VNPT", "MOBIFONE", "VIETNAMOBILE", "GTEL"}
    vnpt = next(o for o in response.json() if o["code"] == "VNPT")
    assert "VinaPhone" in vnpt["aliases"] and vnpt["is_operator"] is True


def test_non_operators_after_an_owner_is_recorded(client: TestClient) -> None:
    client.post("/api/sites", json={"position": {"lon": 106.66, "lat": 20.84}, "owner": "Công ty Hạ tầng Thử nghiệm"})
    others = client.get("/api/organisations", params={"operator": "false"}).json()
    assert [o["name"] for o in others] == ["Công ty Hạ tầng Thử nghiệm"]
    assert len(client.get("/api/organisations").json()) == 6


def test_communes_as_geojson(client: TestClient) -> None:
    expected = {str(f["properties"]["code"]): f for f in communes()}
    response = client.get("/api/admin-units")
    assert response.status_code == 200 and media_type(response) == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert {f["id"] for f in body["features"]} == set(expected)
    assert all(f["geometry"] is None for f in body["features"]), "no boundaries unless asked"
    assert all(f["properties"]["approximate"] is True for f in body["features"])
    with_geometry = client.get("/api/admin-units", params={"geometry": "true"}).json()
    one = with_geometry["features"][0]
    assert shape(one["geometry"]).symmetric_difference(shape(expected[one["id"]]["geometry"])).area < 1e-8


def test_province(client: TestClient) -> None:
    body = client.get("/api/admin-units", params={"level": "province"}).json()
    assert [f["id"] for f in body["features"]] == ["31"]


def test_bad_level(client: TestClient) -> None:
    assert_names_field(problem(client.get("/api/admin-units", params={"level": "country"}), 422), "level")


def test_former_districts_on_a_date_before_the_reform(client: TestClient) -> None:
    before = client.get("/api/admin-units", params={"level": "district", "on": "2025-06-30"})
    assert before.status_code == 200
    names = {f["properties"]["name"] for f in before.json()["features"]}
    assert "quận Lê Chân" in names and "huyện Thanh Miện" in names
    after = client.get("/api/admin-units", params={"level": "district"})
    assert after.json()["features"] == []
    bad = client.get("/api/admin-units", params={"on": "31/06/2025"})  # dd/mm/yyyy is taken; no 31 June
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "on"
    vietnamese = client.get("/api/admin-units", params={"level": "district", "on": "30/06/2025"})
    assert vietnamese.json()["features"] == before.json()["features"]


def test_admin_unit_filter_by_province_and_former_district(client: TestClient, db) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_site

    make_site(db, code="HP-07001", lon=106.6641, lat=20.8325)  # inside today's Lê Chân ward
    make_site(db, code="HP-07002", lon=106.3300, lat=20.9400)  # in the former Hải Dương city
    by_province = client.get("/api/sites", params={"admin_unit": "Hải Phòng"}).json()
    assert {"HP-07001", "HP-07002"} <= {f["id"] for f in by_province["features"]}
    districts = client.get("/api/admin-units", params={"level": "district", "on": "2025-06-30"}).json()
    le_chan = next(f["id"] for f in districts["features"] if f["properties"]["name"] == "quận Lê Chân")
    by_district = client.get("/api/sites", params={"admin_unit": le_chan}).json()
    assert [f["id"] for f in by_district["features"]] == ["HP-07001"]
