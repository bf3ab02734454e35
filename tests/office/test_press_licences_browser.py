"""A press manager's licence, notification and annual-report work in Chromium, signed in on the page:
record a licence for an outlet (the outlet page's button's address), amend it and read the amendment as
before → after, suspend it and see the suspended colour (not the revoked one: computed colours); record
a late notification and read how late, find it in the late list and download its Excel; record an
annual report from the missing list. Screenshots (desktop and 390 px) go to
out/screenshots/office-press-*.png."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from maps.licence_states import STATE_COLOURS
from registry.clock import VIETNAM, today
from registry.press.licence_views import report_due
from tests.conftest import ClientAs
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

PHONE = {"width": 390, "height": 844}


def _rgb(colour: str) -> str:
    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _dmy(d: Any) -> str:
    return f"{d:%d/%m/%Y}"


@pytest.fixture
def outlets(client_as: ClientAs) -> dict[str, Any]:
    api = client_as("press_manager", username="api.baochi")
    for body in (
        {
            "code": "BR-BAO",
            "kind": "e_newspaper",
            "name": "Báo Điện tử Cảng",
            "head_name": "Nguyễn Văn Cũ",
            "address": "Số 8 Hoàng Diệu",
        },
        {"code": "BR-WEB", "kind": "general_website", "name": "Trang Tin Cảng", "domains": ["trangtincang.vn"]},
        {"code": "BR-TC", "kind": "magazine", "name": "Tạp chí Biển"},
    ):
        assert api.post("/api/press/outlets", json=body).status_code == 201
    revoked = api.post(
        "/api/press/licences",
        json={
            "outlet_code": "BR-TC",
            "kind": "press_licence",
            "number": "9/GP-THU-HOI",
            "issue_date": "2020-01-01",
            "revoked_on": "2025-01-01",
            "status_reason": "Vi phạm nghiêm trọng",
        },
    )
    web = api.post(
        "/api/press/licences",
        json={"outlet_code": "BR-WEB", "kind": "website_licence", "number": "12/GP-TTĐT", "issue_date": "2020-01-01"},
    )
    assert revoked.status_code == 201 and web.status_code == 201
    return {"revoked": revoked.json()["id"]}


def test_a_licence_recorded_amended_and_suspended_in_colour(
    office_browser: Callable[..., Any], outlets: dict[str, Any]
) -> None:
    b = office_browser("press_manager")
    page = b.page
    # The office home has the press section; the outlet page's button opens the form for its outlet.
    assert "Báo chí" in page.inner_text("main") and page.is_visible("a[href='/office/press/work/late-notifications']")
    shoot(b, "office-press-home")
    page.goto("http://127.0.0.1/office/press/licences/new?outlet_code=BR-BAO")
    assert "Báo Điện tử Cảng (BR-BAO)" in page.inner_text("#holder")
    assert page.input_value("#f-kind") == "press_licence"
    until = today() + timedelta(days=1200)
    page.fill("#f-valid_until", _dmy(until))
    page.click("form.record-form button[type=submit]")  # no number: refused, the summary takes the focus
    assert page.is_visible("#error-summary") and "Số giấy phép" in page.inner_text("#error-summary")
    # office.js moves the focus once it has run (after the summary is in the page): wait for it to.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'error-summary'")
    assert page.evaluate("document.activeElement.id") == "error-summary"
    page.fill("#f-number", "123/GP-BVHTTDL")
    page.fill("#f-issue_date", "02/03/2021")
    shoot(b, "office-press-licence-new")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/office/press/licences/*?msg=created")
    status = page.locator("#licence-status")
    assert status.inner_text() == "còn hiệu lực"
    assert status.evaluate("e => getComputedStyle(e).color") == _rgb(STATE_COLOURS["valid"])
    licence_url = page.url.split("?")[0]

    # An amendment decided by the ministry: a new head and a later last day, read as before → after.
    page.click("text=Sửa đổi, bổ sung")
    page.wait_for_url("**/amend")
    page.fill("#f-decision_number", "45/GP-BVHTTDL")
    page.fill("#f-decided_on", "01/03/2026")
    page.fill("#f-reason", "Thay Tổng Biên tập")
    page.fill("#f-changes-outlet-head_name", "Trần Thị Mới")
    new_until = until + timedelta(days=365)
    page.fill("#f-changes-valid_until", _dmy(new_until))
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/office/press/licences/*?msg=saved")
    amendment = page.inner_text("#amendment-1")
    assert "45/GP-BVHTTDL" in amendment and "Thay Tổng Biên tập" in amendment
    row = page.locator("#amendment-1 tr", has_text="Người đứng đầu")
    assert row.locator("del").inner_text() == "Nguyễn Văn Cũ" and row.locator("ins").inner_text() == "Trần Thị Mới"
    row = page.locator("#amendment-1 tr", has_text="Hiệu lực đến hết ngày")
    assert row.locator("del").inner_text() == _dmy(until) and row.locator("ins").inner_text() == _dmy(new_until)
    assert "sửa đổi giấy phép báo chí lần 1" in page.inner_text("#history")
    assert violations(page) == []
    shoot(b, "office-press-licence")

    # Suspended with a reason: the suspended colour, which is not the revoked one.
    page.click("#licence-actions >> text=Đình chỉ")
    page.wait_for_url("**/suspend")
    page.fill("#f-status_reason", "Vi phạm quy định xuất bản")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/office/press/licences/*?msg=saved")
    assert page.inner_text("#licence-status") == "bị đình chỉ"
    suspended = page.locator("#licence-status").evaluate("e => getComputedStyle(e).color")
    assert suspended == _rgb(STATE_COLOURS["suspended"])
    assert "Vi phạm quy định xuất bản" in page.inner_text("#details")
    page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, "office-press-licence-phone")
    page.goto(f"http://127.0.0.1/office/press/licences/{outlets['revoked']}")
    assert page.inner_text("#licence-status") == "bị thu hồi"
    revoked = page.locator("#licence-status").evaluate("e => getComputedStyle(e).color")
    assert revoked == _rgb(STATE_COLOURS["revoked"]) and revoked != suspended
    assert page.goto(licence_url) is not None and page.inner_text("#licence-status") == "bị đình chỉ"
    assert_clean(b)


def test_a_late_notification_the_late_list_its_excel_and_an_annual_report(
    office_browser: Callable[..., Any], outlets: dict[str, Any], client: TestClient, db: Session
) -> None:
    b = office_browser("press_manager")
    page = b.page
    page.goto("http://127.0.0.1/office/press/notifications/new?outlet_code=BR-BAO")
    assert "Báo Điện tử Cảng (BR-BAO)" in page.inner_text("#holder")
    filed = datetime.now(VIETNAM).replace(second=0, microsecond=0) - timedelta(hours=3)
    page.select_option("#f-kind", "press_conference")
    page.fill("#f-subject", "Họp báo công bố ấn phẩm mới")
    page.fill("#f-filed_at", f"{filed:%d/%m/%Y %H:%M}")
    page.fill("#f-event_at", f"{filed + timedelta(hours=20):%d/%m/%Y %H:%M}")
    page.fill("#f-location", "Số 8 Hoàng Diệu")
    shoot(b, "office-press-notification-new")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/office/press/notifications/*?msg=created")
    verdict = page.inner_text("#verdict")
    assert "Nộp muộn" in verdict and "muộn 4 giờ" in verdict and "tối thiểu 24 giờ" in verdict
    shoot(b, "office-press-notification")

    # The late list from the press work index, and its Excel (the API's file).
    page.goto("http://127.0.0.1/office/press/work")
    assert page.inner_text("#work-late-notifications .figure") == "1"
    shoot(b, "office-press-work")
    page.click("#work-late-notifications a >> nth=0")
    page.wait_for_url("**/office/press/work/late-notifications")
    assert "Họp báo công bố ấn phẩm mới" in page.inner_text("#work") and "muộn 4 giờ" in page.inner_text("#work")
    assert page.get_attribute("#work a:text('Báo Điện tử Cảng')", "href") == "/office/press/outlets/BR-BAO"
    shoot(b, "office-press-work-late")
    href = page.get_attribute(".exports a:text('Excel')", "href")
    assert href == "/office/press/work/late-notifications.xlsx"
    with page.expect_download() as info:
        page.evaluate("h => { window.location.href = h; }", href)
    path = info.value.path()
    assert info.value.suggested_filename.startswith("bao-chi-late-notifications-") and path is not None
    with open(path, "rb") as fh:
        rows = list(load_workbook(io.BytesIO(fh.read())).worksheets[0].iter_rows(values_only=True))
    theirs = client.get("/api/press/reports/late-notifications", params={"format": "xlsx"}).content
    assert rows == list(load_workbook(io.BytesIO(theirs)).worksheets[0].iter_rows(values_only=True))
    assert [r[4] for r in rows[1:]] == ["Họp báo công bố ấn phẩm mới"]
    page.goto("http://127.0.0.1/office/press/notifications?late=1")
    assert "Tìm thấy 1 thông báo" in page.inner_text("#list-count")

    # An annual report recorded from the missing list's line: the website leaves the list.
    page.goto("http://127.0.0.1/office/press/work/missing-reports")
    assert "Trang Tin Cảng" in page.inner_text("#work")
    page.click("#work a:text('Ghi báo cáo năm')")
    page.wait_for_url("**/office/press/annual-reports/new?*")
    year, due_on = report_due(db, today())
    assert "Trang Tin Cảng (BR-WEB)" in page.inner_text("#holder") and page.input_value("#f-year") == str(year)
    assert page.input_value("#f-filed_on") == _dmy(today())
    page.fill("#f-filed_on", _dmy(due_on - timedelta(days=5)))  # received before it was due, entered now
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/office/press/annual-reports?outlet_code=BR-WEB&msg=created")
    assert "Tìm thấy 1 báo cáo" in page.inner_text("#list-count") and "đúng hạn" in page.inner_text("#list")
    page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, "office-press-annual-reports-phone")
    page.goto("http://127.0.0.1/office/press/work/missing-reports")
    assert "Trang Tin Cảng" not in page.inner_text("main")
    page.goto("http://127.0.0.1/office/press/work/late-notifications")
    b.assert_fits()
    shoot(b, "office-press-work-late-phone")
    assert_clean(b)
