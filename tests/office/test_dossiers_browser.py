"""The one-stop desk's work in Chromium, signed in on the page: the queue, filtered; a dossier transferred,
a supplement requested by ticking two documents (the citizen's look-up says the clock is stopped),
resumed; a licensing officer (another browser) records the result with its permit and hands it over;
every dated step on the page. Screenshots (desktop and 390 px) go to out/screenshots/office-dossier-*.png;
axe on the queue and the dossier page. Then the legacy import's dry run with a row error."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.conftest import ClientAs
from tests.factories import make_permit, make_site
from tests.office.conftest import assert_clean, shoot
from tests.office.test_accessibility_browser import violations
from tests.office.test_dossiers_office import DOCUMENTS, PRESS, TELECOM, receive
from tests.procedures.helpers import make_procedure

PHONE = (390, 844)


@pytest.fixture
def desk(db: Session, client_as: ClientAs) -> dict[str, Any]:
    p = make_procedure(db, TELECOM, field="telecom", value=10, name="Cấp giấy phép xây dựng trạm BTS")
    p.required_documents = DOCUMENTS
    make_procedure(db, PRESS, field="press", value=15, name="Cấp giấy phép xuất bản bản tin")
    site = make_site(db, code="DB-SITE")
    permit = make_permit(db, kind="construction_permit", site=site, number="GP-15/2026")
    db.flush()
    api = client_as("one_stop_officer")
    late = receive(api, at="2026-03-02T09:00:00+07:00", name="Trần Văn Cũ")
    receive(api, PRESS, at="2026-11-02T09:00:00+07:00", name="Công ty Báo Mới", channel="online")
    mine = receive(api, name="Phạm Thị Nộp Đơn")
    return {"late": late, "mine": mine, "permit": permit}


def _move(b: Any, key: str) -> None:
    b.page.click(f"#dossier-moves a[data-move={key}]")
    b.page.wait_for_selector("#move-form")


def _save(b: Any) -> None:
    b.page.click("#move-form button[type=submit]")
    b.page.wait_for_selector("#dossier-status")


def test_desk_moves_a_dossier_to_its_result(office_browser: Callable[..., Any], desk: dict[str, Any]) -> None:
    code = desk["mine"]["receipt_code"]
    b = office_browser("one_stop_officer")
    b.page.click("nav a[href='/office/dossiers']")
    b.page.wait_for_selector("#list")
    rows = b.page.locator("#list tbody tr")
    assert rows.count() == 3
    assert desk["late"]["receipt_code"] in rows.nth(0).inner_text() and "quá hạn" in rows.nth(0).inner_text()
    assert not violations(b.page)
    shoot(b, "office-dossier-queue")
    # Filter: the telecom field, searched without diacritics.
    b.page.fill("#q", "pham thi")
    b.page.check("input[name=field][value=telecom]")
    b.page.click(".filters button[type=submit]")
    b.page.wait_for_selector("#list")
    assert b.page.locator("#list tbody tr").count() == 1
    b.page.click(f"#list a:has-text('{code}')")
    b.page.wait_for_selector("#dossier-status")

    _move(b, "transfer")
    b.page.select_option("#f-step_no", "2")
    _save(b)
    assert "Đã chuyển phòng chuyên môn" in b.page.inner_text("#dossier-status")

    _move(b, "supplement")
    b.page.check(f"input[name=missing][value='{DOCUMENTS[0]['name']}']")
    b.page.check(f"input[name=missing][value='{DOCUMENTS[2]['name']}']")
    b.page.fill("#f-note", "Bản vẽ cần có chữ ký của đơn vị thiết kế")
    shoot(b, "office-dossier-move")
    _save(b)
    assert "Chờ bổ sung" in b.page.inner_text("#dossier-status")
    assert "dừng tính thời gian từ" in b.page.inner_text("#details")
    assert not violations(b.page)
    shoot(b, "office-dossier-page")

    # The citizen's look-up: the clock is stopped.
    b.page.goto(f"http://127.0.0.1/pages/dossiers/lookup?code={code}")
    b.page.get_by_text("tạm dừng").first.wait_for()
    assert "Yêu cầu bổ sung hồ sơ" in b.page.inner_text("body")
    b.page.goto(f"http://127.0.0.1/office/dossiers/{code}")
    b.page.wait_for_selector("#dossier-moves")

    _move(b, "resume")
    _save(b)
    assert "Đang giải quyết" in b.page.inner_text("#dossier-status")

    # The licensing officer records the result with its permit, then hands it over.
    lic = office_browser("licensing_officer")
    lic.page.goto(f"http://127.0.0.1/office/dossiers/{code}")
    lic.page.wait_for_selector("#dossier-moves")
    _move(lic, "result")
    lic.page.fill("#f-licence", "GP-99/2026")
    lic.page.click("#move-form button[type=submit]")
    lic.page.wait_for_selector("#error-summary")
    assert "Không có giấy phép số" in lic.page.inner_text("#error-summary")
    lic.page.fill("#f-licence", desk["permit"].number)
    _save(lic)
    assert "Đã có kết quả" in lic.page.inner_text("#dossier-status")
    assert lic.page.locator(f"#details a[href='/office/permits/{desk['permit'].id}']").count() == 1
    _move(lic, "handover")
    _save(lic)
    steps = lic.page.inner_text("#steps")
    for words in ("Tiếp nhận hồ sơ", "Chuyển phòng chuyên môn", "Yêu cầu bổ sung", "Đã nhận đủ hồ sơ bổ sung",
                  "Có kết quả, chờ trả", "Đã trả kết quả"):  # fmt: skip
        assert words in steps, words
    assert lic.page.locator("#steps li").count() == 6
    assert_clean(lic)

    # On a phone: the queue and the dossier page, no sideways scrolling.
    phone = office_browser("one_stop_officer", viewport=PHONE)
    phone.page.goto("http://127.0.0.1/office/dossiers?status=all")
    phone.page.wait_for_selector("#list")
    phone.assert_fits()
    shoot(phone, "office-dossier-queue-phone")
    phone.page.goto(f"http://127.0.0.1/office/dossiers/{desk['late']['receipt_code']}")
    phone.page.wait_for_selector("#dossier-moves")
    phone.assert_fits()
    shoot(phone, "office-dossier-page-phone")
    phone.page.click("#dossier-moves a[data-move=supplement]")
    phone.page.wait_for_selector("#move-form")
    phone.assert_fits()
    shoot(phone, "office-dossier-move-phone")
    assert_clean(phone)
    assert_clean(b)

    # The dashboard's figures link to the queue filtered to exactly the dossiers they count.
    b.page.goto("http://127.0.0.1/pages/dossiers/dashboard?from=2026-01-01&to=2026-12-31")
    b.page.wait_for_selector("body[data-ready='1']")
    for figure in ("received", "pending_overdue", "resolved_on_time_or_early"):
        link = b.page.locator(f"a[data-figure={figure}]")
        count = int(link.inner_text().replace(".", ""))
        link.click()
        b.page.wait_for_selector("#list-count")
        assert b.page.locator("#list tbody tr").count() == count, figure
        b.page.go_back()
        b.page.wait_for_selector("body[data-ready='1']")

    # The legacy import: a dry run with a row error, shown as a table.
    sheet = (
        "Mã hồ sơ,Mã thủ tục,Người nộp,Hình thức nộp,Thời điểm tiếp nhận,Ngày hẹn trả,Trạng thái,"
        "Ngày có kết quả,Ngày trả kết quả\n"
        "VT-OLD-1,KHONG-CO,Nguyễn Văn A,Trực tiếp,02/03/2026 09:00,,Đã tiếp nhận,,\n"
    ).encode()
    b.page.goto("http://127.0.0.1/office/dossiers/import")
    b.page.set_input_files("#f-file", files=[{"name": "ho-so.csv", "mimeType": "text/csv", "buffer": sheet}])
    b.page.click("#check")
    b.page.wait_for_selector("#problems")
    assert "KHONG-CO" in b.page.inner_text("#problems")
