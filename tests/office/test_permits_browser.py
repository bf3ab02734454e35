"""A licensing officer's permit work in Chromium, signed in on the page: record a permit with its scan
from a site's "missing" line and see it everywhere (list, public record page, permit check, history);
suspend it; the expiring list's Excel button; the proposed-site check by typing and by clicking the map.
Screenshots (desktop and 390 px) go to out/screenshots/office-permits-*.png."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from registry.clock import today
from tests.factories import make_permit, make_site, make_station
from tests.office.conftest import assert_clean, shoot

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def site(db: Session) -> Any:
    s = make_site(db, code="BR-GP", pole_class="A2b", pole_height_m=30, address="Số 5 Lạch Tray")
    make_station(db, site=s, operator_code="VIETTEL", station_code="BR-GP-V")
    return s


def test_a_permit_recorded_from_the_missing_line_then_suspended(
    office_browser: Callable[..., Any], client: TestClient, site: Any
) -> None:
    b = office_browser("licensing_officer")
    page = b.page
    # The site's page says what is missing; its "record this permit" link opens the form filled in.
    check = client.get("/api/sites/BR-GP/permit-check").json()
    need = next(n for n in check["required_permits"] if n["state"] == "missing")
    kind = need["accepted_kinds"][0]
    page.goto("http://127.0.0.1/office/sites/BR-GP")
    link = page.locator(f"#site-needs a.record-permit[href*='kind={kind}']")
    assert link.get_attribute("href") == f"/office/permits/new?kind={kind}&site_code=BR-GP"
    link.click()
    page.wait_for_url("**/office/permits/new?*")
    assert "Vị trí BR-GP — Số 5 Lạch Tray" in page.inner_text("#holder")
    assert page.input_value("#f-kind") == kind
    page.fill("#f-number", "07/TB-STTTT")
    page.fill("#f-issuer", "Sở Khoa học và Công nghệ")
    page.fill("#f-issue_date", "15/01/2026")
    page.fill("#f-valid_until", (today() + timedelta(days=700)).strftime("%d/%m/%Y"))
    page.set_input_files("#f-file", files=[{"name": "thong-bao.pdf", "mimeType": "application/pdf", "buffer": PDF}])
    shoot(b, "office-permits-new")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/office/permits/*?msg=created")
    assert page.inner_text("#notice") == "Đã thêm."
    assert page.inner_text("#permit-status") == "còn hiệu lực"
    assert page.get_attribute("#details a[href$='/document']", "href") is not None
    assert "Thêm giấy phép" in page.inner_text("#history") or "07/TB-STTTT" in page.inner_text("#history")
    shoot(b, "office-permits-record")
    permit_url = page.url.split("?")[0]

    # In the list, found by its number without the case.
    page.goto("http://127.0.0.1/office/permits")
    page.fill("#q", "07/tb")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/office/permits?q=*")
    assert "Tìm thấy 1 giấy phép" in page.inner_text("#list-count")
    assert "07/TB-STTTT" in page.inner_text("#list")
    page.goto("http://127.0.0.1/office/permits")
    shoot(b, "office-permits-list")
    page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, "office-permits-list-phone")
    page.set_viewport_size({"width": 1280, "height": 800})

    # On the site's record page, and no longer missing in the permit check nor in the unmet list.
    page.goto("http://127.0.0.1/records/sites/BR-GP")
    assert "07/TB-STTTT" in page.content()
    after = client.get("/api/sites/BR-GP/permit-check").json()
    assert next(n for n in after["required_permits"] if n["rule"] == need["rule"])["state"] == "valid"
    page.goto("http://127.0.0.1/office/sites/BR-GP")
    assert page.locator(f"#site-needs a.record-permit[href*='kind={kind}']").count() == 0
    assert "07/TB-STTTT" in page.inner_text("#site-needs")
    page.goto("http://127.0.0.1/office/work/missing?q=BR-GP")
    assert "BR-GP" in page.inner_text("#work")  # its other needs are still listed, this one not
    assert f"kind={kind}&" not in page.content() and f'kind={kind}"' not in page.content()

    # Suspended with a reason: the status turns red, the reason and the step are in the history.
    page.goto(permit_url)
    page.click("text=Đình chỉ")
    page.wait_for_url("**/suspend")
    page.click("form.record-form button[type=submit]")  # no reason: refused, with the summary
    assert page.is_visible("#error-summary") and "Lý do" in page.inner_text("#error-summary")
    page.fill("#f-status_reason", "Cột lắp sai vị trí đã thông báo")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url("**/office/permits/*?msg=saved")
    status = page.locator("#permit-status")
    assert status.inner_text() == "bị đình chỉ"
    assert status.evaluate("e => getComputedStyle(e).color") == "rgb(164, 14, 38)"
    assert "Cột lắp sai vị trí đã thông báo" in page.inner_text("#details")
    assert "Cột lắp sai vị trí đã thông báo" in page.inner_text("#history")
    shoot(b, "office-permits-permit")
    page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, "office-permits-permit-phone")
    assert_clean(b)


def test_the_expiring_list_and_its_excel_button(office_browser: Callable[..., Any], db: Session, site: Any) -> None:
    on = today()
    other = make_site(db, code="BR-VN", pole_class="A2b", pole_height_m=30)
    make_station(db, site=other, operator_code="VNPT")
    make_permit(db, kind="construction_permit", site=site, number="GP-HET-1", valid_until=on + timedelta(days=3))
    make_permit(db, kind="construction_permit", site=other, number="GP-HET-2", valid_until=on + timedelta(days=20))
    make_permit(db, kind="construction_permit", site=other, number="GP-XA", valid_until=on + timedelta(days=300))
    b = office_browser("licensing_officer")
    page = b.page
    page.goto("http://127.0.0.1/office/work")
    page.click("#work-expiring a >> nth=0")
    page.wait_for_url("**/office/work/expiring?days=*")
    page.select_option("select[name=days]", "30")
    page.check("input[name=operator][value=VNPT]")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/office/work/expiring?*operator=VNPT*")
    count = page.inner_text("#work-count")
    assert "Tìm thấy 1 dòng" in count
    assert "GP-HET-2" in page.inner_text("#work") and "GP-XA" not in page.inner_text("#work")
    shoot(b, "office-work-expiring")
    # The Excel button's link, followed as a click would (the harness answers every request through
    # page.route, and Chromium cancels a routed download started by a link with the `download`
    # attribute; a navigation to the same address downloads).
    href = page.get_attribute(".exports a:text('Excel')", "href")
    assert href is not None and href.startswith("/office/work/expiring.xlsx?") and "operator=VNPT" in href
    with page.expect_download() as info:
        page.evaluate("h => { window.location.href = h; }", href)
    download = info.value
    assert download.suggested_filename.endswith(".xlsx")
    path = download.path()
    assert path is not None
    with open(path, "rb") as fh:
        rows = list(load_workbook(io.BytesIO(fh.read())).worksheets[0].iter_rows(values_only=True))
    assert [r[2] for r in rows[1:]] == ["GP-HET-2"]
    page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, "office-work-expiring-phone")
    assert_clean(b)


def test_the_proposed_site_check_by_typing_and_by_clicking_the_map(
    office_browser: Callable[..., Any], site: Any
) -> None:
    b = office_browser("licensing_officer")
    page = b.page
    page.goto("http://127.0.0.1/office/check")
    b.wait("window.checkMap !== undefined")
    page.fill("#f-position-lon", "106.6835")
    page.fill("#f-position-lat", "20.8605")
    page.select_option("#f-pole_class", "A2b")
    page.fill("#f-pole_height_m", "36")
    page.click("#check-submit")
    page.wait_for_url("**/office/check?*")
    assert page.is_visible("#verdict")
    assert "BR-GP" in page.inner_text("#check-result")  # the neighbour the answer names
    b.wait("window.checkMap !== undefined")
    shoot(b, "office-check-typed")
    # A click on the map fills the coordinates (WGS 84) and the check runs on them.
    box = page.locator("#check-map").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + box["width"] * 0.7, box["y"] + box["height"] * 0.3)
    lon, lat = page.input_value("#f-position-lon"), page.input_value("#f-position-lat")
    assert lon != "106.6835" and lat != "20.8605" and page.input_value("#f-position-crs") == "4326"
    assert "Đã lấy tọa độ" in page.inner_text("#check-map-status")
    page.click("#check-submit")
    page.wait_for_url(f"**/office/check?*position.lon={lon}*")
    assert page.is_visible("#verdict") and f"{float(lat)}, {float(lon)}" in page.inner_text("#check-result")
    shoot(b, "office-check-clicked")
    page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, "office-check-phone")
    assert_clean(b)
