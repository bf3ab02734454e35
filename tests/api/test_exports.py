"""Exports of the station list in four formats, with the list's filters, and their re-import."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.stations.models import Sector, Site, Station
from tests.api.helpers import media_type, problem
from tests.factories import make_site, make_station

KML = "{http://www.opengis.net/kml/2.2}"
HEADERS = [
    "Mã trạm",
    "Doanh nghiệp",
    "Mã vị trí",
    "Địa chỉ",
    "Kinh độ",
    "Vĩ độ",
    "Loại cột",
    "Công nghệ",
    "Băng tần",
    "Trạng thái",
]


@pytest.fixture
def stations(db: Session) -> list[Station]:
    a = make_site(
        db,
        code="EX-A",
        lon=106.6812345,
        lat=20.8612345,
        address="Số 5 Lạch Tray, phường Gia Viên",
        pole_class="A2a",
        pole_height_m=12.0,
        building_height_m=18.0,
    )
    b = make_site(
        db,
        code="EX-B",
        lon=106.7012345,
        lat=20.8412345,
        address='Ngõ 3, "nhà xanh"; tầng 4',
        pole_class="A2c",
        pole_height_m=42.0,
    )
    c = make_site(
        db,
        code="EX-C",
        lon=106.6512345,
        lat=20.8212345,
        address="Đường Trần Nhân Tông, Kiến An",
        pole_class="A1b",
        pole_height_m=6.0,
    )
    return [
        make_station(
            db,
            site=a,
            operator_code="VIETTEL",
            station_code="HPG0001",
            technologies=["2G", "4G"],
            bands=["900", "1800"],
            commissioning_date=date(2021, 3, 15),
            sectors=[(0, 4, 1000)],
        ),
        make_station(
            db,
            site=a,
            operator_code="VNPT",
            station_code="HP_VNP_01",
            technologies=["4G", "5G"],
            bands=["1800", "n78"],
        ),
        make_station(
            db,
            site=b,
            operator_code="MOBIFONE",
            station_code="MBF-0007",
            technologies=["4G"],
            bands=["1800"],
            status="planned",
        ),
        make_station(
            db,
            site=c,
            operator_code="MOBIFONE",
            station_code="MBF-0008",
            technologies=["4G", "5G"],
            bands=["2100"],
            status="suspended",
        ),
        make_station(db, site=c, operator_code="VIETNAMOBILE", station_code="VNM-1", technologies=[], bands=[]),
    ]


def csv_rows(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, for Excel"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_csv_export(client: TestClient, stations: list[Station]) -> None:
    response = client.get("/api/stations.csv")
    assert response.status_code == 200, response.text
    assert media_type(response) == "text/csv"
    assert "attachment" in response.headers["content-disposition"]
    assert ".csv" in response.headers["content-disposition"]
    rows = csv_rows(response.content)
    assert len(rows) == 5
    for header in (
        "Mã trạm",
        "Doanh nghiệp",
        "Mã vị trí",
        "Địa chỉ",
        "Kinh độ",
        "Vĩ độ",
        "Loại cột",
        "Công nghệ",
        "Trạng thái",
    ):
        assert header in rows[0], header
    by_code = {r["Mã trạm"]: r for r in rows}
    first = by_code["HPG0001"]
    assert first["Doanh nghiệp"] == "Viettel"
    assert first["Mã vị trí"] == "EX-A"
    assert first["Địa chỉ"] == "Số 5 Lạch Tray, phường Gia Viên"
    assert float(first["Kinh độ"]) == pytest.approx(106.6812345, abs=1e-7)
    assert float(first["Vĩ độ"]) == pytest.approx(20.8612345, abs=1e-7)
    assert first["Công nghệ"] == "2G,4G"
    assert first["Trạng thái"] == "đang hoạt động"
    assert by_code["MBF-0007"]["Địa chỉ"] == 'Ngõ 3, "nhà xanh"; tầng 4'
    assert by_code["MBF-0007"]["Trạng thái"] == "quy hoạch"


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"operator": "mobifone"}, {"MBF-0007", "MBF-0008"}),
        ({"technology": "5G"}, {"HP_VNP_01", "MBF-0008"}),
        ({"status": "planned,suspended"}, {"MBF-0007", "MBF-0008"}),
        ({"q": "lach tray"}, {"HPG0001", "HP_VNP_01"}),
        ({"pole_class": "A1b"}, {"MBF-0008", "VNM-1"}),
        ({"bbox": "106.69,20.83,106.71,20.85"}, {"MBF-0007"}),
        ({"near": "106.6812345,20.8612345", "radius_m": 50}, {"HPG0001", "HP_VNP_01"}),
        ({"operator": "không có"}, set()),
    ],
)
def test_exports_take_the_list_filters(
    client: TestClient, stations: list[Station], params: dict[str, Any], expected: set[str]
) -> None:
    listed = client.get("/api/stations", params={**params, "limit": 1000}).json()
    assert {f["properties"]["station_code"] for f in listed["features"]} == expected

    assert {r["Mã trạm"] for r in csv_rows(client.get("/api/stations.csv", params=params).content)} == expected

    book = load_workbook(io.BytesIO(client.get("/api/stations.xlsx", params=params).content), read_only=True)
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    book.close()
    assert {r[0] for r in values[1:]} == expected

    geojson = client.get("/api/stations.geojson", params=params)
    assert media_type(geojson) == "application/geo+json"
    fc = json.loads(geojson.content)
    assert fc["type"] == "FeatureCollection"
    assert {f["properties"]["station_code"] for f in fc["features"]} == expected

    kml = client.get("/api/stations.kml", params=params)
    placemarks = ET.fromstring(kml.content).findall(f".//{KML}Placemark")
    assert len(placemarks) == len(expected)


def test_xlsx_export(client: TestClient, stations: list[Station]) -> None:
    response = client.get("/api/stations.xlsx")
    assert response.status_code == 200
    assert media_type(response) == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert ".xlsx" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    sheet = book.worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    headers = list(rows[0])
    for header in ("Mã trạm", "Doanh nghiệp", "Kinh độ", "Vĩ độ"):
        assert header in headers
    assert len(rows) == 1 + 5
    record = {r[headers.index("Mã trạm")]: dict(zip(headers, r, strict=True)) for r in rows[1:]}
    assert record["HPG0001"]["Kinh độ"] == pytest.approx(106.6812345, abs=1e-7)
    assert record["HPG0001"]["Vĩ độ"] == pytest.approx(20.8612345, abs=1e-7)
    assert record["MBF-0007"]["Doanh nghiệp"] == "MobiFone"


def test_geojson_export(client: TestClient, stations: list[Station]) -> None:
    response = client.get("/api/stations.geojson")
    assert response.status_code == 200
    assert ".geojson" in response.headers["content-disposition"]
    fc = json.loads(response.content)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 5
    feature = next(f for f in fc["features"] if f["properties"]["station_code"] == "HPG0001")
    assert feature["geometry"] == {"type": "Point", "coordinates": [106.6812345, 20.8612345]}


def test_kml_export(client: TestClient, stations: list[Station]) -> None:
    response = client.get("/api/stations.kml")
    assert response.status_code == 200
    assert media_type(response) == "application/vnd.google-earth.kml+xml"
    root = ET.fromstring(response.content)
    assert root.tag == f"{KML}kml"
    placemarks = root.findall(f".//{KML}Placemark")
    assert len(placemarks) == 5
    names = {p.findtext(f"{KML}name") for p in placemarks}
    assert "HPG0001 (EX-A)" in names
    mark = next(p for p in placemarks if p.findtext(f"{KML}name") == "HPG0001 (EX-A)")
    coords = mark.findtext(f".//{KML}coordinates")
    assert coords is not None
    lon, lat = (float(v) for v in coords.strip().split(",")[:2])
    assert (lon, lat) == pytest.approx((106.6812345, 20.8612345), abs=1e-7)
    # Quotes, semicolons and Vietnamese text survive the XML (typed SchemaData, not an HTML description).
    other = next(p for p in placemarks if p.findtext(f"{KML}name") == "MBF-0007 (EX-B)")
    data = {d.get("name"): d.text for d in other.iter(f"{KML}SimpleData")}
    assert data["address"] == 'Ngõ 3, "nhà xanh"; tầng 4'
    assert other.find(f"{KML}description") is None


def test_unknown_export_format_is_a_problem(client: TestClient) -> None:
    response = client.get("/api/stations.pdf")
    assert response.status_code in (404, 422)
    problem(response, response.status_code)


def test_export_rejects_bad_filters_like_the_list(client: TestClient) -> None:
    for fmt in ("csv", "xlsx", "geojson", "kml"):
        body = problem(client.get(f"/api/stations.{fmt}", params={"technology": "6G"}), 422)
        assert "technology" in {e.get("field") for e in body["errors"]}


def counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Site)) or 0,
        db.scalar(select(func.count()).select_from(Station)) or 0,
        db.scalar(select(func.count()).select_from(Sector)) or 0,
    )


def versions(db: Session) -> list[tuple[str, int]]:
    return sorted(db.execute(select(Station.station_code, Station.version)).tuples().all())


@pytest.mark.parametrize(("fmt", "filename"), [("csv", "xuat.csv"), ("xlsx", "xuat.xlsx")])
def test_export_imports_back_unchanged(
    client: TestClient, db: Session, stations: list[Station], fmt: str, filename: str
) -> None:
    exported = client.get(f"/api/stations.{fmt}").content
    before, before_versions = counts(db), versions(db)
    response = client.post("/api/imports/stations", files={"file": (filename, exported)})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is True
    assert report["rows"] == 5
    assert report["stations_unchanged"] == 5
    assert report["stations_created"] == 0 and report["stations_updated"] == 0
    assert report["sites_created"] == 0
    assert counts(db) == before
    assert versions(db) == before_versions


def test_filtered_export_imports_back_unchanged(client: TestClient, db: Session, stations: list[Station]) -> None:
    exported = client.get("/api/stations.csv", params={"operator": "MobiFone"}).content
    response = client.post("/api/imports/stations", files={"file": ("mbf.csv", exported, "text/csv")})
    assert response.status_code == 200, response.text
    assert response.json()["stations_unchanged"] == 2
    assert response.json()["rows"] == 2


def site_versions(db: Session) -> list[tuple[str, int]]:
    return sorted(db.execute(select(Site.code, Site.version)).tuples().all())


def test_export_reimport_leaves_sites_unchanged(client: TestClient, db: Session, stations: list[Station]) -> None:
    """The exporter promises that an export imports back unchanged: sites included, not only stations."""
    before = site_versions(db)
    exported = client.get("/api/stations.csv").content
    response = client.post("/api/imports/stations", files={"file": ("xuat.csv", exported)})
    assert response.status_code == 200, response.text
    assert response.json()["sites_updated"] == 0
    db.expire_all()
    assert site_versions(db) == before


def test_kml_extended_data_holds_hostile_text_as_text() -> None:
    from registry.stations.exporter import _kml

    hostile = 'A&B <Data name="x"/> "Viễn thông"'
    row = {"operator": hostile, "station_code": "S&1", "site_code": "X<1>", "lon": 106.7, "lat": 20.8,
           "technologies": "4G", "status": "operating"}  # fmt: skip
    root = ET.fromstring(_kml([row], "Trạm"))  # well-formed
    data = {d.get("name"): d.text for d in root.iter(f"{KML}SimpleData")}
    assert data["operator"] == hostile and data["status"] == "operating"
    assert root.find(f".//{KML}Placemark/{KML}name").text == "S&1 (X<1>)"  # type: ignore[union-attr]
