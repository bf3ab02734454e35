"""The station spreadsheet upload in the back office (/office/sites/import): the dry run's errors as a
table of row and column, the import of the same file without choosing it again, the job's progress in
the database, and the refusals (roles, CSRF, size, rows)."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from registry.settings import Settings
from registry.stations.importer.jobs import ImportJob
from registry.stations.models import Site, Station
from tests.api.test_imports_api import GOOD, HEADERS, csv_bytes
from tests.conftest import TEST_SECRET
from tests.office.conftest import csrf_of

MAX_BYTES = 60_000

HOSTILE = "<script>alert(1)</script>"
FORMULA = '=HYPERLINK("http://x","bấm")'


@pytest.fixture
def settings() -> Settings:
    # A small upload limit, so the 413 is reached with a small file.
    return Settings(environment="production", secret_key=TEST_SECRET, map_tiles_url=None, max_upload_bytes=MAX_BYTES)


def bad_rows() -> list[list[Any]]:
    rows = [list(r) for r in GOOD]
    rows[0][4] = "abc" + HOSTILE  # Kinh độ (column E) of row 2
    rows[1][1] = HOSTILE  # Doanh nghiệp (column B) of row 3: unknown operator
    rows[2][8] = FORMULA  # Công nghệ (column I) of row 4
    return rows


def post(c: TestClient, content: bytes, *, action: str = "check", name: str = "tram.csv", **extra: Any) -> Any:
    token = csrf_of(c.get("/office/sites/import").text)
    return c.post(
        "/office/sites/import",
        data={"csrf_token": token, "action": action, **extra},
        files={"file": (name, content)},
        follow_redirects=False,
    )


def job_of(location: str) -> str:
    match = re.fullmatch(r"/office/sites/import/([0-9a-f]{32})", location)
    assert match, location
    return match.group(1)


def stations(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Station)) or 0


def test_a_dry_run_shows_each_error_by_row_and_column_and_writes_nothing(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    c = cookie_client("licensing_officer")
    before = stations(db)
    r = post(c, csv_bytes(HEADERS, bad_rows()))
    assert r.status_code == 303
    where = r.headers["location"]
    page = c.get(where)
    assert page.status_code == 200
    html = page.text
    assert "<h1>Tệp có lỗi: chưa ghi gì vào sổ</h1>" in html and 'role="alert"' in html
    table = html[html.index('id="import-errors"') :]
    cells = re.findall(r'<tr><td data-label="Dòng">(\d+)</td><td data-label="Cột">([^<]*)</td>', table)
    assert ("2", "E · Kinh độ") in cells
    assert ("3", "B · Doanh nghiệp") in cells
    assert ("4", "I · Công nghệ") in cells
    # Hostile cell text is shown as text, never as markup.
    assert "abc&lt;script&gt;alert(1)&lt;/script&gt;" in html and "<script>alert" not in html
    assert stations(db) == before
    assert db.scalar(select(func.count()).select_from(Site).where(Site.code == "HP-90001")) == 0
    status = c.get(f"{where}/status").json()
    assert status["finished"] is True and status["state"] == "failed"
    # The errors download: every kept error and warning, each cell inert.
    csv = c.get(f"{where}/errors.csv")
    assert csv.status_code == 200
    text = csv.content.decode("utf-8-sig")
    assert "Lỗi,4,I · Công nghệ,\"'=HYPERLINK(" in text and "Lỗi,3,B · Doanh nghiệp" in text
    book = load_workbook(io.BytesIO(c.get(f"{where}/errors.xlsx").content))
    sheet = book.active
    assert sheet is not None
    formula_cells = [cell for row in sheet.iter_rows() for cell in row if str(cell.value).startswith("=HYPERLINK")]
    assert formula_cells and all(cell.data_type == "s" for cell in formula_cells)
    # No "Nhập" for a file with errors, and the dry run kept no file.
    assert 'id="import-now"' not in html
    job = db.get(ImportJob, job_of(where))
    assert job is not None and job.data is None and job.state == "failed"


def test_a_clean_dry_run_is_imported_without_choosing_the_file_again(
    cookie_client: Callable[..., TestClient], client: TestClient, db: Session
) -> None:
    c = cookie_client("licensing_officer")
    before = stations(db)
    dry = c.get(post(c, csv_bytes(HEADERS, GOOD)).headers["location"])
    assert "<h1>Tệp hợp lệ: chưa ghi gì, có thể nhập</h1>" in dry.text
    assert re.search(r"<th>Trạm mới sẽ thêm</th><td>3</td>", dry.text)
    assert stations(db) == before and client.get("/api/sites/HP-90001").status_code == 404
    action = re.search(r'<form method="post" action="(/office/sites/import/[0-9a-f]{32}/import)"', dry.text)
    assert action, dry.text
    r = c.post(action.group(1), data={"csrf_token": csrf_of(dry.text)}, follow_redirects=False)
    assert r.status_code == 303
    done = c.get(r.headers["location"])
    assert "<h1>Đã nhập tệp vào sổ</h1>" in done.text
    assert re.search(r"<th>Trạm mới đã thêm</th><td>3</td>", done.text)
    assert 'href="/office/sites"' in done.text and 'href="/office/admin/audit?actor=' in done.text
    assert stations(db) == before + 3
    found = client.get("/api/sites", params={"q": "HP-90001"}).json()
    assert [f["properties"]["code"] for f in found["features"]] == ["HP-90001"]
    # The import job recorded its progress, and neither job keeps the file.
    job = db.get(ImportJob, job_of(r.headers["location"]))
    assert job is not None and (job.stage, job.done, job.total) == ("Ghi vào sổ", 3, 3)
    assert job.data is None and db.get(ImportJob, job.from_job).data is None  # type: ignore[union-attr]
    # A second "Nhập" (a double click) imports nothing more.
    again = c.post(action.group(1), data={"csrf_token": csrf_of(dry.text)}, follow_redirects=False)
    assert again.status_code == 422 and "chọn lại tệp" in again.text
    assert stations(db) == before + 3


def test_import_straight_away_and_the_jobs_of_others_are_not_found(
    cookie_client: Callable[..., TestClient], make_user: Any, db: Session
) -> None:
    c = cookie_client("licensing_officer")
    where = post(c, csv_bytes(HEADERS, GOOD), action="import").headers["location"]
    assert "<h1>Đã nhập tệp vào sổ</h1>" in c.get(where).text
    assert db.scalar(select(func.count()).select_from(Site).where(Site.code == "HP-90001")) == 1
    other = make_user("licensing_officer")
    db.execute(update(ImportJob).where(ImportJob.id == job_of(where)).values(user_id=other.id))
    assert c.get(where).status_code == 404 and c.get(f"{where}/status").status_code == 404


def test_progress_of_a_running_job_and_of_one_whose_process_stopped(
    cookie_client: Callable[..., TestClient], db: Session
) -> None:
    c = cookie_client("licensing_officer")
    where = post(c, csv_bytes(HEADERS, GOOD)).headers["location"]
    job_id = job_of(where)
    db.execute(
        update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(state="running", stage="Kiểm tra từng dòng", done=4000, total=10000, updated_at=func.now())
    )
    s = c.get(f"{where}/status").json()
    assert s == {"state": "running", "finished": False, "stage": "Kiểm tra từng dòng", "done": 4000,
                 "total": 10000, "text": "Đã kiểm tra 4 000/10 000 dòng"}  # fmt: skip
    page = c.get(where).text
    assert "<h1>Đang kiểm tra tệp…</h1>" in page and 'id="job-bar" max="10000" value="4000"' in page
    assert '<script type="application/json" id="page-data">' in page and "/static/js/import.js" in page
    db.execute(update(ImportJob).where(ImportJob.id == job_id).values(updated_at=func.now() - timedelta(minutes=11)))
    s = c.get(f"{where}/status").json()
    assert s["finished"] is True and s["state"] == "failed" and "đã dừng" in s["text"]


def test_who_may_upload_and_forged_posts(
    cookie_client: Callable[..., TestClient], anon: TestClient, db: Session
) -> None:
    signed_out = anon.get("/office/sites/import", follow_redirects=False)
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/maps/sign-in")
    for role in ("viewer", "inspector"):
        c = cookie_client(role)
        page = c.get("/office/sites/import")
        assert page.status_code == 403 and "<h1>Không có quyền</h1>" in page.text
        # Posted as a plain form: a refused multipart post leaves its spooled file to the garbage
        # collector (api/csrf.py reads the form and nobody closes it), which strict pytest reports.
        refused = c.post("/office/sites/import", data={"action": "import"})
        assert refused.status_code == 403
        c.cookies.clear()
    c = cookie_client("licensing_officer")
    forged = c.post("/office/sites/import", data={"action": "import"})
    assert forged.status_code == 403 and forged.headers["content-type"].startswith("text/html")
    assert db.scalar(select(func.count()).select_from(ImportJob)) == 0
    assert db.scalar(select(func.count()).select_from(Site).where(Site.code == "HP-90001")) == 0


def test_bounds_oversize_upload_no_file_and_too_many_rows(
    cookie_client: Callable[..., TestClient], app: Any, settings: Settings, db: Session
) -> None:
    c = cookie_client("licensing_officer")
    big = csv_bytes(HEADERS, GOOD) + b"x" * MAX_BYTES
    r = post(c, big)
    assert r.status_code == 413 and r.headers["content-type"].startswith("text/html")
    assert "<h1>" in r.text and "MB" in r.text
    none = post(c, b"", name="")
    assert none.status_code == 422 and 'href="#f-file"' in none.text and "Chọn tệp" in none.text
    app.state.settings = settings.model_copy(update={"max_import_rows": 2})
    where = post(c, csv_bytes(HEADERS, GOOD)).headers["location"]
    html = c.get(where).text
    assert "tối đa 2 dòng" in html and "Tệp có lỗi" in html
    assert db.scalar(select(func.count()).select_from(ImportJob)) == 1
