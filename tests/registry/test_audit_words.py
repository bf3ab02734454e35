"""A record's history in Vietnamese words (registry/audit/words.py), against the real database: a site
created, moved, its status and commune changed, a station and a permit added; every audited column
has a label; ids are named in a fixed number of queries whatever the number of events; stored script
text is shown escaped on the record page."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event, func, select, text
from sqlalchemy.orm import Session

from maps.templating import number as page_number
from registry.admin_units.models import AdminUnit
from registry.audit.context import acting_as
from registry.audit.models import AuditEvent
from registry.audit.queries import record_history
from registry.audit.words import (
    COMMON_LABELS,
    EVENT_KEYS,
    LABELS,
    Href,
    Line,
    Words,
    audited_columns,
    audited_entities,
    degrees,
    describe,
    has_label,
    label,
    number,
)
from registry.positions import point
from registry.stations.models import Sector
from tests.factories import make_permit, make_site, make_station, operator


def _commune(db: Session, name: str) -> AdminUnit:
    unit = db.scalar(select(AdminUnit).where(AdminUnit.name == name, AdminUnit.level == "commune"))
    assert unit is not None, name
    return unit


def _history(db: Session, entity: str, id_: int) -> list[Line]:
    events, total = record_history(db, entity, id_, limit=500)
    assert total == len(events)
    return describe(db, events)


def _changes(line: Line) -> dict[str, tuple[Any, Any, str | None]]:
    return {c.label: (c.before, c.after, c.note) for c in line.changes}


def test_every_audited_column_of_every_audited_model_has_a_vietnamese_label() -> None:
    missing = [f"{e}.{c}" for e in audited_entities() for c in audited_columns(e) if not has_label(e, c)]
    assert missing == [], f"no label for: {', '.join(missing)} (add them to LABELS in registry/audit/words.py)"
    # The tables name no entity or column that does not exist (a typo would never be used).
    for entity, labels in LABELS.items():
        assert entity in audited_entities(), entity
        assert set(labels) <= set(audited_columns(entity)) | {"id", "version"} | EVENT_KEYS.get(entity, set()), entity
    assert all(COMMON_LABELS.values())


def test_every_id_column_names_a_kind_of_record_that_has_a_name() -> None:
    from registry.audit.words import ENTITY_NAMES, NAMERS, target_of

    for entity in audited_entities():
        assert entity in ENTITY_NAMES, entity
        for column in audited_columns(entity):
            target = target_of(entity, column)
            if column.endswith("_id") and column != "id":
                assert target is not None and target in NAMERS, f"{entity}.{column} → {target}"


def test_a_field_without_a_label_reads_as_words() -> None:
    assert label("site", "admin_unit_id") == "Xã, phường"
    assert label("site", "brand_new_thing_id") == "Brand new thing"
    assert not has_label("site", "brand_new_thing_id")


def test_a_site_created_moved_and_changed_reads_in_words(db: Session) -> None:
    le_chan, ngo_quyen = _commune(db, "Lê Chân"), _commune(db, "Ngô Quyền")
    with acting_as("cb.capphep"):
        site = make_site(db, code="HP-WORDS-1", lon=106.683, lat=20.86, status="planned", admin_unit_id=le_chan.id)
        station = make_station(db, site=site, station_code="HPW0001", operator_code="VIETTEL")
        permit = make_permit(
            db, kind="construction_permit", site=site, number="GP-12/2025", valid_until=date(2030, 1, 31)
        )
        site.geom = point(106.683, 20.86011)  # about 12 m north
        db.flush()
        site.status = "operating"
        db.flush()
        site.admin_unit_id = ngo_quyen.id
        db.flush()
    lines = _history(db, "site", site.id)
    whats = [(ln.what, ln.subject) for ln in lines]
    site_link = Href("/office/sites/HP-WORDS-1", "HP-WORDS-1")
    assert whats == [
        ("Thêm vị trí", site_link),
        ("Thêm trạm gốc", "HPW0001 (Viettel)"),
        ("Thêm giấy phép xây dựng", Href(f"/office/permits/{permit.id}", "GP-12/2025")),
        ("Sửa vị trí", site_link),
        ("Sửa vị trí", site_link),
        ("Sửa vị trí", site_link),
    ]
    assert {ln.actor for ln in lines} == {"cb.capphep"}
    created = _changes(lines[0])
    assert created["Trạng thái"] == (None, "quy hoạch", None)
    assert created["Xã, phường"] == (None, "Phường Lê Chân", None)
    assert created["Vị trí"] == (None, "20,86000° B, 106,68300° Đ", None)
    assert created["Nguồn tọa độ"][1] == "đo bằng GPS"
    assert created["Chiều cao cột (m)"][1] == "15"
    assert created["Hệ tọa độ nhập"][1].endswith("(EPSG:4326)")
    assert _changes(lines[1])["Doanh nghiệp"][1] == (operator(db, "VIETTEL").short_name or "")
    assert _changes(lines[1])["Vị trí"][1] == site_link
    assert _changes(lines[1])["Công nghệ"][1] == "4G"
    assert _changes(lines[2])["Hiệu lực đến ngày"][1] == "31/01/2030"
    assert _changes(lines[2])["Loại giấy tờ"][1] == "Giấy phép xây dựng"
    # The move: both positions in degrees and the geodesic distance, as PostGIS measures it too.
    before, after, note = _changes(lines[3])["Vị trí"]
    assert (before, after) == ("20,86000° B, 106,68300° Đ", "20,86011° B, 106,68300° Đ")
    metres = db.scalar(
        text("SELECT ST_Distance(ST_MakePoint(106.683, 20.86)::geography, ST_MakePoint(106.683, 20.86011)::geography)")
    )
    assert note == f"dời {round(metres)} m" and round(metres) == 12
    assert _changes(lines[4]) == {"Trạng thái": ("quy hoạch", "đang hoạt động", None)}
    assert _changes(lines[5]) == {"Xã, phường": ("Phường Lê Chân", "Phường Ngô Quyền", None)}
    # No database word is left: no column name, no WKT, no "#id", no enum value.
    said = repr([(ln.what, ln.subject, [(c.label, c.before, c.after, c.note) for c in ln.changes]) for ln in lines])
    for raw in ("admin_unit_id", "POINT", "#", "operating", "planned", "construction_permit", "owner_id"):
        assert raw not in said, raw
    assert station.id and "Phiên bản" not in said


def test_a_stations_sectors_and_a_deleted_station_are_named_from_the_trail(db: Session) -> None:
    site = make_site(db, code="HP-WORDS-2")
    station = make_station(db, site=site, station_code="HPW0002", sectors=[(120.0, 3.0, 50.0)])
    station.sectors[0].azimuth_deg = 135.5  # the sector alone: its station's event says it
    db.flush()
    station.sectors.append(Sector(sector_no=2, azimuth_deg=240.0))
    db.flush()
    db.delete(station)
    db.flush()
    lines = _history(db, "site", site.id)
    by_what = [(ln.what, ln.subject) for ln in lines]
    assert not [w for w, _ in by_what if "sector" in w]  # no event of a sector of its own
    created, turned, added, gone = (ln for ln in lines if any(c.label == "Các sector" for c in ln.changes))
    one, two = "1: 135,5°, nghiêng 3°, 50\u00a0W", "1: 135,5°, nghiêng 3°, 50\u00a0W; 2: 240°"
    assert _changes(created)["Các sector"] == (None, "1: 120°, nghiêng 3°, 50\u00a0W", None)
    assert (turned.what, turned.subject) == ("Sửa trạm gốc", "HPW0002 (Viettel)")
    assert _changes(turned) == {"Các sector": ("1: 120°, nghiêng 3°, 50\u00a0W", one, None)}
    assert _changes(added)["Các sector"] == (one, two, None)
    assert (gone.what, gone.subject) == ("Xóa trạm gốc", "HPW0002 (Viettel)")  # named from the trail's own values
    assert _changes(gone)["Các sector"] == (two, None, None)


def test_a_trail_written_before_sectors_were_part_of_their_station_still_reads(db: Session) -> None:
    """Older trails hold events of sectors of their own (tagged with their station): the station's and
    the site's history still read them."""
    site = make_site(db, code="HP-WORDS-3")
    station = make_station(db, site=site, station_code="HPW0003")
    db.add(
        AuditEvent(
            actor="admin-test",
            entity_type="sector",
            entity_id="999001",
            action="update",
            changes={"azimuth_deg": [120.0, 135.5], "sector_no": [1, 1], "station_id": [station.id, station.id]},
            parents=[f"station:{station.id}"],
        )
    )
    db.flush()
    for lines in (_history(db, "station", station.id), _history(db, "site", site.id)):
        old = next(ln for ln in lines if ln.what == "Sửa sector")
        assert old.subject == "1 của trạm HPW0003"  # named from the trail (the sector is not in the table)
        assert _changes(old)["Góc phương vị (°)"] == ("120", "135,5", None)


def test_a_sector_removed_alone_or_moved_is_told_by_its_stations(db: Session) -> None:
    site = make_site(db, code="HP-WORDS-4")
    a = make_station(db, site=site, station_code="HPW0004", sectors=[(10.0, None, None), (130.0, None, None)])
    b = make_station(db, site=site, station_code="HPW0005")
    first = int(db.scalar(select(func.max(AuditEvent.id))) or 0)
    db.delete(a.sectors[1])  # the session's delete, not the collection's
    db.flush()
    a.sectors[0].station_id = b.id  # moved to another station
    db.flush()
    events = list(db.scalars(select(AuditEvent).where(AuditEvent.id > first).order_by(AuditEvent.id)))
    said = [(e.entity_type, int(e.entity_id), e.action, e.changes) for e in events]
    one = {"sector_no": 1, "azimuth_deg": 10.0, "tilt_deg": None, "eirp_w": None}
    two = {"sector_no": 2, "azimuth_deg": 130.0, "tilt_deg": None, "eirp_w": None}
    assert said[0] == ("station", a.id, "update", {"sectors": [[one, two], [one]]})
    assert sorted(said[1:]) == [
        ("station", a.id, "update", {"sectors": [[one], []]}),
        ("station", b.id, "update", {"sectors": [[], [one]]}),
    ]
    assert all(e.parents == [f"site:{site.id}"] for e in events)


def test_an_outlet_its_licence_and_its_status_read_in_words(db: Session) -> None:
    from registry.press.models import PressLicence, PressOutlet

    outlet = PressOutlet(code="BAO-W", kind="e_newspaper", name="Báo Thử <Lời>", status="active", languages=["vi"])
    db.add(outlet)
    db.flush()
    licence = PressLicence(outlet_id=outlet.id, kind="press_licence", number="GP-99/BTTTT", valid_from=date(2025, 1, 2))
    db.add(licence)
    db.flush()
    outlet.status = "suspended"
    db.flush()
    lines = _history(db, "press_outlet", outlet.id)
    outlet_link = Href("/records/outlets/BAO-W", "Báo Thử <Lời>")
    assert [(ln.what, ln.subject) for ln in lines] == [
        ("Thêm cơ quan báo chí", outlet_link),
        ("Thêm giấy phép hoạt động báo chí", "GP-99/BTTTT"),
        ("Sửa cơ quan báo chí", outlet_link),
    ]
    assert _changes(lines[0])["Loại hình"][1] == "Báo điện tử"
    assert _changes(lines[1])["Cơ quan báo chí"][1] == outlet_link
    assert _changes(lines[1])["Hiệu lực từ ngày"][1] == "02/01/2025"
    assert _changes(lines[2]) == {"Trạng thái": ("đang hoạt động", "đình bản/tạm dừng", None)}


def test_values_read_the_vietnamese_way(db: Session) -> None:
    w = Words(db)
    assert w.value("permit", "issue_date", "2025-03-04") == "04/03/2025"
    assert w.value("document", "uploaded_at", "2025-03-04T01:30:00+00:00") == "04/03/2025 08:30"
    assert w.value("case_attachment", "confidential", True) == "có"
    assert w.value("case", "complex", False) == "không"
    assert w.value("station", "bands", ["1800", "3500"]) == "1800, 3500"
    assert w.value("user", "roles", ["admin", "viewer"]) == "Quản trị hệ thống, Người xem (nội bộ)"
    assert w.value("sanction", "fine_vnd", 15_000_000) == "15 000 000"
    assert w.value("press_annual_report", "year", 2025) == "2025"
    assert w.value("sector", "eirp_w", 1234.5) == "1 234,5"
    assert w.value("site", "source_x", 2_300_123.456) == "2 300 123,46"  # metres of VN-2000
    assert w.value("site", "source_y", 20.8601234) == "20,860123"  # degrees
    assert w.value("case", "state", "in_progress") == "đang giải quyết"
    assert w.value("dossier", "status", "received") == "Đã tiếp nhận"
    assert w.value("site", "notes", "") is None and w.value("station", "bands", []) is None
    long = w.value("site", "notes", "chữ " * 100)
    assert isinstance(long, str) and len(long) <= 120 and long.endswith("…")
    amended = w.value(
        "press_licence_amendment",
        "changes",
        {"outlet.name": ["Báo Cũ", "Báo Mới"], "valid_until": ["2030-03-19", "2031-03-19"]},
    )
    assert amended == (
        f"{label('press_outlet', 'name')}: Báo Cũ → Báo Mới; "
        f"{label('press_licence', 'valid_until')}: 19/03/2030 → 19/03/2031"
    )
    assert w.value("case_attachment", "document_id", 12) == "tệp số 12"  # a document is never looked up
    zone = w.value("planning_zone", "geom", "MULTIPOLYGON (((106.6 20.8, 106.61 20.8, 106.61 20.81, 106.6 20.8)))")
    assert zone is not None and str(zone).startswith("1 đa giác, ") and str(zone).endswith(" km²")
    assert degrees(-0.5, -33.25) == "33,25000° N, 0,50000° T"
    for x in (0.0, 12.0, 1234.5, 1_000_000.25, -3.1):
        assert number(x) == page_number(x)


@contextmanager
def _counted(db: Session) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def _site_with_children(db: Session, n: int) -> None:
    site = make_site(db, code=f"HP-BULK-{n}", owner=operator(db, "VNPT"))
    station = make_station(db, site=site, sectors=[(10.0, 2.0, 40.0)])
    make_permit(db, kind="construction_permit", site=site)
    make_permit(db, kind="inspection_certificate", station=station)


def test_ids_are_named_in_one_query_per_kind_whatever_the_number_of_events(db: Session) -> None:
    first = int(db.scalar(select(func.coalesce(func.max(AuditEvent.id), 0))) or 0)

    def queries_for(count: int) -> int:
        for n in range(count):
            _site_with_children(db, count * 100 + n)
        events = list(db.scalars(select(AuditEvent).where(AuditEvent.id > first).order_by(AuditEvent.id)))
        db.expunge_all()
        with _counted(db) as statements:
            lines = describe(db, events)
        assert len(lines) == len(events) and all(ln.subject is not None for ln in lines)
        return len(statements)

    few, many = queries_for(2), queries_for(12)
    assert few == many
    assert many <= 8  # sites, stations, sectors, permits; then communes, organisations, sites, stations


def test_the_site_page_shows_the_history_in_words_and_stored_script_escaped(client: TestClient, db: Session) -> None:
    hostile = "<script>alert('x')</script>"
    response = client.post(
        "/api/sites",
        json={"code": "HP-WORDS-3", "position": {"lon": 106.683, "lat": 20.86}, "commune": "Lê Chân", "notes": hostile},
    )
    assert response.status_code == 201, response.text
    page = client.get("/records/sites/HP-WORDS-3").text
    assert hostile not in page and "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in page
    assert 'Thêm vị trí <a href="/office/sites/HP-WORDS-3">HP-WORDS-3</a>' in page
    assert "Vị trí: 20,86000° B, 106,68300° Đ" in page and "Tọa độ nhập (x): 106,683<" in page
    assert "Xã, phường (như đã nhập): Lê Chân" in page and "Xã, phường: Phường " in page
    assert "admin_unit_id" not in page and "POINT" not in page
    # The API keeps its raw trail and gives the words beside it.
    history = client.get("/api/sites/HP-WORDS-3/history").json()["events"][0]
    assert history["changes"]["status"] == {"before": None, "after": "operating"}
    assert history["words"]["what"] == "Thêm vị trí"
    assert history["words"]["subject"] == {"href": "/office/sites/HP-WORDS-3", "label": "HP-WORDS-3"}
    notes = next(c for c in history["words"]["changes"] if c["field"] == "notes")
    assert notes == {"field": "notes", "label": "Ghi chú", "before": None, "after": hostile, "note": None}


def test_a_sector_list_in_words_keeps_what_it_cannot_read_and_is_bounded() -> None:
    from registry.audit.words import TEXT_LIMIT, sector_list

    assert sector_list([]) is None
    assert sector_list([{"sector_no": 1, "azimuth_deg": "?"}, "lạ"]) == "1: —; lạ"
    long = sector_list([{"sector_no": n, "azimuth_deg": 359.5, "eirp_w": 12345.0} for n in range(1, 60)])
    assert long is not None and len(long) == TEXT_LIMIT * 3 and long.endswith("…")
    assert "12\u00a0345\u00a0W" in long  # a power is never split across lines
