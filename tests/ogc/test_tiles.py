"""OGC API – Tiles for the sites: the tile at {z}/{y}/{x} is byte for byte the maps' tile at
{z}/{x}/{y} (the same function), with its ETag; the tileset metadata, TileJSON and the tile matrix
set describe what a client (QGIS) needs to ask for them."""

from __future__ import annotations

import math
from typing import Any

import mapbox_vector_tile
import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import problem
from tests.ogc.conftest import LAT0, LON0, SITES, site_code

TILES = "/ogc/collections/sites/tiles/WebMercatorQuad"


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """(column x, row y) of the WebMercatorQuad tile holding (lon, lat) at level z."""
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.mark.parametrize("z", [8, 14])
def test_a_tile_is_the_maps_tile_row_before_column(world: dict[str, Any], anon: TestClient, z: int) -> None:
    x, y = tile_of(LON0 + 0.02, LAT0 + 0.02, z)
    ogc = anon.get(f"{TILES}/{z}/{y}/{x}")
    maps = anon.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
    assert ogc.status_code == maps.status_code == 200
    assert ogc.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert ogc.content == maps.content and len(ogc.content) > 0
    layer = mapbox_vector_tile.decode(ogc.content)["sites"]
    if z == 14:
        assert ogc.headers["x-tile-kind"] == "points"
        codes = {f["properties"]["code"] for f in layer["features"]}
        assert site_code(12) in codes and codes <= {site_code(i) for i in range(SITES)}
    else:
        assert ogc.headers["x-tile-kind"] == "clusters"
        assert sum(f["properties"]["point_count"] for f in layer["features"]) >= SITES
    cached = anon.get(f"{TILES}/{z}/{y}/{x}", headers={"If-None-Match": ogc.headers["etag"]})
    assert cached.status_code == 304


def test_the_maps_filters_apply_to_tiles(world: dict[str, Any], anon: TestClient) -> None:
    x, y = tile_of(LON0 + 0.02, LAT0 + 0.02, 14)
    viettel = anon.get(f"{TILES}/14/{y}/{x}", params={"operator": "VIETTEL"})
    codes = {f["properties"]["code"] for f in mapbox_vector_tile.decode(viettel.content)["sites"]["features"]}
    assert codes and all(int(c.split("-")[1]) % 2 == 0 for c in codes)


def test_tiles_outside_the_matrix_are_404(world: dict[str, Any], anon: TestClient) -> None:
    problem(anon.get(f"{TILES}/3/0/8"), 404)
    problem(anon.get(f"{TILES}/3/8/0"), 404)
    assert anon.get(f"{TILES}/23/0/0").status_code == 422  # beyond the last level: refused by the path's bounds
    problem(anon.get("/ogc/collections/stations/tiles/WebMercatorQuad/1/0/0"), 404)


def test_tileset_metadata_tilejson_and_matrix_set(world: dict[str, Any], anon: TestClient) -> None:
    listed = anon.get("/ogc/collections/sites/tiles").json()["tilesets"]
    assert listed[0]["tileMatrixSetURI"].endswith("/WebMercatorQuad") and listed[0]["dataType"] == "vector"
    meta = anon.get(TILES).json()
    (item,) = [link for link in meta["links"] if link["rel"] == "item"]
    assert item["href"] == "http://testserver" + TILES + "/{tileMatrix}/{tileRow}/{tileCol}" and item["templated"]
    assert meta["layers"][0]["id"] == "sites"
    tilejson = anon.get(TILES, params={"f": "tilejson"}).json()
    assert tilejson["tilejson"] == "3.0.0"
    assert tilejson["tiles"] == ["http://testserver" + TILES + "/{z}/{y}/{x}"]
    assert tilejson["vector_layers"][0]["id"] == "sites"
    west, south, east, north = tilejson["bounds"]
    assert west == pytest.approx(LON0) and south == pytest.approx(LAT0) and east > west and north > south
    tms = anon.get("/ogc/tileMatrixSets/WebMercatorQuad").json()
    assert [m["matrixWidth"] for m in tms["tileMatrices"][:3]] == [1, 2, 4]
    assert tms["tileMatrices"][0]["scaleDenominator"] == pytest.approx(559082264.0287178)
    assert tms["tileMatrices"][0]["pointOfOrigin"] == pytest.approx([-20037508.3427892, 20037508.3427892])
    assert anon.get("/ogc/tileMatrixSets").json()["tileMatrixSets"][0]["id"] == "WebMercatorQuad"
