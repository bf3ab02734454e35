"""`tttt report`: the dossier results of a period, as the department reports them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.common import err, fail, print_user_errors, table
from registry.errors import RegistryError
from registry.text import grouped

app = typer.Typer(help="Báo cáo", no_args_is_help=True)


@app.command("dossiers")
def report_dossiers(
    since: Annotated[str, typer.Option("--from", help="Từ ngày YYYY-MM-DD")],
    until: Annotated[str, typer.Option("--to", help="Đến ngày YYYY-MM-DD (tính cả ngày này)")],
    fmt: Annotated[str, typer.Option("--format", "-f", help="json, xlsx hoặc table")] = "json",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Tệp đích (bắt buộc với xlsx)")] = None,
) -> None:
    """Kết quả giải quyết hồ sơ thủ tục hành chính của một kỳ (JSON ra màn hình khi không có --output)."""
    import json
    from datetime import date

    from registry.db import session_scope
    from registry.procedures import reports
    from registry.settings import get_settings

    if fmt not in ("table", "json", "xlsx"):
        fail("--format phải là json, xlsx hoặc table", 2)
    if fmt == "xlsx" and output is None:
        fail("Xuất xlsx cần --output TỆP", 2)
    try:
        first, last = date.fromisoformat(since), date.fromisoformat(until)
    except ValueError:
        fail(f"Ngày không hợp lệ: {since} / {until} (YYYY-MM-DD)", 2)
    try:
        with session_scope() as session:
            report = reports.dossier_report(session, first, last)
    except RegistryError as exc:
        print_user_errors(exc)
    if fmt == "xlsx":
        assert output is not None
        output.write_bytes(reports.to_xlsx(report, department=get_settings().department_name))
        err.print(f"Đã ghi {output}")
        return
    if fmt == "json":
        text = json.dumps(report, ensure_ascii=False, indent=1)
        if output:
            output.write_text(text + "\n", encoding="utf-8")
            err.print(f"Đã ghi {output}")
        else:
            typer.echo(text)
        return
    out = table(
        f"Kết quả giải quyết hồ sơ từ {first:%d/%m/%Y} đến {last:%d/%m/%Y}",
        ["Chỉ tiêu", "Số hồ sơ"],
        right=("Số hồ sơ",),
    )
    for key in reports.FIGURES:
        out.add_row(reports.FIGURE_NAMES[key], grouped(report["figures"][key]))
    Console(width=200).print(out)
