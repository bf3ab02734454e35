"""Importing an operator's station spreadsheet: all rows validated first, then all-or-nothing.

Stages: (1) map headers to columns; (2) parse every row, collecting every error with its row and
column; (3) checks across rows and against the registry (the same station twice, the same site
entered twice, points outside the province); (4) only when nothing is wrong, upsert by
(operator, station code). Importing the same file again changes nothing.

Stages 1–3 take no lock, so a long file does not stop other writers; the registry-wide site-writes
lock is held only for stage 4, after checking that no site or station changed meanwhile (if one
did, stage 3 runs again under the lock).

The stages have one module each: ``rows`` (1–2), ``plan`` (3), ``write`` (4); this module runs them
in order and holds the lock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import FieldError, LimitExceeded, ValidationFailed
from registry.organisations.service import OrganisationIndex
from registry.settings import Settings, get_settings
from registry.stations.importer.plan import Plan, registry_state
from registry.stations.importer.rows import (
    POLE_CLASSES,
    TECHNOLOGY_WORDS,
    ImportReport,
    Progress,
    Row,
    RowParser,
    rows_from_table,
)
from registry.stations.importer.write import write
from registry.stations.service import lock_site_writes
from registry.tabular import Table, read_table

# The stages a ``progress`` callback is told about, in order (``write`` names WRITING itself).
CHECKING = "Kiểm tra từng dòng"
PLANNING = "Đối chiếu với sổ"
COUNTING = "Tính số thay đổi"
WRITING = "Ghi vào sổ"

__all__ = [
    "POLE_CLASSES",
    "TECHNOLOGY_WORDS",
    "ImportReport",
    "Progress",
    "import_file",
    "import_rows",
    "import_table",
    "rows_from_table",
]


def import_file(
    session: Session,
    *,
    data: bytes,
    filename: str,
    dry_run: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    on_table: Callable[[Table], None] | None = None,
) -> ImportReport:
    """An uploaded file (.xlsx or .csv) read within the limits and imported: what the API route and the
    back office's import both run. ``on_table`` is handed the table once read (a page shows the
    spreadsheet's column letters beside its errors)."""
    table = read_table(data, filename, settings=settings)
    if on_table is not None:
        on_table(table)
    return import_table(session, table=table, dry_run=dry_run, settings=settings, progress=progress)


def import_table(
    session: Session,
    *,
    table: Table,
    dry_run: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    headers, rows = rows_from_table(table, report)
    if report.errors:
        raise ValidationFailed("Tệp không đúng mẫu", report.errors, report=report.as_dict())
    return import_rows(
        session, rows=rows, headers=headers, dry_run=dry_run, settings=settings, progress=progress, report=report
    )


def import_rows(
    session: Session,
    *,
    rows: list[tuple[int, dict[str, Any]]],
    headers: dict[str, str] | None = None,
    dry_run: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Validate every row, then (unless ``dry_run``) write them all; raises ValidationFailed on any error."""
    settings = settings or get_settings()
    report = report or ImportReport(dry_run=dry_run)
    report.rows = len(rows)
    if len(rows) > settings.max_import_rows:
        raise LimitExceeded(f"Tệp có {len(rows)} dòng, tối đa {settings.max_import_rows} dòng một lần", status=413)
    if not rows:
        raise ValidationFailed(
            "Tệp không có dòng dữ liệu",
            [FieldError("Không có dòng dữ liệu nào dưới dòng tiêu đề", field="file")],
            report=report.as_dict(),
        )
    # Parsing, validating and planning take no lock: other writers of sites (and everyone reading)
    # carry on meanwhile. Only the writes below hold the registry-wide site-writes lock.
    orgs = OrganisationIndex(session)
    parser = RowParser(headers or {}, report, orgs)
    parsed: list[Row] = []
    for i, (number, cells) in enumerate(rows):
        row = parser.parse(number, cells)
        if row is not None:
            parsed.append(row)
        if progress and (i % 500 == 0 or i == len(rows) - 1):
            progress(CHECKING, i + 1, len(rows))
    if progress:
        progress(PLANNING, len(rows), len(rows))

    warnings_before_plan = len(report.warnings)
    seen = registry_state(session)
    plan = Plan(session, parser, report, settings)
    plan.build(parsed)
    _refuse_if_errors(report)
    # Codes are max + 1 and the duplicate and placement checks read before they write: the writes
    # serialise with every other writer of sites (waiting at most the session's lock_timeout).
    lock_site_writes(session)
    if registry_state(session) != seen:
        # Another writer committed sites or stations while this file was being checked: check the
        # plan again against what is there now (the new site next door, the code taken, the site
        # moved), under the lock, so nothing can change any more before the writes.
        session.flush()
        session.expire_all()
        del report.warnings[warnings_before_plan:]
        plan = Plan(session, parser, report, settings)
        plan.build(parsed)
        _refuse_if_errors(report)
    if dry_run:
        # The exact counts come from doing the writes in a savepoint and undoing them.
        savepoint = session.begin_nested()
        try:
            write(plan, _as_stage(progress, COUNTING))
        finally:
            savepoint.rollback()
        return report
    write(plan, progress)
    return report


def _as_stage(progress: Progress | None, stage: str) -> Progress | None:
    """``progress`` told ``stage`` whatever stage the caller names (a dry run's writes are undone:
    they are counting, not writing)."""
    if progress is None:
        return None
    report = progress
    return lambda _stage, done, total: report(stage, done, total)


def _refuse_if_errors(report: ImportReport) -> None:
    if report.errors:
        raise ValidationFailed(
            f"Tệp có {len({e.row for e in report.errors})} dòng lỗi; chưa ghi gì vào sổ",
            report.errors,
            report=report.as_dict(),
        )
