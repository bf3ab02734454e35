"""POST /api/imports/stations (multipart) and the template downloads."""

from __future__ import annotations

import csv
import io
from typing import Any

import pyproj
import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.settings import Settings
from registry.stations.models import Sector, Site, Station
from tests.api.helpers import geod_m, media_type, problem

HEADERS = [
    "Mã trạm",
    "Doanh nghiệp",
    "Mã vị trí",
    "Địa chỉ",
    "Kinh độ",
    "Vĩ độ",
    "Loại cột",
    "Chiều cao cột (m)",
    "Công nghệ",
    "Băng tần",
    "Trạng thái",
    "Ngày phát sóng",
    "Góc phương vị (°)",
]
GOOD = [
    [
        "HPG0001",
        "Viettel",
        "HP-90001",
        "Số 5 Lạch Tray, Gia Viên",
        "106.6830",
        "20.8600",
        "A2a",
        "12",
        "2G,4G",
        "900,1800",
        "đang hoạt động",
        "15/03/2021",
        "0;120;240",
    ],
    [
        "HP_VNP_01",
        "VinaPhone",
        "HP-90001",
        "Số 5 Lạch Tray, Gia Viên",
        "106,6830",
        "20,8600",
        "A2a",
        "12",
        "4G,5G",
        "1800,n78",
        "operating",
        "2022-01-10",
        "",
    ],
    [
        "MBF-0007",
        "mobifone",
        "",
        "Đường Trần Thành Ngọ, Kiến An",
        "106°37'48\"E",
        "20°48'36\"N",
        "A2b",
        "42",
        "4G",
        "1800",
        "quy hoạch",
        "",
        "",
    ],
]
TM3_HAIPHONG = pyproj.CRS(
    "+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 "
    "+units=m +no_defs"
)


def csv_bytes(headers: list[str], rows: list[list[Any]], *, bom: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(headers)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig" if bom else "utf-8")


def xlsx_bytes(headers: list[str], rows: list[list[Any]]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client: TestClient, content: bytes, name: str = "tram.csv", **params: Any) -> Any:
    return client.post("/api/imports/stations", params=params, files={"file": (name, content)})


def counts(db: Session) -> tuple[int, int, int]:
    return (
        db.scalar(select(func.count()).select_from(Site)) or 0,
        db.scalar(select(func.count()).select_from(Station)) or 0,
        db.scalar(select(func.count()).select_from(Sector)) or 0,
    )


def test_csv_upload_imports_every_row(client: TestClient, db: Session) -> None:
    response = upload(client, csv_bytes(HEADERS, GOOD))
    assert response.status_code == 200, response.text
    assert media_type(response) == "application/json"
    report = response.json()
    assert report["valid"] is True and report["dry_run"] is False
    assert report["rows"] == 3
    assert report["stations_created"] == 3
    assert report["sites_created"] == 2, "the first two rows share site HP-90001"
    assert report["errors"] == []
    assert counts(db) == (2, 3, 3)
    site = client.get("/api/sites/HP-90001").json()
    assert {s["station_code"] for s in site["properties"]["stations"]} == {"HPG0001", "HP_VNP_01"}
    assert site["geometry"]["coordinates"] == pytest.approx([106.683, 20.86], abs=1e-7)
    mbf = client.get("/api/stations", params={"operator": "MOBIFONE"}).json()["features"]
    assert len(mbf) == 1
    assert mbf[0]["geometry"]["coordinates"] == pytest.approx([106.63, 20.81], abs=1e-7)
    assert mbf[0]["properties"]["status"] == "planned"


def test_xlsx_upload(client: TestClient, db: Session) -> None:
    response = upload(client, xlsx_bytes(HEADERS, GOOD), "tram.xlsx")
    assert response.status_code == 200, response.text
    assert response.json()["stations_created"] == 3
    assert counts(db)[1] == 3


def test_english_alias_headers_and_vn2000(client: TestClient, db: Session) -> None:
    lon, lat = 106.6910, 20.8450
    easting, northing = pyproj.Transformer.from_crs("EPSG:4326", TM3_HAIPHONG, always_xy=True).transform(lon, lat)
    rows = [["VTL-X1", "VTL", "HP-91001", f"{northing:.3f}", f"{easting:.3f}", "9210", "4G"]]
    headers = ["station_code", "operator", "site_code", "x_north", "y_east", "crs", "technologies"]
    response = upload(client, csv_bytes(headers, rows, bom=False))
    assert response.status_code == 200, response.text
    assert response.json()["stations_created"] == 1
    ref_lon, ref_lat = pyproj.Transformer.from_crs(TM3_HAIPHONG, "EPSG:4326", always_xy=True).transform(
        round(easting, 3), round(northing, 3)
    )
    got_lon, got_lat = db.execute(
        select(func.ST_X(Site.geom), func.ST_Y(Site.geom)).where(Site.code == "HP-91001")
    ).one()
    assert geod_m(got_lon, got_lat, ref_lon, ref_lat) < 0.1
    source = client.get("/api/sites/HP-91001").json()["properties"]["source"]
    assert source["crs"] == 9210
    assert source["x"] == pytest.approx(easting, abs=1e-3) and source["y"] == pytest.approx(northing, abs=1e-3)


def test_dry_run_writes_nothing(client: TestClient, db: Session) -> None:
    before = counts(db)
    response = upload(client, csv_bytes(HEADERS, GOOD), dry_run="true")
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["valid"] is True and report["dry_run"] is True
    assert report["stations_created"] == 3
    assert counts(db) == before
    assert client.get("/api/sites/HP-90001").status_code == 404


def test_one_bad_row_writes_nothing_and_names_row_and_column(client: TestClient, db: Session) -> None:
    rows = [list(r) for r in GOOD]
    rows[1][4] = "abc"  # row 3 of the sheet (the header is row 1)
    before = counts(db)
    body = problem(upload(client, csv_bytes(HEADERS, rows)), 422)
    assert counts(db) == before
    errors = body["errors"]
    assert errors and all(e["row"] == 3 for e in errors), errors
    assert "Kinh độ" in {e["column"] for e in errors}
    # The same file fixed imports in full; importing it again changes nothing.
    fixed = upload(client, csv_bytes(HEADERS, GOOD))
    assert fixed.status_code == 200 and fixed.json()["stations_created"] == 3
    again = upload(client, csv_bytes(HEADERS, GOOD))
    assert again.status_code == 200
    report = again.json()
    assert report["stations_unchanged"] == 3
    assert report["stations_created"] == report["stations_updated"] == report["sites_created"] == 0
    assert counts(db) == (2, 3, 3)


def test_every_bad_row_is_listed(client: TestClient, db: Session) -> None:
    rows = [list(r) for r in GOOD]
    rows[0][1] = "Sfone"  # row 2: unknown operator
    rows[2][6] = "B7"  # row 4: pole class
    rows[2][11] = "31/02/2021"  # row 4: date
    body = problem(upload(client, csv_bytes(HEADERS, rows)), 422)
    cells = {(e["row"], e["column"]) for e in body["errors"]}
    assert {(2, "Doanh nghiệp"), (4, "Loại cột"), (4, "Ngày phát sóng")} <= cells
    assert counts(db) == (0, 0, 0)


def test_bad_row_in_xlsx_names_the_excel_row(client: TestClient, db: Session) -> None:
    rows = [list(r) for r in GOOD]
    rows[2][8] = "6G"
    body = problem(upload(client, xlsx_bytes(HEADERS, rows), "tram.xlsx"), 422)
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(4, "Công nghệ")}
    assert counts(db) == (0, 0, 0)


def test_same_station_twice_in_a_file(client: TestClient, db: Session) -> None:
    rows = [list(r) for r in GOOD] + [list(GOOD[0])]
    body = problem(upload(client, csv_bytes(HEADERS, rows)), 422)
    assert (5, "Mã trạm") in {(e["row"], e["column"]) for e in body["errors"]}
    assert counts(db) == (0, 0, 0)


def test_missing_required_column(client: TestClient, db: Session) -> None:
    headers = [h for h in HEADERS if h != "Doanh nghiệp"]
    rows = [[c for i, c in enumerate(r) if HEADERS[i] != "Doanh nghiệp"] for r in GOOD]
    body = problem(upload(client, csv_bytes(headers, rows)), 422)
    assert "Doanh nghiệp" in {e.get("column") for e in body["errors"]}
    assert counts(db) == (0, 0, 0)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("tram.pdf", b"%PDF-1.4 not a table"),
        ("tram.csv", b""),
        ("tram.xlsx", b"PK\x03\x04 broken zip"),
    ],
)
def test_unreadable_files_are_refused_naming_the_file(client: TestClient, name: str, content: bytes) -> None:
    body = problem(upload(client, content, name), 422)
    assert "file" in {e.get("field") for e in body["errors"]}


def test_header_only_file_is_refused(client: TestClient) -> None:
    problem(upload(client, csv_bytes(HEADERS, [])), 422)


def test_missing_file_field(client: TestClient) -> None:
    body = problem(client.post("/api/imports/stations", data={"x": "1"}), 422)
    assert "file" in {e.get("field") for e in body["errors"]}


@pytest.fixture
def small_upload_client(client: TestClient, settings: Settings) -> TestClient:
    settings.max_upload_bytes = 2048  # the app reads its settings object at request time
    return client


def test_file_above_the_upload_limit_is_413(small_upload_client: TestClient, db: Session) -> None:
    big = csv_bytes(HEADERS, GOOD * 40)
    assert len(big) > 2048
    problem(upload(small_upload_client, big), 413)
    assert counts(db) == (0, 0, 0)


# --- the template ---------------------------------------------------------------------------------


def test_template_xlsx(client: TestClient) -> None:
    response = client.get("/api/imports/stations/template.xlsx")
    assert response.status_code == 200
    assert media_type(response) == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert "attachment" in response.headers["content-disposition"]
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book.worksheets[0].iter_rows(values_only=True))
    headers = list(rows[0])
    for header in (
        "Mã trạm",
        "Doanh nghiệp",
        "Mã vị trí",
        "Kinh độ",
        "Vĩ độ",
        "Tọa độ X (Bắc)",
        "Tọa độ Y (Đông)",
        "Hệ tọa độ",
        "Loại cột",
        "Công nghệ",
        "Trạng thái",
    ):
        assert header in headers, header
    assert len(rows) >= 2, "an example row"
    assert len(book.worksheets) >= 2, "a sheet that explains each column"


def test_template_csv(client: TestClient) -> None:
    response = client.get("/api/imports/stations/template.csv")
    assert response.status_code == 200
    assert media_type(response) == "text/csv"
    assert response.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["Mã trạm", "Doanh nghiệp"]
    assert "Kinh độ" in rows[0] and "Vĩ độ" in rows[0]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_filled_template_imports(client: TestClient, db: Session, fmt: str) -> None:
    template = client.get(f"/api/imports/stations/template.{fmt}").content
    dry = upload(client, template, f"mau.{fmt}", dry_run=True)
    assert dry.status_code == 200, dry.text
    assert dry.json()["valid"] is True and dry.json()["stations_created"] == 1
    real = upload(client, template, f"mau.{fmt}")
    assert real.status_code == 200, real.text
    assert counts(db)[1] == 1
    again = upload(client, template, f"mau.{fmt}")
    assert again.json()["stations_unchanged"] == 1


def test_unknown_template_format(client: TestClient) -> None:
    response = client.get("/api/imports/stations/template.pdf")
    assert response.status_code in (404, 422)
    problem(response, response.status_code)


def test_reimport_with_changed_sectors_updates_them(client: TestClient, db: Session) -> None:
    first = upload(client, csv_bytes(HEADERS, GOOD))
    assert first.status_code == 200, first.text
    rows = [list(r) for r in GOOD]
    rows[0][12] = "10;130;250"  # HPG0001 had 0;120;240
    response = upload(client, csv_bytes(HEADERS, rows))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["stations_updated"] == 1 and report["stations_unchanged"] == 2
    station = client.get("/api/stations", params={"q": "HPG0001"}).json()["features"][0]
    detail = client.get(f"/api/stations/{station['id']}").json()
    assert [s["azimuth_deg"] for s in detail["sectors"]] == [10, 130, 250]


def test_semicolon_csv_with_comma_decimals(client: TestClient, db: Session) -> None:
    """Excel in a Vietnamese locale saves CSV with ";" between cells and "," in numbers."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow(HEADERS)
    for row in GOOD:
        writer.writerow([c.replace(".", ",") if i in (4, 5) else c for i, c in enumerate(row)])
    response = upload(client, out.getvalue().encode("utf-8-sig"))
    assert response.status_code == 200, response.text
    assert response.json()["stations_created"] == 3
    assert counts(db)[1] == 3


def test_xlsx_with_numbers_and_dates_as_excel_types(client: TestClient, db: Session) -> None:
    """Real spreadsheets hold numbers and dates as cell types, not text."""
    from datetime import datetime

    rows = [
        [
            1001,
            "Viettel",
            "HP-92001",
            "Số 1 Văn Cao",
            106.6921,
            20.8432,
            "A1a",
            6,
            "4G",
            1800,
            "đang hoạt động",
            datetime(2023, 4, 5),
            "0;120;240",
        ],
        [
            "MBF-2",
            "MobiFone",
            "HP-92001",
            "Số 1 Văn Cao",
            106.6921,
            20.8432,
            "A1a",
            6.5,
            "4G,5G",
            "1800,n78",
            "planned",
            datetime(2024, 1, 2),
            None,
        ],
    ]
    response = upload(client, xlsx_bytes(HEADERS, rows), "so.xlsx")
    assert response.status_code == 200, response.text
    assert response.json()["stations_created"] == 2 and response.json()["sites_created"] == 1
    stations = {s["station_code"]: s for s in client.get("/api/sites/HP-92001").json()["properties"]["stations"]}
    assert set(stations) == {"1001", "MBF-2"}
    assert stations["1001"]["commissioning_date"] == "2023-04-05"
    assert stations["1001"]["bands"] == ["1800"]
    assert [s["azimuth_deg"] for s in stations["1001"]["sectors"]] == [0, 120, 240]
    again = upload(client, xlsx_bytes(HEADERS, rows), "so.xlsx")
    assert again.json()["stations_unchanged"] == 2
