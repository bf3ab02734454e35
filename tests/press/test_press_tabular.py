"""Press outlets through spreadsheets: all or nothing with row-level errors, idempotent, round trip."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.press.models import PressOutlet
from registry.tabular import write_csv, write_xlsx
from tests.api.helpers import problem

HEADERS = [
    "Mã",
    "Loại hình",
    "Tên",
    "Cơ quan chủ quản",
    "Tên miền",
    "Kinh độ",
    "Vĩ độ",
    "Trạng thái",
    "Mã cơ quan chủ quản",
]
GOOD = [
    ["T-VPDD", "Văn phòng đại diện", "VPĐD Báo Tin Tức tại Hải Phòng", "", "", "106.68", "20.86", "", "T-TT"],
    ["T-TT", "Báo điện tử", "Báo Tin Tức", "Thông tấn xã", "baotintuc.test", "", "", "Đang hoạt động", ""],
    ["T-BT", "bản tin", "Bản tin Ngành Y tế Hải Phòng", "Sở Y tế", "", "", "", "", ""],
]


def upload(client: TestClient, data: bytes, name: str = "bao-chi.csv", **params: object):  # type: ignore[no-untyped-def]
    return client.post("/api/imports/press-outlets", files={"file": (name, data)}, params=params)


def count(db: Session) -> int:
    return int(db.scalar(select(func.count()).select_from(PressOutlet)) or 0)


def test_import_is_idempotent_and_resolves_parents_in_the_same_file(client: TestClient, db: Session) -> None:
    first = upload(client, write_csv(HEADERS, GOOD))
    assert first.status_code == 200, first.text
    assert (first.json()["created"], first.json()["unchanged"]) == (3, 0)
    office = client.get("/api/press/outlets/T-VPDD").json()
    assert office["parent"]["code"] == "T-TT" and office["kind"] == "representative_office"
    assert office["location"] == {"lon": 106.68, "lat": 20.86}
    again = upload(client, write_xlsx(HEADERS, GOOD), "bao-chi.xlsx").json()
    assert (again["created"], again["updated"], again["unchanged"]) == (0, 0, 3)
    changed = [row[:] for row in GOOD]
    changed[2][3] = "Sở Y tế Hải Phòng"
    assert upload(client, write_csv(HEADERS, changed)).json()["updated"] == 1


def test_bad_rows_name_row_and_column_and_write_nothing(client: TestClient, db: Session) -> None:
    bad = [
        GOOD[1],
        ["T-X1", "Lâu đài", "X", "", "", "", "", "", ""],
        ["T-X2", "Báo điện tử", "", "", "", "", "", "", ""],
        ["T-X3", "Báo điện tử", "Y", "", "bad domain", "", "", "", ""],
        ["T-X4", "Phóng viên thường trú", "PV Z", "", "", "", "", "", "KHONG-CO"],
        ["T-TT", "Báo điện tử", "Trùng mã", "", "", "", "", "", ""],
        ["T-X5", "Báo in", "Q", "", "", "200", "20", "", ""],
    ]
    body = problem(upload(client, write_csv(HEADERS, bad)), 422)
    where = {(e["row"], e["column"]) for e in body["errors"]}
    assert {(3, "Loại hình"), (4, "Tên"), (5, "Tên miền"), (7, "Mã")} <= where, where
    assert any(e["row"] == 8 for e in body["errors"])
    assert count(db) == 0
    missing_column = problem(upload(client, write_csv(["Mã", "Tên"], [["A", "B"]])), 422)
    assert missing_column["errors"][0]["column"] == "Loại hình"
    assert count(db) == 0


def test_a_parent_missing_everywhere_is_reported(client: TestClient, db: Session) -> None:
    body = problem(upload(client, write_csv(HEADERS, [GOOD[0]])), 422)
    assert body["errors"][0]["column"] == "Mã cơ quan chủ quản" and body["errors"][0]["row"] == 2
    assert count(db) == 0


def test_export_round_trip(client: TestClient, anon: TestClient) -> None:
    upload(client, write_csv(HEADERS, GOOD)).raise_for_status()
    exported = client.get("/api/press/outlets.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Mã", "Loại hình", "Tên"] and len(rows) == 4
    assert upload(client, exported.content).json()["unchanged"] == 3
    assert client.get("/api/press/outlets.xlsx").content[:2] == b"PK"
    problem(anon.get("/api/press/outlets.csv"), 401)
