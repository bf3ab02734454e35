"""Limits enforced while a body streams in and before a spreadsheet parser sees a file (issue #13 item 7).

The streaming tests drive the ASGI application directly with a ``receive`` that hands out a large body
one chunk at a time and counts what was taken: the test client would read a generator whole before the
application saw it, which is the very thing being tested.
"""

from __future__ import annotations

import asyncio
import gc
import io
import json
import tracemalloc
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook

from registry.errors import LimitExceeded, ValidationFailed
from registry.settings import Settings
from registry.tabular import read_table
from tests.api.helpers import problem

CHUNK = 64 * 1024
MIB = 1024 * 1024


def call(app: Any, method: str, path: str, headers: dict[str, str], chunks: Iterator[bytes]) -> tuple[int, bytes, int]:
    """(status, body, bytes the application took from ``chunks``)."""
    taken = 0

    async def receive() -> dict[str, Any]:
        nonlocal taken
        chunk = next(chunks, None)
        if chunk is None:
            return {"type": "http.request", "body": b"", "more_body": False}
        taken += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 80),
    }
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], body, taken


def endless(size: int, prefix: bytes = b"") -> Iterator[bytes]:
    """``size`` bytes in 64 KiB chunks: far more than any limit."""
    yield prefix
    for _ in range(size // CHUNK):
        yield b"a" * CHUNK


def refused(status: int, body: bytes) -> dict[str, Any]:
    assert status == 413, body[:300]
    doc = json.loads(body)
    assert doc["status"] == 413 and doc["type"].endswith("/limit-exceeded")
    assert "vượt quá giới hạn" in doc["detail"]
    return doc  # type: ignore[no-any-return]


def test_chunked_upload_over_the_limit_is_refused_while_streaming(app: Any, settings: Settings) -> None:
    # An anonymous multipart upload, no Content-Length, 500 MB on offer: the app takes the limit and
    # a chunk, then answers 413; the rest is never read.
    head = b'--b\r\nContent-Disposition: form-data; name="file"; filename="tram.csv"\r\nContent-Type: text/csv\r\n\r\n'
    status, body, taken = call(
        app, "POST", "/api/imports/stations", {"content-type": "multipart/form-data; boundary=b"},
        endless(500 * MIB, head),
    )  # fmt: skip
    # The refused upload's temporary file (on disk past 1 MB) is closed at once: a collection finds no
    # unclosed file (a ResourceWarning is an error in this suite).
    gc.collect()
    doc = refused(status, body)
    assert doc["errors"][0]["field"] == "file"
    assert f"{settings.max_upload_bytes // MIB} MB" in doc["detail"]
    assert settings.max_upload_bytes < taken <= settings.max_upload_bytes + 64 * 1024 + 2 * CHUNK


def test_chunked_json_over_the_limit_is_refused_before_authentication(app: Any, settings: Settings) -> None:
    # Anonymous, so it would be 401 once read: the size is refused first, after about 1 MB.
    status, body, taken = call(
        app, "POST", "/api/cases", {"content-type": "application/json"}, endless(500 * MIB, b'{"subject": "')
    )
    doc = refused(status, body)
    assert doc["errors"][0]["field"] == "body"
    assert settings.max_json_bytes < taken <= settings.max_json_bytes + 2 * CHUNK


def test_declared_500_mb_json_is_refused_without_reading_a_byte(app: Any) -> None:
    status, body, taken = call(
        app,
        "POST",
        "/api/cases",
        {"content-type": "application/json", "content-length": str(500 * MIB)},
        endless(500 * MIB),
    )
    refused(status, body)
    assert taken == 0


@pytest.mark.parametrize("length", ["-1", "12abc", "99999999999999999999999"])
def test_nonsense_content_length_is_refused_unread(app: Any, length: str) -> None:
    status, body, taken = call(
        app, "POST", "/api/cases", {"content-type": "application/json", "content-length": length}, endless(MIB)
    )
    refused(status, body)
    assert taken == 0


def test_a_body_within_the_limit_goes_on_to_the_application(app: Any) -> None:
    # Under the limit the request reaches authentication, which refuses the anonymous caller.
    status, body, _ = call(app, "POST", "/api/cases", {"content-type": "application/json"}, iter([b'{"a": 1}']))
    assert status == 401, body


def test_the_json_limit_is_a_setting(client: TestClient, settings: Settings) -> None:
    settings.max_json_bytes = 2048  # the app reads its settings object at request time
    body = problem(client.post("/api/cases", content=b'{"subject": "' + b"x" * 4000 + b'"}'), 413)
    assert body["limit"] == 2048
    # A small body still reaches the route (and fails its validation, naming a field).
    assert client.post("/api/cases", json={"subject": 1}).status_code == 422


# --- spreadsheets ---------------------------------------------------------------------------------

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)


def bomb_xlsx(expanded: int, *, lie: bool = False) -> bytes:
    """A workbook whose shared strings hold one cell of ``expanded`` bytes of "a", written a
    megabyte at a time (the test never holds it); ``lie``: the zip directory claims 1,000 bytes."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", CONTENT_TYPES)
        z.writestr(
            "xl/worksheets/sheet1.xml",
            '<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row></sheetData></worksheet>',
        )
        with z.open("xl/sharedStrings.xml", "w") as f:
            f.write(b"<sst><si><t>")
            for _ in range(expanded // MIB):
                f.write(b"a" * MIB)
            f.write(b"</t></si></sst>")
    data = bytearray(out.getvalue())
    if lie:
        entry = data.rfind(b"PK\x01\x02")  # the central directory entry of the last member
        assert data[entry + 46 : entry + 46 + 19] == b"xl/sharedStrings.xm"
        data[entry + 24 : entry + 28] = (1000).to_bytes(4, "little")  # its uncompressed size
    return bytes(data)


def peak_bytes(fn: Any) -> tuple[Exception, int]:
    tracemalloc.start()
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - the refusal is what is being measured
        caught = exc
    else:
        raise AssertionError("the file was not refused")
    finally:
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return caught, peak


def test_an_xlsx_bomb_is_refused_before_it_is_expanded() -> None:
    data = bomb_xlsx(300 * MIB)  # over TTTT_MAX_XLSX_UNCOMPRESSED_BYTES (256 MiB)
    assert len(data) < 2 * MIB  # small on the wire
    exc, peak = peak_bytes(lambda: read_table(data, "tram.xlsx", settings=Settings()))
    assert isinstance(exc, LimitExceeded) and exc.status == 413
    assert "MB" in exc.detail and exc.extra["field"] == "file"
    assert peak < 20 * MIB  # a bound, not a duration: the 200 MB cell was never built


def test_an_xlsx_bomb_under_the_total_is_refused_by_its_ratio() -> None:
    data = bomb_xlsx(40 * MIB)
    exc, peak = peak_bytes(lambda: read_table(data, "tram.xlsx", settings=Settings()))
    assert isinstance(exc, LimitExceeded) and exc.status == 413
    assert "bom nén" in exc.detail
    assert peak < 20 * MIB


def test_shared_strings_have_their_own_bound() -> None:
    data = bomb_xlsx(3 * MIB)
    settings = Settings(max_xlsx_shared_strings_bytes=2 * MIB, max_xlsx_compression_ratio=10_000)
    exc, _ = peak_bytes(lambda: read_table(data, "tram.xlsx", settings=settings))
    assert isinstance(exc, LimitExceeded) and "Bảng chuỗi" in exc.detail


def test_a_zip_directory_that_lies_about_sizes_is_refused_unexpanded() -> None:
    data = bomb_xlsx(120 * MIB, lie=True)
    exc, peak = peak_bytes(lambda: read_table(data, "tram.xlsx", settings=Settings()))
    assert isinstance(exc, ValidationFailed), exc  # the stream stops at the 1,000 declared bytes: bad CRC
    assert exc.errors[0].field == "file"
    assert peak < 20 * MIB


def test_the_bomb_through_the_api_is_413(client: TestClient) -> None:
    data = bomb_xlsx(200 * MIB)
    response = client.post("/api/imports/stations", files={"file": ("tram.xlsx", data, "application/octet-stream")})
    body = problem(response, 413)
    assert body["errors"][0]["field"] == "file"


def xlsx(cells: dict[str, Any]) -> bytes:
    book = Workbook()
    ws = book.active
    for ref, value in cells.items():
        ws[ref] = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_cell_at_the_far_corner_is_refused_before_calamine_builds_the_grid() -> None:
    # One cell at XFD1048576: a dense reader would make a 17-billion-cell grid of a 5 KB file.
    data = xlsx({"A1": "Mã trạm", "XFD1048576": "=1+1"})
    with pytest.raises(ValidationFailed) as caught:
        read_table(data, "tram.xlsx", settings=Settings())
    error = caught.value.errors[0]
    assert error.column == "XFD" and "16384" in error.message


def test_the_far_corner_is_found_however_its_reference_is_spaced_and_quoted() -> None:
    """XML allows blanks around "=" and single quotes: the sheet-area check reads them as calamine
    does; an attribute that merely ends in "r" is no cell reference."""
    import zipfile

    def rewritten(data: bytes, old: bytes, new: bytes) -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
            for item in src.infolist():
                body = src.read(item)
                dst.writestr(item, body.replace(old, new) if item.filename.startswith("xl/worksheets/") else body)
        return out.getvalue()

    far = xlsx({"A1": "Mã trạm", "XFD1048576": "=1+1"})
    with pytest.raises(ValidationFailed) as caught:
        read_table(rewritten(far, b' r="XFD1048576"', b"\n r = 'XFD1048576'"), "tram.xlsx", settings=Settings())
    assert caught.value.errors[0].column == "XFD"
    near = xlsx({"A1": "Mã trạm", "A2": "HPG0001"})
    table = read_table(rewritten(near, b'<c r="A2"', b'<c xr="XFD1048576" r="A2"'), "tram.xlsx", settings=Settings())
    assert table.rows[-1][1][0] == "HPG0001"


def test_a_tall_sheet_is_bounded_by_its_cell_count() -> None:
    data = xlsx({"A1": "Mã trạm", "B1": "x", "E1048576": "cuối"})
    with pytest.raises(LimitExceeded) as caught:
        read_table(data, "tram.xlsx", settings=Settings(max_import_cells=1_000_000))
    assert caught.value.status == 413 and "1.048.576" in caught.value.detail


def test_too_many_columns_names_the_row() -> None:
    row = [f"c{i}" for i in range(12)]
    csv_data = ("a,b\n1,2\n" + ",".join(row) + "\n").encode()
    with pytest.raises(ValidationFailed) as caught:
        read_table(csv_data, "tram.csv", settings=Settings(max_import_columns=10))
    assert caught.value.errors[0].row == 3 and caught.value.errors[0].column == "K"
    data = xlsx({"A1": "a", "L2": "quá xa"})
    with pytest.raises(ValidationFailed) as caught:
        read_table(data, "tram.xlsx", settings=Settings(max_import_columns=10))
    assert caught.value.errors[0].column == "L"


def test_trailing_empty_columns_are_not_counted() -> None:
    csv_data = ("a,b" + "," * 50 + "\n1,2" + "," * 50 + "\n").encode()
    table = read_table(csv_data, "tram.csv", settings=Settings(max_import_columns=10))
    assert table.headers == ["a", "b"] and table.rows == [(2, ["1", "2"])]


@pytest.mark.parametrize("name", ["tram.csv", "tram.xlsx"])
def test_a_too_long_cell_names_its_row_and_column(name: str) -> None:
    long = "x" * 10_001
    if name.endswith(".csv"):
        data = f"Mã trạm,Địa chỉ\nHP1,ngắn\nHP2,{long}\n".encode()
    else:
        data = xlsx({"A1": "Mã trạm", "B1": "Địa chỉ", "A2": "HP1", "B2": "ngắn", "A3": "HP2", "B3": long})
    with pytest.raises(ValidationFailed) as caught:
        read_table(data, name, settings=Settings())
    error = caught.value.errors[0]
    # Named by its header, as every other import error is; the cell's address is in the message.
    assert (error.row, error.column) == (3, "Địa chỉ")
    assert "Ô B3 dài 10.001 ký tự" in error.message


def test_rows_are_bounded_while_reading() -> None:
    data = ("Mã trạm\n" + "".join(f"HP{i}\n" for i in range(10))).encode()
    with pytest.raises(LimitExceeded) as caught:
        read_table(data, "tram.csv", settings=Settings(max_import_rows=5))
    assert caught.value.status == 413 and caught.value.extra["row"] == 7
    assert len(read_table(data, "tram.csv", settings=Settings(max_import_rows=10)).rows) == 10


def test_a_too_long_cell_through_the_api_is_422_naming_the_cell(client: TestClient) -> None:
    data = ("Mã trạm,Địa chỉ\nHP1," + "y" * 20_000 + "\n").encode()
    body = problem(client.post("/api/imports/stations", files={"file": ("tram.csv", data, "text/csv")}), 422)
    assert body["errors"][0]["row"] == 2 and body["errors"][0]["column"] == "Địa chỉ"
