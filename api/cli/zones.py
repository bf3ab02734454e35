"""`tttt zones`: planning zones for passive telecom infrastructure."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from api.cli.common import acting, err, fail
from registry.errors import ValidationFailed
from registry.text import grouped

app = typer.Typer(help="Vùng quy hoạch hạ tầng viễn thông thụ động", no_args_is_help=True)


@app.command("import")
def zones_import(
    file: Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="Tệp .geojson hoặc .kml")],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi")] = False,
) -> None:
    """Nhập vùng quy hoạch; có lỗi ở bất kỳ vùng nào thì không ghi gì."""
    from registry.db import session_scope
    from registry.zones.importer import import_zones

    try:
        with acting(), session_scope() as session:
            report = import_zones(session, file.read_bytes(), file.name, dry_run=dry_run)
    except ValidationFailed as exc:
        for e in exc.errors[:50]:
            where = f"vùng {e.row}, {e.column}" if e.row else (e.field or "")
            err.print(f"{escape(where)}: {escape(e.message)}")
        fail(exc.detail, 2)
    err.print(
        f"{grouped(report.features)} vùng: mới {grouped(report.created)}, cập nhật {grouped(report.updated)}, "
        f"không đổi {grouped(report.unchanged)}" + (" (chạy thử, chưa ghi)" if dry_run else "")
    )
