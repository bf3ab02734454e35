"""Vector tiles: points close up, counted clusters further out, never more than the configured
number of features, the lists' filters, and ETag revalidation that notices any change."""

from __future__ import annotations

import math
from datetime import timedelta

import mapbox_vector_tile
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from registry.settings import Settings
from tests.api.helpers import problem, versioned
from tests.factories import make_permit, make_site, make_station

LON, LAT = 106.70, 20.84


def xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def features(response) -> list[dict]:  # type: ignore[no-untyped-def]
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    return mapbox_vector_tile.decode(response.content).get("sites", {}).get("features", []) if response.content else []


def grid(db: Session, n: int, step: float = 0.0002) -> None:
    for i in range(n):
        site = make_site(db, code=f"TILE-{i:03d}", lon=LON + (i % 10) * step, lat=LAT + (i // 10) * step)
        make_station(db, site=site, operator_code="VIETTEL" if i % 2 else "VNPT")


def test_points_close_up_and_clusters_far_out(anon: TestClient, db: Session) -> None:
    grid(db, 30)
    x, y = xy(LON + 0.0009, LAT + 0.0003, 16)
    close = features(anon.get(f"/tiles/sites/16/{x}/{y}.pbf"))
    codes = {f["properties"]["code"] for f in close}
    assert codes and codes <= {f"TILE-{i:03d}" for i in range(30)}
    props = close[0]["properties"]
    assert set(props) == {"code", "pole_class", "status", "pole_height_m", "stations", "operators"}  # public only
    x, y = xy(LON, LAT, 8)
    far = anon.get(f"/tiles/sites/8/{x}/{y}.pbf")
    assert far.headers["x-tile-kind"] == "clusters"
    clusters = features(far)
    assert sum(f["properties"]["point_count"] for f in clusters) == int(far.headers["x-tile-sites"]) >= 30
    assert any(f["properties"]["cluster"] for f in clusters)


def test_no_tile_carries_more_than_the_limit(anon: TestClient, settings: Settings, db: Session) -> None:
    grid(db, 60, step=0.0004)
    settings.tile_max_features = 16
    x, y = xy(LON + 0.0015, LAT + 0.001, 15)
    response = anon.get(f"/tiles/sites/15/{x}/{y}.pbf")
    tile = features(response)
    assert response.headers["x-tile-kind"] == "clusters" and 0 < len(tile) <= 16
    assert sum(f["properties"]["point_count"] for f in tile) == int(response.headers["x-tile-sites"])
    settings.tile_max_features = 2000
    assert anon.get(f"/tiles/sites/15/{x}/{y}.pbf").headers["x-tile-kind"] == "points"


def test_filters_and_revalidation(anon: TestClient, client: TestClient, db: Session) -> None:
    grid(db, 20)
    x, y = xy(LON + 0.0009, LAT + 0.0002, 15)
    url = f"/tiles/sites/15/{x}/{y}.pbf"
    everything = features(anon.get(url))
    vnpt = features(anon.get(url, params={"operator": "vnpt"}))
    assert 0 < len(vnpt) < len(everything)
    assert all(f["properties"]["operators"] == "VNPT" for f in vnpt)
    first = anon.get(url)
    assert first.headers["cache-control"].startswith("public")
    assert anon.get(url, headers={"If-None-Match": first.headers["etag"]}).status_code == 304
    site_url = "/api/sites/TILE-000"
    assert client.patch(site_url, json={"pole_class": "A1a"}, headers=versioned(client, site_url)).status_code == 200
    again = anon.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert again.status_code == 200, "a change to a site under the tile gives it a new ETag"


def test_bad_tiles_are_refused(anon: TestClient) -> None:
    problem(anon.get("/tiles/sites/3/8/0.pbf"), 422)
    problem(anon.get("/tiles/sites/23/0/0.pbf"), 422)
    problem(anon.get("/tiles/sites/-1/0/0.pbf"), 422)
    problem(anon.get("/tiles/stations/3/0/0.pbf"), 422)
    problem(anon.get("/tiles/sites/3/1/1.pbf", params={"technology": "6G"}), 422)


RANK = {"valid": 0, "expiring": 1, "expired": 2}


def _worst(check: dict) -> str:
    """The site's standing from the permit check's needs (an independent path through Python)."""
    needs = check["required_permits"] + [n for st in check["stations"] for n in st["required_permits"]]
    states = [n["state"] for n in needs]
    return max(states, key=lambda s: RANK.get(s, 3), default="valid") if states else "valid"


def test_staff_see_each_sites_permit_standing(anon: TestClient, client: TestClient, db: Session) -> None:
    from registry.clock import today

    on = today()
    sites = []
    for i in range(5):
        site = make_site(db, code=f"PERMIT-{i}", lon=LON + i * 0.0002, lat=LAT, status="operating")
        make_station(db, site=site, operator_code="VIETTEL")
        sites.append(site)
    check = client.get("/api/sites/PERMIT-0/permit-check").json()
    kinds = [n["accepted_kinds"][0] for n in check["required_permits"]]
    station_kinds = [n["accepted_kinds"][0] for n in check["stations"][0]["required_permits"]]
    assert kinds or station_kinds, "the seeded rules require something of an operating A2a site"
    last_days = {0: 400, 1: 10, 2: -1}  # valid, expiring (within 60 days), expired
    for i, days in last_days.items():
        site = sites[i]
        for j, kind in enumerate(kinds + station_kinds):
            holder = {"site": site} if j < len(kinds) else {"station": site.stations[0]}
            until = on + timedelta(days=days if j == 0 else 400)
            make_permit(db, kind=kind, valid_from=on - timedelta(days=500), valid_until=until, **holder)
    sites[4].status = "dismantled"
    db.flush()
    x, y = xy(LON + 0.0004, LAT, 16)
    url = f"/tiles/sites/16/{x}/{y}.pbf"
    staff = {f["properties"]["code"]: f["properties"] for f in features(client.get(url))}
    assert {code: p["permits"] for code, p in staff.items() if code.startswith("PERMIT-")} == {
        "PERMIT-0": "valid",
        "PERMIT-1": "expiring",
        "PERMIT-2": "expired",
        "PERMIT-3": "missing",
        "PERMIT-4": "inactive",
    }
    for code in ("PERMIT-0", "PERMIT-1", "PERMIT-2", "PERMIT-3"):
        assert staff[code]["permits"] == _worst(client.get(f"/api/sites/{code}/permit-check").json()), code
    public = anon.get(url)
    assert all("permits" not in f["properties"] for f in features(public)), "permit standing is for staff"
    assert client.get(url).headers["cache-control"].startswith("private")
    assert public.headers["etag"] != client.get(url).headers["etag"]
