"""Tiles and public lists that any cache in front may keep (issue #21): strong ETags that change when
the data under the answer changes and only then, 304 on If-None-Match, Cache-Control public for the
public and private for signed-in users."""

from __future__ import annotations

import math

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.caching import if_none_match
from registry.settings import Settings
from tests.api.helpers import versioned
from tests.factories import make_site, make_station

LON, LAT = 106.70, 20.84


def xy(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    return int((lon + 180) / 360 * n), int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)


def tile_url(z: int, lon: float = LON, lat: float = LAT) -> str:
    x, y = xy(lon, lat, z)
    return f"/tiles/sites/{z}/{x}/{y}.pbf"


def _patch(client: TestClient, code: str, **changes: object) -> None:
    url = f"/api/sites/{code}"
    response = client.patch(url, json=changes, headers=versioned(client, url))
    assert response.status_code == 200, response.text


def test_a_public_tile_is_cacheable_and_revalidated_with_304(anon: TestClient, settings: Settings, db: Session) -> None:
    make_station(db, site=make_site(db, code="CACHE-1", lon=LON, lat=LAT))
    settings.public_max_age_s = 120
    url = tile_url(15)
    first = anon.get(url)
    assert first.status_code == 200 and first.content
    tag = first.headers["etag"]
    assert tag.startswith('"') and not tag.startswith("W/"), "a strong ETag"
    assert first.headers["cache-control"] == "public, max-age=120"
    assert first.headers["vary"] == "Authorization, Cookie"
    for header in (tag, f"W/{tag}", f'"other", {tag}', "*"):
        again = anon.get(url, headers={"If-None-Match": header})
        assert again.status_code == 304 and again.content == b"", header
        assert again.headers["etag"] == tag and again.headers["cache-control"] == "public, max-age=120"
    for hostile in ('"other"', "garbage", "", '"' + "x" * 9000 + '"', tag[:-1], "\x00"):
        assert anon.get(url, headers={"If-None-Match": hostile}).status_code == 200, hostile[:20]


def test_a_tile_etag_changes_with_the_data_under_it_and_only_then(
    anon: TestClient, client: TestClient, db: Session
) -> None:
    make_station(db, site=make_site(db, code="UNDER-1", lon=LON, lat=LAT))
    make_station(db, site=make_site(db, code="FAR-1", lon=LON + 0.05, lat=LAT + 0.05))
    url = tile_url(16)
    first = anon.get(url)
    # A change elsewhere (a site far from this tile: an audit event, which once changed every tag) keeps it.
    _patch(client, "FAR-1", pole_height_m=33.0)
    same = anon.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert same.status_code == 304
    # A change to a site in the tile, in any column the tile shows, gives a new tag and a new body.
    _patch(client, "UNDER-1", pole_height_m=45.0)
    changed = anon.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert changed.status_code == 200 and changed.headers["etag"] != first.headers["etag"]
    assert changed.content != first.content
    # A new site in the tile, then its removal.
    made = client.post("/api/sites", json={"position": {"lon": LON + 0.0003, "lat": LAT + 0.0002}})
    assert made.status_code == 201, made.text
    with_new = anon.get(url)
    assert with_new.headers["etag"] != changed.headers["etag"]
    code = made.json()["id"]
    gone = client.delete(f"/api/sites/{code}", headers=versioned(client, f"/api/sites/{code}"))
    assert gone.status_code == 204, gone.text
    after = anon.get(url)
    assert after.headers["etag"] not in (with_new.headers["etag"], first.headers["etag"])
    assert after.content == changed.content, "the same data draws the same tile"


def test_a_site_just_outside_the_tile_edge_counts_it_drawn_in_the_buffer(anon: TestClient, db: Session) -> None:
    z = 16
    x, y = xy(LON, LAT, z)
    n = 2**z
    east_edge = (x + 1) / n * 360 - 180  # longitude of the tile's east edge
    url = f"/tiles/sites/{z}/{x}/{y}.pbf"
    before = anon.get(url).headers["etag"]
    make_site(db, code="EDGE-1", lon=east_edge + 0.00001, lat=LAT)
    db.flush()
    assert anon.get(url).headers["etag"] != before


def test_a_grid_tile_keeps_its_tag_through_an_edit_its_counts_do_not_see(
    anon: TestClient, client: TestClient, db: Session
) -> None:
    for i in range(3):
        make_station(db, site=make_site(db, code=f"GRID-{i}", lon=LON + i * 0.001, lat=LAT))
    url = tile_url(8)
    first = anon.get(url)
    assert first.headers["x-tile-kind"] == "clusters"
    _patch(client, "GRID-0", address="Số 1 đường Lạch Tray")  # clusters show counts and centres only
    kept = anon.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert kept.status_code == 304
    made = client.post("/api/sites", json={"position": {"lon": LON + 0.01, "lat": LAT + 0.01}})
    assert made.status_code == 201, made.text
    moved = anon.get(url, headers={"If-None-Match": first.headers["etag"]})
    assert moved.status_code == 200 and moved.headers["etag"] != first.headers["etag"]


@pytest.mark.parametrize("params", [{"operator": "Viettel"}, {"q": "tram"}, {"technology": "4G,5G"}])
def test_filters_matched_through_other_records_also_follow_the_audit_trail(
    anon: TestClient, client: TestClient, db: Session, params: dict[str, str]
) -> None:
    make_station(db, site=make_site(db, code="FILTER-1", lon=LON, lat=LAT))
    make_station(db, site=make_site(db, code="FILTER-2", lon=LON + 0.08, lat=LAT))
    url = tile_url(16)
    first = anon.get(url, params=params).headers["etag"]
    _patch(client, "FILTER-2", pole_height_m=21.0)  # far away, but the filter's matches may move
    assert anon.get(url, params=params).headers["etag"] != first


def test_signed_in_users_get_private_tiles_and_lists(client_as, db: Session) -> None:  # type: ignore[no-untyped-def]
    make_station(db, site=make_site(db, code="PRIV-1", lon=LON, lat=LAT))
    officer = client_as("licensing_officer")
    viewer = client_as("viewer")
    for who in (officer, viewer):
        tile = who.get(tile_url(15))
        assert tile.headers["cache-control"] == "private, no-cache"
        listed = who.get("/api/sites", params={"q": "PRIV"})
        assert listed.status_code == 200 and listed.headers["cache-control"] == "private, no-cache"
        assert who.get(tile_url(15), headers={"If-None-Match": tile.headers["etag"]}).status_code == 304


def test_public_lists_carry_a_strong_etag_of_their_body_and_answer_304(
    anon: TestClient, client: TestClient, settings: Settings, db: Session
) -> None:
    make_station(db, site=make_site(db, code="LIST-1", lon=LON, lat=LAT))
    settings.public_max_age_s = 30
    for path, params in (
        ("/api/sites", {"bbox": "106.6,20.8,106.8,20.9"}),
        ("/api/sites/nearest", {"lon": LON, "lat": LAT, "n": 3}),
        ("/api/stations", {}),
        ("/api/organisations", {}),
        ("/api/admin-units", {}),
        ("/api/zones", {}),
        ("/api/procedures", {}),
        ("/api/press/outlets", {}),
        ("/api/reports/dossiers", {"from": "2019-01-01", "to": "2019-12-31"}),
    ):
        first = anon.get(path, params=params)
        assert first.status_code == 200, (path, first.text[:200])
        tag = first.headers.get("etag")
        assert tag and tag.startswith('"'), path
        assert first.headers["cache-control"] == "public, max-age=30", path
        assert first.headers["vary"] == "Authorization, Cookie", path
        again = anon.get(path, params=params, headers={"If-None-Match": tag})
        assert again.status_code == 304 and again.content == b"", path
        assert "content-type" not in again.headers and again.headers["etag"] == tag, path
    before = anon.get("/api/sites", params={"bbox": "106.6,20.8,106.8,20.9"})
    _patch(client, "LIST-1", pole_height_m=12.0)
    after = anon.get(
        "/api/sites", params={"bbox": "106.6,20.8,106.8,20.9"}, headers={"If-None-Match": before.headers["etag"]}
    )
    assert after.status_code == 200 and after.headers["etag"] != before.headers["etag"]


def test_refusals_exports_and_other_methods_are_not_given_list_caching(anon: TestClient, client: TestClient) -> None:
    refused = anon.get("/api/sites", params={"bbox": "1,2,x"})
    assert refused.status_code == 422 and "etag" not in refused.headers
    export = client.get("/api/sites.csv")
    assert export.status_code == 200 and "etag" not in export.headers
    head = anon.head("/api/sites")
    assert head.status_code in (200, 405) and "etag" not in head.headers
    one = client.get("/api/organisations", params={"unknown": "<script>"})
    assert one.status_code == 200 and one.headers["cache-control"] == "private, no-cache"


def test_if_none_match_parsing() -> None:
    assert if_none_match('"a"', '"a"') and if_none_match('W/"a"', '"a"') and if_none_match(' "b" , "a" ', '"a"')
    assert if_none_match("*", '"a"')
    assert not if_none_match(None, '"a"') and not if_none_match("", '"a"') and not if_none_match('"b"', '"a"')
    assert not if_none_match("a", '"a"') and not if_none_match('"a"' + " " * 9000, '"a"')


def test_headers_are_set_on_an_answer_as_starlette_would() -> None:
    """api.security.set_headers (the middlewares' one pass over the answer's headers) against MutableHeaders."""
    from starlette.datastructures import MutableHeaders

    from api.security import set_headers

    given = [(b"content-type", b"application/json"), (b"vary", b"Accept"), (b"etag", b'"x"'), (b"vary", b"Origin")]
    values = {b"etag": b'"y"', b"vary": b"Authorization, Cookie", b"cache-control": b"public, max-age=60"}
    mine = {"type": "http.response.start", "status": 200, "headers": list(given)}
    set_headers(mine, values)
    theirs = {"type": "http.response.start", "status": 200, "headers": list(given)}
    headers = MutableHeaders(scope=theirs)
    for name, value in values.items():
        headers[name.decode()] = value.decode()
    assert mine["headers"] == theirs["headers"]
    bare: dict[str, object] = {"type": "http.response.start", "status": 204}
    set_headers(bare, {b"x-request-id": b"abc"})
    assert bare["headers"] == [(b"x-request-id", b"abc")]
