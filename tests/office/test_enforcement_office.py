"""Inspections and sanction decisions in the back office without a browser: an inspection recorded with
its team and findings, concluded, a finding marked done (the page and the API's new route); sanctions
in and out of their bracket for a person and an organisation, delivery, a late payment with the late fee
equal to the service's, the unpaid list and its Excel, status moves the service allows; refusals save
nothing; roles without the right get 403 pages; hostile text escaped and exported cells inert."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.cases.enforcement_models import Inspection, Sanction
from registry.cases.enforcement_service import late_fee
from registry.clock import today
from registry.rules.book import RuleBook
from registry.text import grouped
from tests.conftest import ClientAs
from tests.html_reader import elements, text
from tests.office.conftest import csrf_of

EVIL = "<script>alert('x')</script>"


def dmy(d: Any) -> str:
    return f"{d:%d/%m/%Y}"


def _post(c: TestClient, form_path: str, action: str, data: dict[str, str]) -> Any:
    """Post ``data`` from the page ``form_path`` (its CSRF token, and its record's version when it has one)."""
    page = c.get(form_path)
    assert page.status_code == 200, page.text
    body = {"csrf_token": csrf_of(page.text), **data}
    version = re.search(r'name="version" value="(\d+)"', page.text)
    if version and "version" not in data:
        body["version"] = version.group(1)
    return c.post(action, data=body, follow_redirects=False)


def _error(html: str, field: str) -> str:
    found = elements(html, "p", id=f"f-{field.replace('.', '-')}-error")
    assert found, f"no error by {field}"
    return found[0].text


INSPECTION = {
    "decision_number": "45/QĐ-TTr",
    "decision_date": "05/09/2026",
    "issuer": "Giám đốc Sở",
    "subject": "Chi nhánh Viettel Hải Phòng",
    "scope": "Việc thông báo vị trí cột ăng ten",
    "team.0": "Nguyễn Văn An, trưởng đoàn",
    "team.1": "Trần Thị Bình",
    "announced_on": "10/09/2026",
    "direct_end_on": "25/09/2026",
    "findings.0.finding": "3 cột chưa thông báo",
    "findings.0.recommendation": "Thông báo bổ sung",
    "findings.0.deadline": "30/11/2026",
    "findings.1.finding": "Thiếu hồ sơ kiểm định 1 trạm",
    "findings.1.recommendation": "Kiểm định trạm",
    "findings.1.deadline": "31/12/2026",
}

SANCTION = {
    "number": "12/QĐ-XPHC",
    "decided_on": "01/10/2026",
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
    "bracket_min_vnd": "20.000.000",
    "bracket_max_vnd": "30.000.000",
    "fine_vnd": "50.000.000",
    "measures.0.measure": "Bổ sung hồ sơ thông báo",
    "measures.0.deadline": "31/10/2026",
}


@pytest.fixture
def inspector(cookie_client: Callable[..., TestClient]) -> TestClient:
    return cookie_client("inspector", username="tt.vanphong")


def _inspection(c: TestClient, **extra: str) -> int:
    r = _post(c, "/office/inspections/new", "/office/inspections/new", {**INSPECTION, **extra})
    assert r.status_code == 303, r.text
    return int(r.headers["location"].split("?")[0].rsplit("/", 1)[1])


def _sanction(c: TestClient, query: str = "", **extra: str) -> Any:
    return _post(c, f"/office/sanctions/new{query}", "/office/sanctions/new", {**SANCTION, **extra})


def test_an_inspection_recorded_concluded_and_its_findings_done(
    inspector: TestClient, client_as: ClientAs, db: Session
) -> None:
    api = client_as("inspector", username="tt.api")
    body = {"kind": "planned_inspection", "received_on": "2026-09-01", "channel": "in_person",
            "subject": "Thanh tra doanh nghiệp X"}  # fmt: skip
    case = api.post("/api/cases", json=body).json()
    form = inspector.get(f"/office/inspections/new?case={case['code']}")
    assert elements(form.text, "input", name="case_code")[0].attrs["value"] == case["code"]
    inspection_id = _inspection(inspector, case_code=case["code"])
    page = inspector.get(f"/office/inspections/{inspection_id}")
    words = text(page.text)
    assert "Nguyễn Văn An, trưởng đoàn" in words and "Trần Thị Bình" in words
    assert "3 cột chưa thông báo" in words and "thời hạn 30/11/2026" in words and "chưa kết luận" in words
    assert elements(page.text, "a", href=f"/office/cases/{case['code']}")
    assert elements(page.text, "a", href=f"/office/sanctions/new?inspection={inspection_id}")

    # A conclusion before the end of the direct inspection is refused on the page; nothing saved.
    conclude = f"/office/inspections/{inspection_id}/conclude"
    page_path = f"/office/inspections/{inspection_id}"
    bad = _post(inspector, page_path, conclude, {"conclusion_number": "99/KL-TTr", "concluded_on": "20/09/2026",
                                                 "conclusion": "Kết luận"})  # fmt: skip
    assert bad.status_code == 422 and "Kết luận trước khi kết thúc thanh tra trực tiếp" in _error(
        bad.text, "concluded_on"
    )
    assert db.scalar(select(Inspection.concluded_on).where(Inspection.id == inspection_id)) is None
    ok = _post(inspector, page_path, conclude, {"conclusion_number": "99/KL-TTr", "concluded_on": "12/10/2026",
                                                "conclusion": "Doanh nghiệp chưa thông báo 3 vị trí cột",
                                                "published": "true"})  # fmt: skip
    assert ok.status_code == 303
    body = api.get(f"/api/inspections/{inspection_id}").json()
    assert body["concluded_on"] == "2026-10-12" and body["conclusion_published"] is True
    assert len(body["findings"]) == 2  # the conclusion form keeps the findings

    # A finding done: before the decision → refused; on a day → kept, the other finding untouched.
    first, second = body["findings"]
    done = f"/office/inspections/{inspection_id}/findings/{first['id']}"
    early = _post(inspector, page_path, done, {"done_on": "01/01/2026"})
    assert early.status_code == 422 and "Trước ngày quyết định thanh tra" in _error(early.text, f"done-{first['id']}")
    assert _post(inspector, page_path, done, {"done_on": "20/11/2026"}).status_code == 303
    after = api.get(f"/api/inspections/{inspection_id}").json()["findings"]
    assert [f["done_on"] for f in after] == ["2026-11-20", None]
    # The API has the same route (If-Match of the inspection).
    url = f"/api/inspections/{inspection_id}"
    etag = api.get(url).headers["etag"]
    r = api.patch(f"{url}/findings/{second['id']}", json={"done_on": "2026-12-01"}, headers={"If-Match": etag})
    assert r.status_code == 200 and r.json()["findings"][1]["done_on"] == "2026-12-01"
    assert api.patch(f"{url}/findings/999999", json={}, headers={"If-Match": r.headers["etag"]}).status_code == 404
    assert "Đã thực hiện ngày 01/12/2026" in text(inspector.get(page_path).text)

    # The list: concluded or not, year, search without diacritics, exports.
    _inspection(inspector, decision_number="46/QĐ-TTr", subject="Trung tâm Kinh doanh VNPT")
    listed = text(inspector.get("/office/inspections?concluded=yes").text)
    assert "45/QĐ-TTr" in listed and "46/QĐ-TTr" not in listed
    assert "46/QĐ-TTr" in text(inspector.get("/office/inspections?concluded=no&year=2026").text)
    assert "45/QĐ-TTr" not in text(inspector.get("/office/inspections?q=trung tam kinh doanh").text)
    csv = inspector.get("/office/inspections.csv?q=viettel").content.decode("utf-8-sig")
    assert "45/QĐ-TTr" in csv and "46/QĐ-TTr" not in csv
    assert inspector.get("/office/inspections.xlsx").content[:2] == b"PK"


def test_fines_within_the_bracket_for_a_person_and_an_organisation(inspector: TestClient, db: Session) -> None:
    inspection_id = _inspection(inspector)
    form = inspector.get(f"/office/sanctions/new?inspection={inspection_id}")
    assert elements(form.text, "input", name="inspection_id")[0].attrs["value"] == str(inspection_id)
    assert "45/QĐ-TTr" in text(form.text)
    assert "tổ chức vi phạm cùng hành vi bị phạt gấp đôi" in text(form.text)

    # An organisation pays 40–60 million for a 20–30 million bracket: 70 million is refused in words.
    over = _sanction(inspector, f"?inspection={inspection_id}", inspection_id=str(inspection_id), fine_vnd="70000000")
    assert over.status_code == 422
    assert "từ 40.000.000 đến 60.000.000 đồng" in _error(over.text, "fine_vnd")
    assert "Mức phạt cho tổ chức (gấp đôi cá nhân): từ 40.000.000 đồng đến 60.000.000 đồng." in text(over.text)
    assert elements(over.text, "input", name="violator_name")[0].attrs["value"] == SANCTION["violator_name"]
    assert db.scalar(select(func.count()).select_from(Sanction)) == 0
    # A person pays within the bracket itself: 40 million is refused, 30 million taken.
    person = {"violator_kind": "person", "violator_name": "Ông Lê Văn C", "tax_code": ""}
    high = _sanction(inspector, number="13/QĐ-XPHC", fine_vnd="40.000.000", **person)
    assert high.status_code == 422 and "từ 20.000.000 đến 30.000.000 đồng" in _error(high.text, "fine_vnd")
    assert _sanction(inspector, number="13/QĐ-XPHC", fine_vnd="30.000.000 đồng", **person).status_code == 303
    ok = _sanction(inspector, inspection_id=str(inspection_id))
    assert ok.status_code == 303
    sanction = db.scalar(select(Sanction).where(Sanction.number == "12/QĐ-XPHC"))
    assert sanction is not None and sanction.fine_vnd == 50_000_000 and sanction.inspection_id == inspection_id
    page = text(inspector.get(ok.headers["location"]).text)
    assert "điểm a, khoản 2, Điều 15, Nghị định 174/2013/NĐ-CP" in page and "50.000.000 đồng" in page
    assert "40.000.000 đồng – 60.000.000 đồng (tổ chức: gấp đôi)" in page
    assert "Quyết định số 12/QĐ-XPHC" in text(inspector.get(f"/office/inspections/{inspection_id}").text)
    # An organisation needs a tax code; a duplicate number is refused by the field.
    assert "Tổ chức vi phạm cần mã số thuế" in _error(_sanction(inspector, number="14", tax_code="").text, "tax_code")
    assert _sanction(inspector).status_code == 422


def test_delivery_late_payment_and_the_unpaid_list(
    inspector: TestClient, cookie_client: Callable[..., TestClient], db: Session
) -> None:
    on = today()
    created = _sanction(inspector, decided_on=dmy(on - timedelta(days=40)),
                        **{"measures.0.deadline": dmy(on - timedelta(days=5))})  # fmt: skip
    path = created.headers["location"].split("?")[0]
    sanction_id = int(path.rsplit("/", 1)[1])
    assert "Chưa giao quyết định" in text(inspector.get(path).text)
    # A blank day and a day before the decision are refused; nothing saved.
    assert "Chưa nhập ngày" in _error(_post(inspector, path, f"{path}/deliver", {"delivered_on": ""}).text,
                                      "delivered_on")  # fmt: skip
    early = _post(inspector, path, f"{path}/deliver", {"delivered_on": dmy(on - timedelta(days=60))})
    assert early.status_code == 422 and "Trước ngày quyết định" in _error(early.text, "delivered_on")
    assert db.scalar(select(Sanction.delivered_on).where(Sanction.id == sanction_id)) is None
    # Delivered 30 days ago: due 20 days ago, so overdue today.
    assert _post(inspector, path, f"{path}/deliver", {"delivered_on": dmy(on - timedelta(days=30))}).status_code == 303
    db.expire_all()
    record = db.get(Sanction, sanction_id)
    assert record is not None
    fee_today = late_fee(record, on, RuleBook.load(db))
    assert fee_today == 500_000  # 50,000,000 × 0.05 % × 20 days
    page = text(inspector.get(path).text)
    assert (
        f"Quá hạn nộp 20 ngày (hạn {dmy(on - timedelta(days=20))}); tiền chậm nộp tính đến hôm nay 500.000 đồng" in page
    )

    unpaid = inspector.get("/office/sanctions/unpaid")
    row = [tr for tr in elements(unpaid.text, "tr") if "12/QĐ-XPHC" in tr.text]
    assert row and "20" in row[0].text and "500.000 đồng" in row[0].text
    book = load_workbook(io.BytesIO(inspector.get("/office/sanctions/unpaid.xlsx").content))
    cells = [[c.value for c in r] for r in book.active.iter_rows()]
    assert cells[0][0] == "Số quyết định" and cells[1][0] == "12/QĐ-XPHC" and cells[1][-1] == 500_000
    assert cells[1][-2] == 20
    home = inspector.get("/office/").text
    card = [a for a in elements(home, "a", href="/office/sanctions/unpaid")]
    assert card and "1" in card[0].text
    listed = text(inspector.get("/office/sanctions?unpaid=overdue").text)
    assert "12/QĐ-XPHC" in listed

    # A remedial measure done on a day.
    assert _post(inspector, path, f"{path}/measures/0", {"done_on": dmy(on - timedelta(days=6))}).status_code == 303
    assert "Đã thực hiện ngày " + dmy(on - timedelta(days=6)) in text(inspector.get(path).text)
    assert _post(inspector, path, f"{path}/measures/3", {"done_on": dmy(on)}).status_code == 422

    # Paid 15 days ago: 5 days late, the late fee as the service computes it.
    assert _post(inspector, path, f"{path}/pay", {"paid_on": dmy(on - timedelta(days=15))}).status_code == 303
    db.expire_all()
    record = db.get(Sanction, sanction_id)
    assert record is not None and record.status == "paid"
    fee = late_fee(record, on, RuleBook.load(db))
    assert fee == 125_000
    assert f"nộp chậm 5 ngày, tiền chậm nộp {grouped(fee)} đồng" in text(inspector.get(path).text)
    assert "12/QĐ-XPHC" not in text(inspector.get("/office/sanctions/unpaid").text)
    assert "12/QĐ-XPHC" in text(inspector.get("/office/sanctions?status=paid").text)

    # Status moves: only those the service allows; a move asked by hand otherwise is refused, nothing saved.
    moves = [
        a.attrs["href"] for a in elements(inspector.get(path).text, "a") if "/status?to=" in a.attrs.get("href", "")
    ]
    assert moves == [f"{path}/status?to=complained", f"{path}/status?to=annulled"]
    refused = _post(inspector, path, f"{path}/status", {"status": "enforced"})
    assert refused.status_code == 422 and "Không chuyển được quyết định đã nộp phạt sang đã cưỡng chế" in refused.text
    confirm = inspector.get(f"{path}/status?to=annulled")
    assert confirm.status_code == 200 and "đã hủy" in text(confirm.text)
    assert _post(inspector, f"{path}/status?to=annulled", f"{path}/status", {"status": "annulled"}).status_code == 303
    db.expire_all()
    assert db.get(Sanction, sanction_id).status == "annulled"  # type: ignore[union-attr]
    assert "đã hủy" in text(inspector.get(path).text)
    assert inspector.get(f"{path}/status?to=complained").status_code == 422


def test_roles_refusals_and_hostile_text(
    inspector: TestClient, cookie_client: Callable[..., TestClient], anon: TestClient, db: Session
) -> None:
    inspection_id = _inspection(inspector, subject=EVIL, **{"team.0": EVIL})
    sanction = _sanction(inspector, violator_name='=HYPERLINK("http://x")', violation=EVIL)
    path = sanction.headers["location"].split("?")[0]
    for page_path in (f"/office/inspections/{inspection_id}", path, "/office/inspections", "/office/sanctions"):
        html = inspector.get(page_path).text
        assert "<script>alert" not in html, page_path
    assert EVIL in text(inspector.get(f"/office/inspections/{inspection_id}").text)
    csv = inspector.get("/office/sanctions.csv").content.decode("utf-8-sig")
    assert "'=HYPERLINK" in csv

    # A form opened before someone else's change saves nothing and says so.
    token = csrf_of(inspector.get(path).text)
    assert _post(inspector, path, f"{path}/measures/0", {"done_on": "20/10/2026"}).status_code == 303
    stale = inspector.post(f"{path}/deliver", data={"csrf_token": token, "version": "1", "delivered_on": "05/10/2026"})
    assert stale.status_code == 409 and "đã được người khác cập nhật" in text(stale.text)
    assert db.scalar(select(Sanction.delivered_on).where(Sanction.number == SANCTION["number"])) is None

    # Input no model takes: each a 422 page with words, nothing saved.
    before = db.scalar(select(func.count()).select_from(Sanction))
    for bad, field in (({"decided_on": "31/02/2026"}, "decided_on"), ({"fine_vnd": "-5"}, "fine_vnd"),
                       ({"case_code": "KHONG-CO"}, "case_code"), ({"violation": "x" * 5000}, "violation"),
                       ({"linked.entity": "site", "linked.code": "KHONG-CO"}, "linked.code"),
                       ({"bracket_max_vnd": "10.000.000"}, "bracket_max_vnd")):  # fmt: skip
        r = _sanction(inspector, number="99/QĐ", **bad)
        assert r.status_code == 422, (bad, r.text[:200])
        assert _error(r.text, field), bad
    assert db.scalar(select(func.count()).select_from(Sanction)) == before
    r = _post(inspector, "/office/inspections/new", "/office/inspections/new",
              {**INSPECTION, "direct_end_on": "01/09/2026", "findings.0.deadline": "hôm qua"})  # fmt: skip
    assert r.status_code == 422 and _error(r.text, "findings.0.deadline")
    assert db.scalar(select(func.count()).select_from(Inspection)) == 1
    assert inspector.get("/office/sanctions/new?inspection=99999999999").status_code == 200
    assert inspector.get("/office/inspections/999999").status_code == 404
    assert inspector.get("/office/sanctions?page=abc").status_code == 422

    # All staff read; only inspectors and admins record; without the token nothing is posted.
    viewer = cookie_client("viewer")
    listed = viewer.get("/office/sanctions")
    assert listed.status_code == 200 and "Ghi quyết định xử phạt" not in listed.text
    assert "Ghi đã nộp phạt" not in viewer.get(path).text
    for refused in ("/office/inspections/new", "/office/sanctions/new", f"{path}/status?to=annulled"):
        r = viewer.get(refused)
        assert r.status_code == 403 and "<h1>Không có quyền</h1>" in r.text, refused
    token = csrf_of(viewer.get("/office/account").text)  # the viewer's own token: refused for the right, not it
    assert viewer.post(f"{path}/pay", data={"csrf_token": token, "paid_on": "01/11/2026"}).status_code == 403
    officer = cookie_client("licensing_officer")
    assert officer.get("/office/inspections").status_code == 200
    assert officer.post(f"{path}/pay", data={"paid_on": "01/11/2026"}).status_code == 403
    assert db.scalar(select(Sanction.paid_on).where(Sanction.number == SANCTION["number"])) is None
