"""`tttt calendar`: the working-day calendar (holidays, Tết, make-up days)."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from api.cli.common import fail, table
from registry.errors import RegistryError
from registry.text import grouped

app = typer.Typer(help="Lịch ngày làm việc", no_args_is_help=True)

WEEKDAYS = ["", "Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ Nhật"]


@app.command("show")
def calendar_show(year: Annotated[int, typer.Argument(help="Năm", min=1900, max=2100)]) -> None:
    """Ngày nghỉ lễ, Tết, ngày làm việc bù của một năm và số ngày làm việc."""
    from datetime import date

    from registry.calendar import service
    from registry.db import session_scope

    try:
        with session_scope() as session:
            body = service.year(session, year)
    except RegistryError as exc:
        fail(exc.detail, 2)
    tet = date.fromisoformat(body["lunar_new_year"])
    out = table(
        f"Lịch năm {year}: {grouped(body['working_days'])} ngày làm việc; Tết âm lịch {tet:%d/%m/%Y}",
        ["Ngày", "Thứ", "Loại", "Tên", "Lý do", "Nguồn"],
    )
    for d in body["days"]:
        out.add_row(
            date.fromisoformat(d["date"]).strftime("%d/%m/%Y"),
            WEEKDAYS[d["weekday"]],
            "nghỉ" if d["kind"] == "off" else "làm bù",
            d["name"],
            d["reason"] or "",
            d["source"],
        )
    Console(width=160).print(out)
