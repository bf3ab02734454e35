"""What the export routes share: the ``crs`` parameter of GeoPackage files and the streamed download."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Query
from fastapi.responses import StreamingResponse

from registry.clock import today
from registry.geofiles import MEDIA_TYPES


def responses(*formats: str) -> dict[int | str, dict[str, Any]]:
    """The OpenAPI answer of an export route: the file, in the media type of each of ``formats``."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {200: {"description": "Tệp xuất", "content": {MEDIA_TYPES[f]: binary for f in formats}}}


ALL_FORMATS = ("csv", "xlsx", "geojson", "kml", "gpkg")

ExportCrs = Annotated[
    str | None,
    Query(
        max_length=80,
        description="Hệ tọa độ của tệp gpkg: EPSG:4326 (mặc định) hoặc VN-2000 (EPSG:4756, 3405, 3406, "
        "5896–5899, 9205–9218; ví dụ EPSG:9210), chuyển đổi theo tham số EPSG:6960; "
        "csv, xlsx, geojson và kml luôn là WGS 84",
    ),
]


def download(chunks: Iterator[bytes], *, media_type: str, stem: str, extension: str) -> StreamingResponse:
    """The export as an attachment named ``stem-YYYYMMDD.extension``. The first chunk is pulled
    here, so a refusal (bad filter, too many rows) is a problem+json answer, not a broken stream."""
    first = next(chunks, b"")
    return StreamingResponse(
        itertools.chain([first], chunks),
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{stem}-{today():%Y%m%d}.{extension}"'},
    )
