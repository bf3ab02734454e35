"""A site's operators, technologies and number of stations are kept in its row by triggers
(migration 0020) and always equal a fresh count of its stations: after stations are created, changed,
moved and deleted through the API, after set-based SQL statements touching many stations at once (as
the importer writes), and after an operator is renamed. The lists and nearest show them; keeping them
neither bumps a site's version (ETag) nor writes to its history.

The fresh count is made here in Python from the station rows, not by the triggers' SQL."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.stations.models import Site
from tests.api.helpers import codes, collection, versioned
from tests.factories import make_random_sites, make_site, make_station, operator


def db_sorted(db: Session, values: set[str]) -> list[str]:
    """``values`` in the database's own text order (what ORDER BY gives; Python's may differ)."""
    return list(
        db.execute(
            text("SELECT ARRAY(SELECT v FROM unnest(CAST(:v AS text[])) v ORDER BY v)"), {"v": list(values)}
        ).scalar_one()
    )


def assert_fresh(db: Session, site_ids: list[int]) -> dict[int, tuple[list[str], list[str], int]]:
    """Every listed site's stored summary equals a fresh count of its stations; returns the summaries."""
    db.flush()
    stations = db.execute(
        text(
            "SELECT st.site_id, o.short_name, st.technologies FROM station st "
            "JOIN organisation o ON o.id = st.operator_id WHERE st.site_id = ANY(:ids)"
        ),
        {"ids": site_ids},
    ).all()
    names: dict[int, set[str]] = defaultdict(set)
    techs: dict[int, set[str]] = defaultdict(set)
    count: dict[int, int] = defaultdict(int)
    for site_id, name, technologies in stations:
        names[site_id].add(name)
        techs[site_id].update(technologies)
        count[site_id] += 1
    stored = {
        row.id: (list(row.operators), list(row.technologies), row.station_count)
        for row in db.execute(
            text("SELECT id, operators, technologies, station_count FROM site WHERE id = ANY(:ids)"), {"ids": site_ids}
        )
    }
    assert set(stored) == set(site_ids)
    for site_id in site_ids:
        want = (db_sorted(db, names[site_id]), db_sorted(db, techs[site_id]), count[site_id])
        assert stored[site_id] == want, (site_id, stored[site_id], want)
    return stored


def site_events(db: Session, site_id: int) -> int:
    return int(
        db.execute(
            text("SELECT count(*) FROM audit_event WHERE entity_type = 'site' AND entity_id = :id"),
            {"id": str(site_id)},
        ).scalar_one()
    )


def props(body: dict[str, Any], code: str) -> dict[str, Any]:
    return next(f["properties"] for f in body["features"] if f["id"] == code)


def test_stations_through_the_api_keep_the_summary_and_leave_the_site_version(client: TestClient, db: Session) -> None:
    a = make_site(db, code="SUM-A", lon=106.6801, lat=20.8601)
    b = make_site(db, code="SUM-B", lon=106.6811, lat=20.8611)
    assert assert_fresh(db, [a.id, b.id]) == {a.id: ([], [], 0), b.id: ([], [], 0)}
    etag = client.get("/api/sites/SUM-A").headers["etag"]
    events = site_events(db, a.id)

    made = []
    for op, code, techs in (("viettel", "S-1", ["4G", "2G"]), ("MobiFone", "S-2", ["5G"]), ("Viettel", "S-3", ["4G"])):
        r = client.post(
            "/api/stations", json={"operator": op, "station_code": code, "site_code": "SUM-A", "technologies": techs}
        )
        assert r.status_code == 201, r.text
        made.append(r.json()["id"])
    summary = assert_fresh(db, [a.id, b.id])
    assert summary[a.id] == (db_sorted(db, {"Viettel", "MobiFone"}), ["2G", "4G", "5G"], 3)

    # A change of technologies, then a move to the other site, then a delete.
    url = f"/api/stations/{made[1]}"
    assert client.patch(url, headers=versioned(client, url), json={"technologies": ["3G"]}).status_code == 200
    assert assert_fresh(db, [a.id, b.id])[a.id][1] == ["2G", "3G", "4G"]
    url = f"/api/stations/{made[0]}"
    assert client.patch(url, headers=versioned(client, url), json={"site_code": "SUM-B"}).status_code == 200
    summary = assert_fresh(db, [a.id, b.id])
    assert summary[b.id] == (["Viettel"], ["2G", "4G"], 1) and summary[a.id][2] == 2
    url = f"/api/stations/{made[2]}"
    assert client.delete(url, headers=versioned(client, url)).status_code == 204
    assert assert_fresh(db, [a.id, b.id])[a.id] == (["MobiFone"], ["3G"], 1)

    # Kept by triggers: the site itself did not change for its readers' ETags or its history.
    assert client.get("/api/sites/SUM-A").headers["etag"] == etag
    assert site_events(db, a.id) == events
    # And the list shows what is stored.
    body = collection(client.get("/api/sites", params={"bbox": "106.67,20.85,106.69,20.87"}))
    assert props(body, "SUM-A")["operators"] == ["MobiFone"] and props(body, "SUM-A")["station_count"] == 1
    assert props(body, "SUM-B")["technologies"] == ["2G", "4G"]


def test_set_based_statements_keep_the_summary(db: Session) -> None:
    sites = make_random_sites(db, count=12, seed=20, operators=["VNPT"], prefix="SET")
    ids = [s.id for s in sites]
    assert_fresh(db, ids)
    viettel, mobifone = operator(db, "VIETTEL").id, operator(db, "MOBIFONE").id
    # One INSERT of many stations over many sites (two on some, none on others).
    db.execute(
        text(
            "INSERT INTO station (operator_id, station_code, site_id, status, technologies) "
            "SELECT CASE WHEN i % 2 = 0 THEN :viettel ELSE :mobifone END, 'SET-' || i, "
            "(CAST(:ids AS int[]))[1 + i % 8], 'operating', "
            "CASE WHEN i % 3 = 0 THEN CAST('{5G,4G}' AS varchar[]) ELSE CAST('{3G}' AS varchar[]) END "
            "FROM generate_series(1, 20) i"
        ),
        {"viettel": viettel, "mobifone": mobifone, "ids": ids},
    )
    assert [c for _, _, c in assert_fresh(db, ids).values()].count(1) == 4  # the last 4 sites kept their 1
    # One UPDATE of technologies on several sites, one of operators, one moving stations between sites.
    db.execute(text("UPDATE station SET technologies = '{2G}' WHERE station_code LIKE 'SET-1%'"))
    assert_fresh(db, ids)
    db.execute(
        text("UPDATE station SET operator_id = :v WHERE station_code IN ('SET-3', 'SET-5', 'SET-7')"), {"v": viettel}
    )
    assert_fresh(db, ids)
    db.execute(
        text("UPDATE station SET site_id = CAST(:to AS int) WHERE site_id = ANY(CAST(:from AS int[]))"),
        {"to": ids[11], "from": ids[:3]},
    )
    summary = assert_fresh(db, ids)
    assert all(summary[i] == ([], [], 0) for i in ids[:3])
    # One DELETE of many stations.
    db.execute(text("DELETE FROM station WHERE station_code LIKE 'SET-%' AND site_id <> :keep"), {"keep": ids[11]})
    assert_fresh(db, ids)
    # A statement that changes none of site, operator or technologies rewrites no site row.
    before = dict(db.execute(text("SELECT id, ctid::text FROM site WHERE id = ANY(:ids)"), {"ids": ids}).all())
    db.execute(text("UPDATE station SET bands = '{900}', status = 'suspended' WHERE site_id = ANY(:ids)"), {"ids": ids})
    assert dict(db.execute(text("SELECT id, ctid::text FROM site WHERE id = ANY(:ids)"), {"ids": ids}).all()) == before
    assert_fresh(db, ids)


def test_renaming_an_operator_shows_in_lists_and_nearest(client: TestClient, db: Session) -> None:
    site = make_site(db, code="REN-1", lon=106.7001, lat=20.8201)
    make_station(db, site=site, operator_code="VNPT", technologies=["4G"])
    make_station(db, site=site, operator_code="GTEL", technologies=["4G"])
    other = make_station(db, operator_code="GTEL", code="REN-2", lon=106.7011, lat=20.8211).site
    db.execute(text("UPDATE organisation SET short_name = 'Gtel Mobile <b>' WHERE code = 'GTEL'"))
    summary = assert_fresh(db, [site.id, other.id])
    assert "Gtel Mobile <b>" in summary[site.id][0] and summary[other.id][0] == ["Gtel Mobile <b>"]
    body = collection(client.get("/api/sites", params={"bbox": "106.69,20.81,106.71,20.83"}))
    assert props(body, "REN-2")["operators"] == ["Gtel Mobile <b>"]
    near = collection(client.get("/api/sites/nearest", params={"lon": 106.7001, "lat": 20.8201, "n": 2}))
    assert codes(near) == ["REN-1", "REN-2"]
    assert props(near, "REN-1")["operators"] == db_sorted(db, {"VNPT", "Gtel Mobile <b>"})
    # Another column of the organisation changes nothing in the sites.
    before = dict(
        db.execute(text("SELECT id, ctid::text FROM site WHERE id IN (:a, :b)"), {"a": site.id, "b": other.id}).all()
    )
    db.execute(text("UPDATE organisation SET tax_code = '0100109106' WHERE code = 'GTEL'"))
    after = dict(
        db.execute(text("SELECT id, ctid::text FROM site WHERE id IN (:a, :b)"), {"a": site.id, "b": other.id}).all()
    )
    assert after == before


def test_new_sites_start_empty_and_the_model_reads_the_summary(db: Session) -> None:
    site = make_site(db, code="NEW-1")
    db.refresh(site)
    assert (site.operators, site.technologies, site.station_count) == ([], [], 0)
    make_station(db, site=site, operator_code="VIETNAMOBILE", technologies=["4G", "2G"])
    db.refresh(site)
    assert (site.operators, site.technologies, site.station_count) == (["Vietnamobile"], ["2G", "4G"], 1)
    assert db.get(Site, site.id) is site


def test_an_insert_recomputes_the_sites_that_do_not_count_its_stations_yet(db: Session) -> None:
    """Migration 0025: after an INSERT of stations, a site whose stored count already includes them and
    whose map keys hold theirs (as the import writes a new site) is taken as counted; every other site
    of the statement is recomputed from its stations."""
    counted, plain, missing_key = (make_site(db, code=f"CNT-{i}", lon=106.70 + i / 100, lat=20.80) for i in range(3))
    others = make_site(db, code="CNT-9", lon=106.75, lat=20.80)
    make_station(db, site=others, operator_code="MOBIFONE", technologies=["3G"])  # a site with one already
    viettel = operator(db, "VIETTEL").id
    db.flush()
    # The import's way: each site written with the summary of the stations about to go in. ``counted``
    # names only Viettel (right) but says "Khác" for its operators: left as written, it shows that the
    # trigger did not recompute it; ``missing_key`` lacks the 5G key of the station it gets.
    for site, keys, operators, techs in (
        (counted, [f"o:{viettel}", "t:4G"], ["Khác"], ["4G"]),
        (missing_key, [f"o:{viettel}", "t:4G"], ["Viettel"], ["4G"]),
    ):
        db.execute(
            text(
                "UPDATE site SET map_keys = CAST(:k AS text[]), operators = CAST(:o AS text[]), "
                "technologies = CAST(:t AS text[]), station_count = 1 WHERE id = :id"
            ),
            {"k": sorted(keys), "o": operators, "t": techs, "id": site.id},
        )
    db.execute(
        text(
            "INSERT INTO station (operator_id, station_code, site_id, status, technologies) "
            "SELECT :v, 'CNT-' || s.id, s.id, 'operating', CAST(s.t AS varchar[]) "
            "FROM unnest(CAST(:ids AS int[]), CAST(:techs AS text[])) AS s(id, t)"
        ),
        {
            "v": viettel,
            "ids": [counted.id, plain.id, missing_key.id, others.id],
            "techs": ["{4G}", "{4G}", "{5G}", "{4G}"],
        },
    )
    stored = {
        row.id: (list(row.operators), list(row.technologies), row.station_count)
        for row in db.execute(
            text("SELECT id, operators, technologies, station_count FROM site WHERE code LIKE 'CNT-%'")
        )
    }
    assert stored[counted.id] == (["Khác"], ["4G"], 1)  # taken as counted: not read again
    assert_fresh(db, [plain.id, missing_key.id, others.id])
    assert stored[missing_key.id][1] == ["5G"] and stored[others.id][2] == 2  # recomputed: the written 4G gone
