"""Optimistic concurrency: ETag on reads, If-Match required on changes, 412 on a stale version."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent
from tests.factories import make_site, make_station

URL = "/api/sites/HP-03000"


@pytest.fixture
def site(db: Session) -> None:
    make_site(db, code="HP-03000", lon=106.66, lat=20.84, address="Số 1")


@pytest.mark.usefixtures("site")
def test_two_clients_from_the_same_version(client: TestClient, db: Session) -> None:
    tag = client.get(URL).headers["etag"]
    assert tag == '"1"'
    first = client.patch(URL, json={"address": "Số 2"}, headers={"If-Match": tag})
    assert first.status_code == 200 and first.headers["etag"] == '"2"'
    second = client.patch(URL, json={"address": "Số 3"}, headers={"If-Match": tag})
    assert second.status_code == 412
    assert second.headers["content-type"].startswith("application/problem+json")
    assert second.json()["current_version"] == 2
    assert client.get(URL).json()["properties"]["address"] == "Số 2", "the record holds the first change only"
    updates = db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "site", AuditEvent.action == "update"))
    assert [e.changes["address"] for e in updates] == [["Số 1", "Số 2"]]


@pytest.mark.usefixtures("site")
@pytest.mark.parametrize("method", ["patch", "delete"])
def test_missing_if_match_is_428(client: TestClient, method: str) -> None:
    kwargs = {"json": {"address": "x"}} if method == "patch" else {}
    response = getattr(client, method)(URL, **kwargs)
    assert response.status_code == 428 and response.json()["current_version"] == 1
    assert client.get(URL).json()["properties"]["address"] == "Số 1"


@pytest.mark.usefixtures("site")
@pytest.mark.parametrize(("header", "status"), [('W/"1"', 200), ("1", 200), ("*", 428), ('"9"', 412), ("abc", 412)])
def test_if_match_forms(client: TestClient, header: str, status: int) -> None:
    assert client.patch(URL, json={"notes": "n"}, headers={"If-Match": header}).status_code == status


@pytest.mark.usefixtures("site")
def test_stale_delete_keeps_the_record(client: TestClient) -> None:
    client.patch(URL, json={"notes": "n"}, headers={"If-Match": '"1"'}).raise_for_status()
    assert client.delete(URL, headers={"If-Match": '"1"'}).status_code == 412
    assert client.get(URL).status_code == 200
    assert client.delete(URL, headers={"If-Match": '"2"'}).status_code == 204


def test_station_versions(client: TestClient, db: Session) -> None:
    station = make_station(db)
    url = f"/api/stations/{station.id}"
    tag = client.get(url).headers["etag"]
    assert client.patch(url, json={"bands": ["900"]}, headers={"If-Match": tag}).status_code == 200
    assert client.patch(url, json={"bands": ["1800"]}, headers={"If-Match": tag}).status_code == 412
    assert client.get(url).json()["bands"] == ["900"]
