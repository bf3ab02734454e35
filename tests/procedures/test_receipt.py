"""The printed receipt (Giấy tiếp nhận hồ sơ và hẹn trả kết quả): the national heading and the department,
who is signed in, the applicant, procedure, fee, documents line, dates dd/mm/yyyy, signature lines, the
full public look-up address and its QR code (segno, inline as a data: image so the CSP holds)."""

from __future__ import annotations

import base64
import re
from html import unescape

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.settings import Settings
from tests.conftest import ClientAs
from tests.procedures.helpers import make_procedure
from tests.procedures.test_dossiers_api import receive

HOSTILE = '<script>alert("x")</script>'
CODE = "1.000001.000.00.00.H27"


def test_the_receipt_has_the_forms_parts(db: Session, client_as: ClientAs, settings: Settings) -> None:
    settings.public_base_url = "https://dichvucong.example.vn/"
    proc = make_procedure(db, CODE, name="Cấp giấy phép thiết lập mạng viễn thông")
    proc.fees = "1.000.000 đồng/giấy phép " + HOSTILE
    proc.fee_vnd = 1_000_000
    db.flush()
    desk = client_as("one_stop_officer", username="mot-cua-1")
    d = receive(desk, applicant={"kind": "person", "name": HOSTILE, "phone": "0912345678", "address": "=1+2"})
    code = d["receipt_code"]
    url = f"https://dichvucong.example.vn/pages/dossiers/lookup?code={code}"

    page = desk.get(f"/api/dossiers/{code}/receipt")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    html = page.text
    assert HOSTILE not in html and "&lt;script&gt;" in html  # applicant and fee escaped
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in html and "Độc lập - Tự do - Hạnh phúc" in html
    assert settings.department_name in html and f"Số: {code}" in html
    assert '<b id="who">mot-cua-1</b>' in html and 'id="sign-in"' not in html  # signed in, not "Đăng nhập"
    assert "1.000.000 đồng" in html and "Cấp giấy phép thiết lập mạng viễn thông" in html
    assert "09:00 ngày 02/03/2026" in html and "16/03/2026" in html
    assert "Giấy tờ đã nhận" in html and "chưa lưu danh mục giấy tờ" in html
    assert "NGƯỜI NỘP HỒ SƠ" in html and "CÁN BỘ TIẾP NHẬN HỒ SƠ" in html and "mot-cua-1</div>" in html
    assert f'href="{url}"' in unescape(html) and f">{url}<" in unescape(html)
    src = re.search(r'<img id="receipt-qr" src="([^"]+)"', html)
    assert src is not None and src.group(1).startswith("data:image/svg+xml;base64,")
    svg = base64.b64decode(src.group(1).split(",", 1)[1]).decode()
    assert svg.startswith("<svg") and "viewBox" in svg and "<script" not in svg
    assert "data:" in page.headers["content-security-policy"].split("img-src", 1)[1].split(";")[0]

    data = desk.get(f"/api/dossiers/{code}/receipt", params={"format": "json"}).json()
    assert data["lookup_url"] == url and data["lookup"] == f"/pages/dossiers/lookup?code={code}"
    assert data["fee_vnd"] == 1_000_000 and data["received_by"] == "mot-cua-1"


def test_the_receipt_without_a_fee_and_for_the_public(db: Session, client_as: ClientAs, anon: TestClient) -> None:
    make_procedure(db, CODE)
    desk = client_as("one_stop_officer")
    code = receive(desk)["receipt_code"]
    assert "Không thu phí, lệ phí" in desk.get(f"/api/dossiers/{code}/receipt").text
    assert "http://127.0.0.1:8000/pages/dossiers/lookup?code=" in desk.get(f"/api/dossiers/{code}/receipt").text
    assert anon.get(f"/api/dossiers/{code}/receipt").status_code == 401
