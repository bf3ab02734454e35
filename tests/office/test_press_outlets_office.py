"""Press outlets in the back office (TestClient): codes by the kind's scheme (API and page alike), the
list's search, filters, sort, paging and exports, the record page (succession both ways, licences with
their amendments, notifications, annual reports, history), edit, cease, merger, the spreadsheet's dry
run and import, and the refusals (roles, CSRF, hostile text)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.press import service
from registry.press.models import PressOutlet
from registry.press.schemas import OutletCreate
from registry.settings import Settings
from tests.conftest import TEST_SECRET, ClientAs
from tests.office.conftest import csrf_of

HOSTILE = "<script>alert('bc')</script>"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The checked upload is kept under data_dir: this test's own folder.
    return Settings(environment="production", secret_key=TEST_SECRET, map_tiles_url=None, data_dir=tmp_path)


def add(db: Session, settings: Settings, **body: Any) -> PressOutlet:
    outlet = service.create_outlet(db, OutletCreate.model_validate(body), settings)
    db.flush()
    return outlet


def post_form(c: TestClient, form_url: str, data: dict[str, Any], url: str | None = None) -> Any:
    token = csrf_of(c.get(form_url).text)
    return c.post(url or form_url, data={**data, "csrf_token": token}, follow_redirects=False)


@pytest.fixture
def nhandan(db: Session, settings: Settings) -> PressOutlet:
    return add(
        db,
        settings,
        code="BC-TW-001",
        kind="print_newspaper",
        name="Báo Nhân Dân",
        governing_body="Ban Chấp hành Trung ương",
    )


def test_codes_follow_the_kinds_scheme_through_the_api_as_in_the_demo(
    client_as: ClientAs, db: Session, settings: Settings, nhandan: PressOutlet
) -> None:
    """The issue: a resident correspondent created through the API got BC-00001, the demo says PV-HP-…"""
    api = client_as("press_manager")

    def create(**body: Any) -> str:
        r = api.post("/api/press/outlets", json=body)
        assert r.status_code == 201, r.text
        return str(r.json()["code"])

    assert create(kind="resident_correspondent", name="PVTT Nhân Dân", parent_code="BC-TW-001") == "PV-HP-001"
    assert create(kind="resident_correspondent", name="PVTT Nhân Dân 2", parent_code="BC-TW-001") == "PV-HP-002"
    assert create(kind="representative_office", name="VPĐD Nhân Dân", parent_code="BC-TW-001") == "VP-HP-001"
    assert create(kind="magazine", name="Tạp chí Cửa Biển") == "TC-HP-001"
    assert create(kind="newsletter", name="Bản tin Thành đoàn") == "BT-HP-001"
    assert create(kind="special_issue", name="Đặc san Xuân") == "DS-HP-001"
    assert create(kind="general_website", name="Trang tin Hải Phòng") == "TT-HP-001"
    assert create(kind="television", name="Kênh truyền hình") == "BC-HP-001"
    # The numbering goes on from the highest number of the scheme (the demo's codes included).
    add(db, settings, code="PV-HP-020", kind="resident_correspondent", name="PVTT cũ", parent_code="BC-TW-001")
    assert create(kind="resident_correspondent", name="PVTT mới", parent_code="BC-TW-001") == "PV-HP-021"
    assert create(kind="print_newspaper", name="Báo cho mã", code="BC-TW-002") == "BC-TW-002"  # a given code stays


def test_the_list_searches_filters_sorts_pages_and_exports_exactly_the_filtered_rows(
    cookie_client: Callable[..., TestClient], db: Session, settings: Settings, nhandan: PressOutlet
) -> None:
    add(
        db,
        settings,
        kind="general_website",
        name="Trang tin điện tử Cảng Xanh",
        domains=["tintuc-cangxanh.vn"],
        position={"lon": 106.68, "lat": 20.86},
    )
    add(
        db,
        settings,
        kind="resident_correspondent",
        name="Phóng viên thường trú Báo Nhân Dân tại Hải Phòng",
        parent_code="BC-TW-001",
        position={"lon": 106.69, "lat": 20.85},
    )
    add(db, settings, kind="magazine", name='=HYPERLINK("http://x")', status="suspended")
    for i in range(52):
        add(db, settings, kind="newsletter", name=f"Bản tin số {i:02d}")
    c = cookie_client("press_manager")
    listed = c.get("/office/press/outlets")
    assert listed.status_code == 200 and "Tìm thấy 56 cơ quan, văn phòng, phóng viên" in listed.text
    assert "Trang 1/2" in listed.text and "Thêm cơ quan, VPĐD, PVTT" in listed.text
    second = c.get("/office/press/outlets?page=2")
    assert "đang xem 51–56" in second.text
    # Without diacritics, with a typo, by a domain fragment.
    for q in ("phong vien thuong tru nhan dan", "phong vien thuong truu nhan dan", "cangxanh"):
        found = c.get("/office/press/outlets", params={"q": q})
        assert "Tìm thấy 1 cơ quan" in found.text, q
    assert "PV-HP-001" in c.get("/office/press/outlets?q=phong vien thuong tru").text
    # Filters: kind, status.
    kinds = c.get("/office/press/outlets?kind=resident_correspondent&kind=general_website")
    assert "Tìm thấy 2 cơ quan" in kinds.text and "Bản tin số" not in kinds.text
    assert "Tìm thấy 1 cơ quan" in c.get("/office/press/outlets?status=suspended").text
    none = c.get("/office/press/outlets?licence_status=none&kind=magazine&kind=general_website")
    assert "Tìm thấy 2 cơ quan" in none.text and "Trang tin điện tử Cảng Xanh" in none.text
    branch = c.get("/office/press/outlets?licence_status=not_required")
    assert "Tìm thấy 1 cơ quan" in branch.text and "PV-HP-001" in branch.text
    # Sort by name both ways.
    up = c.get("/office/press/outlets?kind=newsletter&sort=name").text
    down = c.get("/office/press/outlets?kind=newsletter&sort=-name").text
    assert up.index("Bản tin số 00") < up.index("Bản tin số 01") and "Bản tin số 51" not in up  # page 1 of 2
    assert down.index("Bản tin số 51") < down.index("Bản tin số 50") and "Bản tin số 00" not in down
    assert 'aria-sort="descending"' in down
    for key in ("code", "kind", "status", "commune", "parent", "licence_status", "licence_valid_until"):
        assert c.get(f"/office/press/outlets?sort=-{key}").status_code == 200, key
    assert c.get("/office/press/outlets?sort=password").status_code == 422
    assert c.get("/office/press/outlets?kind=nope").status_code == 422
    assert c.get("/office/press/outlets", params={"q": "a\x00b"}).status_code == 422
    # Exports: exactly the filtered rows, every page, inert cells.
    csv = c.get("/office/press/outlets.csv?kind=magazine&kind=resident_correspondent")
    text = csv.content.decode("utf-8-sig")
    assert csv.status_code == 200 and "'=HYPERLINK" in text and "Bản tin" not in text
    assert "PV-HP-001" in text and "BC-TW-001" in text  # the correspondent and its parent's code
    xlsx = c.get("/office/press/outlets.xlsx?kind=newsletter")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.max_row == 53  # the heading and all 52 newsletters, not one page
    geo = c.get("/office/press/outlets.geojson").json()
    assert {f["id"] for f in geo["features"]} == {"TT-HP-001", "PV-HP-001"}  # the rows with a place
    assert geo["features"][0]["properties"]["licence"]["status"] in ("none", "not_required")


def test_creating_a_correspondent_refused_then_accepted_and_its_record_page(
    cookie_client: Callable[..., TestClient], db: Session, nhandan: PressOutlet
) -> None:
    c = cookie_client("press_manager")
    form = c.get("/office/press/outlets/new?kind=resident_correspondent&parent_code=BC-TW-001")
    assert form.status_code == 200 and 'value="BC-TW-001"' in form.text and "BC-TW-001 — Báo Nhân Dân" in form.text
    body = {
        "kind": "resident_correspondent",
        "name": HOSTILE,
        "position.crs": "4326",
        "position.lon": "106.7",
        "position.lat": "20.85",
        "domains": "",
        "languages": "vi",
    }
    refused = post_form(c, "/office/press/outlets/new", body)
    assert refused.status_code == 422 and 'href="#f-parent_code"' in refused.text
    half = post_form(c, "/office/press/outlets/new", {**body, "parent_code": "BC-TW-001", "position.lat": ""})
    assert half.status_code == 422 and 'href="#f-position">Vị trí: Thiếu kinh độ hoặc vĩ độ' in half.text
    assert "&lt;script&gt;alert(&#39;bc&#39;)&lt;/script&gt;" in refused.text and "<script>alert" not in refused.text
    assert db.query(PressOutlet).filter(PressOutlet.kind == "resident_correspondent").count() == 0
    ok = post_form(
        c,
        "/office/press/outlets/new",
        {**body, "parent_code": "BC-TW-001", "domains": "x.vn; y.vn", "languages": "vi, en"},
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/office/press/outlets/PV-HP-001?msg=created"
    record = c.get(ok.headers["location"])
    assert record.status_code == 200 and "<script>alert" not in record.text
    assert "Đã thêm." in record.text and 'href="/office/press/outlets/BC-TW-001"' in record.text
    assert "x.vn, y.vn" in record.text and "20.850000, 106.700000" in record.text
    assert "Phóng viên thường trú" in record.text and "Lịch sử thay đổi" in record.text
    parent = c.get("/office/press/outlets/BC-TW-001")
    assert 'href="/office/press/outlets/PV-HP-001"' in parent.text  # the parent lists its correspondents
    assert "/office/press/licences/new?outlet_code=BC-TW-001" in parent.text
    assert "/office/press/notifications/new?outlet_code=BC-TW-001" in parent.text
    # The public record page links staff to this page.
    public = c.get("/records/outlets/PV-HP-001")
    assert 'href="/office/press/outlets/PV-HP-001"' in public.text


def test_editing_a_stale_edit_and_ceasing_with_a_reason(
    cookie_client: Callable[..., TestClient], client: TestClient, db: Session, settings: Settings
) -> None:
    add(
        db,
        settings,
        code="BC-HP-009",
        kind="print_newspaper",
        name="Báo Thử",
        address="Số 1 Lê Lợi",
        position={"lon": 106.68, "lat": 20.86},
    )
    c = cookie_client("press_manager")
    edit = c.get("/office/press/outlets/BC-HP-009/edit")
    assert 'value="106.68"' in edit.text and 'name="version" value="1"' in edit.text
    token = csrf_of(edit.text)
    saved = c.post(
        "/office/press/outlets/BC-HP-009/edit",
        follow_redirects=False,
        data={
            "kind": "print_newspaper",
            "name": "Báo Thử",
            "address": "Số 2 Lê Lợi",
            "position.crs": "4326",
            "position.lon": "106.68",
            "position.lat": "20.86",
            "version": "1",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 303
    outlet = db.query(PressOutlet).filter_by(code="BC-HP-009").one()
    db.refresh(outlet)
    assert outlet.address == "Số 2 Lê Lợi" and outlet.version == 2 and outlet.geom is not None
    stale = c.post(
        "/office/press/outlets/BC-HP-009/edit",
        data={"kind": "print_newspaper", "name": "Báo Thử", "address": "Số 3", "version": "1", "csrf_token": token},
    )
    assert stale.status_code == 409 and "Số 2 Lê Lợi" in stale.text and "Số 3" in stale.text
    # Ceasing: a reason is required; then the status and the reason are kept (notes, history).
    form = c.get("/office/press/outlets/BC-HP-009/cease")
    refused = c.post(
        "/office/press/outlets/BC-HP-009/cease",
        data={"on": "31/02/2026", "reason": "", "version": "2", "csrf_token": csrf_of(form.text)},
    )
    assert refused.status_code == 422 and 'href="#f-on"' in refused.text and 'href="#f-reason"' not in refused.text
    refused = c.post(
        "/office/press/outlets/BC-HP-009/cease",
        data={"on": "30/06/2026", "reason": "", "version": "2", "csrf_token": csrf_of(form.text)},
    )
    assert refused.status_code == 422 and 'href="#f-reason"' in refused.text
    ceased = c.post(
        "/office/press/outlets/BC-HP-009/cease",
        follow_redirects=False,
        data={
            "on": "30/06/2026",
            "reason": f"Thu hồi giấy phép {HOSTILE}",
            "version": "2",
            "csrf_token": csrf_of(form.text),
        },
    )
    assert ceased.status_code == 303
    api = client.get("/api/press/outlets/BC-HP-009").json()
    assert api["status"] == "ceased" and "Chấm dứt hoạt động từ 30/06/2026: Thu hồi giấy phép" in api["notes"]
    record = c.get("/office/press/outlets/BC-HP-009")
    assert "đã chấm dứt" in record.text and "<script>alert" not in record.text
    history = record.text.split('id="history"')[1]
    assert "đang hoạt động → đã chấm dứt" in history and "Chấm dứt hoạt động từ 30/06/2026" in history
    assert "/cease" not in record.text.split('id="outlet-actions"')[1].split("</p>")[0]
    again = c.get("/office/press/outlets/BC-HP-009/cease")
    assert "không thể chấm dứt hoạt động lần nữa" in again.text


def test_a_merger_links_both_records_and_the_public_pages(
    cookie_client: Callable[..., TestClient], client_as: ClientAs, db: Session, settings: Settings
) -> None:
    add(db, settings, code="BC-HP-001", kind="print_newspaper", name="Báo Hải Phòng")
    add(db, settings, code="BC-HP-002", kind="television", name="Đài PT-TH Hải Phòng")
    c = cookie_client("press_manager")
    form = c.get("/office/press/mergers/new?predecessors=BC-HP-001")
    assert 'value="BC-HP-001"' in form.text
    body = {
        "predecessors": "BC-HP-001, BC-HP-002",
        "successor.kind": "print_newspaper",
        "successor.name": "Báo và Phát thanh, Truyền hình Hải Phòng",
        "kind": "merged",
        "effective_date": "01/07/2025",
        "decision": "QĐ 1/2025",
    }
    refused = post_form(c, "/office/press/mergers/new", {**body, "successor_code": "BC-HP-001"})
    assert refused.status_code == 422 and "Cần đúng một trong successor_code" in refused.text
    missing = post_form(c, "/office/press/mergers/new", {**body, "predecessors": "BC-HP-001, KHONG-CO"})
    assert missing.status_code == 422 and 'href="#f-predecessors"' in missing.text and "KHONG-CO" in missing.text
    done = post_form(c, "/office/press/mergers/new", body)
    assert done.status_code == 303 and done.headers["location"] == "/office/press/outlets/BC-HP-003?msg=saved"
    successor = c.get("/office/press/outlets/BC-HP-003").text
    predecessors = successor.split('id="predecessors"')[1].split("</table>")[0]
    assert 'href="/office/press/outlets/BC-HP-001"' in predecessors and "01/07/2025" in predecessors
    assert 'href="/office/press/outlets/BC-HP-002"' in predecessors and "QĐ 1/2025" in predecessors
    old = c.get("/office/press/outlets/BC-HP-001").text
    assert "Đã sáp nhập vào" in old and 'href="/office/press/outlets/BC-HP-003"' in old and "đã sáp nhập" in old
    assert "Ghi sáp nhập" not in old.split('id="outlet-actions"')[1].split("</p>")[0]
    anon = client_as()  # the public (cookie_client signs in the shared anonymous client)
    public = anon.get("/records/outlets/BC-HP-001").text
    assert 'href="/records/outlets/BC-HP-003?lang=vi"' in public and 'href="/office/press' not in public
    assert 'href="/records/outlets/BC-HP-001?lang=vi"' in anon.get("/records/outlets/BC-HP-003").text


def test_the_record_shows_licences_with_amendments_notifications_and_reports(
    cookie_client: Callable[..., TestClient], client: TestClient, db: Session, settings: Settings
) -> None:
    add(db, settings, code="TT-HP-001", kind="general_website", name="Trang tin Cảng", domains=["cang.vn"])
    lic = client.post(
        "/api/press/licences",
        json={
            "outlet_code": "TT-HP-001",
            "kind": "website_licence",
            "number": "12/GP-STTTT",
            "issue_date": "2020-01-01",
            "valid_until": "2030-01-01",
        },
    ).json()
    amended = client.post(
        f"/api/press/licences/{lic['id']}/amendments",
        headers={"If-Match": '"1"'},
        json={
            "decision_number": "3/GP-SĐBS",
            "decided_on": "2024-05-02",
            "reason": HOSTILE,
            "changes": {"valid_until": "2031-01-01", "outlet.head_name": "Trần Mới"},
        },
    )
    assert amended.status_code == 201, amended.text
    note = client.post(
        "/api/press/notifications",
        json={
            "outlet_code": "TT-HP-001",
            "kind": "change",
            "subject": "Đổi địa chỉ",
            "filed_at": "2026-03-01T09:00:00+07:00",
            "event_at": "2026-03-03T09:00:00+07:00",
        },
    )
    assert note.status_code == 201, note.text
    report = client.post(
        "/api/press/annual-reports", json={"outlet_code": "TT-HP-001", "year": 2025, "filed_on": "2026-01-10"}
    )
    assert report.status_code == 201, report.text
    case = client.post(
        "/api/cases",
        json={
            "kind": "petition",
            "received_on": "2026-02-02",
            "channel": "online",
            "subject": "Phản ánh tin sai",
            "links": [{"entity": "press_outlet", "code": "TT-HP-001"}],
        },
    )
    assert case.status_code == 201, case.text
    c = cookie_client("press_manager")
    page = c.get("/office/press/outlets/TT-HP-001").text
    cases = page.split('id="cases"')[1].split("</table>")[0]
    assert f'href="/records/cases/{case.json()["code"]}"' in cases and "Kiến nghị, phản ánh" in cases
    licence = page.split(f'id="licence-{lic["id"]}"')[1].split("</section>")[0]
    assert f'href="/office/press/licences/{lic["id"]}"' in licence and "12/GP-STTTT" in licence
    assert "Lần 1: 3/GP-SĐBS ngày 02/05/2024" in licence
    assert "Hiệu lực đến: 01/01/2030 → 01/01/2031" in licence and "Người đứng đầu:" in licence
    assert "<script>alert" not in page and "&lt;script&gt;" in licence
    notes = page.split('id="notifications"')[1].split("</table>")[0]
    assert "Thông báo thay đổi" in notes and "2 ngày" in notes and "nộp muộn" in notes
    assert "2025" in page.split('id="reports"')[1].split("</table>")[0]
    assert "/office/press/annual-reports/new?outlet_code=TT-HP-001" in page


def test_a_licensing_officer_gets_no_outlet_form_and_no_buttons(
    cookie_client: Callable[..., TestClient],
    anon: TestClient,
    db: Session,
    settings: Settings,
    nhandan: PressOutlet,
) -> None:
    signed_out = anon.get("/office/press/outlets", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/maps/sign-in")
    c = cookie_client("licensing_officer")
    listed = c.get("/office/press/outlets")
    assert listed.status_code == 200 and "Báo Nhân Dân" in listed.text
    assert "Thêm cơ quan" not in listed.text and "Nhập bảng tính" not in listed.text
    record = c.get("/office/press/outlets/BC-TW-001")
    actions = record.text.split('id="outlet-actions"')[1].split("</p>")[0]
    assert record.status_code == 200 and "<a" not in actions
    for url in (
        "/office/press/outlets/new",
        "/office/press/outlets/BC-TW-001/edit",
        "/office/press/outlets/BC-TW-001/cease",
        "/office/press/mergers/new",
        "/office/press/import",
    ):
        refused = c.get(url)
        assert refused.status_code == 403 and "<h1>Không có quyền</h1>" in refused.text, url
    token = csrf_of(c.get("/office/licences/new").text)  # a form this officer may use: a valid token
    refused = c.post("/office/press/outlets/new", data={"kind": "magazine", "name": "X", "csrf_token": token})
    assert refused.status_code == 403 and db.query(PressOutlet).filter_by(name="X").count() == 0
    assert c.get("/office/press/outlets/KHONG-CO").status_code == 404


def test_changes_need_the_csrf_token(cookie_client: Callable[..., TestClient], db: Session) -> None:
    c = cookie_client("press_manager")
    forged = c.post("/office/press/outlets/new", data={"kind": "magazine", "name": "Tạp chí giả"})
    assert forged.status_code == 403 and "CSRF" in forged.text
    wrong = c.post("/office/press/mergers/new", data={"predecessors": "X", "csrf_token": "0" * 40})
    assert wrong.status_code == 403
    assert db.query(PressOutlet).filter_by(name="Tạp chí giả").count() == 0


def _sheet(*rows: list[Any]) -> bytes:
    from registry.tabular import write_xlsx

    headers = ["Mã", "Loại hình", "Tên", "Mã cơ quan chủ quản", "Kinh độ", "Vĩ độ", "Tên miền"]
    return write_xlsx(headers, [list(r) for r in rows], sheet="Cơ quan")


def test_the_spreadsheet_dry_run_shows_cell_errors_then_imports_the_kept_file(
    cookie_client: Callable[..., TestClient], db: Session, nhandan: PressOutlet
) -> None:
    c = cookie_client("press_manager")
    page = c.get("/office/press/import")
    token = csrf_of(page.text)
    bad = _sheet(
        ["", "Phóng viên thường trú", "PVTT Nhân Dân", "BC-TW-001", 106.7, 20.85, None],
        ["", HOSTILE, "Loại lạ", None, None, None, None],
        ["", "Tạp chí", "Tạp chí Biển", None, 200, 20.8, "tapchibien.vn"],
        ["", "Tạp chí", "Tạp chí Sông", None, None, None, "khong hop le"],
    )
    checked = c.post(
        "/office/press/import", data={"action": "check", "csrf_token": token}, files={"file": ("bao-chi.xlsx", bad)}
    )
    assert checked.status_code == 422
    problems = checked.text.split('id="problems"')[1].split("</table>")[0]
    rows = re.findall(r'<td data-label="Dòng">(\d+)</td><td data-label="Cột">([^<]*)</td>', problems)
    assert ("3", "Loại hình") in rows and ("4", "Kinh độ/Vĩ độ") in rows and ("5", "Tên miền") in rows
    assert "&lt;script&gt;" in checked.text and "<script>alert" not in checked.text
    assert db.query(PressOutlet).count() == 1
    good = _sheet(
        ["", "Phóng viên thường trú", "PVTT Nhân Dân", "BC-TW-001", 106.7, 20.85, None],
        ["", "Tạp chí", "Tạp chí Biển", None, 106.6, 20.8, "tapchibien.vn"],
    )
    ok = c.post(
        "/office/press/import", data={"action": "check", "csrf_token": token}, files={"file": ("bao-chi.xlsx", good)}
    )
    assert ok.status_code == 200 and 'id="dry-run-ok"' in ok.text and "sẽ thêm mới 2" in ok.text
    assert db.query(PressOutlet).count() == 1  # a dry run writes nothing
    key = re.search(r'name="upload" value="([0-9a-f]{32})"', ok.text)
    assert key
    # Someone else's or a made-up key imports nothing.
    assert (
        c.post("/office/press/import", data={"action": "import", "upload": "0" * 32, "csrf_token": token}).status_code
        == 422
    )
    imported = c.post("/office/press/import", data={"action": "import", "upload": key.group(1), "csrf_token": token})
    assert imported.status_code == 200 and "thêm mới 2" in imported.text
    codes = {o.code for o in db.query(PressOutlet)}
    assert codes == {"BC-TW-001", "PV-HP-001", "TC-HP-001"}
    again = c.post("/office/press/import", data={"action": "import", "upload": key.group(1), "csrf_token": token})
    assert again.status_code == 422  # the kept file is gone once imported
