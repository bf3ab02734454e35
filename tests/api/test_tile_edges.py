"""A cluster or site near a tile's edge is in the neighbouring tile's buffer too, exactly where the
first tile has it, so the page draws its circle whole across the edge; the counts stay the tile's own."""

from __future__ import annotations

import mapbox_vector_tile
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.stations.queries import StationFilter
from registry.stations.tiles import BUFFER, EXTENT, site_tile
from tests.api.test_tiles import LAT, LON, xy
from tests.factories import make_site, make_station


def edge_lon(lon: float, z: int) -> tuple[float, int]:
    """The longitude of the east edge of the zoom-``z`` tile holding ``lon``, and that tile's x."""
    x = int((lon + 180) / 360 * 2**z)
    return (x + 1) / 2**z * 360 - 180, x


def decoded(body: bytes) -> list[tuple[int, float, float]]:
    layer = mapbox_vector_tile.decode(body).get("sites", {"features": []}) if body else {"features": []}
    return sorted((f["properties"].get("point_count", 1), *f["geometry"]["coordinates"]) for f in layer["features"])


def test_an_edge_cluster_is_in_both_tiles(anon: TestClient, db: Session) -> None:
    z = 10
    edge, x = edge_lon(LON, z)
    pixel = 360 / 2**z / 256
    _, y = xy(edge, LAT, z)
    # Twenty sites within two pixels west of the edge: one cluster whose circle crosses it.
    for i in range(20):
        site = make_site(db, code=f"EDGE-{i:02d}", lon=edge - pixel * (0.2 + (i % 5) * 0.35), lat=LAT + i * 1e-5)
        make_station(db, site=site, operator_code="VIETTEL")
    west = anon.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
    east = anon.get(f"/tiles/sites/{z}/{x + 1}/{y}.pbf")
    assert west.headers["X-Tile-Kind"] == east.headers["X-Tile-Kind"] == "clusters"
    assert (west.headers["X-Tile-Sites"], east.headers["X-Tile-Sites"]) == ("20", "0")  # counted once
    [(n_west, x_west, y_west)] = decoded(west.content)
    [(n_east, x_east, y_east)] = decoded(east.content)
    assert n_west == n_east == 20
    assert EXTENT - 3 * EXTENT / 256 < x_west < EXTENT  # inside the west tile, near its east edge
    assert -BUFFER < x_east < 0  # in the east tile's buffer, west of its box
    assert abs((x_west - EXTENT) - x_east) <= 1 and abs(y_west - y_east) <= 1  # the same place
    # The live clustering (any filter) gives the same pair.
    live_west, _, count = site_tile(
        db, StationFilter(), z=z, x=x, y=y, max_features=2000, cluster_below_zoom=13, live=True
    )
    live_east, _, none = site_tile(
        db, StationFilter(), z=z, x=x + 1, y=y, max_features=2000, cluster_below_zoom=13, live=True
    )
    assert (count, none) == (20, 0)
    assert [n for n, _, _ in decoded(live_west)] == [n for n, _, _ in decoded(live_east)] == [20]
    assert abs(decoded(live_east)[0][1] - x_east) <= 1
    # Far from the edge a cluster stays in its own tile only.
    far = make_site(db, code="EDGE-FAR", lon=edge - pixel * 128, lat=LAT)
    make_station(db, site=far, operator_code="VNPT")
    assert [n for n, _, _ in decoded(anon.get(f"/tiles/sites/{z}/{x + 1}/{y}.pbf").content)] == [20]


def test_an_edge_site_is_in_both_point_tiles(anon: TestClient, db: Session) -> None:
    z = 16
    edge, x = edge_lon(LON, z)
    pixel = 360 / 2**z / 256
    _, y = xy(edge, LAT, z)
    site = make_site(db, code="EDGE-DOT", lon=edge + pixel * 3, lat=LAT)
    make_station(db, site=site, operator_code="VIETTEL")
    west = anon.get(f"/tiles/sites/{z}/{x}/{y}.pbf")
    east = anon.get(f"/tiles/sites/{z}/{x + 1}/{y}.pbf")
    assert west.headers["X-Tile-Kind"] == east.headers["X-Tile-Kind"] == "points"
    (_, x_west, _), (_, x_east, _) = decoded(west.content)[0], decoded(east.content)[0]
    assert EXTENT < x_west < EXTENT + BUFFER and 0 < x_east < 4 * EXTENT / 256
    assert abs((x_west - EXTENT) - x_east) <= 1
