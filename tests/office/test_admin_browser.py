"""An administrator in Chromium, signed in on the sign-in page: opens 2027's calendar grid, makes a
Monday a day off with its legal basis, sees it on the grid and the month's working days drop, sees a
one-stop appointment counted over it move, and finds the change in the audit trail by its day; edits a
procedure's steps so they do not add up, reads by how much, fixes them, and finds the edit in the
audit trail by user and action. Desktop and phone screenshots; axe-core on the grid and the forms."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations
from tests.procedures.helpers import make_procedure

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
CODE = "1.000001.000.00.00.H27"


def _due(anon: TestClient) -> str:
    """The appointment of a dossier counted two working days after Thursday 06/05/2027 (the API)."""
    r = anon.get("/api/calendar/deadline", params={"start": "2027-05-06", "working_days": 2})
    assert r.status_code == 200, r.text
    return str(r.json()["due"])


def _fits_a_phone(b: Any, name: str) -> None:
    b.page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, name)
    b.page.set_viewport_size(DESKTOP)


def test_an_admin_makes_a_day_off_and_finds_it_in_the_audit_trail(
    office_browser: Callable[..., Any], anon: TestClient
) -> None:
    assert _due(anon) == "2027-05-10"
    b = office_browser("admin")
    p = b.page
    p.click("nav.wide-menu >> text=Lịch làm việc")
    p.wait_for_selector("table.cal")
    if "year=2027" not in p.url:
        p.goto("http://127.0.0.1/office/admin/calendar?year=2027")
    assert p.locator("h1").inner_text() == "Lịch ngày làm việc năm 2027"
    assert p.locator("table.cal").count() == 12
    tet = p.locator('td[data-date="2027-02-08"]')
    assert tet.get_attribute("data-state") == "tet" and "Mùng ba Tết" in tet.inner_text()
    may = p.locator("#m-5 caption").inner_text()
    assert "20 ngày làm việc" in may, may
    assert not violations(p), violations(p)
    shoot(b, "office-admin-calendar")
    _fits_a_phone(b, "office-admin-calendar-phone")
    p.click('td[data-date="2027-05-10"] a')
    p.wait_for_selector("#day-form")
    assert "Thứ Hai, ngày 10/05/2027" in p.locator("h1").inner_text()
    p.select_option("#f-kind", "off")
    p.fill("#f-name", "Nghỉ bù <i>Ngày Chiến thắng</i>")
    p.fill("#f-reason", "Hoán đổi theo thông báo của Chính phủ")
    p.fill("#f-legal_basis", "Thông báo 5000/TB-BNV ngày 01/12/2026")
    p.click("#day-form button.primary")
    p.wait_for_selector("#notice")
    assert "Đã lưu thay đổi." in p.locator("#notice").inner_text()
    assert p.locator("#month-working-days").inner_text() == "19 ngày làm việc"
    assert "Nghỉ bù <i>Ngày Chiến thắng</i>" in p.locator("#day-now").inner_text()  # shown as text
    assert "Thông báo 5000/TB-BNV" in p.locator("#history").inner_text()
    assert not violations(p), violations(p)
    shoot(b, "office-admin-calendar-day")
    p.click("text=Cả năm 2027")
    p.wait_for_selector("table.cal")
    assert p.locator('td[data-date="2027-05-10"]').get_attribute("data-state") == "exchange"
    assert "19 ngày làm việc" in p.locator("#m-5 caption").inner_text()
    assert _due(anon) == "2027-05-11"  # the appointment moves past the new day off
    # The change in the audit trail, searched by its record (the day, typed dd/mm/yyyy).
    p.click("nav.wide-menu >> text=Nhật ký")
    p.select_option("#f-entity", "calendar_day")
    p.fill("#f-id", "10/05/2027")
    p.click("form.filters button.primary")
    p.wait_for_selector("#list-count")
    assert "Tìm thấy 1 thay đổi" in p.locator("#list-count").inner_text()
    row = p.locator("#events tbody tr").first.inner_text()
    assert "Thêm ngày trong lịch làm việc" in row and b.user.username in row and "ngày nghỉ" in row
    p.click("#events >> text=10/05/2027")
    p.wait_for_selector("#day-form")
    assert "10/05/2027" in p.locator("h1").inner_text()
    assert_clean(b)


def test_an_admin_fixes_a_procedure_whose_steps_do_not_add_up(office_browser: Callable[..., Any], db: Session) -> None:
    make_procedure(db, CODE, value=10, name="Cấp giấy phép thiết lập mạng viễn thông dùng riêng")
    b = office_browser("admin")
    p = b.page
    p.click("nav.wide-menu >> text=Thủ tục")
    p.fill("#q", "thiet lap mang")
    p.click("form.filters button.primary")
    assert "Tìm thấy 1 thủ tục" in p.locator("#list-count").inner_text()
    p.click(f"#list >> text={CODE}")
    p.click("#edit")
    p.wait_for_selector("#procedure-form")
    assert p.input_value("#f-steps-1-duration") == "8,5"
    p.fill("#f-steps-1-duration", "6,5")
    p.click("#procedure-form button.primary")
    summary = p.locator("#error-summary")
    assert summary.is_visible() and "thiếu 2 ngày làm việc" in summary.inner_text()
    assert "thiếu 2 ngày làm việc" in p.locator("#f-steps-error").inner_text()
    assert p.input_value("#f-steps-1-duration") == "6,5"  # the form comes back as typed
    assert not violations(p), violations(p)
    shoot(b, "office-admin-procedure-steps-refused")
    _fits_a_phone(b, "office-admin-procedure-steps-refused-phone")
    p.fill("#f-steps-1-duration", "7,5")
    p.fill("#f-steps-4-name", "Lưu hồ sơ")
    p.fill("#f-steps-4-unit", "Văn thư")
    p.fill("#f-steps-4-duration", "1")
    p.select_option("#f-online_level", "4")
    p.click("#procedure-form button.primary")
    p.wait_for_selector("#notice")
    assert "Đã lưu thay đổi." in p.locator("#notice").inner_text()
    steps = p.locator("#steps").inner_text()
    assert "Lưu hồ sơ" in steps and "7,5 ngày làm việc" in steps
    assert "Mức 4 — Toàn trình" in p.locator("#details").inner_text()
    assert "Sửa thủ tục hành chính" in p.locator("#history").inner_text()
    shoot(b, "office-admin-procedure")
    # The edit in the audit trail, searched by user and action.
    p.click("nav.wide-menu >> text=Nhật ký")
    p.fill("#f-actor", b.user.username)
    p.select_option("#f-action", "update")
    p.click("form.filters button.primary")
    p.wait_for_selector("#events")
    assert f"actor={b.user.username}" in p.url and "action=update" in p.url
    text = p.locator("#events").inner_text()
    assert "Sửa thủ tục hành chính" in text and "Mức độ dịch vụ công (cách tính cũ): 3 → 4" in text
    assert all(a == "update" for a in p.locator("#events tbody tr").evaluate_all("rs => rs.map(r => r.dataset.action)"))
    shoot(b, "office-admin-audit")
    _fits_a_phone(b, "office-admin-audit-phone")
    p.click(f'#events a[href="/office/admin/procedures/{CODE}"] >> nth=0')
    p.wait_for_selector("#details")
    assert_clean(b)
