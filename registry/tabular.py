"""Reading and writing spreadsheets (.xlsx via python-calamine/openpyxl, .csv) as rows of cells.

Row numbers are the ones a user sees in Excel: the header is row 1 when it is the first line.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from registry.errors import FieldError, ValidationFailed

XLSX_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Table:
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]]  # (row number as the user sees it, cells)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as exc:
            raise ValidationFailed(
                "Không đọc được tệp CSV", [FieldError("Tệp đánh dấu UTF-16 nhưng nội dung hỏng", field="file")]
            ) from exc
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1258")
    except UnicodeDecodeError as exc:
        raise ValidationFailed(
            "Không đọc được tệp CSV",
            [FieldError("Tệp CSV phải mã hóa UTF-8 (khuyên dùng) hoặc Windows-1258", field="file")],
        ) from exc


def _read_csv(data: bytes) -> list[list[Any]]:
    textdata = _decode(data)
    sample = textdata[:8192]
    try:
        dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(textdata), dialect)
    rows: list[list[Any]] = []
    try:
        for r in reader:
            rows.append(list(r))
    except csv.Error as exc:
        raise ValidationFailed(
            "Không đọc được tệp CSV",
            [
                FieldError(
                    f"Dòng {reader.line_num}: ô quá dài hoặc sai định dạng CSV", row=reader.line_num, field="file"
                )
            ],
        ) from exc
    return rows


def _read_xlsx(data: bytes) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        return [list(r) for r in sheet.to_python(skip_empty_area=False)]
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise ValidationFailed(
            "Không đọc được tệp Excel",
            [FieldError("Tệp không phải bảng tính .xlsx hợp lệ hoặc đã hỏng", field="file")],
        ) from exc


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def read_table(data: bytes, filename: str) -> Table:
    """The first sheet (or the CSV) with its header row located and blank rows dropped."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(XLSX_MAGIC):
        raw = _read_xlsx(data)
    elif name.endswith((".csv", ".txt")):
        raw = _read_csv(data)
    else:
        raise ValidationFailed(
            "Định dạng tệp không được hỗ trợ",
            [FieldError("Chỉ nhận tệp .xlsx hoặc .csv", field="file", value=filename)],
        )
    header_index = next((i for i, r in enumerate(raw) if not all(_blank(c) for c in r)), None)
    if header_index is None:
        raise ValidationFailed("Tệp rỗng", [FieldError("Tệp không có dòng tiêu đề", field="file")])
    headers = ["" if _blank(c) else str(c).strip() for c in raw[header_index]]
    rows = [(i + 1, list(r)) for i, r in enumerate(raw) if i > header_index and not all(_blank(c) for c in r)]
    return Table(headers=headers, header_row=header_index + 1, rows=rows)


def iter_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 1000) -> Iterator[bytes]:
    """CSV in chunks of ``batch`` rows: UTF-8 with a byte-order mark so that Excel shows Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow(headers)
    for i, row in enumerate(rows, start=1):
        writer.writerow(["" if v is None else v for v in row])
        if i % batch == 0:
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
    yield out.getvalue().encode("utf-8")


def write_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    return b"".join(iter_csv(headers, rows))


def write_xlsx(
    headers: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    sheet: str = "Dữ liệu",
    notes: Sequence[tuple[str, str]] = (),
) -> bytes:
    """An .xlsx written in openpyxl's write-only mode: rows go to a temporary file, not to memory."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(h) + 4))
    bold = Font(bold=True)
    header_cells = []
    for h in headers:
        cell = WriteOnlyCell(ws, value=h)
        cell.font = bold
        header_cells.append(cell)
    ws.append(header_cells)
    for row in rows:
        ws.append(["" if v is None else v for v in row])
    if notes:
        help_sheet = book.create_sheet("Hướng dẫn")
        help_sheet.column_dimensions["A"].width = 28
        help_sheet.column_dimensions["B"].width = 100
        help_sheet.append(["Cột", "Ý nghĩa"])
        for note in notes:
            help_sheet.append(list(note))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
