"""Far-out tiles from the grid counts (table site_cell, kept by triggers) are the tiles the live
clustering gives, for every filter the counts answer, after inserts, moves, deletes, station changes
and bulk loads alike."""

from __future__ import annotations

import mapbox_vector_tile
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.stations.queries import StationFilter
from registry.stations.tiles import EXTENT, grid_key, site_tile
from tests.api.helpers import versioned
from tests.api.test_tiles import xy
from tests.factories import make_random_sites, make_station

BOX = (105.5, 20.0, 107.5, 21.5)  # around Hải Phòng and Hà Nội, several tiles wide at zoom 8
FILTERS = [
    StationFilter(),
    StationFilter(operators=["viettel"]),
    StationFilter(operators=["VNPT"]),
    StationFilter(technologies=["5G"]),
    StationFilter(statuses=["operating"]),
]


def clusters(
    db: Session, f: StationFilter, z: int, x: int, y: int, *, live: bool
) -> tuple[list[tuple[int, int, int]], int]:
    body, kind, count = site_tile(db, f, z=z, x=x, y=y, max_features=2000, cluster_below_zoom=13, live=live)
    assert kind == "clusters"
    layer = mapbox_vector_tile.decode(body).get("sites", {"features": []}) if body else {"features": []}
    found = sorted((f["properties"]["point_count"], *f["geometry"]["coordinates"]) for f in layer["features"])
    # The buffer holds the neighbours' clusters near the edge; the count is of the tile's own, those in
    # the box (give or take the rounding to a tile unit of a centroid on the edge).
    assert count == sum(c for c, x, y in found if 0 <= x < EXTENT and 0 <= y < EXTENT) or (
        sum(c for c, x, y in found if 1 < x < EXTENT - 1 and 1 < y < EXTENT - 1)
        <= count
        <= sum(c for c, x, y in found if -1 <= x <= EXTENT + 1 and -1 <= y <= EXTENT + 1)
    )
    return found, count


def same(db: Session, f: StationFilter, zooms: range = range(0, 13)) -> int:
    """Compare every tile covering BOX at ``zooms``; the number of sites seen at the first zoom."""
    assert grid_key(db, f) is not None, f
    first = None
    for z in zooms:
        x0, y0 = xy(BOX[0], BOX[3], z)
        x1, y1 = xy(BOX[2], BOX[1], z)
        seen = 0
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                grid, count = clusters(db, f, z, x, y, live=False)
                live, live_count = clusters(db, f, z, x, y, live=True)
                assert count == live_count, (f, z, x, y)
                assert [c for c, _, _ in grid] == [c for c, _, _ in live], (f, z, x, y)
                # Positions agree to a pixel of the 4096-unit tile (rounding of the mean).
                assert all(abs(a[1] - b[1]) <= 1 and abs(a[2] - b[2]) <= 1 for a, b in zip(grid, live, strict=True))
                seen += count
        first = seen if first is None else first
    return first or 0


def test_grid_counts_follow_every_change(db: Session, client: TestClient) -> None:
    before = same(db, StationFilter(), range(0, 1))
    sites = make_random_sites(db, count=300, seed=11, box=BOX, operators=["VIETTEL", "VNPT", "MOBIFONE"])
    assert same(db, StationFilter(), range(0, 13)) == before + 300
    for f in FILTERS[1:]:
        same(db, f, range(4, 11))
    # Move a site through the API, delete a few, change stations, bulk-insert sites with SQL.
    url = f"/api/sites/{sites[0].code}"
    moved = client.patch(url, json={"position": {"lon": 106.65, "lat": 20.85}}, headers=versioned(client, url))
    assert moved.status_code == 200, moved.text
    gone = [s.id for s in sites[1:6]]
    db.execute(text("DELETE FROM station WHERE site_id = ANY(:ids)"), {"ids": gone})
    db.execute(text("DELETE FROM site WHERE id = ANY(:ids)"), {"ids": gone})
    make_station(db, site=sites[10], operator_code="VIETTEL", technologies=["4G", "5G"])
    db.execute(text("UPDATE station SET technologies = '{5G}' WHERE site_id = ANY(:ids)"), {"ids": [sites[11].id]})
    db.execute(text("DELETE FROM station WHERE site_id = :id"), {"id": sites[12].id})
    db.execute(text("UPDATE site SET status = 'dismantled' WHERE id = :id"), {"id": sites[13].id})
    db.execute(
        text(
            "INSERT INTO site (code, geom, source_crs, source_x, source_y, provenance, status) "
            "SELECT 'BULK-' || g, ST_SetSRID(ST_MakePoint(106 + g * 0.001, 20.5 + g * 0.0007), 4326), 4326, "
            "106 + g * 0.001, 20.5 + g * 0.0007, 'gps', 'operating' FROM generate_series(1, 200) g"
        )
    )
    assert same(db, StationFilter(), range(0, 13)) == before + 300 - 5 + 200
    for f in FILTERS[1:]:
        same(db, f, range(4, 11))
    assert grid_key(db, StationFilter(operators=["viettel"], technologies=["5G"])) is None  # two filters: live


def test_map_keys_follow_the_stations(db: Session) -> None:
    site = make_random_sites(db, count=1, seed=3, box=BOX, operators=["VNPT"])[0]
    station = make_station(db, site=site, operator_code="VIETTEL", technologies=["5G"])
    keys = db.execute(text("SELECT map_keys FROM site WHERE id = :id"), {"id": site.id}).scalar_one()
    operators = dict(db.execute(text("SELECT code, id FROM organisation WHERE code IN ('VNPT', 'VIETTEL')")).all())
    assert f"o:{operators['VIETTEL']}" in keys and f"o:{operators['VNPT']}" in keys and "t:5G" in keys
    db.execute(text("DELETE FROM station WHERE id = :id"), {"id": station.id})
    keys = db.execute(text("SELECT map_keys FROM site WHERE id = :id"), {"id": site.id}).scalar_one()
    assert f"o:{operators['VIETTEL']}" not in keys and f"o:{operators['VNPT']}" in keys
