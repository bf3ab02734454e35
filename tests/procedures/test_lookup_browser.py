"""The public look-up page in headless Chromium, with no sign-in: a dossier waiting for a supplement
says plainly that its clock is stopped and since when, lists its dated steps, and after too many
look-ups the page says how long to wait (from Retry-After); on a desktop and on a phone."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.settings import Settings
from tests.conftest import ClientAs
from tests.maps.test_browser import Browser, pytestmark  # noqa: F401 - the same skip rule
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations
from tests.procedures.helpers import make_procedure
from tests.procedures.test_lookup import HOSTILE, PAUSED, TELECOM, paused_dossier


def test_a_citizen_looks_up_a_paused_dossier(
    db: Session, client_as: ClientAs, anon: TestClient, settings: Settings
) -> None:
    make_procedure(db, TELECOM, value=10, name=f"Cấp phép thử {HOSTILE}")
    code = paused_dossier(client_as("one_stop_officer"))["receipt_code"]
    settings.public_lookup_limit = 2  # the desktop look-up and the phone's; the phone's second is refused
    settings.public_lookup_window_seconds = 600
    desk = Browser(anon, viewport=(1280, 800))
    try:
        desk.open("/pages/dossiers/lookup", ready="document.body.dataset.ready === 'empty'")
        desk.page.fill("#code", code)
        desk.page.click("#lookup-form button")
        desk.wait("document.body.dataset.ready === '200'", timeout=5000)
        assert desk.page.locator("#paused").inner_text() == PAUSED
        table = desk.page.locator("#result table.details").inner_text()
        assert "16/03/2026 (sẽ được tính lại khi nhận đủ hồ sơ)" in table and "trong hạn" not in table
        assert "Tạm dừng tính thời hạn (chờ bổ sung hồ sơ)" in table
        assert f"Cấp phép thử {HOSTILE}" in table  # shown as text, not run
        assert desk.page.evaluate("document.querySelectorAll('#result script').length") == 0
        steps = desk.page.locator("#steps tr[data-kind]").all_inner_texts()
        assert [s.split("\t")[0] for s in steps] == ["02/03/2026 09:00", "02/03/2026 15:30", "04/03/2026 10:05"]
        assert "Yêu cầu bổ sung hồ sơ" in steps[2] and "Thẩm định" in steps[1]
        whole = desk.page.locator("#result").inner_text()
        assert "Nguyễn Thị Mẫu" not in whole and "nội bộ" not in whole
        assert violations(desk.page) == []
        shoot(desk, "lookup-paused-dossier")
        assert_clean(desk)
    finally:
        desk.close()
    phone = Browser(anon, viewport=(390, 844))
    try:
        phone.open(f"/pages/dossiers/lookup?code={code}", ready="document.body.dataset.ready === '200'")
        assert phone.page.locator("#paused").inner_text() == PAUSED
        assert phone.page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
        shoot(phone, "lookup-paused-dossier-phone")
        phone.page.click("#lookup-form button")
        phone.wait("document.body.dataset.ready === '429'", timeout=5000)
        said = phone.page.locator("#lookup-error").inner_text()
        assert said == "Bạn đã tra cứu quá nhiều lần. Vui lòng chờ 10 phút rồi thử lại.", said
        shoot(phone, "lookup-too-many-phone")
        # The refused fetch is logged by Chromium as a failed load: that one only.
        assert [e for e in phone.errors if "429" not in e] == [] and phone.external == []
    finally:
        phone.close()
