"""Shared pieces have one home: versions counted by SQLAlchemy, one enum CHECK helper, one "in force
on a day" filter, and no area reaching into another's private names or into the permits from stations."""

from __future__ import annotations

import ast
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import exc as sa_exc
from sqlalchemy import select, text
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

import registry.models  # noqa: F401  (every mapped class)
from api.errors import install
from registry.base import Base, InForce, Tracked, enum_check, in_force_sql
from registry.permits.models import PermitRule
from registry.stations.models import Site, SiteStatus
from registry.stations.schemas import StationPatch
from registry.stations.service import update_station
from registry.versions import stale_version
from tests.factories import make_site, make_station

ROOT = Path(__file__).resolve().parents[2]


def test_every_tracked_model_but_the_hand_counted_ones_has_a_version_counter() -> None:
    tracked = [m.class_ for m in Base.registry.mappers if issubclass(m.class_, Tracked)]
    assert len(tracked) > 15
    for cls in tracked:
        counter = cls.__mapper__.version_id_col
        if cls.__versions_by_hand__:
            assert counter is None, cls
        else:
            assert counter is not None and counter.name == "version", cls


def test_a_change_counts_one_version_and_no_change_counts_none(db: Session) -> None:
    site = make_site(db, address="Số 1")
    db.flush()
    before = site.version
    site.address = "Số 1"  # the same value: no UPDATE, no version
    db.flush()
    assert site.version == before
    site.address = "<script>alert(1)</script>"
    db.flush()
    assert site.version == before + 1
    assert db.scalar(text("SELECT version FROM site WHERE id = :id"), {"id": site.id}) == before + 1


def test_sectors_alone_count_a_version_of_their_station(db: Session) -> None:
    station = make_station(db, sectors=[(0.0, None, None)])
    db.flush()
    before = station.version
    patch = StationPatch(sectors=[{"azimuth_deg": 120.0}])  # type: ignore[list-item]
    update_station(db, station_id=station.id, data=patch, expected_version=before)
    assert station.version == before + 1
    # The same sectors again: nothing changed, the version stays.
    update_station(db, station_id=station.id, data=patch, expected_version=before + 1)
    assert station.version == before + 1


def test_a_row_changed_behind_the_session_is_a_stale_version(db: Session) -> None:
    site = make_site(db)
    db.flush()
    db.execute(text("UPDATE site SET version = version + 7 WHERE id = :id"), {"id": site.id})
    site.address = "Số 9"
    with pytest.raises(StaleDataError) as caught:
        db.flush()
    error = stale_version(caught.value)
    assert error.status == 412
    assert "site" not in error.detail  # no table names or row counts for the user


def test_stale_data_is_answered_412_problem_json_not_500() -> None:
    app = FastAPI()
    install(app)

    @app.get("/boom")
    def boom() -> None:
        raise StaleDataError("UPDATE statement on table 'site' expected to update 1 row(s); 0 were matched.")

    response = TestClient(app, raise_server_exceptions=False).get("/boom")
    assert response.status_code == 412
    assert response.headers["content-type"].startswith("application/problem+json")
    body = response.json()
    assert body["type"].endswith("stale-version")
    assert "expected to update" not in body["detail"] and "site" not in body["detail"]


def test_enum_check_lists_the_values_and_the_database_refuses_others(db: Session) -> None:
    check = enum_check("status", SiteStatus)
    assert check.name == "status"
    assert str(check.sqltext) == "status IN (" + ", ".join(repr(s.value) for s in SiteStatus) + ")"
    assert str(enum_check("result", ["a"], or_null=True).sqltext) == "result IN ('a') OR result IS NULL"
    site = make_site(db)
    db.flush()
    with pytest.raises(sa_exc.IntegrityError), db.begin_nested():
        db.execute(text("UPDATE site SET status = 'x'') OR 1=1 --' WHERE id = :id"), {"id": site.id})


@pytest.mark.parametrize("offset", [-1, 0, 1, 9, 10, 11])
def test_in_force_on_agrees_in_python_sql_and_orm(db: Session, offset: int) -> None:
    start = date(2024, 1, 1)
    spans = [(start, None), (start, start + timedelta(days=10)), (start + timedelta(days=5), None)]
    day = start + timedelta(days=offset)
    for effective_from, effective_to in spans:
        row = InForce()
        row.effective_from, row.effective_to = effective_from, effective_to
        sql = db.scalar(
            text(
                f"SELECT {in_force_sql(alias='r')} "
                "FROM (SELECT CAST(:f AS date) AS effective_from, CAST(:t AS date) AS effective_to) r"
            ),
            {"f": effective_from, "t": effective_to, "on": day},
        )
        assert sql is row.is_in_force(day), (effective_from, effective_to, day)
    # The ORM filter is the same condition on a real table.
    compiled = str(select(PermitRule.id).where(PermitRule.in_force_on(day)).compile())
    assert "permit_rule.effective_from <=" in compiled and "permit_rule.effective_to IS NULL" in compiled


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
    return found


def _area(module: str) -> str:
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "registry" and len(parts) > 2 else module


def test_no_module_imports_another_areas_underscore_names() -> None:
    offenders = []
    for top in ("registry", "api", "maps"):
        for path in (ROOT / top).rglob("*.py"):
            if "migrations" in path.parts or "node_modules" in path.parts:
                continue
            here = _area(".".join(path.relative_to(ROOT).with_suffix("").parts))
            for module, names in _imports(path):
                private = [n for n in names if n.startswith("_")]
                if private and _area(module) != here:
                    offenders.append(f"{path.relative_to(ROOT)}: {module} {private}")
    assert offenders == []


def test_stations_never_import_permits() -> None:
    for path in (ROOT / "registry" / "stations").rglob("*.py"):
        modules = [m for m, _ in _imports(path)]
        assert not [m for m in modules if m.startswith("registry.permits")], path


def test_site_deletion_still_names_the_permits_it_holds(db: Session) -> None:
    from registry.errors import Conflict
    from registry.stations.service import delete_site
    from tests.factories import make_permit

    site = make_site(db)
    make_permit(db, kind="construction_permit", site=site, number="GP-<b>1</b>")
    db.flush()
    with pytest.raises(Conflict) as caught:
        delete_site(db, code=site.code, expected_version=site.version)
    assert caught.value.extra["permits"] == ["GP-<b>1</b>"]
    assert db.get(Site, site.id) is not None
