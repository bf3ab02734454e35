"""Far-out tiles from the grid counts (table site_cell, kept by triggers) are the tiles the live
clustering gives, after inserts, moves, deletes and bulk loads alike."""

from __future__ import annotations

import mapbox_vector_tile
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.stations.queries import StationFilter
from registry.stations.tiles import site_tile
from tests.api.helpers import versioned
from tests.api.test_tiles import xy
from tests.factories import make_random_sites

BOX = (105.5, 20.0, 107.5, 21.5)  # around Hải Phòng and Hà Nội, several tiles wide at zoom 8


def clusters(db: Session, z: int, x: int, y: int, *, live: bool) -> tuple[str, list[tuple[int, int, int]]]:
    body, kind, count = site_tile(
        db, StationFilter(), z=z, x=x, y=y, max_features=2000, cluster_below_zoom=13, live=live
    )
    layer = mapbox_vector_tile.decode(body).get("sites", {"features": []}) if body else {"features": []}
    found = sorted((f["properties"]["point_count"], *f["geometry"]["coordinates"]) for f in layer["features"])
    assert sum(c for c, _, _ in found) == count
    return kind, found


def same(db: Session) -> int:
    """Compare every tile covering BOX at zooms 0-12; the number of sites seen at zoom 0."""
    total = 0
    for z in range(0, 13):
        x0, y0 = xy(BOX[0], BOX[3], z)
        x1, y1 = xy(BOX[2], BOX[1], z)
        for x in range(x0, x1 + 1):
            for y in range(y0, y1 + 1):
                kind, grid = clusters(db, z, x, y, live=False)
                _, live = clusters(db, z, x, y, live=True)
                assert kind == "clusters"
                assert [c for c, _, _ in grid] == [c for c, _, _ in live], (z, x, y)
                # Positions agree to a pixel of the 4096-unit tile (rounding of the mean).
                assert all(abs(a[1] - b[1]) <= 1 and abs(a[2] - b[2]) <= 1 for a, b in zip(grid, live, strict=True))
                if z == 0:
                    total = sum(c for c, _, _ in grid)
    return total


def test_grid_counts_follow_every_change(db: Session, client: TestClient) -> None:
    before = same(db)
    sites = make_random_sites(db, count=300, seed=11, box=BOX)
    assert same(db) == before + 300
    # Move one site across the province through the API, delete a few, bulk-insert some with SQL.
    url = f"/api/sites/{sites[0].code}"
    moved = client.patch(url, json={"position": {"lon": 106.65, "lat": 20.85}}, headers=versioned(client, url))
    assert moved.status_code == 200, moved.text
    db.execute(text("DELETE FROM station WHERE site_id = ANY(:ids)"), {"ids": [s.id for s in sites[1:6]]})
    db.execute(text("DELETE FROM site WHERE id = ANY(:ids)"), {"ids": [s.id for s in sites[1:6]]})
    db.execute(
        text(
            "INSERT INTO site (code, geom, source_crs, source_x, source_y, provenance, status) "
            "SELECT 'BULK-' || g, ST_SetSRID(ST_MakePoint(106 + g * 0.001, 20.5 + g * 0.0007), 4326), 4326, "
            "106 + g * 0.001, 20.5 + g * 0.0007, 'gps', 'operating' FROM generate_series(1, 200) g"
        )
    )
    assert same(db) == before + 300 - 5 + 200
