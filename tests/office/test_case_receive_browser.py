"""An inspector receives cases in Chromium, signed in on the page: a denunciation with a denouncer and
a respondent, a site linked by typing part of its address without diacritics and choosing it from the
list with the keyboard, the position clicked on the map, taken oneself; then a citizen reception
session recorded and a complaint received at it. axe-core on the form; screenshots (desktop and 390 px)
out/screenshots/office-case-receive*.png and office-reception*.png."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.cases.models import Case
from tests.factories import make_site
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

PHONE = {"width": 390, "height": 844}


def _code_of(url: str) -> str:
    return url.split("/office/cases/", 1)[1].split("?", 1)[0]


def test_an_inspector_receives_a_denunciation_and_a_complaint_at_a_reception_session(
    office_browser: Callable[..., Any], db: Session
) -> None:
    make_site(db, code="HP-CR-001", address="Số 12 đường Lạch Tray, Ngô Quyền")
    make_site(db, code="HP-CR-002", address="Số 40 Trần Phú")
    b = office_browser("inspector", username="thanh.tra")
    page = b.page
    page.goto("http://127.0.0.1/office/cases/new")
    page.wait_for_selector("#case-map[data-ready='1']")
    page.select_option("#f-kind", "denunciation")
    page.fill("#f-subject", "Tố cáo việc lắp trạm gốc không phép")
    page.fill("#f-content", "Người tố cáo cho biết trạm gốc được lắp trên nóc nhà khi chưa có giấy phép.")
    page.check("#f-complex")
    # The denouncer's row says the identity is kept confidential.
    assert page.is_hidden("#party-0-note")
    page.select_option("#f-parties-0-role", "denouncer")
    assert page.is_visible("#party-0-note") and "Luật Tố cáo 2018" in page.inner_text("#party-0-note")
    page.fill("#f-parties-0-name", "Hoàng Văn Kín")
    page.fill("#f-parties-0-phone", "0987 654 321")
    page.select_option("#f-parties-1-role", "respondent")
    page.fill("#f-parties-1-name", "Công ty Cổ phần Hạ tầng Z")
    # A site by part of its address, without diacritics, chosen with the keyboard.
    page.select_option("#f-links-0-entity", "site")
    page.click("#f-links-0-code")
    page.keyboard.type("lach tray")
    page.wait_for_selector("#f-links-0-code-list [role=option]")
    assert page.get_attribute("#f-links-0-code", "aria-expanded") == "true"
    options = page.locator("#f-links-0-code-list [role=option]")
    assert options.count() == 1 and "Lạch Tray" in options.first.inner_text()
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#f-links-0-code", "aria-activedescendant")
    assert active and page.get_attribute(f"#{active}", "aria-selected") == "true"
    shoot(b, "office-case-receive-search")
    page.keyboard.press("Enter")  # chooses; does not submit the form
    assert page.input_value("#f-links-0-code") == "HP-CR-001"
    assert page.is_hidden("#f-links-0-code-list") and page.url.endswith("/office/cases/new")
    assert page.is_visible("#use-site-button") and "HP-CR-001" in page.inner_text("#use-site-button")
    # The position from a click on the map.
    box = page.locator("#case-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    lon, lat = float(page.input_value("#f-position-lon")), float(page.input_value("#f-position-lat"))
    assert 105 < lon < 108 and 19 < lat < 22 and "Đã lấy tọa độ" in page.inner_text("#case-map-status")
    page.check("#f-handler")
    assert violations(page) == []
    shoot(b, "office-case-receive")
    page.click("#save-case")
    page.wait_for_url("**/office/cases/*?msg=created")
    code = _code_of(page.url)
    assert code.startswith("TC-")
    db.expire_all()
    case = db.scalar(select(Case).where(Case.code == code))
    assert case is not None and case.complex and case.handler_id == b.user.id
    assert [(p.role, p.name) for p in case.parties] == [("denouncer", "Hoàng Văn Kín"),
                                                         ("respondent", "Công ty Cổ phần Hạ tầng Z")]  # fmt: skip
    assert [(x.entity, x.entity_code) for x in case.links] == [("site", "HP-CR-001")]
    page.goto(f"http://127.0.0.1/records/cases/{code}")
    assert "Hoàng Văn Kín" in page.inner_text("main")  # the handler sees the denouncer

    # A citizen reception session, and a complaint received at it (on a phone).
    page.set_viewport_size(PHONE)
    page.goto("http://127.0.0.1/office/cases/new")
    page.wait_for_selector("#case-map[data-ready='1']")
    b.assert_fits()
    shoot(b, "office-case-receive-phone")
    page.goto("http://127.0.0.1/office/reception")
    page.click("#new-session")
    page.fill("#f-held_on", "15/01/2026")
    page.fill("#f-host", "Giám đốc Sở Trần Văn Chủ Trì")
    page.fill("#f-place", "Trụ sở Tiếp công dân thành phố")
    page.click("#reception-form button[type=submit]")
    page.wait_for_url("**/office/reception/*?msg=created")
    page.click("#receive-here")
    page.wait_for_selector("#reception-note")
    assert page.input_value("#f-channel") == "reception_session" and page.input_value("#f-received_on") == "15/01/2026"
    page.select_option("#f-kind", "complaint")
    page.fill("#f-subject", "Khiếu nại quyết định xử phạt về quảng cáo")
    page.select_option("#f-parties-0-role", "complainant")
    page.fill("#f-parties-0-name", "Phạm Thị Khiếu")
    page.click("#save-case")
    page.wait_for_url("**/office/cases/*?msg=created")
    complaint = _code_of(page.url)
    assert complaint.startswith("KN-2026-")
    page.go_back()
    page.goto("http://127.0.0.1/office/reception")
    assert complaint in page.inner_text("main") and "Giám đốc Sở Trần Văn Chủ Trì" in page.inner_text("main")
    b.assert_fits()
    shoot(b, "office-reception-phone")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert violations(page) == []
    shoot(b, "office-reception")
    assert_clean(b)
