"""Permits, their documents and frequency licences through the API: validation, versions, history."""

from __future__ import annotations

import hashlib
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import assert_names_field, problem, versioned
from tests.conftest import ClientAs
from tests.factories import make_station

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _station(db: Session):  # type: ignore[no-untyped-def]
    return make_station(db, code="PA-001", lon=106.66, lat=20.84)


def test_create_read_amend_and_history(client_as: ClientAs, db: Session) -> None:
    officer = client_as("licensing_officer", username="cb.giayphep")
    st = _station(db)
    created = officer.post(
        "/api/permits",
        json={
            "kind": "inspection_certificate",
            "station_id": st.id,
            "number": "KĐ-2026-000123",
            "issuer": "Trung tâm Kiểm định",
            "issue_date": "2026-01-10",
            "valid_until": "2031-01-09",
        },
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["kind_name"] == "Giấy chứng nhận kiểm định trạm gốc" and body["site_code"] == "PA-001"
    assert body["status"] in ("valid", "expiring") and created.headers["etag"] == '"1"'
    url = created.headers["location"]
    on = officer.get(url, params={"on": "2031-01-10"}).json()
    assert on["status"] == "expired" and on["days_until_expiry"] == -1
    suspended = officer.patch(
        url,
        json={"suspended_from": "2026-11-01", "status_reason": "Vi phạm điều kiện"},
        headers=versioned(officer, url),
    )
    assert suspended.status_code == 200 and suspended.json()["status"] == "suspended"
    history = officer.get("/api/sites/PA-001/history").json()["events"]
    permit_events = [e for e in history if e["entity"] == "permit"]
    assert [e["action"] for e in permit_events] == ["create", "update"]
    assert permit_events[1]["changes"]["suspended_from"] == {"before": None, "after": "2026-11-01"}
    assert permit_events[1]["actor"] == "cb.giayphep"


def test_bad_permits_are_refused_naming_the_field(client: TestClient, db: Session) -> None:
    st = _station(db)
    for payload, field in [
        ({"kind": "inspection_certificate", "site_code": "PA-001", "number": "1"}, "body"),
        ({"kind": "construction_permit", "station_id": st.id, "number": "1"}, "body"),
        ({"kind": "construction_permit", "site_code": "PA-001", "station_id": st.id, "number": "1"}, "body"),
        ({"kind": "building_licence", "site_code": "PA-001", "number": "1"}, "kind"),
        ({"kind": "construction_permit", "site_code": "KHONG-CO", "number": "1"}, "site_code"),
        ({"kind": "inspection_certificate", "station_id": 999999, "number": "1"}, "station_id"),
        ({"kind": "construction_permit", "site_code": "PA-001", "number": ""}, "number"),
        (
            {
                "kind": "construction_permit",
                "site_code": "PA-001",
                "number": "1",
                "valid_from": "2026-01-02",
                "valid_until": "2026-01-01",
            },
            "body",
        ),
        (
            {"kind": "construction_permit", "site_code": "PA-001", "number": "1", "issue_date": "2026-02-30"},
            "issue_date",
        ),
    ]:
        assert_names_field(problem(client.post("/api/permits", json=payload), 422), field)
    ok = {"kind": "construction_permit", "site_code": "PA-001", "number": "12/GPXD"}
    assert client.post("/api/permits", json=ok).status_code == 201
    problem(client.post("/api/permits", json=ok), 409)  # the same number twice


def test_an_amendment_that_makes_dates_inconsistent_is_refused(client: TestClient, db: Session) -> None:
    _station(db)
    created = client.post(
        "/api/permits",
        json={"kind": "construction_permit", "site_code": "PA-001", "number": "9", "valid_from": "2026-01-01"},
    )
    url = created.headers["location"]
    body = problem(client.patch(url, json={"valid_until": "2025-12-31"}, headers=versioned(client, url)), 422)
    assert_names_field(body, "valid_until")
    assert client.get(url).json()["valid_until"] is None


def test_document_upload_keeps_the_checksum(client: TestClient, db: Session) -> None:
    _station(db)
    url = client.post(
        "/api/permits", json={"kind": "construction_permit", "site_code": "PA-001", "number": "7"}
    ).headers["location"]
    problem(client.put(url + "/document", files={"file": ("a.pdf", PDF)}), 428)
    fake = client.put(
        url + "/document", files={"file": ("scan.pdf", b"MZ\x90\x00 not a pdf")}, headers=versioned(client, url)
    )
    assert_names_field(problem(fake, 422), "file")
    done = client.put(url + "/document", files={"file": ("Giấy phép số 7.pdf", PDF)}, headers=versioned(client, url))
    assert done.status_code == 200, done.text
    doc = done.json()["document"]
    assert doc["sha256"] == hashlib.sha256(PDF).hexdigest() and doc["media_type"] == "application/pdf"
    got = client.get(url + "/document")
    assert got.content == PDF and got.headers["content-type"] == "application/pdf"
    assert got.headers["x-content-sha256"] == doc["sha256"]
    assert client.get(url + "/document", headers={"If-None-Match": got.headers["etag"]}).status_code == 304
    # Replacing with an image bumps the version; the public never sees documents.
    image = client.put(url + "/document", files={"file": ("anh.png", PNG)}, headers=versioned(client, url))
    assert image.json()["document"]["media_type"] == "image/png" and image.headers["etag"] == '"3"'


def test_documents_and_permits_are_not_public(anon: TestClient, client: TestClient, db: Session) -> None:
    _station(db)
    url = client.post(
        "/api/permits", json={"kind": "construction_permit", "site_code": "PA-001", "number": "8"}
    ).headers["location"]
    problem(anon.get(url), 401)
    problem(anon.get(url + "/document"), 401)
    problem(anon.get("/api/permits/expiring"), 401)


def test_frequency_licences(client: TestClient) -> None:
    created = client.post(
        "/api/frequency-licences",
        json={"operator": "viettel", "band": "3500", "number": "GPTS-5G-01", "valid_until": "2038-12-31"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["operator"] == "Viettel" and created.json()["status"] == "valid"
    url = created.headers["location"]
    revoked = client.patch(url, json={"revoked_on": "2026-11-28"}, headers=versioned(client, url))
    assert revoked.json()["status"] == "revoked"
    assert_names_field(
        problem(client.post("/api/frequency-licences", json={"operator": "ACME", "band": "900", "number": "1"}), 422),
        "operator",
    )
    listed = client.get("/api/frequency-licences", params={"on": date(2026, 11, 27).isoformat()}).json()
    assert any(x["number"] == "GPTS-5G-01" and x["status"] == "valid" for x in listed)


def test_records_holding_permits_are_not_deleted(client: TestClient, db: Session) -> None:
    from tests.factories import make_permit

    st = _station(db)
    make_permit(db, kind="inspection_certificate", station=st, number="KĐ-1")
    url = f"/api/stations/{st.id}"
    body = problem(client.delete(url, headers=versioned(client, url)), 409)
    assert body["permits"] == ["KĐ-1"]
    site = make_station(db, code="PA-002", lon=106.661, lat=20.841).site
    make_permit(db, kind="construction_notification", site=site, number="TB-1")
    client.delete(
        f"/api/stations/{site.stations[0].id}", headers=versioned(client, f"/api/stations/{site.stations[0].id}")
    )
    site_url = "/api/sites/PA-002"
    assert problem(client.delete(site_url, headers=versioned(client, site_url)), 409)["permits"] == ["TB-1"]


def test_the_permit_list_narrows_by_site_station_kind_and_status(client: TestClient, db: Session) -> None:
    from datetime import timedelta

    from registry.clock import today
    from tests.factories import make_permit, make_site

    on = today()
    site = make_site(db, code="LIST-1")
    station = make_station(db, site=site)
    other = make_site(db, code="LIST-2")
    own = make_permit(db, kind="construction_permit", site=site, valid_until=on + timedelta(days=400))
    soon = make_permit(db, kind="inspection_certificate", station=station, valid_until=on + timedelta(days=10))
    make_permit(db, kind="construction_permit", site=other, valid_until=on - timedelta(days=1))

    def ids(**params: object) -> set[int]:
        body = client.get("/api/permits", params={"limit": 500, **params}).json()
        return {p["id"] for p in body["items"]}

    assert ids(site_code="LIST-1") == {own.id, soon.id}  # the site's own and its stations'
    assert ids(station_id=station.id) == {soon.id}
    assert ids(site_code="LIST-1", kind="construction_permit") == {own.id}
    assert ids(site_code="LIST-1", status="expiring") == {soon.id}
    assert ids(site_code="LIST-2", status="expired") != set()
    assert ids(site_code="LIST-2", status="valid") == set()
