"""Dossiers from a legacy one-stop system uploaded from the back office: a dry run that shows every row
and column error as a table (or how many dossiers would be imported), then the import of the same file
(api/office/table_import.py).

The page runs what ``POST /api/imports/dossiers`` runs (``registry.tabular.read_table``,
``registry.procedures.tabular.import_dossiers``) under the same permission (dossier_imports create)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from api.office.pages import Office
from api.office.table_import import TableImport
from registry.calendar import service as calendar
from registry.calendar.days import VIETNAM
from registry.procedures.tabular import COLUMNS, import_dossiers
from registry.tabular import read_table


def _run(office: Office, session: Any, settings: Any, data: bytes, filename: str, *, dry_run: bool) -> Any:
    table = read_table(data, filename, settings=settings)
    return import_dossiers(
        session, calendar.load(session), table, actor=office.principal.actor, today=datetime.now(VIETNAM).date(),
        dry_run=dry_run, max_rows=settings.max_import_rows,
    )  # fmt: skip


IMPORT = TableImport(
    area="dossiers",
    template="dossier_import.html",
    title="Nhập hồ sơ từ hệ thống một cửa cũ",
    home=("/office/dossiers", "Hồ sơ một cửa"),
    labels={"file": "Tệp hồ sơ của hệ thống một cửa cũ (.xlsx hoặc .csv)"},
    run=_run,
    context=lambda: {"columns": [h for h, _ in COLUMNS]},
)
router = IMPORT.router("/office/dossiers/import", "dossier_imports", "Nhập hồ sơ từ hệ thống một cửa cũ")
