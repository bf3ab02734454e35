"""An inspector's enforcement work in Chromium, signed in on the page: record an inspection with its team
and two findings, conclude it, mark a finding done; record a sanction from it (a fine above the bracket
for an organisation refused in words with the allowed range, which the form also says as it is typed,
then the right fine), record its delivery in the past so it is overdue, find it in the unpaid list (and
its Excel), record the payment and read the late fee. Screenshots (desktop and 390 px) go to
out/screenshots/office-inspection*.png, office-sanction*.png, office-unpaid*.png; axe on the forms."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.cases.enforcement_models import Sanction
from registry.cases.enforcement_service import late_fee
from registry.clock import today
from registry.rules.book import RuleBook
from registry.text import grouped
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _dmy(d: Any) -> str:
    return f"{d:%d/%m/%Y}"


def _both(b: Any, name: str) -> None:
    """The page at desktop width and on a phone (no sideways scrolling), then back to the desktop."""
    shoot(b, name)
    b.page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, f"{name}-phone")
    b.page.set_viewport_size(DESKTOP)


def test_an_inspection_its_sanction_late_payment_and_the_unpaid_list(
    office_browser: Callable[..., Any], db: Session
) -> None:
    on = today()
    b = office_browser("inspector")
    page = b.page
    assert page.is_visible("a[href='/office/sanctions/unpaid']")  # the office home's card

    # The inspection, from its decision: a team of two and two findings.
    page.goto("http://127.0.0.1/office/inspections")
    page.click("text=Ghi quyết định thanh tra")
    page.wait_for_url("**/office/inspections/new")
    page.fill("#f-decision_number", "45/QĐ-TTr")
    page.fill("#f-decision_date", _dmy(on - timedelta(days=60)))
    page.fill("#f-issuer", "Giám đốc Sở")
    page.fill("#f-subject", "Công ty Hạ tầng Viễn thông Duyên Hải")
    page.fill("#f-scope", "Việc thông báo và kiểm định các cột ăng ten")
    page.fill("#f-team-0", "Nguyễn Văn An, trưởng đoàn")
    page.fill("#f-team-1", "Trần Thị Bình")
    page.fill("#f-announced_on", _dmy(on - timedelta(days=55)))
    page.fill("#f-direct_end_on", _dmy(on - timedelta(days=50)))
    page.fill("#f-findings-0-finding", "3 cột ăng ten chưa thông báo")
    page.fill("#f-findings-0-recommendation", "Thông báo bổ sung")
    page.fill("#f-findings-0-deadline", _dmy(on - timedelta(days=20)))
    page.fill("#f-findings-1-finding", "1 trạm chưa kiểm định")
    page.fill("#f-findings-1-recommendation", "Kiểm định trạm")
    page.fill("#f-findings-1-deadline", _dmy(on + timedelta(days=30)))
    assert violations(page) == []
    shoot(b, "office-inspection-new")
    page.click("#inspection-form button[type=submit]")
    page.wait_for_url("**/office/inspections/*?msg=created")
    assert page.inner_text("#inspection-status") == "chưa kết luận"
    assert "Trần Thị Bình" in page.inner_text("#team")
    assert "3 cột ăng ten chưa thông báo" in page.inner_text("#findings")

    # Concluded (published), and the first finding done.
    page.fill("#f-conclusion_number", "99/KL-TTr")
    page.fill("#f-concluded_on", _dmy(on - timedelta(days=45)))
    page.fill("#f-conclusion", "Doanh nghiệp chưa thông báo 3 vị trí cột ăng ten.\nĐề nghị xử phạt.")
    page.check("input[name=published]")
    page.click("#conclude-form button[type=submit]")
    page.wait_for_url("**/office/inspections/*?msg=saved")
    assert page.inner_text("#inspection-status") == f"đã kết luận ngày {_dmy(on - timedelta(days=45))}"
    assert "(đã công khai)" in page.inner_text("#conclusion")
    page.locator("#findings li").first.locator("input[name=done_on]").fill(_dmy(on - timedelta(days=25)))
    page.locator("#findings li").first.locator("button").click()
    page.wait_for_url("**/office/inspections/*?msg=saved")
    findings = page.locator("#findings li")
    assert f"Đã thực hiện ngày {_dmy(on - timedelta(days=25))}" in findings.nth(0).inner_text()
    assert "Chưa thực hiện" in findings.nth(1).inner_text()
    assert violations(page) == []
    _both(b, "office-inspection")

    # A sanction from the inspection: the form says the allowed range as it is typed.
    page.click("#inspection-actions >> text=Ghi quyết định xử phạt")
    page.wait_for_url("**/office/sanctions/new?inspection=*")
    assert "45/QĐ-TTr" in page.inner_text("#origin")
    assert page.input_value("#f-violator_name") == "Công ty Hạ tầng Viễn thông Duyên Hải"
    page.fill("#f-number", "12/QĐ-XPHC")
    page.fill("#f-decided_on", _dmy(on - timedelta(days=40)))
    page.fill("#f-issuer", "Chánh Thanh tra Sở")
    page.fill("#f-minutes_number", "05/BB-VPHC")
    page.select_option("#f-violator_kind", "person")
    page.fill("#f-tax_code", "0201234567")
    page.fill("#f-point", "a")
    page.fill("#f-clause", "2")
    page.fill("#f-article", "15")
    page.fill("#f-decree", "Nghị định 174/2013/NĐ-CP (sửa đổi bởi 14/2022/NĐ-CP)")
    page.fill("#f-violation", "Xây dựng cột ăng ten không thông báo")
    page.fill("#f-bracket_min_vnd", "20.000.000")
    page.fill("#f-bracket_max_vnd", "30.000.000")
    assert page.inner_text("#fine-range") == "Mức phạt cho cá nhân: từ 20.000.000 đồng đến 30.000.000 đồng."
    page.select_option("#f-violator_kind", "organisation")
    allowed = "Mức phạt cho tổ chức (gấp đôi cá nhân): từ 40.000.000 đồng đến 60.000.000 đồng."
    assert page.inner_text("#fine-range") == allowed
    page.fill("#f-fine_vnd", "70.000.000")
    page.fill("#f-measures-0-measure", "Bổ sung hồ sơ thông báo 3 cột")
    page.fill("#f-measures-0-deadline", _dmy(on - timedelta(days=10)))
    assert violations(page) == []
    page.click("#sanction-form button[type=submit]")
    assert page.is_visible("#error-summary")
    assert "từ 40.000.000 đến 60.000.000 đồng" in page.inner_text("#f-fine_vnd-error")
    assert page.inner_text("#fine-range") == allowed  # said by the page as it came back, not only by the script
    assert violations(page) == []
    shoot(b, "office-sanction-refused")
    page.fill("#f-fine_vnd", "50.000.000")
    page.click("#sanction-form button[type=submit]")
    page.wait_for_url("**/office/sanctions/*?msg=created")
    assert page.inner_text("#sanction-status") == "đã ban hành"
    details = page.inner_text("#details")
    assert "điểm a, khoản 2, Điều 15, Nghị định 174/2013/NĐ-CP" in details and "50.000.000 đồng" in details

    # Delivered 30 days ago: 10 days to pay, so 20 days overdue today.
    page.fill("#f-delivered_on", _dmy(on - timedelta(days=30)))
    page.click("#sanction-actions >> text=Ghi đã giao")
    page.wait_for_url("**/office/sanctions/*?msg=saved")
    sanction_url = page.url.split("?")[0]
    assert page.inner_text("#sanction-status") == "đã giao"
    assert "Quá hạn nộp 20 ngày" in page.inner_text("#payment") and "500.000 đồng" in page.inner_text("#payment")
    _both(b, "office-sanction")

    # The unpaid list, from the list of decisions, and its Excel.
    page.goto("http://127.0.0.1/office/sanctions")
    page.click("text=Danh sách chưa nộp phạt quá hạn")
    page.wait_for_url("**/office/sanctions/unpaid")
    row = page.locator("#list tr", has_text="12/QĐ-XPHC")
    assert "Công ty Hạ tầng Viễn thông Duyên Hải" in row.inner_text() and "500.000 đồng" in row.inner_text()
    _both(b, "office-unpaid")
    href = page.get_attribute(".exports a:text('Excel')", "href")
    assert href == "/office/sanctions/unpaid.xlsx"
    with page.expect_download() as info:
        page.evaluate("h => { window.location.href = h; }", href)
    path = info.value.path()
    assert path is not None
    with open(path, "rb") as fh:
        rows = list(load_workbook(io.BytesIO(fh.read())).worksheets[0].iter_rows(values_only=True))
    assert rows[1][0] == "12/QĐ-XPHC" and rows[1][-2:] == (20, 500_000)

    # Paid 15 days ago: 5 days late; the late fee is the service's.
    page.goto(sanction_url)
    page.fill("#f-paid_on", _dmy(on - timedelta(days=15)))
    page.click("#sanction-actions >> text=Ghi đã nộp phạt")
    page.wait_for_url("**/office/sanctions/*?msg=saved")
    record = db.scalar(select(Sanction).where(Sanction.number == "12/QĐ-XPHC"))
    assert record is not None
    fee = late_fee(record, on, RuleBook.load(db))
    assert fee == 125_000
    assert page.inner_text("#sanction-status") == "đã nộp phạt"
    assert f"nộp chậm 5 ngày, tiền chậm nộp {grouped(fee)} đồng" in page.inner_text("#payment")
    assert "Ngày nộp phạt: — → " + _dmy(on - timedelta(days=15)) in page.inner_text("#history")
    shoot(b, "office-sanction-paid")
    page.goto("http://127.0.0.1/office/sanctions/unpaid")
    assert "Không có quyết định quá hạn nộp phạt nào" in page.inner_text("main")
    assert_clean(b)
