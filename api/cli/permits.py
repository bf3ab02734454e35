"""`tttt permits`: the lists a licensing officer works from (expiring, missing, expired inspections)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from api.cli.common import check_filter_words, err, fail, print_user_errors, table
from registry.errors import RegistryError
from registry.text import grouped

app = typer.Typer(help="Giấy phép: danh sách cho cán bộ cấp phép", no_args_is_help=True)

REPORTS = {
    "expiring": "Giấy phép sắp hết hạn",
    "missing": "Thiếu giấy phép bắt buộc",
    "expired-inspections": "Kiểm định đã hết hạn",
}


@app.command("report")
def permits_report(
    kind: Annotated[str, typer.Argument(help="expiring, missing hoặc expired-inspections")] = "expiring",
    on: Annotated[str | None, typer.Option(help="Ngày xét YYYY-MM-DD (mặc định hôm nay, giờ Việt Nam)")] = None,
    days: Annotated[int, typer.Option(help="Với expiring: số ngày tới", min=0, max=3650)] = 60,
    fmt: Annotated[str, typer.Option("--format", "-f", help="table, json hoặc xlsx")] = "table",
    output: Annotated[Path | None, typer.Option("--output", "-o", help="Tệp đích (bắt buộc với xlsx)")] = None,
    operator: Annotated[list[str] | None, typer.Option(help="Doanh nghiệp")] = None,
    admin_unit: Annotated[str | None, typer.Option(help="Mã hoặc tên xã/phường")] = None,
) -> None:
    """Danh sách giấy phép sắp hết hạn, vị trí/trạm thiếu giấy phép, trạm hết hạn kiểm định."""
    import json
    from datetime import date

    from api.deps import parse_station_filter
    from registry.clock import today
    from registry.db import session_scope
    from registry.permits import reports
    from registry.settings import get_settings

    if kind not in REPORTS:
        fail(f"Không có danh sách «{kind}»; chọn: {', '.join(REPORTS)}", 2)
    if fmt not in ("table", "json", "xlsx"):
        fail("--format phải là table, json hoặc xlsx", 2)
    if fmt == "xlsx" and output is None:
        fail("Xuất xlsx cần --output TỆP", 2)
    try:
        day = date.fromisoformat(on) if on else today()
    except ValueError:
        fail(f"Ngày không hợp lệ: {on} (YYYY-MM-DD)", 2)
    settings = get_settings()
    try:
        filters = parse_station_filter(settings, operator=operator, admin_unit=admin_unit)
        with session_scope() as session:
            check_filter_words(session, filters)
            if kind == "expiring":
                rows = reports.expiring_permits(session, on=day, days=days, filters=filters)
                columns = reports.EXPIRING_COLUMNS
            elif kind == "missing":
                rows = reports.missing_permits(
                    session, on=day, expiring_days=settings.permit_expiring_days, filters=filters
                )
                columns = reports.NEED_COLUMNS
            else:
                rows = reports.expired_inspections(session, on=day, filters=filters)
                columns = reports.NEED_COLUMNS
    except RegistryError as exc:
        print_user_errors(exc)
    title = f"{REPORTS[kind]} — ngày {day:%d/%m/%Y}"
    if fmt == "xlsx":
        assert output is not None
        output.write_bytes(reports.to_xlsx(rows, columns, title=REPORTS[kind], on=day))
        err.print(f"Đã ghi {output} ({grouped(len(rows))} dòng)")
        return
    if fmt == "json":
        text = json.dumps(
            {"on": day.isoformat(), "count": len(rows), "items": rows}, ensure_ascii=False, indent=1, default=str
        )
        if output:
            output.write_text(text + "\n", encoding="utf-8")
            err.print(f"Đã ghi {output} ({grouped(len(rows))} dòng)")
        else:
            typer.echo(text)
        return
    out = table(f"{title}: {grouped(len(rows))} dòng", [header for header, _ in columns])
    for r in rows:
        out.add_row(*("" if r.get(k) is None else _cell(k, r[k]) for _, k in columns))
    Console(width=200).print(out)


def _cell(key: str, value: object) -> str:
    # Counts of days the Vietnamese way (1.095); ids, codes, names and dates as they are.
    return grouped(value) if key.startswith("days") and isinstance(value, int) else str(value)
