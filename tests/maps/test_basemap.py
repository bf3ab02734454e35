"""A local base map (TTTT_BASEMAP_FILE): the app serves an MBTiles or PMTiles file's tiles itself at
/basemap/{z}/{x}/{y}.{ext} and the map pages use them. The files are made here: a few flat-colour PNG
tiles written with pillow into an MBTiles (SQLite, TMS rows) and a PMTiles (the pmtiles writer), and a
vector PMTiles of gzip-compressed MVT."""

from __future__ import annotations

import gzip
import io
import json
import math
import sqlite3
from collections.abc import Iterable
from pathlib import Path

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient
from PIL import Image
from pmtiles.tile import Compression, TileType, zxy_to_tileid
from pmtiles.writer import write

from api.basemap import base_tiles
from registry.settings import Settings
from tests.api.helpers import problem

CENTRE = (106.68, 20.86)  # the map pages open here (maps.widgets.CENTRE)
COLOUR = (214, 0, 214)  # no map page draws this magenta: a pixel of it is a base-map tile


def tile_xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def png(colour: tuple[int, int, int] = COLOUR) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), colour).save(out, format="PNG")
    return out.getvalue()


def around(z: int, reach: int, at: tuple[float, float] = CENTRE) -> Iterable[tuple[int, int, int]]:
    """The tiles of zoom ``z`` within ``reach`` tiles of ``at``."""
    cx, cy = tile_xy(*at, z)
    for x in range(cx - reach, cx + reach + 1):
        for y in range(cy - reach, cy + reach + 1):
            yield z, x, y


def make_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], fmt: str = "png") -> Path:
    """An MBTiles file: ``tiles`` by XYZ address, stored with TMS rows (y flipped)."""
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE metadata (name text, value text);"
        "CREATE TABLE tiles (zoom_level integer, tile_column integer, tile_row integer, tile_data blob);"
        "CREATE UNIQUE INDEX tile_index ON tiles (zoom_level, tile_column, tile_row);"
    )
    zooms = [z for z, _, _ in tiles]
    meta = {"name": "thử", "format": fmt, "minzoom": min(zooms), "maxzoom": max(zooms), "attribution": "<b>Sở</b>"}
    db.executemany("INSERT INTO metadata VALUES (?, ?)", [(k, str(v)) for k, v in meta.items()])
    db.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)", [(z, x, 2**z - 1 - y, data) for (z, x, y), data in tiles.items()]
    )
    db.commit()
    db.close()
    return path


def make_pmtiles(
    path: Path,
    tiles: dict[tuple[int, int, int], bytes],
    *,
    tile_type: TileType = TileType.PNG,
    compression: Compression = Compression.NONE,
    metadata: dict | None = None,
) -> Path:
    zooms = [z for z, _, _ in tiles]
    with write(path) as writer:
        for tile_id, data in sorted((zxy_to_tileid(*k), v) for k, v in tiles.items()):
            writer.write_tile(tile_id, data)
        writer.finalize(
            {
                "tile_type": tile_type,
                "tile_compression": compression,
                "min_lon_e7": int(106.0e7),
                "min_lat_e7": int(20.0e7),
                "max_lon_e7": int(107.5e7),
                "max_lat_e7": int(21.5e7),
                "center_zoom": max(zooms),
                "center_lon_e7": int(CENTRE[0] * 1e7),
                "center_lat_e7": int(CENTRE[1] * 1e7),
            },
            metadata or {"attribution": "© Sở KH&CN"},
        )
    return path


@pytest.fixture
def mbtiles(tmp_path: Path) -> Path:
    tiles = {k: png() for k in around(12, 1)}
    return make_mbtiles(tmp_path / "nen.mbtiles", tiles)


def test_mbtiles_tiles_are_served_with_rows_flipped(anon: TestClient, settings: Settings, mbtiles: Path) -> None:
    settings.basemap_file = mbtiles
    z, x, y = next(iter(around(12, 0)))
    answer = anon.get(f"/basemap/{z}/{x}/{y}.png")
    assert answer.status_code == 200 and answer.headers["content-type"] == "image/png"
    assert Image.open(io.BytesIO(answer.content)).getpixel((128, 128)) == COLOUR
    assert "public" in answer.headers["cache-control"]
    again = anon.get(f"/basemap/{z}/{x}/{y}.png", headers={"If-None-Match": answer.headers["etag"]})
    assert again.status_code == 304 and not again.content
    # The file keeps TMS rows: the XYZ row read the other way round is not in it.
    assert problem(anon.get(f"/basemap/{z}/{x}/{2**z - 1 - y}.png"), 404)["detail"].startswith("Bản đồ nền không có ô")
    assert problem(anon.get(f"/basemap/{z}/{x}/{y}.pbf"), 404)["detail"] == "Bản đồ nền cục bộ có ô dạng .png"
    info = anon.get("/basemap/tiles.json").json()
    assert info["tiles"] == ["/basemap/{z}/{x}/{y}.png"] and (info["minzoom"], info["maxzoom"]) == (12, 12)
    assert info["attribution"] == "<b>Sở</b>"  # stored text; the page writes it escaped
    # Bounded addresses, refused as the rest of the API refuses.
    assert problem(anon.get("/basemap/3/8/0.png"), 422)
    assert anon.get("/basemap/23/0/0.png").status_code == 422
    assert anon.get("/basemap/-1/0/0.png").status_code == 422
    assert anon.get("/basemap/1/0/0.gif").status_code in (404, 422)


def test_pmtiles_raster_and_vector(anon: TestClient, settings: Settings, tmp_path: Path) -> None:
    tiles = {k: png((0, 90, 200)) for k in around(11, 1)}
    settings.basemap_file = make_pmtiles(tmp_path / "nen.pmtiles", tiles)
    z, x, y = next(iter(around(11, 0)))
    answer = anon.get(f"/basemap/{z}/{x}/{y}.png")
    assert answer.status_code == 200 and answer.content == tiles[(z, x, y)]
    assert problem(anon.get(f"/basemap/{z}/{x + 5}/{y}.png"), 404)
    assert anon.get("/basemap/tiles.json").json()["attribution"] == "© Sở KH&CN"
    # Vector tiles stored gzipped are answered as plain MVT.
    mvt = mapbox_vector_tile.encode(
        [
            {
                "name": "water",
                "features": [{"geometry": "POLYGON ((0 0, 0 4096, 4096 4096, 4096 0, 0 0))", "properties": {}}],
            }
        ]
    )
    vector = make_pmtiles(
        tmp_path / "vector.pmtiles",
        {(z, x, y): gzip.compress(mvt)},
        tile_type=TileType.MVT,
        compression=Compression.GZIP,
        metadata={"vector_layers": [{"id": "water", "fields": {}}]},
    )
    settings.basemap_file = vector
    answer = anon.get(f"/basemap/{z}/{x}/{y}.pbf")
    assert answer.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert list(mapbox_vector_tile.decode(answer.content)) == ["water"]
    assert anon.get("/basemap/tiles.json").json()["vector_layers"] == [{"id": "water", "fields": {}}]
    assert base_tiles(settings) == "/basemap/{z}/{x}/{y}.pbf"
    assert "/basemap/{z}/{x}/{y}.pbf" in anon.get("/maps/stations").text


def test_the_pages_use_the_local_file(anon: TestClient, settings: Settings, mbtiles: Path, tmp_path: Path) -> None:
    settings.map_tiles_url = "https://tile.example.org/{z}/{x}/{y}.png"
    settings.basemap_file = mbtiles
    for path in ("/maps/stations", "/maps/press"):
        page = anon.get(path).text
        assert "/basemap/{z}/{x}/{y}.png" in page and "tile.example.org" not in page
        assert "/static/js/basemap-fallback.js" in page and "Không có bản đồ nền: hiển thị ranh giới xã, phường" in page
    # Not set: the URL setting; a file that cannot be read: no base map (the communes are shown), 404.
    settings.basemap_file = None
    assert "tile.example.org" in anon.get("/maps/stations").text
    broken = tmp_path / "broken.mbtiles"
    broken.write_text("không phải SQLite")
    settings.basemap_file = broken
    assert base_tiles(settings) is None
    assert '"tiles":null' in anon.get("/maps/stations").text
    assert problem(anon.get("/basemap/tiles.json"), 404)["detail"].startswith("Chưa có bản đồ nền cục bộ")
    settings.basemap_file = tmp_path / "missing.pmtiles"
    assert problem(anon.get("/basemap/12/0/0.png"), 404)


def test_the_setting_from_the_environment(monkeypatch: pytest.MonkeyPatch, mbtiles: Path) -> None:
    monkeypatch.setenv("TTTT_BASEMAP_FILE", str(mbtiles))
    assert Settings().basemap_file == mbtiles
    monkeypatch.setenv("TTTT_BASEMAP_FILE", "")
    assert Settings().basemap_file is None
    monkeypatch.delenv("TTTT_BASEMAP_FILE")
    assert Settings().basemap_file is None
    assert "basemap_file" in json.dumps(Settings.model_json_schema())


def test_commune_boundaries_can_be_simplified(anon: TestClient) -> None:
    def vertices(answer) -> tuple[list[str], int]:  # type: ignore[no-untyped-def]
        assert answer.status_code == 200, answer.text
        features = answer.json()["features"]
        return [f["properties"]["code"] for f in features], len(json.dumps([f["geometry"] for f in features]))

    url = "/api/admin-units?level=commune&geometry=true"
    codes, full = vertices(anon.get(url))
    same, fine = vertices(anon.get(url + "&simplify=0"))
    coarse_codes, coarse = vertices(anon.get(url + "&simplify=2000"))
    assert codes and codes == same == coarse_codes and fine == full
    assert coarse < full  # the same communes in fewer vertices
    for bad in ("-1", "5001", "nan", "x"):
        assert anon.get(url + "&simplify=" + bad).status_code == 422
