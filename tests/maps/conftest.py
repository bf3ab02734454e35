"""A small world for the map and record pages: four sites (one with its permits), a planning zone,
a newspaper with an office and a licence, and cases with a location (one a denunciation whose
denouncer must never reach a map)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.clock import today
from tests.factories import box, make_permit, make_site, make_station, make_zone

LON, LAT = 106.700, 20.840
SECRET = "Trần Thị Kín Tên"
SECRET_ID = "031099888777"


@pytest.fixture
def world(db: Session, client: TestClient) -> dict[str, Any]:
    sites = []
    for i, operator in enumerate(("VIETTEL", "VNPT", "MOBIFONE", "VIETTEL")):
        site = make_site(db, code=f"MAP-{i}", lon=LON + i * 0.002, lat=LAT, pole_class="A2b", pole_height_m=30)
        make_station(db, site=site, operator_code=operator)
        sites.append(site)
    make_zone(db, polygon=box(LON, LAT, 0.01), kind="height_limited", code="Z-MAP", urban=True)
    # MAP-0 holds every permit its rules ask for, valid for a year.
    check = client.get("/api/sites/MAP-0/permit-check").json()
    on = today()
    for need in check["required_permits"]:
        make_permit(db, kind=need["accepted_kinds"][0], site=sites[0], valid_until=on + timedelta(days=365))
    for need in check["stations"][0]["required_permits"]:
        make_permit(
            db, kind=need["accepted_kinds"][0], station=sites[0].stations[0], valid_until=on + timedelta(days=365)
        )
    outlet = {
        "code": "T-BAO",
        "kind": "print_newspaper",
        "name": "Báo Thử Bản Đồ",
        "address": "Số 8 Hoàng Diệu",
        "position": {"lon": LON, "lat": LAT + 0.004},
        "phone": "0225 3000 111",
    }
    assert client.post("/api/press/outlets", json=outlet).status_code == 201
    office = {
        "code": "T-VPDD",
        "kind": "representative_office",
        "name": "Văn phòng đại diện Báo Xa",
        "address": "Số 2 Lạch Tray",
        "position": {"lon": LON + 0.003, "lat": LAT + 0.004},
        "parent_code": "T-BAO",
    }
    assert client.post("/api/press/outlets", json=office).status_code == 201
    body = {"outlet_code": "T-BAO", "kind": "press_licence", "number": "GP-BAN-DO", "issue_date": "2020-01-01",
            "valid_until": (on + timedelta(days=20)).isoformat()}  # fmt: skip
    assert client.post("/api/press/licences", json=body).status_code == 201
    denunciation = {
        "kind": "denunciation",
        "received_on": (on - timedelta(days=60)).isoformat(),
        "channel": "post",
        "subject": "Tố cáo trạm lắp đặt không phép",
        "content": "Người tố cáo đề nghị giữ bí mật",
        "position": {"lon": LON + 0.001, "lat": LAT - 0.002},
        "parties": [{"role": "denouncer", "name": SECRET, "id_number": SECRET_ID}],
        "links": [{"entity": "site", "code": "MAP-1"}],
    }
    created = client.post("/api/cases", json=denunciation)
    assert created.status_code == 201, created.text
    complaint = {
        "kind": "complaint",
        "received_on": (on - timedelta(days=2)).isoformat(),
        "channel": "in_person",
        "subject": "Khiếu nại về nhiễu sóng",
        "position": {"lon": LON + 0.004, "lat": LAT - 0.001},
        "parties": [{"role": "complainant", "name": "Lê Văn Khiếu"}],
    }
    second = client.post("/api/cases", json=complaint)
    assert second.status_code == 201, second.text
    return {"denunciation": created.json()["code"], "complaint": second.json()["code"], "sites": sites}


@pytest.fixture
def staff_browser(client: TestClient):  # type: ignore[no-untyped-def]
    """Chromium signed in as an admin (tests/maps/browser.py), closed after the test."""
    from tests.maps.browser import Browser

    b = Browser(client)
    yield b
    b.close()


@pytest.fixture
def public_browser(anon: TestClient):  # type: ignore[no-untyped-def]
    """Chromium as the public, closed after the test."""
    from tests.maps.browser import Browser

    b = Browser(anon)
    yield b
    b.close()
