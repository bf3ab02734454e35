"""OGC API – Features Parts 1 and 2 through the test client: landing page, conformance, collections,
paging, one item, who sees which field, datetime, and answers in another CRS checked against
pyproj's own path through the project's VN-2000 parameters."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from api.ogc.landing import CONFORMS_TO
from geo.crs import from_wgs84, to_wgs84
from tests.api.helpers import media_type, problem
from tests.conftest import ClientAs
from tests.ogc.conftest import LAT0, LON0, OLD_COMMUNE, PHONE, SECRET, SITES, STEP, site_code

PUBLIC = {"sites", "stations", "planning_zones", "communes", "press_outlets"}
CRS = "http://www.opengis.net/def/crs/EPSG/0/"


def rel(body: dict[str, Any], name: str) -> list[dict[str, Any]]:
    return [link for link in body["links"] if link["rel"] == name]


def position(i: int) -> tuple[float, float]:
    return LON0 + (i % 5) * STEP, LAT0 + (i // 5) * STEP


def all_pages(client: TestClient, url: str) -> tuple[list[dict[str, Any]], int]:
    """Every feature reached by following ``next`` from ``url``, and how many pages it took."""
    features, pages = [], 0
    next_url: str | None = url
    while next_url is not None:
        body = client.get(next_url).json()
        features += body["features"]
        pages += 1
        assert pages < 50
        found = rel(body, "next")
        next_url = found[0]["href"] if found else None
    return features, pages


def test_landing_page_links_what_a_client_follows(anon: TestClient) -> None:
    response = anon.get("/ogc")
    assert response.status_code == 200 and media_type(response) == "application/json"
    body = response.json()
    assert body["title"] and "OGC API" in body["title"]
    for name in ("self", "service-desc", "conformance", "data"):
        (found,) = rel(body, name)
        assert found["href"].startswith("http://testserver/")
    slashed = anon.get("/ogc/").json()  # OWSLib asks with a trailing /
    assert rel(slashed, "data") == rel(body, "data") and slashed["title"] == body["title"]
    assert anon.get(rel(body, "service-desc")[0]["href"]).json()["paths"]["/ogc/collections/{collection_id}/items"]


def test_conformance_declares_only_what_is_implemented(anon: TestClient) -> None:
    declared = anon.get("/ogc/conformance").json()["conformsTo"]
    assert declared == list(CONFORMS_TO)
    for needed in (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
        "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
        "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
        "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
        "http://www.opengis.net/spec/cql2/1.0/conf/temporal-functions",
        "http://www.opengis.net/spec/ogcapi-tiles-1/1.0/conf/core",
    ):
        assert needed in declared
    assert not any(u.endswith(("/oas30", "/arithmetic", "/array-functions")) for u in declared)


def test_collections_are_those_the_caller_may_read(world: dict[str, Any], client_as: ClientAs) -> None:
    public = client_as().get("/ogc/collections").json()
    assert {c["id"] for c in public["collections"]} == PUBLIC
    staff = client_as("viewer").get("/ogc/collections").json()
    assert {c["id"] for c in staff["collections"]} == PUBLIC | {"cases"}
    sites = next(c for c in public["collections"] if c["id"] == "sites")
    assert sites["itemType"] == "feature" and sites["title"] == "Vị trí cột ăng ten"
    x0, y0, x1, y1 = sites["extent"]["spatial"]["bbox"][0]
    assert (x0, y0) == pytest.approx((LON0, LAT0)) and (x1, y1) == pytest.approx(position(SITES - 1))
    assert CRS + "9210" in sites["crs"] and sites["storageCrs"].endswith("/CRS84")
    (items,) = [link for link in sites["links"] if link["rel"] == "items" and link["type"] == "application/geo+json"]
    assert items["href"] == "http://testserver/ogc/collections/sites/items"
    zones = client_as().get("/ogc/collections/planning_zones").json()
    # Closed, as CQL2 intervals are: the zones' valid_to (2025-01-01) is their first day no longer valid.
    assert zones["extent"]["temporal"]["interval"] == [["2024-01-01", "2024-12-31"]]


def test_items_page_through_next_links_with_counts(world: dict[str, Any], anon: TestClient) -> None:
    first = anon.get("/ogc/collections/sites/items", params={"limit": 10})
    assert first.status_code == 200 and media_type(first) == "application/geo+json"
    body = first.json()
    assert body["numberReturned"] == 10 and body["numberMatched"] == SITES
    assert [f["id"] for f in body["features"]] == [site_code(i) for i in range(10)]
    assert not rel(body, "prev")
    features, pages = all_pages(anon, "/ogc/collections/sites/items?limit=10")
    assert pages == 3 and [f["id"] for f in features] == [site_code(i) for i in range(SITES)]
    last = anon.get("/ogc/collections/sites/items", params={"limit": 10, "offset": 20}).json()
    assert last["numberReturned"] == 5 and last["numberMatched"] == SITES and not rel(last, "next")
    assert "offset=10" in rel(last, "prev")[0]["href"]


def test_numbers_are_numbers_and_the_public_sees_only_public_fields(world: dict[str, Any], client_as: ClientAs) -> None:
    public = client_as().get("/ogc/collections/sites/items/" + site_code(0)).json()
    props = public["properties"]
    assert props["pole_height_m"] == 10.0 and isinstance(props["pole_height_m"], float | int)
    assert props["station_count"] == 1 and props["operators"] == ["Viettel"]
    assert "owner" not in props and "source_x" not in props
    staff = client_as("licensing_officer").get("/ogc/collections/sites/items/" + site_code(0)).json()
    assert staff["properties"]["owner"] == "VNPT" and staff["properties"]["source_crs"] == 4326
    outlets = client_as().get("/ogc/collections/press_outlets/items").text
    assert PHONE not in outlets and "Báo Thử OGC" in outlets
    assert PHONE in client_as("press_manager").get("/ogc/collections/press_outlets/items").text


def test_one_item_and_its_absence(world: dict[str, Any], anon: TestClient) -> None:
    station = anon.get("/ogc/collections/stations/items").json()["features"][3]
    again = anon.get(f"/ogc/collections/stations/items/{station['id']}")
    assert again.status_code == 200 and again.json()["properties"] == station["properties"]
    assert isinstance(station["id"], int) and station["properties"]["commissioning_date"].startswith("2020-")
    for missing in ("/ogc/collections/sites/items/NOPE", "/ogc/collections/stations/items/abc",
                    "/ogc/collections/nothing/items", "/ogc/collections/nothing"):  # fmt: skip
        problem(anon.get(missing), 404)


def test_open_cases_are_for_staff_and_never_carry_the_denouncer(world: dict[str, Any], client_as: ClientAs) -> None:
    anonymous = client_as()
    for path in ("/ogc/collections/cases", "/ogc/collections/cases/items", "/ogc/collections/cases/queryables"):
        refused = anonymous.get(path)
        problem(refused, 401)
        assert refused.headers["www-authenticate"] == "Bearer"
    staff = client_as("inspector")
    body = staff.get("/ogc/collections/cases/items").json()
    assert {f["id"] for f in body["features"]} == {world["denunciation"], world["complaint"]}
    for text in (staff.get("/ogc/collections/cases/items").text,
                 staff.get(f"/ogc/collections/cases/items/{world['denunciation']}?f=html").text,
                 staff.get("/ogc/collections/cases/queryables").text):  # fmt: skip
        assert SECRET not in text and "giữ bí mật" not in text and "không phép" not in text
    problem(staff.get("/ogc/collections/cases/items", params={"filter": "subject LIKE '%'"}), 400)


def test_datetime_selects_records_by_their_days(world: dict[str, Any], anon: TestClient) -> None:
    def ids(collection: str, when: str) -> set[Any]:
        response = anon.get(f"/ogc/collections/{collection}/items", params={"datetime": when, "limit": 1000})
        assert response.status_code == 200, response.text
        return {f["properties"]["code"] if "code" in f["properties"] else f["id"] for f in response.json()["features"]}

    assert ids("planning_zones", "2024-06-30") == {"OGC-Z1"}
    assert ids("planning_zones", "2025-01-01") == set()  # valid_to is exclusive
    assert ids("planning_zones", "2023-01-01/2024-01-01") == {"OGC-Z1"}
    assert ids("planning_zones", "../2023-12-31") == set()
    assert OLD_COMMUNE in ids("communes", "2020-01-01")
    assert OLD_COMMUNE not in ids("communes", "2025-07-01T09:00:00+07:00")
    assert ids("communes", "2020-01-01") == {OLD_COMMUNE}  # the current units start on 1/7/2025
    stations = anon.get("/ogc/collections/stations/items", params={"datetime": "2020-01-01/2020-03-01"}).json()
    assert {f["properties"]["site_code"] for f in stations["features"]} == {site_code(0), site_code(1), site_code(2)}
    problem(anon.get("/ogc/collections/sites/items", params={"datetime": "2024-01-01"}), 400)


@pytest.mark.parametrize("epsg", [9210, 9209, 5897, 3405, 4756])
def test_vn2000_answers_match_pyproj_through_epsg_6960(world: dict[str, Any], anon: TestClient, epsg: int) -> None:
    response = anon.get("/ogc/collections/sites/items", params={"crs": CRS + str(epsg), "limit": 100})
    assert response.status_code == 200
    assert response.headers["content-crs"] == f"<{CRS}{epsg}>"
    for feature in response.json()["features"]:
        i = int(feature["id"].split("-")[1])
        x, y = feature["geometry"]["coordinates"]
        if epsg == 4756:  # geographic: latitude first, as EPSG defines it
            lon, lat = from_wgs84(epsg, *position(i))
            assert (y, x) == pytest.approx((lon, lat), abs=1e-7)
        else:
            east, north = from_wgs84(epsg, *position(i))
            assert abs(x - east) < 0.01 and abs(y - north) < 0.01


def test_epsg_4326_is_latitude_first_and_web_mercator_is_metres(world: dict[str, Any], anon: TestClient) -> None:
    url = "/ogc/collections/sites/items/" + site_code(7)
    lon, lat = position(7)
    lat_first = anon.get(url, params={"crs": CRS + "4326"})
    assert lat_first.json()["geometry"]["coordinates"] == pytest.approx([lat, lon])
    assert lat_first.headers["content-crs"] == f"<{CRS}4326>"
    x, y = anon.get(url, params={"crs": "EPSG:3857"}).json()["geometry"]["coordinates"]
    assert x == pytest.approx(lon * 20037508.342789244 / 180, abs=0.01) and 2.3e6 < y < 2.4e6
    plain = anon.get(url)
    assert plain.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"


def test_bbox_in_crs84_and_in_vn2000_select_the_same_sites(world: dict[str, Any], anon: TestClient) -> None:
    # The middle of the grid: columns 1–3, rows 1–3.
    lo, hi = position(6), position(18)
    pad = STEP / 4
    box = (lo[0] - pad, lo[1] - pad, hi[0] + pad, hi[1] + pad)
    expected = {site_code(r * 5 + c) for r in (1, 2, 3) for c in (1, 2, 3)}

    def codes(**params: Any) -> set[str]:
        response = anon.get("/ogc/collections/sites/items", params=params)
        assert response.status_code == 200, response.text
        return {f["id"] for f in response.json()["features"]}

    assert codes(bbox=",".join(map(str, box))) == expected
    e0, n0 = from_wgs84(9210, box[0], box[1])
    e1, n1 = from_wgs84(9210, box[2], box[3])
    assert codes(bbox=f"{e0},{n0},{e1},{n1}", **{"bbox-crs": CRS + "9210"}) == expected
    assert codes(bbox=f"{box[1]},{box[0]},{box[3]},{box[2]}", **{"bbox-crs": CRS + "4326"}) == expected
    assert to_wgs84(9210, e0, n0) == pytest.approx(box[:2], abs=1e-8)  # the path the bbox took, reversed


def test_statuses_come_with_their_vietnamese_names_for_the_public(world: dict[str, Any], anon: TestClient) -> None:
    """A code the public may read brings its name (``status_name``), as the press outlets' already did;
    the HTML page shows it."""
    for collection in ("sites", "stations"):
        features = anon.get(f"/ogc/collections/{collection}/items", params={"limit": 5}).json()["features"]
        assert features
        for f in features:
            names = {"operating": "đang hoạt động", "planned": "quy hoạch", "under_construction": "đang xây dựng",
                     "suspended": "tạm dừng", "dismantled": "đã tháo dỡ"}  # fmt: skip
            assert f["properties"]["status_name"] == names[f["properties"]["status"]]
        queryables = anon.get(f"/ogc/collections/{collection}/queryables").json()["properties"]
        assert "status_name" in queryables
    page = anon.get("/ogc/collections/sites/items", params={"limit": 5, "f": "html"}).text
    assert "Tên trạng thái" in page


def test_the_extent_follows_a_new_site(world: dict[str, Any], anon: TestClient, db: Any) -> None:
    """Extents are kept between requests (a full scan each), and computed again once the registry changed."""
    from tests.factories import make_site

    def bbox() -> list[float]:
        return anon.get("/ogc/collections/sites").json()["extent"]["spatial"]["bbox"][0]

    before = bbox()
    assert bbox() == before
    make_site(db, code="OGC-FAR", lon=before[2] + 0.5, lat=before[3] + 0.25)
    db.commit()
    after = bbox()
    assert after[:2] == before[:2] and after[2:] == pytest.approx([before[2] + 0.5, before[3] + 0.25])
