"""A back-office list's export buttons: exactly the filtered rows (every page of them, up to
TTTT_MAX_EXPORT_ROWS) as CSV or Excel, with the list's column headings. Every cell is inert:
text that a spreadsheet would run as a formula is written as text (registry.tabular)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any, Literal

from fastapi.responses import Response

from api.office.lists import Column
from maps.templating import Link, State, shown
from registry.tabular import write_csv, write_xlsx

Format = Literal["csv", "xlsx"]
MEDIA = {"csv": "text/csv; charset=utf-8", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


def plain(value: Any) -> Any:
    """A cell as a spreadsheet should hold it: a link's text, a state's name, a date as a date."""
    if isinstance(value, Link):
        return plain(value.label)
    if isinstance(value, State):
        return plain(value.name)
    if isinstance(value, list | tuple):
        return ", ".join(str(plain(v)) for v in value)
    if isinstance(value, bool):
        return shown(value)
    return value


def export(
    fmt: Format, columns: Sequence[Column], rows: Sequence[dict[str, Any]], *, name: str, sheet: str
) -> Response:
    headers = [c.label for c in columns]
    table = [[plain(row.get(c.key)) for c in columns] for row in rows]
    body = write_csv(headers, table) if fmt == "csv" else write_xlsx(headers, table, sheet=sheet)
    filename = f"{name}-{date.today():%Y%m%d}.{fmt}"
    return Response(body, media_type=MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="{filename}"'})
