"""An inspector's case in Chromium, signed in on the page: from "Việc của tôi" open the case, accept it,
start, suspend with a reason, resume, extend, attach a document, conclude with the outcome, close; every
step dated on the page. Screenshots (desktop and 390 px) go to out/screenshots/office-case*.png."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient

from registry.clock import today
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _shots(b: Any, name: str) -> None:
    shoot(b, name)
    b.page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, f"{name}-phone")
    b.page.set_viewport_size(DESKTOP)


def test_an_inspector_takes_a_case_from_receipt_to_closing(
    office_browser: Callable[..., Any], client: TestClient
) -> None:
    b = office_browser("inspector", username="tt.trinh")
    start = today() - timedelta(days=30)
    body = {"kind": "denunciation", "received_on": start.isoformat(), "channel": "post", "complex": True,
            "subject": "Tố cáo trạm BTS lắp trên nhà dân không phép", "handler": "tt.trinh",
            "unit": "Phòng Thanh tra 1", "position": {"lon": 106.82, "lat": 10.95},
            "parties": [{"role": "denouncer", "name": "Người Tố Cáo Thử"},
                        {"role": "respondent", "name": "Công ty Hạ tầng Viễn thông"}]}  # fmt: skip
    r = client.post("/api/cases", json=body)
    assert r.status_code == 201, r.text
    code = r.json()["code"]
    client.post("/api/cases", json={**body, "handler": None, "parties": [], "subject": "Vụ việc của người khác"})

    p = b.page
    p.click("nav.wide-menu a[href='/office/cases']")
    p.click("nav.rule-tabs a[href='/office/cases/mine']")
    p.wait_for_selector("#cases")
    assert p.locator("#cases td[data-label='Mã hồ sơ']").all_inner_texts() == [code]
    assert "quá hạn" in p.inner_text("#cases td[data-label='Còn lại']")  # 7 working days to handle it
    assert violations(p) == []
    _shots(b, "office-cases-list")

    p.click(f"#cases a[href='/office/cases/{code}']")
    p.wait_for_selector("#case-map[data-ready='1']")
    assert "Người Tố Cáo Thử" in p.inner_text("#parties")  # the handler sees the denouncer

    def step(to: str, days: int, reason: str, outcome: str | None = None) -> None:
        p.click(f"#move-{to}")
        p.fill("#f-reason", reason)
        p.fill("#f-on", f"{start + timedelta(days=days):%d/%m/%Y}")
        if outcome:
            p.fill("#f-outcome", outcome)
        p.click("#move-form button[type=submit]")
        p.wait_for_selector("#notice")

    step("accepted", 2, "Đủ điều kiện thụ lý")
    step("in_progress", 3, "Bắt đầu xác minh")
    step("suspended", 5, "Chờ kết quả giám định của Cục Tần số")
    assert "tạm đình chỉ" in p.inner_text("#case-status")
    step("in_progress", 9, "Đã có kết quả giám định")
    step("extended", 12, "Vụ việc phức tạp, cần thêm thời gian")

    assert p.is_checked("#f-confidential")  # a denunciation's attachment: confidential by default
    pdf = b"%PDF-1.4\n% bien ban xac minh\n%%EOF\n"
    p.set_input_files("#f-file", files=[{"name": "bien-ban.pdf", "mimeType": "application/pdf", "buffer": pdf}])
    p.fill("#f-description", "Biên bản xác minh tại hiện trường")
    p.click("#upload-form button[type=submit]")
    p.wait_for_load_state()
    p.wait_for_selector("#notice")
    assert "Biên bản xác minh tại hiện trường" in p.inner_text("#attachments")
    assert "bảo mật" in p.inner_text("#attachments")
    assert "Thời gian tạm đình chỉ không tính" in p.inner_text("#suspensions")
    assert violations(p) == []
    _shots(b, "office-case-page")

    step("concluded", 15, "Kết luận nội dung tố cáo", outcome="Tố cáo đúng; đề nghị xử phạt doanh nghiệp")
    step("closed", 16, "Lưu hồ sơ")
    moves = p.inner_text("#moves")
    for days in (0, 2, 3, 5, 9, 12, 15, 16):
        assert f"{start + timedelta(days=days):%d/%m/%Y}" in moves
    assert "Chờ kết quả giám định của Cục Tần số" in moves and "tạm đình chỉ → đang giải quyết" in moves
    assert "Tố cáo đúng; đề nghị xử phạt doanh nghiệp" in p.inner_text("#details")
    assert "đã đóng" in p.inner_text("#case-status") and p.locator("#case-actions a[id^=move-]").count() == 0
    assert_clean(b)
