"""The back office in Chromium, signed in on the sign-in page: the home of one's own work, a form
refused and corrected (GOV.UK error pattern), the record in the list and in its history, a page
refused as a page, and the layout on a phone."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.office.conftest import assert_clean, shoot


def test_an_officer_records_a_frequency_licence_in_the_browser(office_browser: Callable[..., Any]) -> None:
    b = office_browser("licensing_officer", viewport=(1280, 800))
    p = b.page
    assert p.locator("h1").inner_text() == "Việc của tôi"
    shoot(b, "office-home")
    p.click("text=Giấy phép tần số")
    p.click("text=Ghi giấy phép tần số")
    p.select_option("#f-operator", "VIETTEL")
    p.fill("#f-band", "2100")
    p.fill("#f-number", "GPTS-<b>9</b>")
    p.fill("#f-issue_date", "01/03/2026")
    p.fill("#f-valid_until", "30/02/2036")  # no such day
    p.click("button.primary")
    summary = p.locator("#error-summary")
    assert summary.is_visible() and "Hiệu lực đến hết ngày" in summary.inner_text()
    assert p.locator("#f-valid_until").get_attribute("aria-invalid") == "true"
    assert p.input_value("#f-number") == "GPTS-<b>9</b>"  # the form comes back filled
    shoot(b, "office-form-errors")
    summary.locator("a").first.click()  # the summary's link lands on the field
    assert p.evaluate("document.activeElement.id") == "f-valid_until" or "#f-valid_until" in p.url
    p.fill("#f-valid_until", "28/02/2036")
    p.click("button.primary")
    p.wait_for_load_state()
    p.wait_for_selector("#notice")
    assert "Đã thêm." in p.locator("#notice").inner_text()
    details = p.locator("#details").inner_text()
    assert "GPTS-<b>9</b>" in details and "28/02/2036" in details and "Viettel" in details
    shoot(b, "office-licence")
    p.click("text=Giấy phép tần số >> nth=0")
    p.fill("#q", "gpts")
    p.click("form.filters button.primary")
    assert "Tìm thấy 1 giấy phép tần số" in p.locator("#list-count").inner_text()
    assert "q=gpts" in p.url
    assert_clean(b)


def test_the_office_on_a_phone_and_a_refusal_as_a_page(office_browser: Callable[..., Any]) -> None:
    b = office_browser("viewer", viewport=(390, 844))
    p = b.page
    b.assert_fits()
    shoot(b, "office-home-phone")
    p.goto("http://127.0.0.1/office/licences/new")
    assert p.locator("h1").inner_text() == "Không có quyền"
    assert p.locator("text=Về trang làm việc").is_visible()
    b.assert_fits()
    shoot(b, "office-forbidden-phone")
    assert_clean(b)
