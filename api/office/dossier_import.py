"""Dossiers from a legacy one-stop system uploaded from the back office: a dry run that shows every row
and column error as a table (or how many dossiers would be imported), then the import of the same file.

The page runs what ``POST /api/imports/dossiers`` runs (``api.deps.read_upload``, ``registry.tabular.
read_table``, ``registry.procedures.tabular.import_dossiers``) under the same permission (dossier_imports
create). A clean dry run keeps the checked bytes (api/office/uploads.py), so "Nhập" imports exactly that
file; the import checks it all once more."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep, SettingsDep, read_upload
from api.office import uploads
from api.office.forms import Form, attempt, uploaded
from api.office.pages import Office, OfficeDep, in_thread, page
from registry.calendar import service as calendar
from registry.calendar.days import VIETNAM
from registry.errors import LimitExceeded, RegistryError, ValidationFailed
from registry.procedures.tabular import COLUMNS, import_dossiers
from registry.tabular import read_table

router = APIRouter(prefix="/office/dossiers/import", tags=["Văn phòng"], include_in_schema=False)
CAN = [Depends(require("dossier_imports", "create"))]
HOME = ("/office/dossiers", "Hồ sơ một cửa")
AREA = "dossiers"
LABELS = {"file": "Tệp hồ sơ của hệ thống một cửa cũ (.xlsx hoặc .csv)"}
SHOWN_ERRORS = 500


def _page(office: Office, form: Form, *, status: int = 200, **context: Any) -> Response:
    context = {"report": None, "problems": None, "key": None, "filename": None, "done_report": None,
               "more": 0, **context}  # fmt: skip
    return page(office, "dossier_import.html", title="Nhập hồ sơ từ hệ thống một cửa cũ", status=status, f=form,
                minutes=uploads.KEEP_MINUTES, columns=[h for h, _ in COLUMNS], crumbs=[HOME], **context)  # fmt: skip


@router.get("", dependencies=CAN, summary="Nhập hồ sơ từ hệ thống một cửa cũ")
def import_form(office: OfficeDep) -> Response:
    return _page(office, Form(labels=LABELS))


@router.post("", dependencies=CAN, summary="Nhập hồ sơ từ hệ thống một cửa cũ")
async def import_post(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    posted = await request.form()
    try:
        key = posted.get("upload")
        if posted.get("action") == "import" and isinstance(key, str):
            return await in_thread(_import_kept, office, session, settings, key)
        return await in_thread(_dry_run, office, session, settings, uploaded(posted))
    finally:
        await posted.close()


def _run(office: Office, session: Any, settings: Any, data: bytes, filename: str, *, dry_run: bool) -> Any:
    table = read_table(data, filename, settings=settings)
    return import_dossiers(
        session, calendar.load(session), table, actor=office.principal.actor, today=datetime.now(VIETNAM).date(),
        dry_run=dry_run, max_rows=settings.max_import_rows,
    )  # fmt: skip


def _dry_run(office: Office, session: Any, settings: Any, file: Any) -> Response:
    form = Form(labels=LABELS)
    if file is None:
        form.errors["file"] = "Hãy chọn tệp .xlsx hoặc .csv"
        return _page(office, form, status=422)
    filename = file.filename or ""
    try:
        data = read_upload(file, settings)
    except RegistryError as exc:
        form.refuse(exc)
        return _page(office, form, status=exc.status)
    return _checked(office, session, settings, form, data, filename)


def _checked(office: Office, session: Any, settings: Any, form: Form, data: bytes, filename: str) -> Response:
    """The dry run (what POST /api/imports/dossiers?dry_run=true does) and its page."""
    try:
        with session.begin_nested():
            report = _run(office, session, settings, data, filename, dry_run=True)
    except ValidationFailed as exc:
        cells = [e for e in exc.errors if e.row is not None or e.column is not None]
        of_file = [e for e in exc.errors if e.row is None and e.column is None]
        if of_file or not cells:
            form.refuse(ValidationFailed(exc.detail, of_file))
        else:
            form.general.append(exc.detail)
        problems = [{"row": e.row, "column": e.column, "value": e.value, "message": e.message} for e in cells]
        return _page(office, form, status=422, problems=problems[:SHOWN_ERRORS],
                     more=max(0, len(problems) - SHOWN_ERRORS), filename=filename)  # fmt: skip
    except LimitExceeded as exc:
        form.general.append(exc.detail)
        return _page(office, form, status=exc.status, filename=filename)
    key = uploads.keep(settings, AREA, office, data, filename)
    return _page(office, form, report=report.as_dict(), key=key, filename=filename)


def _import_kept(office: Office, session: Any, settings: Any, key: str) -> Response:
    form = Form(labels=LABELS)
    kept = uploads.kept(settings, AREA, office, key)
    if kept is None:
        form.errors["file"] = f"Tệp đã kiểm tra không còn được giữ (quá {uploads.KEEP_MINUTES} phút); hãy chọn lại tệp"
        return _page(office, form, status=422)
    data, filename = kept
    with attempt(session, form):
        report = _run(office, session, settings, data, filename, dry_run=False)
    if form.refused:  # the registry changed since the dry run: check the file again and show why
        return _checked(office, session, settings, Form(labels=LABELS), data, filename)
    uploads.drop(settings, AREA, key)
    return _page(office, form, done_report=report.as_dict(), filename=filename)
