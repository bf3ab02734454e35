"""A denouncer's identity (Luật Tố cáo 2018) and a denunciation's confidential attachment reach only the
case's handler and admins: every page, export, map feed and API answer that shows cases is read by
each other staff role, and none of the identity's strings is anywhere in what they get."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.conftest import TEST_PASSWORD
from tests.office.conftest import assert_clean, csrf_of

NAME = "Lê Thị Ẩn Danh Zyx"
ID_NUMBER = "079188004321"
PHONE = "0913 579 246"
EMAIL = "an.danh.zyx@example.vn"
ADDRESS = "Số 77 ngõ Kín Tiếng, phường Bí Ẩn"
FILE_NOTE = "Đơn viết tay của người tố cáo Zyx"
IDENTITY = (NAME, ID_NUMBER, PHONE, EMAIL, ADDRESS, FILE_NOTE, "Ẩn Danh", "an.danh.zyx")
PDF = b"%PDF-1.4\n% " + NAME.encode() + b" " + ID_NUMBER.encode() + b"\n%%EOF\n"
OTHERS = ("inspector", "viewer", "licensing_officer", "one_stop_officer", "press_manager")


def leaked(body: bytes) -> list[str]:
    """The identity strings found in a response body: raw bytes, and the cells of an Excel file."""
    raw = body.decode("utf-8", errors="replace")
    found = [s for s in IDENTITY if s in raw or s.encode() in body]
    if body[:2] == b"PK":  # an .xlsx: its text is compressed inside
        sheet = load_workbook(io.BytesIO(body)).worksheets[0]
        cells = " ".join(str(v) for row in sheet.iter_rows(values_only=True) for v in row if v is not None)
        found += [s for s in IDENTITY if s in cells]
    return found


@pytest.fixture
def denunciation(client: TestClient, make_user: Any) -> dict[str, Any]:
    """A denunciation handled by tt.xuly, with a position, a denouncer and a confidential attachment."""
    make_user("inspector", username="tt.xuly")
    body = {
        "kind": "denunciation",
        "received_on": "2026-11-02",
        "channel": "in_person",
        "subject": "Tố cáo cột ăng ten xây không phép",
        "position": {"lon": 106.82, "lat": 10.95},
        "handler": "tt.xuly",
        "parties": [
            {"role": "denouncer", "name": NAME, "id_number": ID_NUMBER, "phone": PHONE, "email": EMAIL,
             "address": ADDRESS},
            {"role": "respondent", "name": "Công ty Cột Cao"},
        ],
    }  # fmt: skip
    r = client.post("/api/cases", json=body)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    a = client.post(f"/api/cases/{code}/attachments", data={"description": FILE_NOTE},
                    files={"file": ("don.pdf", PDF, "application/pdf")})  # fmt: skip
    assert a.status_code == 201 and a.json()["confidential"] is True, a.text
    return {"code": code, "attachment": a.json()["id"]}


def urls(code: str, attachment: int) -> list[str]:
    lists = ["/office/cases", "/office/cases/mine", "/office/cases/overdue", "/office/cases/due-soon?days=365",
             "/office/cases/by-unit", f"/office/cases?q={code}", "/office/cases?kind=denunciation"]  # fmt: skip
    exports = [f"{base.split('?')[0]}.{fmt}" for base in lists[:5] for fmt in ("csv", "xlsx")]
    return [
        *lists,
        *exports,
        f"/office/cases/{code}",
        f"/office/cases/{code}/edit",
        f"/office/cases/{code}/move/accepted",
        f"/office/cases/{code}/attachments/{attachment}",
        f"/records/cases/{code}",
        "/maps/cases",
        "/api/cases",
        "/api/cases?deadline=due_soon&due_within=365",
        "/api/cases.geojson",
        "/api/cases.xlsx",
        f"/api/cases/{code}",
        f"/api/cases/{code}/history",
        f"/api/cases/{code}/attachments",
        f"/api/cases/{code}/attachments/{attachment}",
        "/api/audit?limit=1000",
        "/office/admin/audit",
        "/office/reception",
        "/office/",
    ]


def test_no_other_role_reads_the_denouncer_anywhere(
    denunciation: dict[str, Any], cookie_client: Callable[..., TestClient], anon: TestClient
) -> None:
    code, attachment = denunciation["code"], denunciation["attachment"]
    for role in OTHERS:
        c = cookie_client(role)
        answered = 0
        for url in urls(code, attachment):
            r = c.get(url)
            assert r.status_code < 500, (role, url, r.status_code)
            answered += r.status_code == 200
            assert not leaked(r.content), (role, url, leaked(r.content))
        assert answered >= 10, role  # the case is shown to every staff role, just not the identity
        page = c.get(f"/office/cases/{code}")
        assert page.status_code == 200 and "Người tố cáo (thông tin được giữ bí mật)" in page.text
        assert c.get(f"/office/cases/{code}/attachments/{attachment}").status_code == 403

    # The handler and an admin do see it on the case's page, and may download the attachment.
    for username in ("tt.xuly", None):
        if username:
            r = anon.post("/api/auth/token?cookie=true", data={"username": username, "password": TEST_PASSWORD})
            assert r.status_code == 200
            c = anon
        else:
            c = cookie_client("admin")
        page = c.get(f"/office/cases/{code}")
        assert all(s in page.text for s in (NAME, ID_NUMBER, PHONE, EMAIL, ADDRESS, FILE_NOTE)), username
        assert c.get(f"/office/cases/{code}/attachments/{attachment}").content == PDF
        assert csrf_of(page.text)


def test_the_rendered_case_page_of_another_inspector_lacks_the_identity(
    denunciation: dict[str, Any], office_browser: Callable[..., Any]
) -> None:
    b = office_browser("inspector")
    b.page.goto(f"http://127.0.0.1/office/cases/{denunciation['code']}")
    b.page.wait_for_selector("#case-map[data-ready='1']")
    dom = b.page.content()
    assert "Người tố cáo (thông tin được giữ bí mật)" in dom and "Công ty Cột Cao" in dom
    assert not leaked(dom.encode())
    assert_clean(b)
