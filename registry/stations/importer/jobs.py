"""A station import run as a job: the upload kept in the database, checked or imported by a worker
thread with its own sessions, its progress recorded row by row so that any server process can answer
"how far is it" (several workers share nothing but the database).

The job's life: ``queued`` when the file arrives; ``running`` while ``run`` reads and imports it
(``done``/``total`` rows of the current ``stage``, committed every 500 rows in a session of their own,
so they are seen while the import's own transaction is still open); then ``done`` with the report
(set in the import's transaction: a job that says done has its writes committed) or ``failed`` with
the errors (nothing written: the import stays all-or-nothing).

The file's bytes are kept only as long as they may still be needed: a clean dry run keeps them for
``KEEP`` so the officer can import the same file without choosing it again (``reuse`` moves them to
the import job, once); every other job drops them when it ends. A job is its user's alone: another
user's id is not found. Jobs are deleted after ``FORGET``; a job that has not moved for ``STALE``
(its server process stopped) is shown as stopped.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    delete,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, Session, mapped_column

from registry.base import Base, enum_check
from registry.errors import FieldError, NotFound, RegistryError, ValidationFailed
from registry.settings import Settings
from registry.stations.importer import import_file
from registry.tabular import TableStream, column_letter

log = logging.getLogger("tttt.imports")

STATES = ("queued", "running", "done", "failed")
KEEP = timedelta(minutes=30)  # a clean dry run's file waits this long for "Nhập"
FORGET = timedelta(days=1)  # a job's page (its report) is kept this long
STALE = timedelta(minutes=10)  # running with no progress this long: its process has stopped
KEPT_PER_USER = 3  # files kept per user at once (older ones are dropped)
MAX_KEPT_ERRORS = 5000  # errors and warnings kept in a job's report (the count is kept in full)


class ImportJob(Base):
    __tablename__ = "station_import_job"
    __table_args__ = (
        enum_check("state", STATES),
        CheckConstraint("done >= 0 AND total >= 0", name="counts"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    size: Mapped[int] = mapped_column(Integer)
    data: Mapped[bytes | None] = mapped_column(LargeBinary)
    dry_run: Mapped[bool] = mapped_column(Boolean)
    state: Mapped[str] = mapped_column(String(16))
    stage: Mapped[str | None] = mapped_column(String(80))
    done: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    headers: Mapped[list[str] | None] = mapped_column(JSONB)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSONB)
    from_job: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now(), index=True)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    @property
    def importable(self) -> bool:
        """A clean dry run whose file is still kept: "Nhập" imports it without a new upload."""
        clean = bool((self.report or {}).get("valid"))
        return self.dry_run and self.state == "done" and self.data is not None and clean


def _tidy(session: Session, user_id: int) -> None:
    """Forget old jobs, drop files past KEEP, keep at most KEPT_PER_USER files of this user."""
    now = func.now()
    session.execute(delete(ImportJob).where(ImportJob.created_at < now - FORGET))
    session.execute(
        update(ImportJob)
        .where(ImportJob.data.is_not(None), ImportJob.created_at < now - KEEP, ImportJob.state.in_(("done", "failed")))
        .values(data=None)
    )
    kept = select(ImportJob.id).where(ImportJob.user_id == user_id, ImportJob.data.is_not(None))
    newest = kept.order_by(ImportJob.created_at.desc(), ImportJob.id).limit(KEPT_PER_USER - 1)
    session.execute(
        update(ImportJob)
        .where(ImportJob.id.in_(kept), ImportJob.id.not_in(newest), ImportJob.state.in_(("done", "failed")))
        .values(data=None)
    )


def create(session: Session, *, user_id: int, filename: str, data: bytes, dry_run: bool) -> ImportJob:
    """A queued job holding the uploaded file (already bounded by the upload limit)."""
    _tidy(session, user_id)
    job = ImportJob(
        id=secrets.token_hex(16),
        user_id=user_id,
        filename=filename[:255] or "tệp",
        size=len(data),
        data=data,
        dry_run=dry_run,
        state="queued",
        done=0,
        total=0,
    )
    session.add(job)
    session.flush()
    return job


def get(session: Session, job_id: str, *, user_id: int) -> ImportJob:
    job = session.get(ImportJob, job_id) if len(job_id) == 32 else None
    if job is None or job.user_id != user_id:
        raise NotFound("Không có lượt nhập này (hoặc đã quá một ngày)")
    return job


def reuse(session: Session, job_id: str, *, user_id: int) -> ImportJob:
    """The import of a clean dry run's file: a new job takes the file (once: a second "Nhập" finds it
    gone, so a double click imports once)."""
    job = session.scalar(
        select(ImportJob).where(ImportJob.id == job_id, ImportJob.user_id == user_id).with_for_update()
    )
    if job is None:
        raise NotFound("Không có lượt kiểm tra này (hoặc đã quá một ngày)")
    if not job.importable:
        raise ValidationFailed(
            "Không nhập được từ lượt kiểm tra này",
            [FieldError("Tệp đã được nhập, đã quá hạn giữ hoặc lượt kiểm tra còn lỗi; chọn lại tệp", field="file")],
        )
    data = job.data
    assert data is not None
    job.data = None
    new = create(session, user_id=user_id, filename=job.filename, data=data, dry_run=False)
    new.from_job = job.id
    session.flush()
    return new


def stopped(job: ImportJob, now: datetime) -> bool:
    """Queued or running, but not moved for STALE: the process running it has stopped."""
    return not job.finished and now - job.updated_at > STALE


def _kept(report: dict[str, Any]) -> dict[str, Any]:
    out = dict(report)
    for key in ("errors", "warnings"):
        items = out.get(key) or []
        out[f"{key}_count"] = len(items)
        out[key] = items[:MAX_KEPT_ERRORS]
    return out


def _failure(exc: RegistryError) -> dict[str, Any]:
    report = dict(exc.extra.get("report") or {"valid": False})
    errors = exc.errors if isinstance(exc, ValidationFailed) else []
    if not errors:
        errors = [FieldError(exc.detail, field=str(exc.extra.get("field") or "file"), row=exc.extra.get("row"))]
    report["errors"] = [e.as_dict() for e in errors]
    report["valid"] = False
    report["detail"] = exc.detail
    return report


Sessions = Callable[[], Session]


def run(sessions: Sessions, job_id: str, settings: Settings) -> None:
    """Read and import (or check) the job's file: the one thing a job does, in the thread that runs it.

    ``sessions`` makes a new session (the app's sessionmaker): one holds the import's transaction,
    others record the progress and the end, so both are seen by every process meanwhile."""
    with sessions() as s, s.begin():
        job = s.get(ImportJob, job_id, with_for_update=True)
        if job is None or job.state != "queued" or job.data is None:
            return
        job.state = "running"
        job.updated_at = func.now()  # type: ignore[assignment]
        data, filename, dry_run = job.data, job.filename, job.dry_run

    def progress(stage: str, done: int, total: int) -> None:
        with sessions() as s, s.begin():
            s.execute(
                update(ImportJob)
                .where(ImportJob.id == job_id)
                .values(stage=stage, done=done, total=total, updated_at=func.now())
            )

    headers: list[str] = []

    def on_table(table: TableStream) -> None:
        headers.extend(table.headers)
        progress("Đã đọc tệp", 0, table.size)

    try:
        with sessions() as session, session.begin():
            from registry.db import bound_waits  # registry.db imports every model, this one too

            bound_waits(session, "long", settings)
            report = import_file(
                session,
                data=data,
                filename=filename,
                dry_run=dry_run,
                settings=settings,
                progress=progress,
                on_table=on_table,
            )
            # Ended in the import's own transaction: "done" and the writes are committed together.
            # A clean dry run keeps its file for "Nhập"; nothing else needs it any more.
            dropped = {} if dry_run and report.valid else {"data": None}
            session.execute(
                update(ImportJob)
                .where(ImportJob.id == job_id)
                .values(
                    state="done",
                    report=_kept(report.as_dict()),
                    headers=headers,
                    finished_at=func.now(),
                    updated_at=func.now(),
                    **dropped,
                )
            )
    except RegistryError as exc:
        _end(sessions, job_id, _failure(exc), headers)
    except Exception:  # the job's thread has no one else to tell: the page says it failed
        log.exception("Station import job %s failed", job_id)
        _end(
            sessions,
            job_id,
            {"valid": False, "detail": "Lỗi hệ thống khi nhập; chưa ghi gì. Thử lại hoặc báo quản trị.", "errors": []},
            headers,
        )


def _end(sessions: Sessions, job_id: str, report: dict[str, Any], headers: list[str]) -> None:
    with sessions() as s, s.begin():
        s.execute(
            update(ImportJob)
            .where(ImportJob.id == job_id)
            .values(
                state="failed",
                report=_kept(report),
                headers=headers,
                data=None,
                finished_at=func.now(),
                updated_at=func.now(),
            )
        )


def letter_of(headers: list[str] | None, column: str | None) -> str | None:
    """The spreadsheet's column letter of a heading (the first column with that heading), or the
    letter itself when an error names a letter (a cell beyond the columns read)."""
    if not column:
        return None
    for i, heading in enumerate(headers or []):
        if heading == column:
            return column_letter(i + 1)
    return column if column.isalpha() and column.isupper() and len(column) <= 3 else None
