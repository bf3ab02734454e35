"""An administrator keeps the rules in Chromium, signed in on the page: a new value of a legal constant
from a future day (a day before the current value's start refused first) is in the list beside the
value in force, on the constant's page and in its history in words; a new permit requirement rule is
in the list and the proposed-site check asks for it at once. Screenshots (desktop and 390 px) go to
out/screenshots/office-rules-*.png."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from registry.clock import today
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _on_a_phone(b: Any, name: str) -> None:
    b.page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, name)
    b.page.set_viewport_size(DESKTOP)


def test_an_admin_enters_a_new_value_of_a_legal_constant_from_a_future_day(
    office_browser: Callable[..., Any],
) -> None:
    b = office_browser("admin")
    page = b.page
    page.click("nav.office-menu a[href='/office/admin/rules']")
    page.wait_for_selector("#rules-count")
    assert "Xử phạt vi phạm hành chính" in page.inner_text("main")
    row = page.locator("tr[data-code='sanction.payment_days']")
    assert "10" in row.inner_text() and "01/01/1990" in row.inner_text()
    row.locator("a").first.click()
    page.wait_for_url("**/office/admin/rules/sanction.payment_days")
    page.click("text=Nhập giá trị mới từ một ngày")
    page.wait_for_url("**/new-value")

    # A day before the value in force started: refused on the form, filled again, the summary focused.
    page.fill("#f-value", "15")
    page.fill("#f-effective_from", "31/12/1989")
    page.fill("#f-legal_basis", "Luật Xử lý vi phạm hành chính sửa đổi 2025, Điều 73")
    page.click("form.record-form button[type=submit]")
    page.wait_for_selector("#error-summary")
    assert "Phải sau ngày hiệu lực của giá trị hiện hành (01/01/1990)" in page.inner_text("#error-summary")
    assert page.get_attribute("#f-effective_from", "aria-invalid") == "true"
    assert page.input_value("#f-value") == "15"
    shoot(b, "office-rules-new-value-refused")

    start = today() + timedelta(days=40)
    page.fill("#f-effective_from", f"{start:%d/%m/%Y}")
    page.select_option("#f-certainty", "check")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/office/admin/rules/sanction.payment_days?msg=created")
    assert "Đã thêm." in page.inner_text("#notice")
    values = page.locator("#values tbody tr").all_inner_texts()
    assert values[0].split("\t")[:2] == ["15", f"{start:%d/%m/%Y}"] and "Sắp áp dụng" in values[0]
    assert values[1].split("\t")[:3] == ["10", "01/01/1990", f"{start:%d/%m/%Y}"] and "Đang áp dụng" in values[1]
    history = page.inner_text("#history")
    assert "Giá trị: 15" in history and f"{start:%d/%m/%Y}" in history
    shoot(b, "office-rules-constant")

    # The list: today's value with its dates, and the next one.
    page.click(".crumbs a[href='/office/admin/rules']")
    page.wait_for_selector("#rules-count")
    row = page.locator("tr[data-code='sanction.payment_days']").inner_text()
    assert "10" in row and f"15 từ {start:%d/%m/%Y}" in row and "Chắc chắn" in row
    assert page.is_visible(".rule-tabs a[href='/office/spacing-rules']")
    assert violations(page) == []
    shoot(b, "office-rules-list-desktop")
    _on_a_phone(b, "office-rules-list-phone")
    assert_clean(b)


def test_an_admin_adds_a_permit_rule_and_the_check_asks_for_it(office_browser: Callable[..., Any]) -> None:
    b = office_browser("admin")
    page = b.page
    page.goto("http://127.0.0.1/office/admin/rules")
    page.click(".rule-tabs a[href='/office/admin/permit-rules']")
    page.wait_for_selector("#permit-rules-count")
    page.click("text=Thêm quy tắc")
    page.fill("#f-code", "SITE-A1-CAMOUFLAGE")
    page.check("input[name=permit_kinds][value=obstacle_height_approval]")
    page.check("input[name=pole_classes][value=A1b]")
    page.fill("#f-min_height_m", "6")
    page.fill("#f-description", "Cột A1b ngụy trang từ 6 m phải được chấp thuận độ cao (thử nghiệm)")
    page.fill("#f-legal_basis", "Quyết định thử nghiệm của UBND tỉnh <b>2026</b>")
    page.fill("#f-effective_from", f"{today():%d/%m/%Y}")
    assert violations(page) == []
    shoot(b, "office-rules-permit-rule-new")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/office/admin/permit-rules/SITE-A1-CAMOUFLAGE?msg=created")
    details = page.inner_text("#details")
    assert "Chấp thuận độ cao tĩnh không" in details and "A1b" in details and "từ 6 m" in details
    assert "Quyết định thử nghiệm của UBND tỉnh <b>2026</b>" in details  # shown as typed, not as markup
    assert "Lịch sử thay đổi" in page.inner_text("main")

    page.goto("http://127.0.0.1/office/admin/permit-rules?q=camouflage")
    assert "Tìm thấy 1 quy tắc giấy phép" in page.inner_text("#permit-rules-count")
    _on_a_phone(b, "office-rules-permit-rules-phone")

    # The proposed-site check asks for the new permit at once; a lower pole does not.
    query = "position.crs=4326&position.lon=106.6835&position.lat=20.8605&pole_class=A1b"
    page.goto(f"http://127.0.0.1/office/check?{query}&pole_height_m=8")
    assert "Cột A1b ngụy trang từ 6 m" in page.inner_text("#to-obtain")
    shoot(b, "office-rules-check-asks")
    page.goto(f"http://127.0.0.1/office/check?{query}&pole_height_m=4")
    assert "Cột A1b ngụy trang" not in page.inner_text("#permit-check")

    # The case deadline rules are the next tab: each version a row with its validity.
    page.goto("http://127.0.0.1/office/admin/permit-rules")
    page.click(".rule-tabs a[href='/office/admin/deadline-rules']")
    page.wait_for_selector("#deadline-rules-count")
    assert "KN-THULY-2026" in page.inner_text("#deadline-rules")
    shoot(b, "office-rules-deadline-rules")
    assert_clean(b)
