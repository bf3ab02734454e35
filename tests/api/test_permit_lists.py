"""The officers' lists agree with the permits table for any day, computed here independently."""

from __future__ import annotations

import random
from datetime import date, timedelta
from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.permits.models import Permit, PermitRule
from registry.stations.models import Site, Station
from tests.api.helpers import problem
from tests.factories import make_permit, make_site, make_station

ON = date(2026, 11, 28)
SITE_KINDS = ["construction_permit", "construction_exemption", "construction_notification", "obstacle_height_approval"]
STATION_KINDS = ["inspection_certificate", "self_declaration"]


def status(p: Permit, day: date, days: int) -> str:
    """The permit status rules, written again here on purpose (the code uses permit_status() in SQL)."""
    if p.revoked_on is not None and p.revoked_on <= day:
        return "revoked"
    if (
        p.suspended_from is not None
        and p.suspended_from <= day
        and (p.suspended_until is None or p.suspended_until >= day)
    ):
        return "suspended"
    if p.valid_from is not None and p.valid_from > day:
        return "not_yet_valid"
    if p.valid_until is not None and p.valid_until < day:
        return "expired"
    if p.valid_until is not None and (p.valid_until - day).days <= days:
        return "expiring"
    return "valid"


@pytest.fixture
def register(db: Session) -> dict[str, list]:
    """Sites and stations with permits whose dates cluster around ON, so every edge is crossed."""
    rng = random.Random(4)
    sites, stations, permits = [], [], []
    for i in range(24):
        site = make_site(
            db,
            code=f"PL-{i:03d}",
            lon=106.62 + (i % 6) * 0.01,
            lat=20.82 + (i // 6) * 0.01,
            pole_class=rng.choice(["A1a", "A2a", "A2b", "A2c"]),
            pole_height_m=rng.choice([6, 12, 20, 36, 48]),
            status=rng.choice(["operating", "operating", "under_construction", "planned", "dismantled"]),
        )
        sites.append(site)
        for _ in range(rng.randint(0, 2)):
            stations.append(make_station(db, site=site, status=rng.choice(["operating", "suspended", "planned"])))
        for kind in SITE_KINDS:
            if rng.random() < 0.6:
                permits.append(_permit(db, rng, kind=kind, site=site))
    for st in stations:
        for kind in STATION_KINDS:
            if rng.random() < 0.6:
                permits.append(_permit(db, rng, kind=kind, station=st))
    return {"sites": sites, "stations": stations, "permits": permits}


def _permit(db: Session, rng: random.Random, **holder: object) -> Permit:
    start = ON - timedelta(days=rng.choice([400, 30, -2]))
    until = max(start, ON + timedelta(days=rng.randint(-5, 70))) if rng.random() < 0.85 else None
    return make_permit(
        db,
        valid_from=start,
        valid_until=until,
        suspended_from=ON - timedelta(days=1) if rng.random() < 0.08 else None,
        suspended_until=ON + timedelta(days=1) if rng.random() < 0.5 else None,
        revoked_on=ON + timedelta(days=rng.choice([-3, 0, 2])) if rng.random() < 0.06 else None,
        **holder,  # type: ignore[arg-type]
    )


DAYS = [
    ON - timedelta(days=3),
    ON - timedelta(days=1),
    ON,
    ON + timedelta(days=1),
    ON + timedelta(days=2),
    ON + timedelta(days=30),
]


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
@pytest.mark.parametrize("days", [0, 1, 30, 60])
def test_expiring_list_matches_the_permits_table(
    client: TestClient, register: dict[str, list], day: date, days: int
) -> None:
    live_sites = {s.id for s in register["sites"] if s.status != "dismantled"}
    station_site = {st.id: st.site_id for st in register["stations"]}
    expected = sorted(
        p.id
        for p in register["permits"]
        if status(p, day, days) == "expiring" and (p.site_id or station_site[p.station_id]) in live_sites
    )
    body = client.get("/api/permits/expiring", params={"on": day.isoformat(), "days": days, "q": "PL-"}).json()
    assert sorted(r["id"] for r in body["items"]) == expected
    for r in body["items"]:
        assert 0 <= r["days_left"] <= days


def _matches(rule: PermitRule, site: Site, day: date) -> bool:
    total = (site.building_height_m or 0) + (site.pole_height_m or 0)
    return (
        rule.effective_from <= day
        and (rule.effective_to is None or rule.effective_to > day)
        and (rule.pole_classes is None or site.pole_class in rule.pole_classes)
        and (rule.min_height_m is None or total >= rule.min_height_m)
        and (rule.max_height_m is None or total < rule.max_height_m)
        and rule.zone_kinds is None  # no zones in this register
    )


def _expected_unmet(db: Session, register: dict[str, list], day: date) -> set[tuple[str, int | None, str]]:
    rules = list(db.scalars(select(PermitRule)))
    unmet = set()
    for site in register["sites"]:
        if site.status not in ("operating", "under_construction"):
            continue
        holders: list[tuple[str, int | None, list[Permit]]] = [
            ("site", None, [p for p in register["permits"] if p.site_id == site.id])
        ]
        for st in register["stations"]:
            if st.site_id == site.id and st.status in ("operating", "suspended"):
                holders.append(("station", st.id, [p for p in register["permits"] if p.station_id == st.id]))
        for holder, station_id, held in holders:
            for rule in rules:
                if rule.applies_to != holder or not _matches(rule, site, day):
                    continue
                ok = any(p.kind in rule.permit_kinds and status(p, day, 60) in ("valid", "expiring") for p in held)
                if not ok:
                    unmet.add((site.code, station_id, rule.code))
    return unmet


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_missing_list_matches_the_rules_and_permits(
    client: TestClient, db: Session, register: dict[str, list], day: date
) -> None:
    body = client.get("/api/permits/missing", params={"on": day.isoformat(), "q": "PL-"}).json()
    got = {(r["site_code"], r["station_id"], r["rule"]) for r in body["items"]}
    assert got == _expected_unmet(db, register, day)
    assert body["count"] == len(got) > 0


@pytest.mark.parametrize("day", DAYS, ids=[d.isoformat() for d in DAYS])
def test_expired_inspections(client: TestClient, register: dict[str, list], day: date) -> None:
    active = {st.id for st in register["stations"] if st.status in ("operating", "suspended")}
    live = {s.id for s in register["sites"] if s.status in ("operating", "under_construction")}
    expected = set()
    for st in register["stations"]:
        if st.id not in active or st.site_id not in live:
            continue
        held = [p for p in register["permits"] if p.station_id == st.id]
        states = [status(p, day, 0) for p in held]
        if any(s in ("valid", "expiring") for s in states):
            continue
        ranked = sorted(
            held,
            key=lambda p: (
                ["valid", "expiring", "suspended", "not_yet_valid", "expired", "revoked"].index(status(p, day, 0)),
            ),
        )
        if ranked and status(ranked[0], day, 0) == "expired" and ranked[0].kind == "inspection_certificate":
            expected.add(st.id)
    body = client.get("/api/permits/expired-inspections", params={"on": day.isoformat(), "q": "PL-"}).json()
    assert {r["station_id"] for r in body["items"]} == expected


def test_lists_filter_by_operator_and_export_to_excel(client: TestClient, db: Session) -> None:
    a = make_station(db, operator_code="VIETTEL", code="PL-OP1", lon=106.61, lat=20.81)
    b = make_station(db, operator_code="VNPT", code="PL-OP2", lon=106.611, lat=20.811)
    for st in (a, b):
        make_permit(db, kind="inspection_certificate", station=st, valid_until=ON + timedelta(days=5))
    both = client.get("/api/permits/expiring", params={"on": ON.isoformat(), "q": "PL-OP"}).json()
    assert {r["operator"] for r in both["items"]} == {"Viettel", "VNPT"}
    only = client.get("/api/permits/expiring", params={"on": ON.isoformat(), "q": "PL-OP", "operator": "vnpt"}).json()
    assert [r["station_code"] for r in only["items"]] == [b.station_code]
    xlsx = client.get("/api/permits/expiring", params={"on": ON.isoformat(), "q": "PL-OP", "format": "xlsx"})
    assert xlsx.status_code == 200 and "spreadsheetml" in xlsx.headers["content-type"]
    sheet = load_workbook(BytesIO(xlsx.content)).worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header[:3] == ["Số hiệu", "Loại", "Số"]
    values = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert sum(1 for row in values if row[1] == "Giấy chứng nhận kiểm định trạm gốc") == 2
    missing = client.get("/api/permits/missing", params={"on": ON.isoformat(), "q": "PL-OP", "format": "xlsx"})
    assert missing.status_code == 200 and missing.content[:2] == b"PK"
    assert db.scalar(select(Station.id).where(Station.id == a.id)) == a.id


def test_a_permit_without_valid_from_counts_from_its_issue_date_everywhere(client: TestClient, db: Session) -> None:
    """The single record, the lists and the permit check give one status (permit_status in one place)."""
    st = make_station(db, code="PL-ISSUE", lon=106.612, lat=20.812)
    future = Permit(
        kind="inspection_certificate",
        station_id=st.id,
        number="KĐ-TUONG-LAI",
        issue_date=ON + timedelta(days=5),
        valid_until=ON + timedelta(days=30),
    )
    db.add(future)
    db.flush()
    assert client.get(f"/api/permits/{future.id}", params={"on": ON.isoformat()}).json()["status"] == "not_yet_valid"
    expiring = client.get("/api/permits/expiring", params={"on": ON.isoformat(), "q": "PL-ISSUE"}).json()
    assert expiring["items"] == []
    later = client.get("/api/permits/expiring", params={"on": (ON + timedelta(days=6)).isoformat(), "q": "PL-ISSUE"})
    assert [r["id"] for r in later.json()["items"]] == [future.id]
    check = client.get("/api/sites/PL-ISSUE/permit-check", params={"on": ON.isoformat()}).json()
    assert check["stations"][0]["required_permits"][0]["state"] == "not_yet_valid"


def test_work_lists_come_in_pages_and_excel_has_them_all(client: TestClient, db: Session) -> None:
    for i in range(3):
        site = make_site(db, code=f"PL-PAGE-{i}", pole_class="A2b", pole_height_m=30)
        make_station(db, site=site)
    whole = client.get("/api/permits/missing", params={"on": ON.isoformat(), "q": "PL-PAGE", "limit": 1000}).json()
    assert whole["count"] == len(whole["items"]) >= 6  # each site and its station lack something
    first = client.get("/api/permits/missing", params={"on": ON.isoformat(), "q": "PL-PAGE", "limit": 2}).json()
    rest = client.get(
        "/api/permits/missing", params={"on": ON.isoformat(), "q": "PL-PAGE", "limit": 1000, "offset": 2}
    ).json()
    assert first["count"] == whole["count"] and (first["limit"], first["offset"]) == (2, 0)
    assert first["items"] + rest["items"] == whole["items"]
    problem(client.get("/api/permits/missing", params={"limit": 0}), 422)
    assert problem(client.get("/api/permits/missing", params={"limit": 100_000}), 400)["errors"][0]["field"] == "limit"
    xlsx = client.get(
        "/api/permits/missing", params={"on": ON.isoformat(), "q": "PL-PAGE", "format": "xlsx", "limit": 1}
    )
    sheet = load_workbook(BytesIO(xlsx.content)).worksheets[0]
    codes = [row[0].value for row in sheet.iter_rows(min_row=2) if str(row[0].value or "").startswith("PL-PAGE")]
    assert len(codes) == whole["count"]  # Excel: every row, whatever the page
