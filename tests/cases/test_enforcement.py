"""Inspections with findings and conclusions; sanction decisions: fines within their bracket
(double for organisations), payment within 10 days of delivery, 0.05 % a day after."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import assert_names_field, problem, versioned
from tests.conftest import ClientAs
from tests.factories import make_site


@pytest.fixture
def inspector(client_as: ClientAs) -> TestClient:
    return client_as("inspector", username="tt.xuphat")


def sanction(**extra: Any) -> dict[str, Any]:
    return {
        "number": "12/QĐ-XPHC",
        "decided_on": "2026-10-01",
        "issuer": "Chánh Thanh tra Sở",
        "minutes_number": "05/BB-VPHC",
        "violator_kind": "organisation",
        "violator_name": "Công ty Hạ tầng Viễn thông X",
        "tax_code": "0201234567",
        "point": "a",
        "clause": "2",
        "article": "15",
        "decree": "Nghị định 174/2013/NĐ-CP (sửa đổi bởi 14/2022/NĐ-CP)",
        "violation": "Xây dựng cột ăng ten không thông báo",
        "bracket_min_vnd": 20_000_000,
        "bracket_max_vnd": 30_000_000,
        "fine_vnd": 50_000_000,
        "measures": [{"measure": "Bổ sung hồ sơ thông báo", "deadline": "2026-10-31"}],
        **extra,
    }


def test_an_inspection_and_its_conclusion(inspector: TestClient, client_as: ClientAs) -> None:
    case = inspector.post(
        "/api/cases",
        json={
            "kind": "planned_inspection",
            "received_on": "2026-09-01",
            "channel": "in_person",
            "subject": "Thanh tra doanh nghiệp X",
        },
    ).json()
    created = inspector.post(
        "/api/inspections",
        json={
            "case_code": case["code"],
            "decision_number": "45/QĐ-TTr",
            "decision_date": "2026-09-05",
            "issuer": "Giám đốc Sở",
            "subject": "Chi nhánh Viettel Hải Phòng",
            "team": ["Nguyễn Văn A", "Trần Thị B"],
            "announced_on": "2026-09-10",
            "direct_end_on": "2026-09-25",
        },
    )
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    problem(
        inspector.post(
            url + "/conclusion",
            json={"conclusion_number": "1", "concluded_on": "2026-09-20", "conclusion": "x"},
            headers=versioned(inspector, url),
        ),
        422,
    )
    done = inspector.post(
        url + "/conclusion",
        json={
            "conclusion_number": "99/KL-TTr",
            "concluded_on": "2026-10-12",
            "conclusion": "Doanh nghiệp chưa thông báo 3 vị trí cột",
            "published": True,
            "findings": [
                {"finding": "3 cột chưa thông báo", "recommendation": "Thông báo bổ sung", "deadline": "2026-11-30"}
            ],
        },
        headers=versioned(inspector, url),
    )
    assert done.status_code == 200, done.text
    assert done.json()["conclusion_published"] is True and done.json()["findings"][0]["deadline"] == "2026-11-30"
    assert client_as("viewer").get(url).status_code == 200
    problem(client_as("viewer").post("/api/inspections", json={}), 403)
    problem(inspector.post("/api/inspections", json={**created.json(), "case_code": case["code"]}), 422)


def test_fines_within_their_bracket(inspector: TestClient, db: Session) -> None:
    make_site(db, code="XP-SITE", lon=106.68, lat=20.86)
    # An organisation pays double the individual bracket: 40–60 million.
    for fine, ok in ((39_999_999, False), (40_000_000, True), (60_000_001, False)):
        response = inspector.post("/api/sanctions", json=sanction(number=f"N-{fine}", fine_vnd=fine))
        if ok:
            assert response.status_code == 201, response.text
        else:
            assert_names_field(problem(response, 422), "fine_vnd")
    person = sanction(number="N-P", violator_kind="person", violator_name="Ông C", tax_code=None, fine_vnd=30_000_000)
    assert inspector.post("/api/sanctions", json=person).status_code == 201
    assert_names_field(
        problem(inspector.post("/api/sanctions", json=sanction(number="N-T", tax_code=None)), 422), "tax_code"
    )
    linked = inspector.post("/api/sanctions", json=sanction(number="N-L", linked={"entity": "site", "code": "XP-SITE"}))
    assert linked.json()["linked"] == {"entity": "site", "code": "XP-SITE"}
    assert linked.json()["citation"] == "điểm a, khoản 2, Điều 15, Nghị định 174/2013/NĐ-CP (sửa đổi bởi 14/2022/NĐ-CP)"
    problem(inspector.post("/api/sanctions", json=sanction(number="N-L")), 409)


def test_payment_deadline_and_late_fees(inspector: TestClient) -> None:
    created = inspector.post("/api/sanctions", json=sanction(delivered_on="2026-10-05")).json()
    assert created["status"] == "delivered" and created["payment_due"] == "2026-10-15"
    url = f"/api/sanctions/{created['id']}"
    # 20 days late on 4 November: 50,000,000 × 0.05 % × 20 = 500,000.
    assert inspector.get(url, params={"on": "2026-11-04"}).json()["late_fee_vnd"] == 500_000
    assert inspector.get(url, params={"on": "2026-10-15"}).json()["late_fee_vnd"] == 0
    unpaid = inspector.get("/api/sanctions/unpaid", params={"on": "2026-10-16"}).json()
    assert [s["number"] for s in unpaid["items"]] == ["12/QĐ-XPHC"]
    assert inspector.get("/api/sanctions/unpaid", params={"on": "2026-10-15"}).json()["count"] == 0
    paid = inspector.patch(url, json={"paid_on": "2026-10-20"}, headers=versioned(inspector, url)).json()
    assert paid["status"] == "paid" and paid["late_fee_vnd"] == 125_000  # 5 days
    assert inspector.get("/api/sanctions/unpaid", params={"on": "2026-11-28"}).json()["count"] == 0
    assert inspector.get("/api/sanctions/unpaid", params={"format": "xlsx"}).content[:2] == b"PK"
