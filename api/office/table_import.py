"""A spreadsheet uploaded from the back office, the way every office import works: "Kiểm tra (không ghi)"
runs the API's dry run and shows every row and column error as a table (or what the file would do);
a clean dry run keeps the file's bytes on the server (api/office/uploads.py: a random id bound to the
user, kept 30 minutes, deleted once imported), so "Nhập" imports exactly the file that was checked
without choosing it again; the import checks it all once more, and if the registry changed meanwhile
the page shows the file's errors again.

An area says only what differs: its API's import function (``run``), its template (which extends
``office/table_import.html``), its title, the list it belongs to and the key its kept uploads go under.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep, SettingsDep, read_upload
from api.office import uploads
from api.office.forms import Form, attempt, uploaded
from api.office.pages import Office, OfficeDep, in_thread, page
from registry.errors import LimitExceeded, RegistryError, ValidationFailed

SHOWN_ERRORS = 500

# run(office, session, settings, data, filename, dry_run=...) -> a report with as_dict()
Run = Callable[..., Any]


@dataclass(frozen=True)
class TableImport:
    area: str  # where checked uploads are kept (settings.data_dir/uploads/<area>)
    template: str  # under maps/templates/office/, extending office/table_import.html
    title: str
    home: tuple[str, str]  # the list this import belongs to: (path, label)
    labels: dict[str, str]
    run: Run
    context: Callable[[], dict[str, Any]] = dict  # what else the template shows (the columns …)

    def page(self, office: Office, form: Form, *, status: int = 200, **context: Any) -> Response:
        context = {"report": None, "problems": None, "key": None, "filename": None, "done_report": None,
                   "more": 0, **self.context(), **context}  # fmt: skip
        return page(office, self.template, title=self.title, status=status, f=form, minutes=uploads.KEEP_MINUTES,
                    crumbs=[self.home], action=office.request.url.path, **context)  # fmt: skip

    def form(self) -> Form:
        return Form(labels=self.labels)

    def dry_run(self, office: Office, session: Any, settings: Any, file: Any) -> Response:
        form = self.form()
        if file is None:
            form.errors["file"] = "Hãy chọn tệp .xlsx hoặc .csv"
            return self.page(office, form, status=422)
        filename = file.filename or ""
        try:
            data = read_upload(file, settings)
        except RegistryError as exc:
            form.refuse(exc)
            return self.page(office, form, status=exc.status)
        return self.checked(office, session, settings, form, data, filename)

    def checked(self, office: Office, session: Any, settings: Any, form: Form, data: bytes, filename: str) -> Response:
        """The API's dry run in a savepoint, and its page: the errors by row and column, or the report."""
        try:
            with session.begin_nested():
                report = self.run(office, session, settings, data, filename, dry_run=True)
        except ValidationFailed as exc:
            cells = [e for e in exc.errors if e.row is not None or e.column is not None]
            of_file = [e for e in exc.errors if e.row is None and e.column is None]
            if of_file or not cells:
                form.refuse(ValidationFailed(exc.detail, of_file))
            else:
                form.general.append(exc.detail)
            problems = [{"row": e.row, "column": e.column, "value": e.value, "message": e.message} for e in cells]
            return self.page(office, form, status=422, problems=problems[:SHOWN_ERRORS],
                             more=max(0, len(problems) - SHOWN_ERRORS), filename=filename)  # fmt: skip
        except LimitExceeded as exc:
            form.general.append(exc.detail)
            return self.page(office, form, status=exc.status, filename=filename)
        key = uploads.keep(settings, self.area, office, data, filename)
        return self.page(office, form, report=report.as_dict(), key=key, filename=filename)

    def import_kept(self, office: Office, session: Any, settings: Any, key: str) -> Response:
        form = self.form()
        kept = uploads.kept(settings, self.area, office, key)
        if kept is None:
            minutes = uploads.KEEP_MINUTES
            form.errors["file"] = f"Tệp đã kiểm tra không còn được giữ (quá {minutes} phút); hãy chọn lại tệp"
            return self.page(office, form, status=422)
        data, filename = kept
        with attempt(session, form):
            report = self.run(office, session, settings, data, filename, dry_run=False)
        if form.refused:  # the registry changed since the dry run: check the file again and show why
            return self.checked(office, session, settings, self.form(), data, filename)
        uploads.drop(settings, self.area, key)
        return self.page(office, form, done_report=report.as_dict(), filename=filename)

    def router(self, prefix: str, resource: str, summary: str) -> APIRouter:
        """GET the form; POST a file to check it, or the kept file's id to import it."""
        router = APIRouter(prefix=prefix, tags=["Văn phòng"], include_in_schema=False)
        can = [Depends(require(resource, "create"))]

        @router.get("", dependencies=can, summary=summary)
        def import_form(office: OfficeDep) -> Response:
            return self.page(office, self.form())

        @router.post("", dependencies=can, summary=summary)
        async def import_post(
            request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
        ) -> Response:
            posted = await request.form()
            try:
                key = posted.get("upload")
                if posted.get("action") == "import" and isinstance(key, str):
                    return await in_thread(self.import_kept, office, session, settings, key)
                return await in_thread(self.dry_run, office, session, settings, uploaded(posted))
            finally:
                await posted.close()  # the spooled upload: its bytes were read by then

        return router
