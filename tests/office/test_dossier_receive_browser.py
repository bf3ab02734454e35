"""The desk receives a dossier in Chromium: a one-stop officer signed in on the page opens «Tiếp nhận hồ
sơ» from the home, finds the procedure by typing part of its name without diacritics, sees its required
documents ticked and its fee, sees the appointment before saving and again when the channel changes,
adds a paper, saves and lands on the receipt listing the documents with its QR code; the form on a phone
without sideways scrolling; axe finds nothing; no script error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.procedures.models import Dossier
from tests.maps.test_browser import pytestmark  # noqa: F401 - the same skip rule
from tests.office.conftest import assert_clean, office_browser, shoot  # noqa: F401 - the fixture
from tests.office.test_accessibility_browser import violations
from tests.procedures.helpers import make_procedure

CODE = "1.004194.000.00.00.H27"
REQUIRED = [
    ("Đơn đề nghị chấp thuận vị trí lắp đặt cột ăng ten (theo mẫu)", "Bản chính", 1, True),
    ("Bản sao giấy phép thiết lập mạng viễn thông công cộng", "Bản sao có chứng thực", 1, True),
    ("Bản vẽ vị trí, mặt bằng và thiết kế cột ăng ten", "Bản chính", 2, True),
    ("Hợp đồng thuê vị trí hoặc giấy tờ về quyền sử dụng đất", "Bản sao", 1, True),
    ("Văn bản chấp thuận độ cao công trình (khi cột ăng ten cao trên 45 m)", "Bản sao", 1, False),
]


def test_the_desk_receives_a_dossier_and_prints_its_receipt(
    db: Session,
    office_browser: Callable[..., Any],  # noqa: F811 - imported fixture
) -> None:
    p = make_procedure(db, CODE, name="Chấp thuận vị trí lắp đặt cột ăng ten thu, phát sóng thông tin di động")
    p.required_documents = [{"name": n, "form": f, "copies": c, "required": r} for n, f, c, r in REQUIRED]
    p.fees, p.fee_vnd = "Phí thẩm định 400.000 đồng", 400_000
    make_procedure(db, "1.004512.000.00.00.H27", name="Cấp giấy phép thiết lập trang thông tin điện tử tổng hợp")
    db.flush()

    b = office_browser("one_stop_officer")
    page = b.page
    page.click("a[href='/office/dossiers/new']")  # the home's card
    page.wait_for_selector("#procedure-search:visible")
    assert violations(page) == []
    page.fill("#procedure-search", "vi tri lap dat cot ang")  # without diacritics
    visible = page.evaluate(
        "Array.from(document.querySelectorAll('#procedure-select option')).filter(o => !o.hidden).map(o => o.value)"
    )
    assert visible == [CODE]
    assert page.locator("#procedure-count").inner_text() == "1 thủ tục khớp"
    page.select_option("#procedure-select", CODE)
    expect(page.locator("#f-procedure_code")).to_have_value(CODE)
    page.wait_for_selector("#appointment-text:visible")
    assert page.locator("#proc-fee").inner_text() == "Phí thẩm định 400.000 đồng"
    names = page.locator("#doc-rows input[name$='.name']").evaluate_all("els => els.map(e => e.value)")
    assert names[: len(REQUIRED)] == [n for n, *_ in REQUIRED] and names[len(REQUIRED) :] == ["", "", ""]
    ticked = page.locator("#doc-rows input[type=checkbox]").evaluate_all("els => els.map(e => e.checked)")
    assert ticked == [r for *_, r in REQUIRED]
    first = page.locator("#appointment-date").inner_text()
    assert first and "tính từ" in page.locator("#appointment-reason").inner_text()

    # The applicant, a paper more, the optional one received too; the appointment asked again as the
    # channel changes (online counts to 17:00, paper to 15:00).
    page.select_option("#f-applicant-kind", "organisation")
    page.fill("#f-applicant-name", "Công ty Cổ phần Hạ tầng Viễn thông Bắc Bộ")
    page.fill("#f-applicant-id_number", "0200123456")
    page.fill("#f-applicant-address", "Số 5 Lạch Tray, Ngô Quyền, Hải Phòng")
    page.fill("#f-applicant-phone", "0225 3 123 456")
    page.check("#f-documents-4-received")
    page.fill("#f-documents-5-name", "Giấy ủy quyền nộp hồ sơ")
    page.fill("#f-documents-5-copies", "1")
    page.select_option("#f-channel", "online")
    expect(page.locator("#appointment-reason")).to_contain_text("hồ sơ trực tuyến")
    page.select_option("#f-channel", "post")
    expect(page.locator("#appointment-reason")).to_contain_text("hồ sơ giấy")
    shown = page.locator("#appointment-date").inner_text()
    b.assert_fits()
    shoot(b, "office-dossier-receive-desktop")

    page.click("#receive-form button.primary")
    page.wait_for_selector("#receipt-qr")
    d = db.scalars(select(Dossier)).one()
    assert page.url.endswith(f"/api/dossiers/{d.receipt_code}/receipt")
    assert d.due_date.strftime("%d/%m/%Y") == shown and d.channel == "post"
    assert d.events[0].actor == b.user.username
    assert page.locator("#who").inner_text() == b.user.username
    docs = page.locator("#receipt-docs tbody tr").all_inner_texts()
    assert len(docs) == 6 and "Giấy ủy quyền nộp hồ sơ" in docs[-1] and "2 bản" in docs[2]
    assert shown in page.locator("#receipt").inner_text()
    assert page.locator("#receipt-qr").evaluate("img => img.naturalWidth > 0")
    shoot(b, "office-dossier-receipt")

    # The same form on a phone: no sideways scrolling.
    phone = office_browser("one_stop_officer", viewport=(390, 844))
    phone.page.goto(f"http://127.0.0.1/office/dossiers/new?procedure={CODE}")
    phone.page.wait_for_selector("#appointment-text:visible")
    phone.assert_fits()
    shoot(phone, "office-dossier-receive-phone")
    assert violations(phone.page) == []
    assert_clean(b)
    assert_clean(phone)
