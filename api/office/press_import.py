"""An outlet spreadsheet uploaded from the back office: a dry run that shows every row and column error
as a table, then the import of the same file (api/office/table_import.py).

The page runs what ``POST /api/imports/press-outlets`` runs (``registry.tabular.read_table``,
``registry.press.tabular.import_outlets``) under the same permission (press_imports create)."""

from __future__ import annotations

from typing import Any

from api.errors import message_for
from api.office.pages import Office
from api.office.table_import import TableImport
from registry.press.tabular import import_outlets
from registry.tabular import read_table


def _run(office: Office, session: Any, settings: Any, data: bytes, filename: str, *, dry_run: bool) -> Any:
    table = read_table(data, filename, settings=settings)
    return import_outlets(session, table, dry_run=dry_run, settings=settings, explain=message_for)


IMPORT = TableImport(
    area="press",
    template="press_import.html",
    title="Nhập bảng cơ quan báo chí",
    home=("/office/press/outlets", "Báo chí"),
    labels={"file": "Tệp bảng cơ quan báo chí (.xlsx hoặc .csv)"},
    run=_run,
)
router = IMPORT.router("/office/press/import", "press_imports", "Nhập bảng cơ quan báo chí")
