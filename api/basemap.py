"""The base map from a local file (TTTT_BASEMAP_FILE): /basemap/{z}/{x}/{y}.{ext} and its TileJSON.

On an intranet or in the field there is no internet base map; the department keeps one file of tiles
for the province and the app serves it itself. Two file formats:

- **MBTiles** is a SQLite schema: a ``metadata`` table of (name, value) pairs (``format``: png, jpg,
  webp or pbf; ``minzoom``, ``maxzoom``, ``attribution``, and for vector tiles ``json`` with
  ``vector_layers``) and a ``tiles`` table (zoom_level, tile_column, tile_row, tile_data). Its rows are
  numbered the TMS way, from the south: ``tile_row = 2**z - 1 - y`` of the XYZ address the map asks for.
  It is read with the standard library's sqlite3, read-only.
- **PMTiles** (version 3) is one file with a header, a directory of tile ids along a Hilbert curve and
  the tiles; it is read with the ``pmtiles`` library over a memory map.

Vector tiles stored gzip-compressed are answered uncompressed. Tiles are public like the vector tiles of
the sites, with an ETag of their content; a tile the file does not hold is a 404 (the map draws nothing
there). The map pages use this base map when the setting is set (``base_tiles``), and show the commune
boundaries instead when no base map answers (maps/static/js/basemap-fallback.js).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import logging
import mmap
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path as FilePath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request, Response
from pmtiles.reader import Reader
from pmtiles.tile import Compression, TileType

from api.access import require
from api.deps import SettingsDep
from api.responses import problems
from registry.errors import FieldError, NotFound, ValidationFailed
from registry.settings import Settings

router = APIRouter(tags=["Bản đồ"], dependencies=[Depends(require("tiles", "read"))])
log = logging.getLogger("tttt.basemap")

MEDIA = {"png": "image/png", "jpg": "image/jpeg", "webp": "image/webp", "pbf": "application/vnd.mapbox-vector-tile"}
PMTILES_TYPES = {TileType.PNG: "png", TileType.JPEG: "jpg", TileType.WEBP: "webp", TileType.MVT: "pbf"}
MAX_ZOOM = 22


@dataclass(frozen=True)
class Archive:
    """What the pages and the route need to know of a base-map file."""

    path: FilePath
    kind: Literal["mbtiles", "pmtiles"]
    ext: str  # png, jpg, webp or pbf
    minzoom: int
    maxzoom: int
    attribution: str
    vector_layers: list[dict[str, Any]] = field(default_factory=list)


_cache: dict[tuple[str, int, int], Archive | None] = {}
_lock = threading.Lock()


def _int(value: object, default: int) -> int:
    try:
        return max(0, min(MAX_ZOOM, int(str(value))))
    except (TypeError, ValueError):
        return default


def _read_mbtiles(path: FilePath) -> Archive:
    with _connect(path) as db:
        meta = dict(db.execute("SELECT name, value FROM metadata").fetchall())
    ext = {"jpeg": "jpg"}.get(str(meta.get("format", "png")).lower(), str(meta.get("format", "png")).lower())
    if ext not in MEDIA:
        raise ValueError(f"unknown MBTiles format {ext!r}")
    layers = json.loads(meta["json"]).get("vector_layers", []) if meta.get("json") else []
    return Archive(path, "mbtiles", ext, _int(meta.get("minzoom"), 0), _int(meta.get("maxzoom"), MAX_ZOOM),
                   str(meta.get("attribution") or ""), layers)  # fmt: skip


def _read_pmtiles(path: FilePath) -> Archive:
    with path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
        reader = Reader(_source(data))
        header = reader.header()
        meta = reader.metadata()
    ext = PMTILES_TYPES.get(header["tile_type"])
    if ext is None:
        raise ValueError(f"unsupported PMTiles tile type {header['tile_type']!r}")
    return Archive(path, "pmtiles", ext, _int(header["min_zoom"], 0), _int(header["max_zoom"], MAX_ZOOM),
                   str(meta.get("attribution") or ""), list(meta.get("vector_layers") or []))  # fmt: skip


def _source(data: mmap.mmap) -> Any:
    """The byte reader ``pmtiles.reader.Reader`` takes, over a map we close ourselves."""
    return lambda offset, length: data[offset : offset + length]


def _connect(path: FilePath) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)


def archive(settings: Settings) -> Archive | None:
    """The configured base-map file, read once per version of the file; None when none is set or it
    cannot be read (logged)."""
    path = settings.basemap_file
    if path is None:
        return None
    try:
        stat = path.stat()
    except OSError:
        log.warning("TTTT_BASEMAP_FILE %s: no such file", path)
        return None
    key = (str(path), stat.st_mtime_ns, stat.st_size)
    with _lock:
        if key in _cache:
            return _cache[key]
    with path.open("rb") as f:
        magic = f.read(16)
    try:
        found: Archive | None = _read_pmtiles(path) if magic.startswith(b"PMTiles") else _read_mbtiles(path)
    except (OSError, ValueError, KeyError, sqlite3.Error, json.JSONDecodeError) as e:
        log.warning("TTTT_BASEMAP_FILE %s cannot be read as MBTiles or PMTiles: %s", path, e)
        found = None
    with _lock:
        _cache.clear()  # one file at a time: an older version's entry is dropped
        _cache[key] = found
    return found


def base_tiles(settings: Settings) -> str | None:
    """The base-map URL template the map pages use: the local file's when one is set (None when it
    cannot be read: the pages then show the commune boundaries), else TTTT_MAP_TILES_URL."""
    if settings.basemap_file is None:
        return settings.map_tiles_url
    found = archive(settings)
    return f"/basemap/{{z}}/{{x}}/{{y}}.{found.ext}" if found else None


def read_tile(found: Archive, z: int, x: int, y: int) -> bytes | None:
    if found.kind == "mbtiles":
        with _connect(found.path) as db:
            row = db.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, 2**z - 1 - y),  # TMS rows count from the south
            ).fetchone()
        body = bytes(row[0]) if row and row[0] is not None else None
    else:
        with found.path.open("rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as data:
            reader = Reader(_source(data))
            tile = reader.get(z, x, y)
            body = bytes(tile) if tile else None
            compressed = reader.header()["tile_compression"] == Compression.GZIP
        if body and compressed and found.ext == "pbf":
            body = gzip.decompress(body)
    if body and found.ext == "pbf" and body[:2] == b"\x1f\x8b":  # MBTiles keeps vector tiles gzipped
        body = gzip.decompress(body)
    return body


def _found(settings: Settings) -> Archive:
    found = archive(settings)
    if found is None:
        raise NotFound("Chưa có bản đồ nền cục bộ (TTTT_BASEMAP_FILE chưa đặt hoặc không đọc được)")
    return found


@router.get(
    "/basemap/tiles.json",
    summary="Bản đồ nền cục bộ: mô tả TileJSON (định dạng, mức thu phóng, nguồn)",
    responses=problems(404),  # no local base map configured
)
def tilejson(settings: SettingsDep) -> dict[str, Any]:
    found = _found(settings)
    return {
        "tilejson": "3.0.0",
        "tiles": [f"/basemap/{{z}}/{{x}}/{{y}}.{found.ext}"],
        "format": found.ext,
        "minzoom": found.minzoom,
        "maxzoom": found.maxzoom,
        "attribution": found.attribution,
        "vector_layers": found.vector_layers,
    }


@router.get(
    "/basemap/{z}/{x}/{y}.{ext}",
    summary="Ô bản đồ nền từ tệp MBTiles/PMTiles cục bộ (TTTT_BASEMAP_FILE); 404 khi tệp không có ô này",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}, 304: {"description": "Không đổi (If-None-Match)"}},
)
def basemap_tile(
    z: Annotated[int, Path(ge=0, le=MAX_ZOOM)],
    x: Annotated[int, Path(ge=0)],
    y: Annotated[int, Path(ge=0)],
    ext: Annotated[str, Path(pattern="^(png|jpg|jpeg|webp|pbf|mvt)$")],
    request: Request,
    settings: SettingsDep,
) -> Response:
    if x >= 2**z or y >= 2**z:
        raise ValidationFailed("Ô không tồn tại", [FieldError(f"x và y phải nhỏ hơn {2**z} ở mức {z}", field="x")])
    found = _found(settings)
    if {"jpeg": "jpg", "mvt": "pbf"}.get(ext, ext) != found.ext:
        raise NotFound(f"Bản đồ nền cục bộ có ô dạng .{found.ext}")
    body = read_tile(found, z, x, y)
    if not body:
        raise NotFound(f"Bản đồ nền không có ô {z}/{x}/{y}")
    tag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": tag, "Cache-Control": "public, max-age=3600, must-revalidate"}
    if tag in (request.headers.get("if-none-match") or ""):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=MEDIA[found.ext], headers=headers)
