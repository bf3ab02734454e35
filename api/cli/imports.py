"""`tttt import`: station, press and legacy dossier spreadsheets, all-or-nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.cli.common import acting, err, fail, print_report, progress_bars
from registry.errors import RegistryError, ValidationFailed
from registry.text import grouped

app = typer.Typer(help="Nhập dữ liệu từ bảng tính", no_args_is_help=True)

DRY_RUN_NOTE = " (chạy thử, chưa ghi)"


@app.command("stations")
def import_stations(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Tệp .xlsx hoặc .csv")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi")] = False,
) -> None:
    """Nhập bảng trạm gốc; có bất kỳ dòng lỗi thì không ghi gì và liệt kê từng lỗi."""
    from registry.db import session_scope
    from registry.stations.importer import import_table
    from registry.tabular import read_table

    try:
        table = read_table(file.read_bytes(), file.name)
        with progress_bars(transient=True) as progress, acting(), session_scope() as session:
            report = import_table(session, table=table, dry_run=dry_run, progress=progress)
    except ValidationFailed as exc:
        print_report(exc.extra.get("report") or {"errors": [e.as_dict() for e in exc.errors]})
        fail(exc.detail, 2)
    except RegistryError as exc:
        fail(exc.detail, 2)
    print_report(report.as_dict())


@app.command("press")
def import_press(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Tệp .xlsx hoặc .csv")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi")] = False,
) -> None:
    """Nhập bảng cơ quan báo chí; có bất kỳ dòng lỗi thì không ghi gì và liệt kê từng lỗi."""
    from registry.db import session_scope
    from registry.press.tabular import import_outlets
    from registry.tabular import read_table

    try:
        with acting(), session_scope() as session:
            report = import_outlets(session, read_table(file.read_bytes(), file.name), dry_run=dry_run)
    except ValidationFailed as exc:
        print_report(exc.extra.get("report") or {"errors": [e.as_dict() for e in exc.errors]})
        fail(exc.detail, 2)
    err.print(
        f"{grouped(report.rows)} dòng: mới {grouped(report.created)}, cập nhật {grouped(report.updated)}, "
        f"không đổi {grouped(report.unchanged)}" + (DRY_RUN_NOTE if dry_run else "")
    )


@app.command("dossiers")
def import_dossiers(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Tệp .csv hoặc .xlsx")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi")] = False,
) -> None:
    """Nhập hồ sơ từ hệ thống một cửa cũ; có bất kỳ dòng lỗi thì không ghi gì và liệt kê từng lỗi."""
    import getpass

    from registry.calendar.service import load
    from registry.clock import today
    from registry.db import session_scope
    from registry.procedures.tabular import import_dossiers as run
    from registry.tabular import read_table

    try:
        with acting(), session_scope() as session:
            report = run(
                session, load(session), read_table(file.read_bytes(), file.name), actor=f"cli:{getpass.getuser()}",
                today=today(), dry_run=dry_run,
            )  # fmt: skip
    except ValidationFailed as exc:
        print_report(exc.extra.get("report") or {"errors": [e.as_dict() for e in exc.errors]})
        fail(exc.detail, 2)
    err.print(f"{grouped(report.rows)} dòng: {grouped(report.created)} hồ sơ mới" + (DRY_RUN_NOTE if dry_run else ""))
