"""Inputs found in review that once reached PostgreSQL or GEOS and came back as 500s."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient


@pytest.mark.parametrize(
    "within",
    [
        '{"type":"Polygon","coordinates":[[[NaN,20],[106.7,20],[106.7,21],[NaN,20]]]}',
        '{"type":"Polygon","coordinates":' + "[" * 5000 + "]" * 5000 + "}",
        '{"type":"Polygon","coordinates":[[[106.6,20.8],[106.7,20.8]]]}',
    ],
)
def test_bad_within_is_422_naming_the_field(client: TestClient, within: str) -> None:
    response = client.get("/api/sites", params={"within": within})
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["field"] == "within"


def test_upload_with_too_many_sectors_names_row_and_column(client: TestClient) -> None:
    body = (
        "Mã trạm,Doanh nghiệp,Kinh độ,Vĩ độ,Góc phương vị (°)\r\n"
        "Z1,Viettel,106.66,20.84," + ";".join(["5"] * 40_000) + "\r\n"
    ).encode()
    response = client.post("/api/imports/stations", files={"file": ("t.csv", body, "text/csv")})
    assert response.status_code == 422
    # The 80,000-character cell is refused by the reading limit (TTTT_MAX_CELL_CHARS) before any parsing.
    assert response.json()["errors"][0] | {"message": ""} == {
        "row": 2,
        "column": "Góc phương vị (°)",
        "message": "",
        "code": "too_long",
    }


def test_upload_with_too_many_sectors_within_the_cell_limit_names_row_and_column(client: TestClient) -> None:
    body = (
        "Mã trạm,Doanh nghiệp,Kinh độ,Vĩ độ,Góc phương vị (°)\r\n"
        "Z1,Viettel,106.66,20.84," + ";".join(["5"] * 4_000) + "\r\n"
    ).encode()
    response = client.post("/api/imports/stations", files={"file": ("t.csv", body, "text/csv")})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert (error["row"], error["column"], error["code"]) == (2, "Góc phương vị (°)", "invalid")


def test_export_over_the_limit_is_refused_not_cut(client: TestClient, settings, db) -> None:  # type: ignore[no-untyped-def]
    from tests.factories import make_site, make_station

    settings.max_export_rows = 2  # the app reads its settings object at request time
    for i in range(3):
        site = make_site(db, code=f"HP-0800{i}", lon=106.66 + i * 0.001, lat=20.84)
        make_station(db, site=site, station_code=f"X{i}")
    response = client.get("/api/stations.csv")
    assert response.status_code == 413
    assert response.json()["matched"] == 3 and response.json()["limit"] == 2
    assert client.get("/api/stations.csv", params={"q": "HP-08000"}).status_code == 200
