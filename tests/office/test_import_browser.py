"""The licensing officer uploads an operator's spreadsheet in Chromium: the errors as a table, the
fixed file checked and imported without choosing it again, and a long job's progress polled."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from registry.stations.importer import CHECKING
from registry.stations.importer.jobs import ImportJob, create
from registry.stations.models import Station
from tests.api.test_imports_api import GOOD, HEADERS, csv_bytes
from tests.office.conftest import shoot

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}


def _choose(b: Any, name: str, content: bytes) -> None:
    b.page.set_input_files("#f-file", files=[{"name": name, "mimeType": "text/csv", "buffer": content}])


def _both(b: Any, name: str) -> None:
    shoot(b, f"{name}-desktop")
    b.page.set_viewport_size(PHONE)
    b.assert_fits()
    shoot(b, f"{name}-phone")
    b.page.set_viewport_size(DESKTOP)


def test_an_officer_fixes_a_spreadsheet_checks_it_and_imports_it(
    office_browser: Callable[..., Any], client: TestClient, db: Session
) -> None:
    b = office_browser("licensing_officer")
    before = db.scalar(select(func.count()).select_from(Station))
    page = b.page
    page.goto("http://127.0.0.1/office/sites/import")
    shoot(b, "office-import-form-desktop")
    bad = [list(r) for r in GOOD]
    bad[0][4] = "abc<script>alert(1)</script>"  # Kinh độ, row 2
    bad[2][8] = '=HYPERLINK("http://x")'  # Công nghệ, row 4
    _choose(b, "tram-loi.csv", csv_bytes(HEADERS, bad))
    page.click("button[value=check]")
    page.wait_for_selector("#import-errors")
    assert page.inner_text("h1") == "Tệp có lỗi: chưa ghi gì vào sổ"
    rows = [r.split("\t") for r in page.locator("#import-errors tbody tr").all_inner_texts()]
    numbers = [int(r[0]) for r in rows]
    assert numbers == sorted(numbers) and set(numbers) == {2, 4}, rows
    where = {tuple(r[:2]): r for r in rows}
    assert "abc<script>alert(1)</script>" in where["2", "E · Kinh độ"][2]  # shown as text
    assert where["4", "I · Công nghệ"][2] == '=HYPERLINK("http://x")'
    assert page.locator("#import-now").count() == 0
    _both(b, "office-import-errors")

    page.click("text=Tải lên tệp đã sửa")
    page.wait_for_selector("#import-form")
    _choose(b, "tram.csv", csv_bytes(HEADERS, GOOD))
    page.click("button[value=check]")
    page.wait_for_selector("#import-now")
    assert page.inner_text("h1") == "Tệp hợp lệ: chưa ghi gì, có thể nhập"
    assert "Trạm mới sẽ thêm\t3" in page.inner_text("#import-counts")
    assert db.scalar(select(func.count()).select_from(Station)) == before
    page.click("#import-now button[type=submit]")
    page.wait_for_function("() => document.querySelector('h1').textContent === 'Đã nhập tệp vào sổ'")
    assert "Trạm mới đã thêm\t3" in page.inner_text("#import-counts")
    assert page.locator(".next a[href='/office/sites']").count() == 1
    _both(b, "office-import-result")
    assert db.scalar(select(func.count()).select_from(Station)) == before + 3
    found = client.get("/api/sites", params={"q": "HP-90001"}).json()
    assert [f["properties"]["code"] for f in found["features"]] == ["HP-90001"]

    # A long file: the page shows how far the job is, from the database, and the report when done.
    job = create(db, user_id=b.user.id, filename="tram-10000.csv", data=b"x", dry_run=True)
    db.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id)
        .values(state="running", stage=CHECKING, done=4000, total=10000, updated_at=func.now())
    )
    page.goto(f"http://127.0.0.1/office/sites/import/{job.id}")
    assert page.inner_text("#job-text") == "Đã kiểm tra 4 000/10 000 dòng"
    shoot(b, "office-import-progress")
    report = {"valid": True, "rows": 10000, "stations_created": 10000, "errors": [], "warnings": []}
    db.execute(
        update(ImportJob)
        .where(ImportJob.id == job.id)
        .values(state="done", report=report, finished_at=func.now(), updated_at=func.now())
    )
    page.wait_for_function("() => document.querySelector('h1').textContent.startsWith('Tệp hợp lệ')")
    assert "Trạm mới sẽ thêm\t10 000" in page.inner_text("#import-counts")
    assert b.errors == [] and b.external == []
