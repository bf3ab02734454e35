"""The audit trail through the API: every field changed appears with before and after, by the right
user; a site's history holds its stations' and sectors'; who may read which trail."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from registry.stations.schemas import SitePatch, StationPatch
from tests.api.helpers import problem, versioned
from tests.conftest import ClientAs

URL = "/api/sites/HP-05000"
SITE = {
    "code": "HP-05000",
    "position": {"lon": 106.683, "lat": 20.860},
    "address": "Số 1 Trần Phú",
    "commune": "Lê Chân",
    "pole_class": "A2a",
    "pole_height_m": 15,
    "building_height_m": 20,
    "ground_elevation_m": 3,
    "owner": "Công ty Hạ tầng A",
    "notes": "ghi chú 1",
}
# Every field of a PATCH, a new value for each, and the audited columns it must show up in.
SITE_CHANGES: dict[str, tuple[Any, set[str]]] = {
    "position": ({"lon": 106.684, "lat": 20.861}, {"geom", "source_x", "source_y"}),
    "address": ("Số 2 Trần Phú", {"address"}),
    "commune": ("Ngô Quyền", {"entered_admin_unit"}),
    "pole_class": ("A2b", {"pole_class"}),
    "pole_height_m": (18, {"pole_height_m"}),
    "building_height_m": (22, {"building_height_m"}),
    "ground_elevation_m": (4, {"ground_elevation_m"}),
    "owner": ("Công ty Hạ tầng B", {"owner_id"}),
    "status": ("dismantled", {"status"}),
    "notes": ("ghi chú 2", {"notes"}),
}
STATION_CHANGES: dict[str, tuple[Any, set[str]]] = {
    "technologies": (["4G", "5G"], {"technologies"}),
    "bands": (["1800", "3500"], {"bands"}),
    "status": ("suspended", {"status"}),
    "commissioning_date": ("2025-01-15", {"commissioning_date"}),
    "equipment_model": ("Huawei AAU5613", {"equipment_model"}),
    "configuration": ("S333", {"configuration"}),
    "site_code": ("HP-05001", {"site_id"}),
}


def test_the_tables_above_cover_every_patch_field() -> None:
    assert set(SITE_CHANGES) == set(SitePatch.model_fields)
    assert set(STATION_CHANGES) | {"sectors"} == set(StationPatch.model_fields)


def _history(client: TestClient, url: str) -> list[dict[str, Any]]:
    response = client.get(url + "/history", params={"limit": 1000})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["events"])
    return body["events"]


def test_every_site_field_changed_appears_with_before_and_after(client_as: ClientAs) -> None:
    officer = client_as("licensing_officer", username="cb.capphep")
    assert officer.post("/api/sites", json=SITE).status_code == 201
    for name, (value, columns) in SITE_CHANGES.items():
        before = officer.get(URL).json()["properties"]
        response = officer.patch(URL, json={name: value}, headers=versioned(officer, URL))
        assert response.status_code == 200, (name, response.text)
        last = _history(officer, URL)[-1]
        assert last["action"] == "update" and last["actor"] == "cb.capphep"
        assert columns <= set(last["changes"]), (name, last["changes"])
        for column in columns:
            change = last["changes"][column]
            assert change["before"] != change["after"], (name, change)
        if columns == {name}:
            assert last["changes"][name] == {"before": before[name], "after": value}
    events = _history(officer, URL)
    assert [e["action"] for e in events] == ["create"] + ["update"] * len(SITE_CHANGES)
    assert events[0]["changes"]["address"] == {"before": None, "after": "Số 1 Trần Phú"}


def test_every_station_field_and_sector_appears_in_the_site_history(client_as: ClientAs) -> None:
    officer = client_as("licensing_officer", username="cb.tram")
    for code, lon in (("HP-05000", 106.683), ("HP-05001", 106.69)):
        site = dict(SITE, code=code, position={"lon": lon, "lat": 20.86})
        assert officer.post("/api/sites", json=site).status_code == 201
    created = officer.post(
        "/api/stations",
        json={"operator": "Viettel", "station_code": "HPG0500", "site_code": "HP-05000", "technologies": ["4G"]},
    )
    assert created.status_code == 201, created.text
    url = f"/api/stations/{created.json()['id']}"
    for name, (value, columns) in STATION_CHANGES.items():
        response = officer.patch(url, json={name: value}, headers=versioned(officer, url))
        assert response.status_code == 200, (name, response.text)
        last = _history(officer, url)[-1]
        assert last["entity"] == "station" and last["actor"] == "cb.tram"
        assert columns <= set(last["changes"]), (name, last["changes"])
    sectors = [{"azimuth_deg": 0, "tilt_deg": 2}, {"azimuth_deg": 120, "tilt_deg": 2}]
    assert officer.patch(url, json={"sectors": sectors}, headers=versioned(officer, url)).status_code == 200
    moved = [{"azimuth_deg": 10, "tilt_deg": 4}]
    assert officer.patch(url, json={"sectors": moved}, headers=versioned(officer, url)).status_code == 200
    events = _history(officer, url)
    # A station's sectors are listed in its own events, before and after (none of their own).
    assert not [e for e in events if e["entity"] == "sector"]
    added, moved_ = (e["changes"]["sectors"] for e in events if "sectors" in e["changes"])
    two = [
        {"sector_no": 1, "azimuth_deg": 0.0, "tilt_deg": 2.0, "eirp_w": None},
        {"sector_no": 2, "azimuth_deg": 120.0, "tilt_deg": 2.0, "eirp_w": None},
    ]
    assert added == {"before": [], "after": two}
    assert moved_ == {"before": two, "after": [{"sector_no": 1, "azimuth_deg": 10.0, "tilt_deg": 4.0, "eirp_w": None}]}
    said = [(c["before"], c["after"]) for e in events for c in e["words"]["changes"] if c["label"] == "Các sector"]
    assert said[-1] == ("1: 0°, nghiêng 2°; 2: 120°, nghiêng 2°", "1: 10°, nghiêng 4°")

    # The station moved to HP-05001: the new site's history shows the move and the sectors since.
    new_site = _history(officer, "/api/sites/HP-05001")
    assert any(e["entity"] == "station" and "site_id" in e["changes"] for e in new_site)
    assert any(e["entity"] == "station" and "sectors" in e["changes"] for e in new_site)
    # The old site's history still shows the station it held, up to the move.
    old_site = _history(officer, "/api/sites/HP-05000")
    assert [e["action"] for e in old_site if e["entity"] == "station"][:1] == ["create"]


def test_a_patch_that_changes_nothing_keeps_the_version_and_writes_nothing(client: TestClient, db: Session) -> None:
    assert client.post("/api/sites", json=SITE).status_code == 201
    same = client.patch(URL, json={"address": SITE["address"]}, headers={"If-Match": '"1"'})
    assert same.status_code == 200 and same.headers["etag"] == '"1"'
    updates = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "site", AuditEvent.action == "update"))
    assert list(updates) == []


def test_two_officers_from_the_same_version(client_as: ClientAs, db: Session) -> None:
    first, second = (
        client_as("licensing_officer", username="nguoi.mot"),
        client_as("licensing_officer", username="nguoi.hai"),
    )
    assert first.post("/api/sites", json=SITE).status_code == 201
    tag = first.get(URL).headers["etag"]
    assert second.get(URL).headers["etag"] == tag
    assert first.patch(URL, json={"address": "Bản của người một"}, headers={"If-Match": tag}).status_code == 200
    stale = second.patch(URL, json={"address": "Bản của người hai"}, headers={"If-Match": tag})
    assert problem(stale, 412)["current_version"] == 2
    assert second.get(URL).json()["properties"]["address"] == "Bản của người một"
    updates = [e for e in _history(first, URL) if e["action"] == "update"]
    assert len(updates) == 1
    assert updates[0]["actor"] == "nguoi.mot"
    assert updates[0]["changes"]["address"] == {"before": "Số 1 Trần Phú", "after": "Bản của người một"}


@pytest.mark.parametrize(
    ("roles", "entity", "status"),
    [
        (("admin",), "site", 200),
        (("admin",), "user", 200),
        (("licensing_officer",), "site", 200),
        (("inspector",), "station", 200),
        (("viewer",), "site", 200),
        (("licensing_officer",), "user", 403),
        (("press_manager",), "site", 403),
        (("one_stop_officer",), "station", 403),
    ],
)
def test_who_reads_which_trail(client_as: ClientAs, roles: tuple[str, ...], entity: str, status: int) -> None:
    c = client_as(*roles)
    response = c.get("/api/audit", params={"entity": entity})
    if status == 200:
        assert response.status_code == 200, response.text
    else:
        problem(response, status)


def test_audit_query_filters(client_as: ClientAs) -> None:
    officer = client_as("licensing_officer", username="loc.nhat.ky")
    assert officer.post("/api/sites", json=SITE).status_code == 201
    site_id = None
    body = officer.get("/api/audit", params={"entity": "site", "actor": "loc.nhat.ky"}).json()
    assert body["total"] == 1
    site_id = body["events"][0]["entity_id"]
    assert officer.get("/api/audit", params={"entity": "site", "id": site_id}).json()["total"] == 1
    assert officer.get("/api/audit", params={"entity": "site", "action": "delete"}).json()["total"] == 0
    problem(officer.get("/api/audit", params={"id": site_id}), 422)  # id without entity
    # Without an entity a non-admin sees only the kinds of record their roles own: no accounts.
    mixed = officer.get("/api/audit", params={"limit": 1000}).json()["events"]
    assert mixed and all(e["entity"] != "user" for e in mixed)
