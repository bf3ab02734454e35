"""What every command group shares: the error console, exiting with a message, the acting user,
tables that wrap long names instead of cutting them, and progress bars."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Any, NoReturn

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from registry.errors import RegistryError, ValidationFailed
from registry.text import grouped

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from registry.cluster import Cluster
    from registry.stations.queries import StationFilter

err = Console(stderr=True)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(f"[red]{escape(message)}[/red]")
    raise typer.Exit(code)


def print_user_errors(exc: RegistryError) -> NoReturn:
    if isinstance(exc, ValidationFailed) and exc.errors:
        fail("; ".join(f"{e.field or ''}: {e.message}" for e in exc.errors), 2)
    fail(exc.detail, 2)


def acting() -> AbstractContextManager[Any]:
    """Changes made from the command line are recorded as made by the OS user."""
    import getpass

    from registry.audit.context import acting_as

    return acting_as(f"cli:{getpass.getuser()}")


def private_cluster() -> Cluster | None:
    from registry.cluster import Cluster
    from registry.settings import get_settings

    settings = get_settings()
    return None if settings.database_url else Cluster(settings.data_dir)


def table(title: str, columns: list[str], *, right: tuple[str, ...] = ()) -> Table:
    """A table whose cells wrap (folding a long code or name over lines) rather than end in "…"."""
    out = Table(title=title)
    for header in columns:
        out.add_column(header, overflow="fold", justify="right" if header in right else "left")
    return out


def print_report(report: dict[str, Any]) -> None:
    """An import's errors (one table row each), its first warnings and its counts."""
    if report.get("errors"):
        errors = table("Lỗi", ["Dòng", "Cột", "Giá trị", "Lỗi"])
        for e in report["errors"]:
            errors.add_row(
                str(e.get("row", "")), str(e.get("column", e.get("field", ""))), str(e.get("value", "")), e["message"]
            )
        err.print(errors)
    for w in report.get("warnings", [])[:50]:
        err.print(f"[yellow]Cảnh báo dòng {w.get('row', '')}, cột {w.get('column', '')}: {w['message']}[/yellow]")
    if report.get("rows") and not report.get("errors"):
        err.print(
            f"{grouped(report['rows'])} dòng: vị trí mới {grouped(report.get('sites_created', 0))}, "
            f"vị trí cập nhật {grouped(report.get('sites_updated', 0))}, "
            f"trạm mới {grouped(report.get('stations_created', 0))}, "
            f"trạm cập nhật {grouped(report.get('stations_updated', 0))}, "
            f"trạm không đổi {grouped(report.get('stations_unchanged', 0))}"
            + (" (chạy thử, chưa ghi)" if report.get("dry_run") else "")
        )


@contextmanager
def progress_bars(*, transient: bool = False) -> Iterator[Callable[[str, int, int], None]]:
    """A ``progress(stage, done, total)`` callback: one bar per stage on a terminal; elsewhere (a log,
    a pipe) one line per call (callers report every few hundred rows), so a long run is never silent."""
    if not err.is_terminal:

        def line(stage: str, done: int, total: int) -> None:
            err.print(f"{escape(stage)}: {grouped(done)}/{grouped(total)}", soft_wrap=True)

        yield line
        return
    with Progress(
        TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), console=err, transient=transient
    ) as bar:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(stage, total=total)
            bar.update(tasks[stage], completed=done)

        yield update


def check_filter_words(session: Session, filters: StationFilter) -> None:
    """Refuses (exit 2) an operator or administrative unit that names nothing, listing what exists,
    instead of answering with an empty list."""
    from registry.stations.known import check_filter_words as check

    try:
        check(session, filters)
    except RegistryError as exc:
        print_user_errors(exc)
