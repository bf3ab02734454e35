"""A press manager keeps the press register in Chromium, signed in on the sign-in page: a resident
correspondent added under its outlet (first refused, then accepted) gets a code of the demo's scheme,
is found in the list by a search without diacritics, drawn on the press map, and its record page shows
its parent and its history in words; on a phone, a merger recorded and followed both ways, and an
outlet spreadsheet with an error shown as a table, then fixed and imported."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session

from registry.press import service
from registry.press.models import PressOutlet
from registry.press.schemas import OutletCreate
from registry.settings import Settings
from registry.tabular import write_xlsx
from tests.conftest import TEST_SECRET
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The checked upload is kept under data_dir: this test's own folder.
    return Settings(environment="production", secret_key=TEST_SECRET, map_tiles_url=None, data_dir=tmp_path)


def add(db: Session, settings: Settings, **body: Any) -> None:
    service.create_outlet(db, OutletCreate.model_validate(body), settings)
    db.flush()


def _both(b: Any, name: str) -> None:
    shoot(b, f"{name}-desktop")
    b.page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, f"{name}-phone")
    b.page.set_viewport_size(DESKTOP)


def test_a_press_manager_adds_a_resident_correspondent_and_finds_it(
    office_browser: Callable[..., Any], db: Session, settings: Settings
) -> None:
    add(db, settings, code="BC-TW-001", kind="print_newspaper", name="Báo Nhân Dân", governing_body="Trung ương")
    add(db, settings, code="PV-HP-020", kind="resident_correspondent", name="Phóng viên thường trú Báo Nhân Dân",
        parent_code="BC-TW-001", position={"lon": 106.68, "lat": 20.86})  # fmt: skip
    b = office_browser("press_manager", viewport=(DESKTOP["width"], DESKTOP["height"]))
    p = b.page
    p.click(".office-menu >> text=Báo chí")
    assert "Tìm thấy 2 cơ quan" in p.locator("#list-count").inner_text()
    p.click("text=Thêm cơ quan, VPĐD, PVTT")
    p.select_option("#f-kind", "resident_correspondent")
    p.fill("#f-name", "Phóng viên thường trú Báo Nhân Dân tại Hải Phòng (địa bàn Lê Chân) <b>mới</b>")
    p.fill("#f-head_name", "Nguyễn Thị Hà")
    p.fill("#f-address", "Số 12 Tô Hiệu, Lê Chân")
    p.fill("#f-position-lon", "106.6810")
    p.fill("#f-position-lat", "20.8530")
    p.click("#outlet-form button.primary")  # no parent: refused
    summary = p.locator("#error-summary")
    assert summary.is_visible() and "Thuộc cơ quan báo chí (mã)" in summary.inner_text()
    assert p.input_value("#f-position-lon") == "106.6810" and p.input_value("#f-kind") == "resident_correspondent"
    assert violations(p) == []
    _both(b, "office-press-outlet-form-errors")
    p.fill("#f-parent_code", "BC-TW-001")
    p.click("#outlet-form button.primary")
    p.wait_for_selector("#notice")
    assert "Đã thêm." in p.locator("#notice").inner_text()
    details = p.locator("#details").inner_text()
    # The demo's scheme, numbered after the highest: PV-HP-021 (not BC-00001).
    assert "PV-HP-021" in details and "BC-TW-001 — Báo Nhân Dân" in details and "<b>mới</b>" in details
    assert "20.853000, 106.681000" in details
    history = p.locator("#history").inner_text()
    assert "Thêm" in history or "thêm" in history
    assert "Nguyễn Thị Hà" in history
    assert violations(p) == []
    _both(b, "office-press-outlet-record")
    # Its parent lists it.
    p.click("#details >> text=BC-TW-001 — Báo Nhân Dân")
    assert "PV-HP-021" in p.locator("#branches").inner_text()
    # In the list by a search without diacritics.
    p.click(".office-menu >> text=Báo chí")
    p.fill("#q", "dia ban le chan")
    p.click("form.filters button.primary")
    assert p.locator("#list-count").inner_text().startswith("Tìm thấy 1 cơ quan")
    assert "PV-HP-021" in p.locator("#list").inner_text()
    _both(b, "office-press-outlets-list")
    # On the press map.
    p.click("text=Xem các kết quả này trên bản đồ báo chí")
    b.wait("window.pressLoaded !== undefined")
    assert p.evaluate("window.pressLoaded") == 1
    # Back to its record page from the list.
    p.go_back()
    p.click("#list >> text=PV-HP-021")
    assert "Phóng viên thường trú" in p.locator("#details").inner_text()
    assert db.query(PressOutlet).filter_by(code="PV-HP-021").one().parent_id is not None
    assert_clean(b)


def _sheet(*rows: list[Any]) -> bytes:
    headers = ["Mã", "Loại hình", "Tên", "Mã cơ quan chủ quản", "Kinh độ", "Vĩ độ", "Tên miền"]
    return write_xlsx(headers, [list(r) for r in rows], sheet="Cơ quan")


def test_on_a_phone_a_merger_is_followed_both_ways_and_a_spreadsheet_imported(
    office_browser: Callable[..., Any], db: Session, settings: Settings
) -> None:
    add(db, settings, code="BC-HP-001", kind="print_newspaper", name="Báo Hải Phòng")
    add(db, settings, code="BC-HP-002", kind="television", name="Đài Phát thanh và Truyền hình Hải Phòng")
    b = office_browser("press_manager", viewport=(PHONE["width"], PHONE["height"]))
    p = b.page
    p.goto("http://127.0.0.1/office/press/outlets/BC-HP-001")
    p.click("#outlet-actions >> text=Ghi sáp nhập")
    assert p.input_value("#f-predecessors") == "BC-HP-001"
    p.fill("#f-predecessors", "BC-HP-001, BC-HP-002")
    p.select_option("#f-successor-kind", "print_newspaper")
    p.fill("#f-successor-name", "Báo và Phát thanh, Truyền hình Hải Phòng")
    p.fill("#f-effective_date", "01/07/2025")
    p.fill("#f-decision", "Quyết định 1/QĐ-TU")
    b.assert_fits()
    shoot(b, "office-press-merger-form-phone")
    p.click("#merger-form button.primary")
    p.wait_for_selector("#predecessors")
    predecessors = p.locator("#predecessors").inner_text()
    assert "BC-HP-001" in predecessors and "BC-HP-002" in predecessors and "01/07/2025" in predecessors
    successor = p.url.split("?")[0].rsplit("/", 1)[1]
    assert successor == "BC-HP-003"
    b.assert_fits()
    shoot(b, "office-press-merger-successor-phone")
    # From the successor to a predecessor, and back by its "merged into" link.
    p.click("#predecessors >> text=BC-HP-002")
    assert "đã sáp nhập" in p.locator("#details").inner_text()
    p.click("#details >> text=BC-HP-003 — Báo và Phát thanh, Truyền hình Hải Phòng")
    assert p.url.split("?")[0].endswith("/office/press/outlets/BC-HP-003")
    history = p.locator("#history").inner_text()
    assert "Hình thức: sáp nhập" in history and "Ngày hiệu lực: 01/07/2025" in history  # the links, in words
    # The spreadsheet: an error in a cell, shown as a table; nothing written.
    p.goto("http://127.0.0.1/office/press/outlets")
    p.click("text=Nhập bảng tính")
    bad = _sheet(["", "Phóng viên thường trú", "PVTT Báo và PT-TH", "BC-HP-003", 106.7, 20.85, None],
                 ["", "Tạp chí", "Tạp chí Biển Đông Bắc", None, None, None, "khong hop le"])  # fmt: skip
    p.set_input_files("#f-file", files=[{"name": "bao-chi.xlsx", "mimeType": XLSX, "buffer": bad}])
    p.click("#check")
    p.wait_for_selector("#problems")
    rows = [re.split(r"[\t\n]", r) for r in p.locator("#problems tbody tr").all_inner_texts()]  # phone: cards
    assert [r[:3] for r in rows] == [["3", "Tên miền", "khong hop le"]], rows
    assert db.query(PressOutlet).count() == 3
    b.assert_fits()
    shoot(b, "office-press-import-errors-phone")
    good = _sheet(["", "Phóng viên thường trú", "PVTT Báo và PT-TH", "BC-HP-003", 106.7, 20.85, None],
                  ["", "Tạp chí", "Tạp chí Biển Đông Bắc", None, None, None, "biendongbac.vn"])  # fmt: skip
    p.set_input_files("#f-file", files=[{"name": "bao-chi.xlsx", "mimeType": XLSX, "buffer": good}])
    p.click("#check")
    p.wait_for_selector("#dry-run-ok")
    assert "sẽ thêm mới 2" in p.inner_text("#dry-run-ok")
    p.click("#import")
    p.wait_for_selector("#import-done")
    assert "thêm mới 2" in p.inner_text("#import-done")
    b.assert_fits()
    shoot(b, "office-press-import-done-phone")
    p.click("text=Xem danh sách cơ quan báo chí")
    assert "Tìm thấy 5 cơ quan" in p.locator("#list-count").inner_text()
    assert {o.code for o in db.query(PressOutlet)} >= {"PV-HP-001", "TC-HP-001"}
    b.assert_fits()
    shoot(b, "office-press-outlets-list-phone")
    assert_clean(b)
