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
