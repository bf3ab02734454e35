"""Reading and writing spreadsheets (.xlsx via python-calamine/openpyxl, .csv) as rows of cells.

Row numbers are the ones a user sees in Excel: the header is row 1 when it is the first line.

Reading is bounded before any parser touches a file (settings, see ``ReadLimits``): an .xlsx is a zip,
and a 1 MB zip can unpack to gigabytes, or name a cell at XFD1048576 so that a reader builds a
17-billion-cell grid. So the zip's directory is checked (members, total size, ratio, shared strings),
then every member is unpacked once as a stream, counting bytes (a lying directory is caught) and
noting the farthest cell each worksheet names; only then does calamine read it. While rows are
read, each row's columns and each cell's length are bounded, and so are the rows.

Writing makes every text cell inert: a text starting with ``=``, ``+``, ``-``, ``@``, tab or CR is
a formula to Excel and LibreOffice (CSV injection). Excel cells of text are written as text, never
formulas; CSV text gets the OWASP prefix ``'``, which reading a CSV takes off again, so an export
imports back unchanged. Numbers stay numbers.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import re
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from registry.errors import FieldError, LimitExceeded, ValidationFailed
from registry.settings import Settings, get_settings
from registry.text import grouped

XLSX_MAGIC = b"PK\x03\x04"
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MIB = 1024 * 1024
# A cell or row reference in worksheet XML, r="XFD1048576" (a cell) or r="12" (a row): its column
# letters (none for a row) and its row number. The pattern starts with the literal "r" and looks back
# for the blank before it: the search skips ahead to each "r" (twice as fast as a leading \s).
_REF = re.compile(rb"""r(?<=\sr)\s*=\s*["']([A-Z]{0,3})([0-9]{1,7})["']""")


@dataclass(frozen=True)
class ReadLimits:
    """What one imported sheet may hold; built from the settings of the same names."""

    rows: int
    columns: int
    cells: int
    cell_chars: int
    xlsx_uncompressed_bytes: int
    xlsx_shared_strings_bytes: int
    xlsx_members: int
    xlsx_compression_ratio: float

    @classmethod
    def of(cls, settings: Settings) -> ReadLimits:
        return cls(
            rows=settings.max_import_rows,
            columns=settings.max_import_columns,
            cells=settings.max_import_cells,
            cell_chars=settings.max_cell_chars,
            xlsx_uncompressed_bytes=settings.max_xlsx_uncompressed_bytes,
            xlsx_shared_strings_bytes=settings.max_xlsx_shared_strings_bytes,
            xlsx_members=settings.max_xlsx_members,
            xlsx_compression_ratio=settings.max_xlsx_compression_ratio,
        )


class ImportReportDict:
    """``as_dict`` of an import report (a dataclass): every field by name, each FieldError as its dict.
    The station, press, zone and dossier imports report this way (each its own counters)."""

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):  # type: ignore[arg-type]
            value = getattr(self, f.name)
            if isinstance(value, list):
                value = [v.as_dict() if isinstance(v, FieldError) else v for v in value]
            out[f.name] = value
        return out


def column_letter(index: int) -> str:
    """1 → A, 27 → AA: the column as Excel shows it."""
    letters = ""
    while index > 0:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _too_big(detail: str, limit: float) -> LimitExceeded:
    return LimitExceeded(detail, status=413, field="file", limit=limit)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    header_row: int
    rows: list[tuple[int, list[Any]]]  # (row number as the user sees it, cells)


@dataclass(frozen=True)
class TableStream:
    """A table whose rows are read as they are asked for (``stream_table``): once, in order."""

    headers: list[str]
    header_row: int
    rows: Iterator[tuple[int, list[Any]]]
    size: int  # at most this many rows follow the header (blank ones are skipped)


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


def _unprefix(cell: str) -> str:
    # The export's OWASP prefix comes off: "'=SUM(A1)" reads back as "=SUM(A1)".
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_START else cell


def _read_csv(data: bytes, limits: ReadLimits) -> list[list[Any]]:
    textdata = _decode(data)
    sample = textdata[:8192]
    try:
        delimiter = csv.Sniffer().sniff(sample, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","
    # Only the delimiter is guessed: the quote is Excel's '"' (the export's "'" prefixes would
    # otherwise pass for quotes).
    reader = csv.reader(io.StringIO(textdata), csv.excel, delimiter=delimiter)
    rows: list[list[Any]] = []
    try:
        for r in _bounded(reader, limits, first_row=1):
            rows.append([_unprefix(c) for c in r])
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


def _not_xlsx() -> ValidationFailed:
    return ValidationFailed(
        "Không đọc được tệp Excel", [FieldError("Tệp không phải bảng tính .xlsx hợp lệ hoặc đã hỏng", field="file")]
    )


def check_xlsx(data: bytes, limits: ReadLimits) -> None:
    """Refuse an .xlsx whose unpacked contents would go over the limits, unpacking at most the limit
    (as a stream, a megabyte at a time) to find out."""
    try:
        book = zipfile.ZipFile(io.BytesIO(data))
        members = book.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise _not_xlsx() from exc
    if len(members) > limits.xlsx_members:
        raise _too_big(f"Tệp Excel chứa {len(members)} tệp con, tối đa {limits.xlsx_members}", limits.xlsx_members)
    total = sum(m.file_size for m in members)
    if total > limits.xlsx_uncompressed_bytes:
        raise _too_big(
            f"Tệp Excel giải nén ra {grouped(total / _MIB)} MB, "
            f"tối đa {grouped(limits.xlsx_uncompressed_bytes / _MIB)} MB",
            limits.xlsx_uncompressed_bytes,
        )
    for m in members:
        if m.file_size > _MIB and m.file_size / max(m.compress_size, 1) > limits.xlsx_compression_ratio:
            raise _too_big(
                f"Tệp con {m.filename[:100]} nén {grouped(m.file_size / max(m.compress_size, 1))} lần "
                f"(tối đa {limits.xlsx_compression_ratio:g}): tệp có thể là bom nén",
                limits.xlsx_compression_ratio,
            )
        if m.filename.lower().endswith("sharedstrings.xml") and m.file_size > limits.xlsx_shared_strings_bytes:
            raise _too_big(
                f"Bảng chuỗi của tệp Excel {grouped(m.file_size / _MIB)} MB, "
                f"tối đa {grouped(limits.xlsx_shared_strings_bytes / _MIB)} MB",
                limits.xlsx_shared_strings_bytes,
            )
    unpacked = 0
    try:
        for m in members:
            is_sheet = m.filename.lower().startswith("xl/worksheets/") and m.filename.lower().endswith(".xml")
            max_row = max_col = 0
            tail = b""
            with book.open(m) as stream:
                # zipfile stops at the size the directory gives and then checks the CRC, so a member
                # that unpacks to more than it declares fails here, never in calamine.
                while chunk := stream.read(_MIB):
                    unpacked += len(chunk)
                    if unpacked > limits.xlsx_uncompressed_bytes:
                        raise _too_big(
                            f"Tệp Excel giải nén ra hơn {grouped(limits.xlsx_uncompressed_bytes / _MIB)} MB",
                            limits.xlsx_uncompressed_bytes,
                        )
                    if is_sheet:
                        # Each distinct row number and column once (a sheet repeats them in every cell).
                        refs = _REF.findall(tail + chunk)
                        max_row = max([max_row, *map(int, {number for _, number in refs})])
                        max_col = max([max_col, *map(_column_index, {letters for letters, _ in refs if letters})])
                        tail = chunk[-64:]
            if is_sheet:
                _check_area(m.filename, max_row, max_col, limits)
    except (zipfile.BadZipFile, NotImplementedError, ValueError, OSError, EOFError, RuntimeError) as exc:
        raise _not_xlsx() from exc


def _check_area(member: str, rows: int, columns: int, limits: ReadLimits) -> None:
    sheet = member.rsplit("/", 1)[-1].removesuffix(".xml")
    if columns > limits.columns:
        raise ValidationFailed(
            "Quá nhiều cột",
            [
                FieldError(
                    f"Trang {sheet} có ô ở cột {column_letter(columns)} (cột thứ {columns}), "
                    f"tối đa {limits.columns} cột",
                    field="file",
                    column=column_letter(columns),
                )
            ],
        )
    if rows * max(columns, 1) > limits.cells:
        raise _too_big(
            f"Trang {sheet} trải trên {grouped(rows)} dòng × {columns} cột, tối đa {grouped(limits.cells)} ô",
            limits.cells,
        )


def _xlsx_rows(data: bytes, limits: ReadLimits) -> tuple[Iterator[list[Any]], int]:
    """The first sheet's rows from row 1 (as Excel numbers them), read as asked for, and how many."""
    from python_calamine import CalamineWorkbook

    check_xlsx(data, limits)
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(data))
        sheet = book.get_sheet_by_index(0)
        start = sheet.start or (0, 0)
        rows = sheet.iter_rows()
        height = start[0] + sheet.height
    except Exception as exc:  # calamine raises its own error types for corrupt files
        raise _not_xlsx() from exc
    # Row and column numbers as Excel shows them: the used area may start below or right of A1.
    pad = [None] * start[1]

    def numbered() -> Iterator[list[Any]]:
        for _ in range(start[0]):
            yield []
        yield from _bounded((pad + list(r) for r in rows), limits, first_row=start[0] + 1)

    return numbered(), height


def _bounded(rows: Iterable[list[Any]], limits: ReadLimits, *, first_row: int) -> Iterator[list[Any]]:
    """The rows, refused at the first one with too many columns or too long a cell, or once there
    are more non-blank rows than allowed (besides the header)."""
    filled = 0
    header: list[Any] = []
    for number, row in enumerate(rows, start=first_row):
        while row and _blank(row[-1]):
            row.pop()
        if len(row) > limits.columns:
            raise ValidationFailed(
                "Quá nhiều cột",
                [
                    FieldError(
                        f"Dòng {number} có {len(row)} cột, tối đa {limits.columns}",
                        row=number,
                        column=column_letter(limits.columns + 1),
                    )
                ],
            )
        for i, cell in enumerate(row):
            if isinstance(cell, str) and len(cell) > limits.cell_chars:
                # Named as every other import error names it: by its header, when the header row is read.
                named = header[i] if i < len(header) and isinstance(header[i], str) and header[i].strip() else None
                letter = column_letter(i + 1)
                raise ValidationFailed(
                    "Ô quá dài",
                    [
                        FieldError(
                            f"Ô {letter}{number} dài {grouped(len(cell))} ký tự, tối đa {grouped(limits.cell_chars)}",
                            row=number,
                            column=named.strip() if named else letter,
                            code="too_long",
                        )
                    ],
                )
        if row:
            if not filled:
                header = row
            filled += 1
            if filled > limits.rows + 1:
                raise LimitExceeded(
                    f"Tệp có hơn {grouped(limits.rows)} dòng dữ liệu, tối đa {grouped(limits.rows)} dòng một lần",
                    status=413,
                    field="file",
                    row=number,
                    limit=limits.rows,
                )
        yield row


def _blank(cell: Any) -> bool:
    return cell is None or (isinstance(cell, str) and not cell.strip())


def stream_table(data: bytes, filename: str, *, settings: Settings | None = None) -> TableStream:
    """The first sheet (or the CSV) with its header row located and blank rows skipped, within the
    reading limits of ``settings`` (413 or 422 naming the row and column beyond them), its rows read
    one at a time as they are asked for: a long sheet is never all in Python's memory."""
    limits = ReadLimits.of(settings or get_settings())
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")) or data.startswith(XLSX_MAGIC):
        raw, height = _xlsx_rows(data, limits)
    elif name.endswith((".csv", ".txt")):
        lines = _read_csv(data, limits)
        raw, height = iter(lines), len(lines)
    else:
        raise ValidationFailed(
            "Định dạng tệp không được hỗ trợ",
            [FieldError("Chỉ nhận tệp .xlsx hoặc .csv", field="file", value=filename)],
        )
    header_row = 0
    for number, r in enumerate(raw, start=1):
        if not all(_blank(c) for c in r):
            header_row = number
            headers = ["" if _blank(c) else str(c).strip() for c in r]
            break
    else:
        raise ValidationFailed("Tệp rỗng", [FieldError("Tệp không có dòng tiêu đề", field="file")])
    rows = ((number, list(r)) for number, r in enumerate(raw, start=header_row + 1) if not all(_blank(c) for c in r))
    return TableStream(headers=headers, header_row=header_row, rows=rows, size=max(height - header_row, 0))


def read_table(data: bytes, filename: str, *, settings: Settings | None = None) -> Table:
    """``stream_table`` with every row read."""
    table = stream_table(data, filename, settings=settings)
    return Table(headers=table.headers, header_row=table.header_row, rows=list(table.rows))


def csv_value(value: Any) -> Any:
    """A value as a CSV cell: text that a spreadsheet would run as a formula gets the OWASP prefix."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def xlsx_cells(ws: Any, values: Iterable[Any]) -> list[Any]:
    """Cells for ``ws.append`` (write-only or not) in which text is text: openpyxl would make a
    formula of a str starting with "=", and refuses control characters no .xlsx may hold."""
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    cells = []
    for value in values:
        if isinstance(value, str):
            cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
            cell.data_type = "s"
            cells.append(cell)
        else:
            cells.append(value)
    return cells


def iter_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, batch: int = 1000) -> Iterator[bytes]:
    """CSV in chunks of ``batch`` rows: UTF-8 with a byte-order mark so that Excel shows Vietnamese."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    out.write("\ufeff")
    writer.writerow([csv_value(h) for h in headers])
    for i, row in enumerate(rows, start=1):
        writer.writerow([csv_value(v) for v in row])
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
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    ws = book.create_sheet(sheet[:31])
    ws.freeze_panes = "A2"
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(12, min(40, len(h) + 4))
    bold = Font(bold=True)
    header_cells = xlsx_cells(ws, [str(h) for h in headers])
    for cell in header_cells:
        cell.font = bold
    ws.append(header_cells)
    for row in rows:
        ws.append(xlsx_cells(ws, ["" if v is None else v for v in row]))
    if notes:
        help_sheet = book.create_sheet("Hướng dẫn")
        help_sheet.column_dimensions["A"].width = 28
        help_sheet.column_dimensions["B"].width = 100
        help_sheet.append(xlsx_cells(help_sheet, ["Cột", "Ý nghĩa"]))
        for note in notes:
            help_sheet.append(xlsx_cells(help_sheet, note))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
