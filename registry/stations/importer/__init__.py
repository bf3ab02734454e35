"""Importing an operator's station spreadsheet: all rows validated first, then all-or-nothing.

Stages: (1) map headers to columns; (2) parse every row as it is read, collecting every error with
its row and column, and COPY the good ones into a staging table, a batch at a time; (3) checks across
rows and against the registry, set-based in SQL (the same station twice, the same site entered twice,
points outside the province) — those that need no later row run on each batch while the next one is
parsed (``batches``), the rest once every row is in; (4) only when nothing is wrong, upsert by
(operator, station code) in a few statements that write their own audit events. Importing the same
file again changes nothing; a dry run does stages 1–3 and counts what stage 4 would change without
writing it.

Stages 1–3 take no lock, so a long file does not stop other writers; the registry-wide site-writes
lock is held only for stage 4, after checking that no site or station changed meanwhile (if one
did, stage 3 runs again under the lock). Python holds a few batches of rows at a time: memory does
not grow with the file.

The stages have one module each: ``rows`` (1–2), ``staging`` (the tables), ``batches`` (2–3 side by
side), ``plan`` (3), ``write`` (4); this module runs them in order and holds the lock.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sized
from typing import Any

from psycopg.pq import TransactionStatus
from sqlalchemy.orm import Session

from registry.errors import FieldError, LimitExceeded, ValidationFailed
from registry.organisations.service import OrganisationIndex
from registry.settings import Settings, get_settings
from registry.stations.importer import staging, write
from registry.stations.importer.batches import Batches
from registry.stations.importer.plan import LAST_ROW, Plan, registry_state
from registry.stations.importer.rows import (
    POLE_CLASSES,
    TECHNOLOGY_WORDS,
    ImportReport,
    Progress,
    RowParser,
    rows_from_table,
)
from registry.stations.service import lock_site_writes
from registry.tabular import Table, TableStream, stream_table

# The stages a ``progress`` callback is told about, in order (``write`` names WRITING itself).
CHECKING = "Kiểm tra từng dòng"
PLANNING = "Đối chiếu với sổ"
COUNTING = "Tính số thay đổi"
WRITING = write.WRITING
# Parsed rows go to the staging table and its checks this many at a time.
STAGING_BATCH = 2000

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
    on_table: Callable[[TableStream], None] | None = None,
) -> ImportReport:
    """An uploaded file (.xlsx or .csv) read within the limits and imported: what the API route and the
    back office's import both run. ``on_table`` is handed the table once read (a page shows the
    spreadsheet's column letters beside its errors)."""
    table = stream_table(data, filename, settings=settings)
    if on_table is not None:
        on_table(table)
    return import_table(session, table=table, dry_run=dry_run, settings=settings, progress=progress)


def import_table(
    session: Session,
    *,
    table: Table | TableStream,
    dry_run: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    headers, rows = rows_from_table(table, report)
    if report.errors:
        raise ValidationFailed("Tệp không đúng mẫu", report.errors, report=report.as_dict())
    return import_rows(
        session,
        rows=rows,
        headers=headers,
        dry_run=dry_run,
        settings=settings,
        progress=progress,
        report=report,
        total=table.size if isinstance(table, TableStream) else len(table.rows),
    )


def import_rows(
    session: Session,
    *,
    rows: Iterable[tuple[int, dict[str, Any]]],
    headers: dict[str, str] | None = None,
    dry_run: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    report: ImportReport | None = None,
    total: int | None = None,
) -> ImportReport:
    """Validate every row, then (unless ``dry_run``) write them all; raises ValidationFailed on any error.

    ``rows`` are read once, in order, and held a batch at a time on their way into the staging table
    (``total``, when known, is what ``progress`` counts towards)."""
    settings = settings or get_settings()
    report = report or ImportReport(dry_run=dry_run)
    if total is None and isinstance(rows, Sized):
        total = len(rows)
    # Parsing, validating and planning take no lock: other writers of sites (and everyone reading)
    # carry on meanwhile. Only the writes below hold the registry-wide site-writes lock.
    session.flush()
    orgs = OrganisationIndex(session)
    parser = RowParser(headers or {}, report, orgs)
    staging.create(session)
    try:
        plan = Plan(session, parser, report, settings)
        # What the checks read of the registry: a change committed meanwhile is seen below.
        seen = _stage(session, rows, parser, report, settings, progress, total, plan)
        if progress:
            progress(PLANNING, report.rows, report.rows)
        warnings_before_plan = len(report.warnings)
        plan.build()
        _refuse_if_errors(report)
        if not dry_run:
            # Codes are max + 1 and the duplicate and placement checks read before they write: the
            # writes serialise with every other writer of sites (waiting at most the session's lock_timeout).
            lock_site_writes(session)
            if registry_state(session) != seen:
                # Another writer committed sites or stations while this file was being checked: check the
                # plan again against what is there now (the new site next door, the code taken, the site
                # moved), under the lock, so nothing can change any more before the writes.
                del report.warnings[warnings_before_plan:]
                plan.build(again=True)
                _refuse_if_errors(report)
        write.merge(plan, dry_run=dry_run)
        if dry_run:
            if progress:
                progress(COUNTING, 0, report.rows)
            write.count(plan)
        else:
            write.write(plan, progress)
        return report
    finally:
        _drop_staging(session)


def _stage(
    session: Session,
    rows: Iterable[tuple[int, dict[str, Any]]],
    parser: RowParser,
    report: ImportReport,
    settings: Settings,
    progress: Progress | None,
    total: int | None,
    plan: Plan,
) -> tuple[int, ...]:
    """Every row parsed and, when it has no error, COPY'd into the staging table; each batch checked
    (``plan.batch``) by the database while the next one is parsed. Returns the registry's fingerprint
    (``registry_state``) as the checks read it, taken before the first batch's."""
    count = 0
    batch: list[tuple[Any, ...]] = []
    first = 0
    batches = Batches(session, plan)
    try:
        for number, cells in rows:
            count += 1
            if count > settings.max_import_rows:
                break
            row = parser.parse(number, cells)
            if row is not None:
                batch.append(staging.staged(row))
            if len(batch) >= STAGING_BATCH:
                batches.send(batch, first, number)
                batch, first = [], number + 1
            if progress and count % 500 == 1:
                progress(CHECKING, count, max(total or 0, count))
        batches.send(batch, first, LAST_ROW)
    except BaseException:
        batches.close(raising=False)  # what stopped the reading is what the caller hears of
        raise
    batches.close()
    if count > settings.max_import_rows:
        raise LimitExceeded(
            f"Tệp có hơn {settings.max_import_rows} dòng, tối đa {settings.max_import_rows} dòng một lần", status=413
        )
    report.rows = count
    if progress and count:
        progress(CHECKING, count, count)
    if not count:
        raise ValidationFailed(
            "Tệp không có dòng dữ liệu",
            [FieldError("Không có dòng dữ liệu nào dưới dòng tiêu đề", field="file")],
            report=report.as_dict(),
        )
    staging.index(session)
    return batches.seen


def _drop_staging(session: Session) -> None:
    """The staging tables dropped, unless the transaction has failed (its rollback drops them)."""
    connection = session.connection().connection.driver_connection
    if connection is not None and connection.info.transaction_status != TransactionStatus.INERROR:
        staging.drop(session)


def _refuse_if_errors(report: ImportReport) -> None:
    if report.errors:
        raise ValidationFailed(
            f"Tệp có {len({e.row for e in report.errors})} dòng lỗi; chưa ghi gì vào sổ",
            report.errors,
            report=report.as_dict(),
        )
