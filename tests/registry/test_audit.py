"""The audit trail: every change of an audited record, in the same transaction, append-only."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from registry.audit.context import acting_as
from registry.audit.models import AuditEvent
from registry.errors import ValidationFailed
from registry.stations.importer import import_table
from registry.stations.models import Site
from registry.tabular import read_table, write_csv
from tests.api.helpers import versioned

HEADERS = ["Mã trạm", "Doanh nghiệp", "Mã vị trí", "Kinh độ", "Vĩ độ", "Công nghệ"]
ROWS = [
    ["AU-1", "Viettel", "HP-95001", "106.6600", "20.8400", "4G"],
    ["AU-2", "MobiFone", "HP-95001", "106.6600", "20.8400", "4G,5G"],
]


def events(db: Session, entity: str | None = None) -> list[AuditEvent]:
    query = select(AuditEvent).order_by(AuditEvent.id)
    if entity:
        query = query.where(AuditEvent.entity_type == entity)
    return list(db.scalars(query))


def test_api_changes_are_recorded_with_request_id(client: TestClient, db: Session) -> None:
    created = client.post(
        "/api/sites",
        json={"code": "HP-95100", "position": {"lon": 106.66, "lat": 20.84}, "address": "Số 1"},
        headers={"X-Request-ID": "req-create-1"},
    )
    assert created.status_code == 201
    site_id = db.scalar(select(Site.id).where(Site.code == "HP-95100"))
    create = events(db, "site")[-1]
    assert (create.action, create.entity_id, create.actor, create.request_id) == (
        "create",
        str(site_id),
        "admin-test",  # the signed-in user of the `client` fixture
        "req-create-1",
    )
    assert create.changes["code"] == [None, "HP-95100"] and create.changes["address"] == [None, "Số 1"]
    assert create.changes["geom"][1].startswith("POINT")

    assert (
        client.patch(
            "/api/sites/HP-95100", headers=versioned(client, "/api/sites/HP-95100"), json={"address": "Số 2"}
        ).status_code
        == 200
    )
    update = events(db, "site")[-1]
    assert update.action == "update"
    assert update.changes == {"address": ["Số 1", "Số 2"], "version": [1, 2]}

    assert client.delete("/api/sites/HP-95100", headers=versioned(client, "/api/sites/HP-95100")).status_code == 204
    delete = events(db, "site")[-1]
    assert delete.action == "delete" and delete.changes["address"] == ["Số 2", None]


def test_import_is_recorded_once_and_reimport_adds_nothing(db: Session) -> None:
    table = read_table(write_csv(HEADERS, ROWS), "t.csv")
    with acting_as("cli:tester"):
        import_table(db, table=table)
    stations = events(db, "station")
    assert len(stations) == 2 and {e.actor for e in stations} == {"cli:tester"}
    assert len(events(db, "site")) >= 1
    before = len(events(db))
    import_table(db, table=table)
    assert len(events(db)) == before, "an import that changes nothing leaves no trail"


def test_failed_import_leaves_no_trail(db: Session) -> None:
    before = db.scalar(select(func.count()).select_from(AuditEvent))
    bad = [list(r) for r in ROWS]
    bad[1][4] = "95"
    with pytest.raises(ValidationFailed):
        import_table(db, table=read_table(write_csv(HEADERS, bad), "t.csv"))
    assert db.scalar(select(func.count()).select_from(AuditEvent)) == before


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_event", "TRUNCATE audit_event"]
)
def test_trail_is_append_only(db: Session, statement: str) -> None:
    import_table(db, table=read_table(write_csv(HEADERS, ROWS), "t.csv"))
    with pytest.raises(DBAPIError) as caught, db.begin_nested():
        db.execute(text(statement))
    assert "append-only" in str(caught.value)


def test_the_served_app_installs_the_audit_hook() -> None:
    """The hook must not depend on something a test happens to import (it once did)."""
    import os
    import subprocess
    import sys

    code = "import sys, api.main; print('registry.audit.listener' in sys.modules)"
    env = dict(os.environ, TTTT_SECRET_KEY="k" * 40)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env)
    assert out.stdout.strip() == "True"


def _trail(db: Session, site_code: str) -> list[tuple[str, str, dict[str, object], list[str]]]:
    """A site's events and its stations' (and sectors', which older trails hold), ids and codes left out
    (they differ by path)."""
    site_id = db.scalar(select(Site.id).where(Site.code == site_code))
    station_ids = [str(i) for i in db.scalars(text("SELECT id FROM station WHERE site_id = :s"), {"s": site_id})]
    rows = db.execute(
        text(
            "SELECT entity_type, action, changes, parents FROM audit_event"
            " WHERE (entity_type = 'site' AND entity_id = :s)"
            " OR (entity_type = 'station' AND entity_id = ANY(:st))"
            " OR (entity_type = 'sector' AND parents && CAST(:sp AS varchar[])) ORDER BY entity_type, action, id"
        ),
        {"s": str(site_id), "st": station_ids, "sp": [f"station:{i}" for i in station_ids]},
    ).all()
    ids = {"id", "code", "site_id", "station_id", "station_code"}
    return [
        (e, a, {k: v for k, v in c.items() if k not in ids}, [p.split(":")[0] for p in parents])
        for e, a, c, parents in rows
    ]


def test_the_import_writes_the_events_the_api_writes(client: TestClient, db: Session) -> None:
    """The import writes its trail set-based in SQL (registry.audit.sets), the API through the ORM's
    flush hook (registry.audit.parts folds the sectors into the station's events): the same site,
    station and sectors, created and then changed, read the same."""
    site = {"position": {"lon": 106.6610, "lat": 20.8410}, "address": "Số 9 Lê Lợi", "pole_height_m": 21.5}
    station = {"operator": "Viettel", "technologies": ["4G", "2G"], "bands": ["900"], "status": "planned"}
    sectors = [{"azimuth_deg": 10, "tilt_deg": 4, "eirp_w": 800}, {"azimuth_deg": 130, "tilt_deg": 6, "eirp_w": 700}]
    assert client.post("/api/sites", json={"code": "HP-95201", **site}).status_code == 201
    body = {**station, "station_code": "AU-API", "site_code": "HP-95201", "sectors": sectors}
    assert client.post("/api/stations", json=body).status_code == 201
    headers = ["Mã trạm", "Doanh nghiệp", "Mã vị trí", "Kinh độ", "Vĩ độ", "Địa chỉ", "Chiều cao cột (m)",
               "Công nghệ", "Băng tần", "Trạng thái", "Góc phương vị (°)", "Góc nghiêng (°)", "EIRP (W)"]  # fmt: skip
    row = ["AU-IMP", "Viettel", "HP-95202", "106.6690", "20.8490", "Số 9 Lê Lợi", "21.5", "4G,2G", "900",
           "quy hoạch", "10;130", "4;6", "800;700"]  # fmt: skip
    with acting_as("admin-test"):
        import_table(db, table=read_table(write_csv(headers, [row]), "t.csv"))
        db.commit()
    api, imported = _trail(db, "HP-95201"), _trail(db, "HP-95202")
    # A site and a station, the station's sectors listed in its own event (a sector has none of its own).
    assert [t[:2] for t in imported] == [t[:2] for t in api] == [("site", "create"), ("station", "create")]
    listed = [
        {"sector_no": 1, "azimuth_deg": 10.0, "tilt_deg": 4.0, "eirp_w": 800.0},
        {"sector_no": 2, "azimuth_deg": 130.0, "tilt_deg": 6.0, "eirp_w": 700.0},
    ]
    assert imported[1][2]["sectors"] == api[1][2]["sectors"] == [None, listed]
    assert [t[2]["status"] for t in imported if t[0] == "site"] == [[None, "planned"]]
    for (_, _, a_changes, a_parents), (_, _, i_changes, i_parents) in zip(api, imported, strict=True):
        # The two sites are 1 km apart; a new site of a file takes the status its stations give (the
        # API's site was made before its station: operating by default).
        geom = ("geom", "source_x", "source_y", "admin_unit_id", "status")
        assert {k: v for k, v in i_changes.items() if k not in geom} == {
            k: v for k, v in a_changes.items() if k not in geom
        }
        assert set(i_changes) == set(a_changes) and i_parents == a_parents

    # A change to the station and one sector: one update of the station, with the version step and the
    # sectors before and after.
    sid = db.scalar(text("SELECT id FROM station WHERE station_code = 'AU-API'"))
    patch = {"status": "operating", "sectors": [{**sectors[0], "azimuth_deg": 15}, sectors[1]]}
    etag = client.get(f"/api/stations/{sid}").headers["ETag"]
    assert client.patch(f"/api/stations/{sid}", json=patch, headers={"If-Match": etag}).status_code == 200
    row[9], row[10] = "đang hoạt động", "15;130"
    with acting_as("admin-test"):
        import_table(db, table=read_table(write_csv(headers, [row]), "t.csv"))
        db.commit()
    api, imported = _trail(db, "HP-95201"), _trail(db, "HP-95202")
    updates = [(t[0], t[2], t[3]) for t in api if t[1] == "update"]
    assert updates == [(t[0], t[2], t[3]) for t in imported if t[1] == "update"]
    turned = [{**listed[0], "azimuth_deg": 15.0}, listed[1]]
    assert updates == [
        ("station", {"status": ["planned", "operating"], "version": [1, 2], "sectors": [listed, turned]}, ["site"])
    ]
