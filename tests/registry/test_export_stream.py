"""Exports stream from a server-side cursor instead of building the whole file in memory."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from fixtures.synthetic import add_synthetic_sites
from registry.stations.exporter import export_stations, stream_stations
from registry.stations.models import Station
from registry.stations.queries import StationFilter


def test_csv_comes_in_batches_and_holds_every_station(db: Session) -> None:
    add_synthetic_sites(db, sites=800)
    stations = db.scalar(select(func.count()).select_from(Station)) or 0
    assert stations > 1000
    chunks = list(stream_stations(db, filters=StationFilter(), fmt="csv"))
    assert len(chunks) == stations // 1000 + 1
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(rows) == stations + 1 and rows[0][0] == "Mã trạm"
    assert len({(r[1], r[0]) for r in rows[1:]}) == stations
    # the session is still usable after a streamed read
    assert db.scalar(select(func.count()).select_from(Station)) == stations


def test_xlsx_written_in_write_only_mode_reads_back(db: Session) -> None:
    add_synthetic_sites(db, sites=50)
    data = export_stations(db, filters=StationFilter(operators=["Viettel"]), fmt="xlsx")
    sheet = load_workbook(io.BytesIO(data), read_only=True)["Trạm gốc"]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("Mã trạm", "Doanh nghiệp")
    assert len(rows) > 1 and all(r[1] == "Viettel" for r in rows[1:])
