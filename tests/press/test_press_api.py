"""The press registry through the API: a press manager keeps outlets, licences, amendments and
mergers with their history; others read; the public sees the public fields; search and work lists."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient

from registry.accounts.permissions import PUBLIC_FIELDS
from tests.api.helpers import assert_names_field, problem, versioned
from tests.conftest import ClientAs

ON = date(2026, 11, 28)
BAO_HP = {
    "code": "T-BAOHP",
    "kind": "print_newspaper",
    "name": "Báo Hải Phòng",
    "short_name": "BHP",
    "governing_body": "Thành ủy Hải Phòng",
    "head_name": "Nguyễn Văn Tổng",
    "head_title": "Tổng Biên tập",
    "address": "Số 8 Hoàng Diệu, Hồng Bàng",
    "position": {"lon": 106.6830, "lat": 20.8640},
    "phone": "0225 3842 000",
    "email": "toasoan@baohaiphong.test",
    "domains": ["baohaiphong.test"],
    "periodicity": "Hằng ngày",
}


def outlet(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/api/press/outlets", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


def licence(
    client: TestClient, code: str, until: date | None, kind: str = "press_licence", number: str | None = None
) -> dict[str, Any]:
    body = {"outlet_code": code, "kind": kind, "number": number or f"GP-{code}", "issue_date": "2020-01-01"}
    if until is not None:
        body["valid_until"] = until.isoformat()
    response = client.post("/api/press/licences", json=body)
    assert response.status_code == 201, response.text
    return dict(response.json())


@pytest.fixture
def manager(client_as: ClientAs) -> TestClient:
    return client_as("press_manager", username="ql.baochi")


def test_press_manager_keeps_an_outlet_its_licence_amendments_and_a_merger(
    manager: TestClient, client_as: ClientAs
) -> None:
    outlet(manager, **BAO_HP)
    outlet(
        manager,
        code="T-PTTH",
        kind="television",
        name="Đài Phát thanh và Truyền hình Hải Phòng",
        governing_body="UBND thành phố Hải Phòng",
    )
    lic = licence(manager, "T-BAOHP", date(2030, 12, 31), number="123/GP-BVHTTDL")
    assert lic["kind_name"] == "Giấy phép hoạt động báo chí"
    url = f"/api/press/licences/{lic['id']}"
    amended = manager.post(
        url + "/amendments",
        json={
            "decision_number": "45/GP-BVHTTDL",
            "decided_on": "2026-03-01",
            "reason": "Thay đổi Tổng Biên tập và địa chỉ",
            "changes": {
                "outlet.head_name": "Trần Thị Mới",
                "outlet.address": "Số 10 Hoàng Diệu",
                "conditions": "Xuất bản 8 trang",
            },
        },
        headers=versioned(manager, url),
    )
    assert amended.status_code == 201, amended.text
    (amendment,) = amended.json()["amendments"]
    assert amendment["amendment_no"] == 1
    assert amendment["changes"]["outlet.head_name"] == {"before": "Nguyễn Văn Tổng", "after": "Trần Thị Mới"}
    assert manager.get("/api/press/outlets/T-BAOHP").json()["head_name"] == "Trần Thị Mới"
    # The amendment reads in words in the history: labels and values, before → after.
    trail = manager.get("/api/press/outlets/T-BAOHP/history", params={"limit": 1000})
    assert trail.status_code == 200, trail.text
    words = [e["words"] for e in trail.json()["events"] if e["entity"] == "press_licence_amendment"]
    text = str(words)
    assert "Nguyễn Văn Tổng → Trần Thị Mới" in text and "outlet.head_name" not in text
    # An outlet never loses its name to an amendment.
    blank = manager.post(
        url + "/amendments",
        json={"decision_number": "46/GP", "decided_on": "2026-03-02", "changes": {"outlet.name": None}},
        headers=versioned(manager, url),
    )
    assert problem(blank, 422)["errors"][0]["field"] == "changes.outlet.name"
    merged = manager.post(
        "/api/press/mergers",
        json={
            "predecessors": ["T-BAOHP", "T-PTTH"],
            "successor": {
                "code": "T-BPTTH",
                "kind": "print_newspaper",
                "name": "Báo và Phát thanh, Truyền hình Hải Phòng",
            },
            "effective_date": "2025-07-01",
            "decision": "QĐ 1/QĐ-UBND (thử)",
        },
    )
    assert merged.status_code == 201, merged.text
    assert {p["code"] for p in merged.json()["predecessors"]} == {"T-BAOHP", "T-PTTH"}
    old = manager.get("/api/press/outlets/T-BAOHP").json()
    assert old["status"] == "merged" and old["successors"][0]["code"] == "T-BPTTH"
    history = manager.get("/api/press/outlets/T-BAOHP/history", params={"limit": 1000}).json()["events"]
    entities = [e["entity"] for e in history]
    assert {"press_outlet", "press_licence", "press_licence_amendment", "press_outlet_link"} <= set(entities)
    assert all(e["actor"] == "ql.baochi" for e in history)
    assert any(e["entity"] == "press_outlet" and "status" in e["changes"] for e in history)
    successor_history = manager.get("/api/press/outlets/T-BPTTH/history").json()["events"]
    assert any(e["entity"] == "press_outlet_link" for e in successor_history)
    # Other roles read but do not write.
    viewer = client_as("licensing_officer")
    assert viewer.get("/api/press/outlets/T-BPTTH").status_code == 200
    problem(viewer.post("/api/press/outlets", json={"kind": "magazine", "name": "X"}), 403)
    problem(viewer.post(url + "/amendments", json={}), 403)


def test_the_public_sees_only_public_fields(manager: TestClient, anon: TestClient) -> None:
    outlet(manager, **BAO_HP)
    licence(manager, "T-BAOHP", date(2030, 1, 1))
    body = anon.get("/api/press/outlets/T-BAOHP").json()
    assert set(body) <= PUBLIC_FIELDS["press_outlet"]
    assert "phone" not in body and "email" not in body and "licence" not in body and "notes" not in body
    assert body["name"] == "Báo Hải Phòng" and body["location"] is not None
    listed = anon.get("/api/press/outlets", params={"q": "hai phong"}).json()["items"]
    assert listed and all(set(o) <= PUBLIC_FIELDS["press_outlet"] for o in listed)
    geo = anon.get("/api/press/outlets.geojson").json()
    assert geo["features"][0]["geometry"]["type"] == "Point" and "email" not in geo["features"][0]["properties"]
    problem(anon.get("/api/press/outlets/T-BAOHP/licences"), 401)
    problem(anon.get("/api/press/reports/unlicensed"), 401)
    staff = manager.get("/api/press/outlets/T-BAOHP").json()
    assert staff["email"] == "toasoan@baohaiphong.test" and staff["licence"]["status"] == "valid"


@pytest.mark.parametrize(
    "query", ["bao hai phong", "Báo Hải Phòng", "Bao Hai Phong", "BÁO HẢI PHÒNG", "bao hai phng", "baohaiphong.test"]
)
def test_search_with_or_without_diacritics_and_small_typos(manager: TestClient, query: str) -> None:
    outlet(manager, **BAO_HP)
    outlet(manager, code="T-TCVH", kind="magazine", name="Tạp chí Văn hóa Hải Phòng")
    outlet(manager, code="T-OTHER", kind="newsletter", name="Bản tin Y tế Kiến An")
    codes = [o["code"] for o in manager.get("/api/press/outlets", params={"q": query}).json()["items"]]
    assert codes and codes[0] == "T-BAOHP", codes
    assert "T-OTHER" not in codes


def test_domain_and_licence_number_search(manager: TestClient) -> None:
    outlet(
        manager,
        code="T-WEB1",
        kind="general_website",
        name="Trang tin Cảng Hải Phòng",
        domains=["tintuc.cang.haiphong.gov.vn"],
    )
    outlet(
        manager,
        code="T-WEB2",
        kind="general_website",
        name="Cổng tin Y tế",
        domains=["https://www.yte.haiphong.gov.vn/"],
    )
    outlet(manager, code="T-WEB3", kind="general_website", name="Tin nhanh Đồ Sơn", domains=["dosonnews.vn"])
    licence(manager, "T-WEB3", date(2030, 1, 1), kind="website_licence", number="07/GP-TTĐT")
    found = {o["code"] for o in manager.get("/api/press/outlets", params={"q": "haiphong.gov"}).json()["items"]}
    assert found == {"T-WEB1", "T-WEB2"}
    assert manager.get("/api/press/outlets/T-WEB2").json()["domains"] == ["yte.haiphong.gov.vn"]
    by_number = manager.get("/api/press/outlets", params={"q": "07/gp-ttđt"}).json()["items"]
    assert [o["code"] for o in by_number] == ["T-WEB3"]


def test_domains_are_unique_among_active_outlets(manager: TestClient) -> None:
    outlet(manager, code="T-D1", kind="e_newspaper", name="Báo điện tử A", domains=["a-news.vn"])
    problem(
        manager.post(
            "/api/press/outlets", json={"code": "T-D2", "kind": "e_newspaper", "name": "B", "domains": ["A-News.vn"]}
        ),
        409,
    )
    url = "/api/press/outlets/T-D1"
    assert manager.patch(url, json={"status": "ceased"}, headers=versioned(manager, url)).status_code == 200
    outlet(manager, code="T-D2", kind="e_newspaper", name="B", domains=["a-news.vn"])  # free again once A ceased
    for payload, field in [
        ({"kind": "e_newspaper", "name": "C", "domains": ["not a domain"]}, "domains"),
        ({"kind": "representative_office", "name": "VPĐD báo X"}, "parent_code"),
        ({"kind": "resident_correspondent", "name": "PV", "parent_code": "KHONG-CO"}, "parent_code"),
        ({"kind": "radio", "name": "R", "email": "x"}, "email"),
        ({"kind": "castle", "name": "R"}, "kind"),
        ({"kind": "radio", "name": "R", "status": None}, "status"),  # was a 500 (found by schemathesis)
    ]:
        assert_names_field(problem(manager.post("/api/press/outlets", json=payload), 422), field)


@pytest.mark.parametrize(
    ("until", "listed", "unlicensed"),
    [
        (ON, True, False),  # expires today: still valid, listed as expiring
        (ON + timedelta(days=1), True, False),
        (ON - timedelta(days=1), False, True),  # already expired: not expiring, but unlicensed
        (ON + timedelta(days=60), True, False),
        (ON + timedelta(days=61), False, False),
    ],
)
def test_expiring_licences_at_the_edges(manager: TestClient, until: date, listed: bool, unlicensed: bool) -> None:
    outlet(manager, code="T-EDGE", kind="general_website", name="Trang tin Biên", domains=["bien.vn"])
    lic = licence(manager, "T-EDGE", until, kind="website_licence")
    body = manager.get("/api/press/reports/expiring-licences", params={"on": ON.isoformat(), "days": 60}).json()
    rows = [r for r in body["items"] if r["outlet_code"] == "T-EDGE"]
    assert bool(rows) is listed
    if rows:
        assert rows[0]["days_left"] == (until - ON).days and rows[0]["id"] == lic["id"]
    missing = manager.get("/api/press/reports/unlicensed", params={"on": ON.isoformat()}).json()["items"]
    assert ("T-EDGE" in {r["outlet_code"] for r in missing}) is unlicensed
    filtered = manager.get("/api/press/outlets", params={"licence_status": "expiring", "on": ON.isoformat()}).json()[
        "items"
    ]
    assert ("T-EDGE" in {o["code"] for o in filtered}) is listed


def test_outlets_with_no_licence_and_branches(manager: TestClient) -> None:
    outlet(manager, code="T-NEWS", kind="newsletter", name="Bản tin Sở Y tế")
    outlet(manager, code="T-VNX", kind="e_newspaper", name="Báo điện tử VnX", address="Hà Nội")
    outlet(
        manager,
        code="T-VNX-HP",
        kind="representative_office",
        name="Văn phòng đại diện VnX tại Hải Phòng",
        parent_code="T-VNX",
    )
    rows = {r["outlet_code"]: r for r in manager.get("/api/press/reports/unlicensed").json()["items"]}
    assert rows["T-NEWS"]["licence_status"] == "none"
    assert "T-VNX-HP" not in rows  # offices of outlets based elsewhere need no licence here
    office = manager.get("/api/press/outlets/T-VNX-HP").json()
    assert (
        office["parent"] == {"code": "T-VNX", "name": "Báo điện tử VnX"}
        and office["licence"]["status"] == "not_required"
    )
    xlsx = manager.get("/api/press/reports/unlicensed", params={"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


@pytest.mark.parametrize(
    ("kind", "filed", "event", "late"),
    [
        ("press_conference", "2026-11-27T09:00:00+07:00", "2026-11-28T09:00:00+07:00", False),  # exactly 24 h
        ("press_conference", "2026-11-27T10:00:00+07:00", "2026-11-28T09:00:00+07:00", True),  # 23 h
        ("press_conference", "2026-11-27T09:00:00", "2026-11-28T09:00:00", False),  # naive = Vietnam time
        ("representative_office_opening", "2026-11-01T16:00:00+07:00", "2026-11-16T08:00:00+07:00", False),  # 15 days
        ("representative_office_opening", "2026-11-02T08:00:00+07:00", "2026-11-16T08:00:00+07:00", True),  # 14 days
        ("change", "2026-11-23T23:30:00+07:00", "2026-11-28T08:00:00+07:00", False),  # 23rd → 28th: 5 days
        # Days are counted on Vietnam's calendar: 00:30 on the 23rd is still the 22nd in UTC.
        ("change", "2026-11-23T00:30:00+07:00", "2026-11-27T08:00:00+07:00", True),
        ("press_conference_refusal", "2026-11-27T20:00:00+07:00", "2026-11-28T09:00:00+07:00", False),  # 13 h
    ],
)
def test_notifications_are_flagged_when_late(
    manager: TestClient, kind: str, filed: str, event: str, late: bool
) -> None:
    outlet(manager, code="T-N", kind="e_newspaper", name="Báo N", address="Hà Nội")
    created = manager.post(
        "/api/press/notifications",
        json={"outlet_code": "T-N", "kind": kind, "subject": "Thử", "filed_at": filed, "event_at": event},
    )
    assert created.status_code == 201, created.text
    assert created.json()["late"] is late, created.json()
    late_list = manager.get("/api/press/reports/late-notifications", params={"on": "2026-12-31"}).json()["items"]
    assert (created.json()["id"] in {r["id"] for r in late_list}) is late


def test_missing_annual_reports(manager: TestClient) -> None:
    for code in ("T-W1", "T-W2", "T-W3", "T-W4"):
        outlet(manager, code=code, kind="general_website", name=f"Trang {code}", domains=[f"{code.lower()}.vn"])
        licence(manager, code, date(2030, 1, 1), kind="website_licence", number=f"L-{code}")
    for code, filed in (("T-W1", "2026-01-10"), ("T-W2", "2026-01-15")):
        assert (
            manager.post(
                "/api/press/annual-reports", json={"outlet_code": code, "year": 2025, "filed_on": filed}
            ).status_code
            == 201
        )
    rows = {
        r["outlet_code"]: r["state"]
        for r in manager.get("/api/press/reports/missing-annual-reports", params={"on": "2026-11-28"}).json()["items"]
    }
    assert rows == {"T-W2": "late", "T-W3": "missing", "T-W4": "missing"}
    # On 14 January 2026 the 2025 report is not yet due: the list is about 2024.
    early = manager.get("/api/press/reports/missing-annual-reports", params={"on": "2026-01-14"}).json()["items"]
    assert {r["year"] for r in early} <= {2024}
    problem(
        manager.post("/api/press/annual-reports", json={"outlet_code": "T-W1", "year": 2025, "filed_on": "2026-01-11"}),
        409,
    )
