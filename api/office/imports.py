"""An operator's station spreadsheet uploaded from the back office: a dry run that shows every row and
column error as a table, then the import of the same file, with progress for long files.

The page runs what ``POST /api/imports/stations`` runs (``api.deps.read_upload``, then
``registry.stations.importer.import_file``), as a job (``registry.stations.importer.jobs``): the upload
is stored, a worker thread of this process checks or imports it after the answer is sent, recording
rows checked and written in the database, and the job's page polls ``…/status`` (maps/static/js/import.js)
until the report is there. Any server process answers the polls: the state is in the database. A clean
dry run keeps the file for 30 minutes, so "Nhập" imports it without choosing it again.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.background import BackgroundTask

from api.access import require
from api.deps import SessionDep, SettingsDep, read_upload
from api.office import exports
from api.office.forms import Form, uploaded
from api.office.lists import Column
from api.office.pages import Office, OfficeDep, in_thread, page
from maps.templating import number
from registry.audit.context import acting_as
from registry.clock import VIETNAM
from registry.settings import Settings
from registry.stations.importer import CHECKING, COUNTING, PLANNING, WRITING, jobs

router = APIRouter(prefix="/office/sites/import", tags=["Văn phòng"], include_in_schema=False)
CAN = [Depends(require("station_imports", "create"))]
JobId = Annotated[str, Path(pattern="^[0-9a-f]{32}$")]
HOME = ("/office/sites", "Vị trí và trạm")
FORM = ("/office/sites/import", "Nhập tệp trạm")
SHOWN_ERRORS = 200  # errors drawn on the page; the download holds every kept one
SHOWN_WARNINGS = 50
LABELS = {"file": "Tệp bảng trạm (.xlsx hoặc .csv)"}
ERROR_COLUMNS = (
    Column("row", "Dòng"),
    Column("column", "Cột"),
    Column("value", "Giá trị trong tệp"),
    Column("message", "Lỗi"),
)
# What the report counts, in the order a page lists them: (key, for a dry run, for an import).
COUNTS = (
    ("rows", "Số dòng dữ liệu đọc được", "Số dòng dữ liệu đọc được"),
    ("sites_created", "Vị trí mới sẽ thêm", "Vị trí mới đã thêm"),
    ("sites_updated", "Vị trí trong sổ sẽ sửa", "Vị trí trong sổ đã sửa"),
    ("sites_reused", "Vị trí trong sổ được ghép (không ghi mã vị trí)", "Vị trí trong sổ được ghép"),
    ("stations_created", "Trạm mới sẽ thêm", "Trạm mới đã thêm"),
    ("stations_updated", "Trạm sẽ sửa", "Trạm đã sửa"),
    ("stations_unchanged", "Trạm không thay đổi", "Trạm không thay đổi"),
)


def _form_page(office: Office, settings: Settings, form: Form | None = None, *, status: int | None = None) -> Response:
    form = form or Form(labels=LABELS)
    return page(
        office,
        "import.html",
        title="Nhập tệp trạm của doanh nghiệp",
        status=status or (422 if form.refused else 200),
        f=form,
        max_bytes=settings.max_upload_bytes,
        max_rows=settings.max_import_rows,
        crumbs=[HOME],
    )


@router.get("", dependencies=CAN, summary="Nhập tệp trạm")
def import_form(office: OfficeDep, settings: SettingsDep) -> Response:
    return _form_page(office, settings)


@router.post("", dependencies=CAN, summary="Nhập tệp trạm: kiểm tra hoặc nhập")
async def import_upload(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    posted = await request.form()
    try:
        file = uploaded(posted)
        dry_run = posted.get("action") != "import"
        if file is None:
            form = Form(labels=LABELS)
            form.errors["file"] = "Chọn tệp .xlsx hoặc .csv để tải lên"
            return _form_page(office, settings, form)
        data = await in_thread(read_upload, file, settings)  # 413 beyond TTTT_MAX_UPLOAD_BYTES, as the API
        filename = file.filename or ""
    finally:
        await posted.close()  # the spooled upload: its bytes are in ``data`` now
    job = await in_thread(_create, session, office, filename, data, dry_run)
    return _started(request, office, settings, job)


def _create(session: Any, office: Office, filename: str, data: bytes, dry_run: bool) -> str:
    assert office.principal.user_id is not None
    return jobs.create(session, user_id=office.principal.user_id, filename=filename, data=data, dry_run=dry_run).id


def _started(request: Request, office: Office, settings: Settings, job_id: str) -> Response:
    """The job's page; the job itself starts once this answer is sent and the request's transaction
    (which stored the file) has committed, in a thread of the pool with sessions of its own."""
    where = f"/office/sites/import/{job_id}"
    response: Response
    if "application/json" in request.headers.get("accept", ""):
        # The page's script sent the file (to show the upload's progress): it opens the job's page.
        response = JSONResponse({"job": where}, status_code=201, headers={"Location": where})
    else:
        response = RedirectResponse(where, status_code=303)  # a plain form: Post/Redirect/Get
    response.background = BackgroundTask(_run, request.app.state.sessionmaker, job_id, settings, office.principal.actor)
    return response


def _run(sessions: Any, job_id: str, settings: Settings, actor: str) -> None:
    with acting_as(actor):
        jobs.run(sessions, job_id, settings)


@router.post("/{job_id}/import", dependencies=CAN, summary="Nhập tệp đã kiểm tra")
async def import_checked(
    job_id: JobId, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    await request.form()  # the CSRF token was checked on it
    assert office.principal.user_id is not None
    job = await in_thread(_reuse, session, job_id, office.principal.user_id)
    return _started(request, office, settings, job)


def _reuse(session: Any, job_id: str, user_id: int) -> str:
    return jobs.reuse(session, job_id, user_id=user_id).id


def _job(session: Any, office: Office, job_id: str) -> jobs.ImportJob:
    assert office.principal.user_id is not None
    return jobs.get(session, job_id, user_id=office.principal.user_id)


def status(job: jobs.ImportJob) -> dict[str, Any]:
    """How far the job is, as the page's script shows it (the text in the page's words)."""
    stopped = jobs.stopped(job, datetime.now(UTC))
    total, n = job.total, job.done
    if stopped:
        text = "Lượt nhập đã dừng giữa chừng (máy chủ khởi động lại?); chưa ghi gì. Hãy tải tệp lên lại."
    elif job.state == "queued":
        text = "Đang chờ bắt đầu…"
    elif job.finished:
        text = "Đã xong."
    elif job.stage == CHECKING:
        text = f"Đã kiểm tra {number(n)}/{number(total)} dòng"
    elif job.stage == PLANNING:
        text = f"Đang đối chiếu {number(total)} dòng với sổ (trạm trùng, vị trí trùng, ngoài tỉnh)…"
    elif job.stage == COUNTING:
        text = f"Đang tính số thay đổi (không ghi): {number(n)}/{number(total)} dòng"
    elif job.stage == WRITING:
        text = f"Đã ghi {number(n)}/{number(total)} dòng"
    elif job.stage:
        text = f"{job.stage}: {number(total)} dòng"
    else:
        text = "Đang đọc tệp…"
    return {
        "state": "failed" if stopped else job.state,
        "finished": job.finished or stopped,
        "stage": job.stage,
        "done": n,
        "total": total,
        "text": text,
    }


@router.get("/{job_id}/status", dependencies=CAN, summary="Tiến độ nhập tệp")
def import_status(job_id: JobId, office: OfficeDep, session: SessionDep) -> Response:
    return JSONResponse(status(_job(session, office, job_id)), headers={"Cache-Control": "no-store"})


def _error_rows(job: jobs.ImportJob, key: str) -> list[dict[str, Any]]:
    out = []
    for e in (job.report or {}).get(key) or []:
        heading = e.get("column")
        letter = jobs.letter_of(job.headers, heading)
        if letter and heading and heading != letter:
            column = f"{letter} · {heading}"
        else:
            column = heading or letter or ("Cả tệp" if e.get("field") == "file" else None)
        out.append({"row": e.get("row"), "column": column, "value": e.get("value"), "message": e.get("message")})
    return out


@router.get("/{job_id}", dependencies=CAN, summary="Kết quả nhập tệp")
def import_job(job_id: JobId, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    job = _job(session, office, job_id)
    now = status(job)
    report = job.report or {}
    errors = _error_rows(job, "errors")
    warnings = _error_rows(job, "warnings")
    if not now["finished"]:
        title = "Đang kiểm tra tệp…" if job.dry_run else "Đang nhập tệp…"
    elif now["state"] == "failed":
        title = "Tệp có lỗi: chưa ghi gì vào sổ"
    elif job.dry_run:
        title = "Tệp hợp lệ: chưa ghi gì, có thể nhập"
    else:
        title = "Đã nhập tệp vào sổ"
    counts: list[tuple[str, Any]] = [
        (dry if job.dry_run else wet, number(report[key]))
        for key, dry, wet in COUNTS
        # A refused file was not planned: only the rows read mean something.
        if key in report and (now["state"] == "done" or key == "rows")
    ]
    if report.get("organisations_created"):
        counts.append(("Tổ chức (chủ cột) mới", report["organisations_created"]))
    started = job.created_at.astimezone(VIETNAM).strftime("%d/%m/%Y")
    audit = "/office/admin/audit?" + urlencode({"actor": office.principal.actor, "since": started})
    return page(
        office,
        "import_job.html",
        title=title,
        job=job,
        now=now,
        report=report,
        counts=counts,
        errors=errors[:SHOWN_ERRORS],
        more_errors=int(report.get("errors_count", len(errors))) - min(len(errors), SHOWN_ERRORS),
        warnings=warnings[:SHOWN_WARNINGS],
        more_warnings=int(report.get("warnings_count", len(warnings))) - min(len(warnings), SHOWN_WARNINGS),
        columns=[(c.label, c.key) for c in ERROR_COLUMNS],
        audit=audit,
        max_kept=jobs.MAX_KEPT_ERRORS,
        data={"status": f"/office/sites/import/{job.id}/status"},
        crumbs=[HOME, FORM],
    )


@router.get("/{job_id}/errors.{fmt}", dependencies=CAN, summary="Tải danh sách lỗi của tệp")
def import_errors(job_id: JobId, fmt: exports.Format, office: OfficeDep, session: SessionDep) -> Response:
    job = _job(session, office, job_id)
    rows = [{**r, "kind": "Lỗi"} for r in _error_rows(job, "errors")]
    rows += [{**r, "kind": "Cảnh báo"} for r in _error_rows(job, "warnings")]
    columns = (Column("kind", "Loại"), *ERROR_COLUMNS)
    return exports.export(fmt, columns, rows, name="loi-nhap-tram", sheet="Lỗi")
