"""Sites through the API: the GeoJSON list, paging, every filter, one site, create/patch/delete."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import pyproj
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.admin_units.models import AdminUnit
from registry.settings import Settings
from registry.stations.models import Site
from registry.text import fold
from tests.api.helpers import (
    assert_names_field,
    codes,
    collection,
    communes,
    geod_m,
    link,
    problem,
    versioned,
    walk,
)
from tests.factories import make_random_sites, make_site, make_station

TM3_HAIPHONG = pyproj.CRS(
    "+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 "
    "+towgs84=-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278 "
    "+units=m +no_defs"
)
TM3_TO_WGS84 = pyproj.Transformer.from_crs(TM3_HAIPHONG, "EPSG:4326", always_xy=True)
WGS84_TO_TM3 = pyproj.Transformer.from_crs("EPSG:4326", TM3_HAIPHONG, always_xy=True)


def stored_lon_lat(db: Session, code: str) -> tuple[float, float]:
    lon, lat = db.execute(select(func.ST_X(Site.geom), func.ST_Y(Site.geom)).where(Site.code == code)).one()
    return float(lon), float(lat)


def sites(client: TestClient, **params: Any) -> list[str]:
    body = collection(client.get("/api/sites", params={"limit": 1000, **params}))
    assert body["numberMatched"] == len(body["features"])
    return sorted(codes(body))


# --- the list ------------------------------------------------------------------------------------


def test_list_is_a_geojson_feature_collection(client: TestClient, db: Session) -> None:
    a = make_site(db, code="LS-1", lon=106.68, lat=20.86, address="Số 1 Trần Phú")
    make_station(db, site=a, operator_code="VIETTEL", technologies=["4G", "2G"])
    make_station(db, site=a, operator_code="MOBIFONE", technologies=["5G"])
    make_site(db, code="LS-2", lon=106.70, lat=20.85)

    response = client.get("/api/sites")
    body = collection(response)
    assert body["numberMatched"] == 2 and body["numberReturned"] == 2
    assert codes(body) == ["LS-1", "LS-2"]
    first = body["features"][0]
    assert first["geometry"]["coordinates"] == pytest.approx([106.68, 20.86], abs=1e-7)
    props = first["properties"]
    assert props["code"] == "LS-1"
    assert props["address"] == "Số 1 Trần Phú"
    assert props["station_count"] == 2
    assert sorted(props["operators"]) == ["MobiFone", "Viettel"]
    assert props["technologies"] == ["2G", "4G", "5G"]
    assert props["distance_m"] is None
    rels = {lk["rel"] for lk in body["links"]}
    assert rels == {"self"}, "no next (or prev) link when everything fits on one page"


def test_empty_list_is_still_a_collection(client: TestClient) -> None:
    body = collection(client.get("/api/sites", params={"q": "không có gì như thế này"}))
    assert body["features"] == [] and body["numberMatched"] == 0 and link(body, "next") is None


def test_default_page_size_and_next_link(client: TestClient, db: Session, settings: Settings) -> None:
    make_random_sites(db, count=settings.default_page_size + 5, seed=11)
    body = collection(client.get("/api/sites"))
    assert body["numberReturned"] == settings.default_page_size
    assert body["numberMatched"] == settings.default_page_size + 5
    href = link(body, "next")
    assert href is not None and f"offset={settings.default_page_size}" in href
    last = collection(client.get(href))
    assert last["numberReturned"] == 5
    assert link(last, "next") is None
    assert link(last, "prev") is not None


def test_following_next_links_yields_every_site_exactly_once(client: TestClient, db: Session) -> None:
    made = make_random_sites(db, count=23, seed=12)
    features, pages = walk(client, "/api/sites", {"limit": 5})
    assert pages == 5
    got = [f["id"] for f in features]
    assert len(got) == len(set(got)) == 23
    assert set(got) == {s.code for s in made}
    assert got == sorted(got), "pages are in a stable order (by code)"


def test_paging_keeps_filters_and_distance_order(client: TestClient, db: Session) -> None:
    made = make_random_sites(db, count=40, seed=13, operators=["VIETTEL", "VNPT"])
    viettel = {s.code for s in made if s.stations[0].operator.code == "VIETTEL"}
    assert 5 < len(viettel) < 40
    params = {"limit": 4, "operator": "viettel", "near": "106.68,20.85"}
    features, pages = walk(client, "/api/sites", params)
    got = [f["id"] for f in features]
    assert len(got) == len(set(got)) and set(got) == viettel
    assert pages == -(-len(viettel) // 4)
    distances = [f["properties"]["distance_m"] for f in features]
    assert distances == sorted(distances)


def test_next_links_keep_repeated_parameters(client: TestClient, db: Session) -> None:
    made = make_random_sites(db, count=30, seed=15, operators=["VIETTEL", "VNPT", "MOBIFONE"])
    wanted = {s.code for s in made if s.stations[0].operator.code in ("VIETTEL", "MOBIFONE")}
    features, _ = walk(client, "/api/sites", {"limit": 3, "operator": ["viettel", "mobifone"]})
    assert [f["id"] for f in features] == sorted(wanted)


def test_exact_multiple_of_the_page_size_has_no_empty_last_page(client: TestClient, db: Session) -> None:
    make_random_sites(db, count=10, seed=14)
    first = collection(client.get("/api/sites", params={"limit": 5}))
    second = collection(client.get(link(first, "next")))  # type: ignore[arg-type]
    assert second["numberReturned"] == 5
    assert link(second, "next") is None


def test_limit_above_the_maximum_is_refused(client: TestClient, settings: Settings) -> None:
    body = problem(client.get("/api/sites", params={"limit": settings.max_page_size + 1}), 400)
    assert_names_field(body, "limit")


def test_limit_at_the_maximum_is_accepted(client: TestClient, settings: Settings) -> None:
    collection(client.get("/api/sites", params={"limit": settings.max_page_size}))


@pytest.mark.parametrize("value", ["0", "-3", "abc"])
def test_bad_limit_is_refused(client: TestClient, value: str) -> None:
    assert_names_field(problem(client.get("/api/sites", params={"limit": value}), 422), "limit")


# --- filters -------------------------------------------------------------------------------------


@pytest.fixture
def operators_data(db: Session) -> dict[str, Site]:
    """One site per operator, one shared by two operators, one without stations."""
    out = {}
    for i, code in enumerate(["VIETTEL", "VNPT", "MOBIFONE", "VIETNAMOBILE"]):
        out[code] = make_site(db, code=f"OP-{code}", lon=106.62 + i * 0.01, lat=20.83)
        make_station(db, site=out[code], operator_code=code)
    out["shared"] = make_site(db, code="OP-SHARED", lon=106.70, lat=20.83)
    make_station(db, site=out["shared"], operator_code="MOBIFONE")
    make_station(db, site=out["shared"], operator_code="VNPT")
    out["empty"] = make_site(db, code="OP-EMPTY", lon=106.72, lat=20.83)
    return out


@pytest.mark.parametrize(
    "value",
    [
        "MOBIFONE",
        "mobifone",
        "MobiFone",
        "MBF",
        "Tổng công ty Viễn thông MobiFone",
        "tong cong ty vien thong mobifone",
        "TỔNG CÔNG TY VIỄN THÔNG MOBIFONE",
    ],
)
def test_operator_by_code_name_or_alias(client: TestClient, operators_data: dict[str, Site], value: str) -> None:
    assert sites(client, operator=value) == ["OP-MOBIFONE", "OP-SHARED"]


@pytest.mark.parametrize("value", ["VinaPhone", "vinaphone", "VNPT", "vnpt", "Tập đoàn Bưu chính Viễn thông Việt Nam"])
def test_operator_vnpt_by_alias(client: TestClient, operators_data: dict[str, Site], value: str) -> None:
    assert sites(client, operator=value) == ["OP-SHARED", "OP-VNPT"]


def test_several_operators_mean_any_of_them(client: TestClient, operators_data: dict[str, Site]) -> None:
    expected = ["OP-SHARED", "OP-VIETNAMOBILE", "OP-VIETTEL"]
    assert sites(client, operator="viettel,Vietnamobile,mbf-none") == ["OP-VIETNAMOBILE", "OP-VIETTEL"]
    assert sites(client, operator=["viettel", "vietnamobile", "mobifone"]) == sorted(expected + ["OP-MOBIFONE"])


def test_unknown_operator_matches_nothing(client: TestClient, operators_data: dict[str, Site]) -> None:
    assert sites(client, operator="Không có nhà mạng này") == []


def test_technology_filter_needs_one_station_with_all(client: TestClient, db: Session) -> None:
    split = make_site(db, code="TE-SPLIT", lon=106.63, lat=20.84)
    make_station(db, site=split, technologies=["4G"], operator_code="VIETTEL")
    make_station(db, site=split, technologies=["5G"], operator_code="VNPT")
    both = make_site(db, code="TE-BOTH", lon=106.64, lat=20.84)
    make_station(db, site=both, technologies=["2G", "4G", "5G"])
    only4 = make_site(db, code="TE-4G", lon=106.65, lat=20.84)
    make_station(db, site=only4, technologies=["4G"])
    make_site(db, code="TE-NONE", lon=106.66, lat=20.84)

    assert sites(client, technology="4G,5G") == ["TE-BOTH"]
    assert sites(client, technology=["4g", "5g"]) == ["TE-BOTH"]
    assert sites(client, technology="4G") == ["TE-4G", "TE-BOTH", "TE-SPLIT"]
    assert sites(client, technology="5G") == ["TE-BOTH", "TE-SPLIT"]
    # Operator and technology apply to the same station: VNPT has 5G here, Viettel has not.
    assert sites(client, technology="5G", operator="VIETTEL") == ["TE-BOTH"]
    assert sites(client, technology="5G", operator="VNPT") == ["TE-SPLIT"]


def test_pole_class_and_status_filters(client: TestClient, db: Session) -> None:
    make_site(db, code="PC-A1A", lon=106.63, lat=20.85, pole_class="A1a")
    make_site(db, code="PC-A2B", lon=106.64, lat=20.85, pole_class="A2b", status="planned")
    make_site(db, code="PC-A2C", lon=106.65, lat=20.85, pole_class="A2c", status="dismantled")
    make_site(db, code="PC-NONE", lon=106.66, lat=20.85, pole_class=None)

    assert sites(client, pole_class="A1a") == ["PC-A1A"]
    assert sites(client, pole_class="a2b") == ["PC-A2B"]
    assert sites(client, pole_class="A1a,A2c") == ["PC-A1A", "PC-A2C"]
    assert sites(client, status="planned") == ["PC-A2B"]
    assert sites(client, status="operating") == ["PC-A1A", "PC-NONE"]
    assert sites(client, status="planned,dismantled", pole_class="A2c") == ["PC-A2C"]


def test_q_searches_code_and_address_with_or_without_diacritics(client: TestClient, db: Session) -> None:
    make_site(db, code="QQ-1", lon=106.63, lat=20.86, address="Số 5 Lạch Tray, phường Gia Viên")
    make_site(db, code="QQ-2", lon=106.64, lat=20.86, address="Đường Trần Phú")
    make_site(db, code="QQ-3", lon=106.65, lat=20.86, address="Ngõ 100% hẹp_nhất")
    other = make_site(db, code="XX-9", lon=106.66, lat=20.86, address="Cát Bà")
    make_station(db, site=other, station_code="HPG-LACH-77")

    for q in ("lach tray", "Lạch Tray", "LẠCH TRAY", "so 5 lach", "  lach   tray  "):
        assert sites(client, q=q) == ["QQ-1"], q
    for q in ("duong tran phu", "ĐƯỜNG TRẦN PHÚ", "đường"):
        assert sites(client, q=q) == ["QQ-2"], q
    assert sites(client, q="qq-") == ["QQ-1", "QQ-2", "QQ-3"]
    assert sites(client, q="hpg-lach") == ["XX-9"], "a station code finds its site"
    assert sites(client, q="lach") == ["QQ-1", "XX-9"]
    # LIKE wildcards are literal characters.
    assert sites(client, q="%") == ["QQ-3"]
    assert sites(client, q="_") == ["QQ-3"]


def pick_commune() -> tuple[dict[str, Any], Any]:
    """An urban ward whose name carries diacritics, with a point inside it and inside no other commune."""
    features = communes()
    shapes = [(f, shape(f["geometry"])) for f in features]
    for f, shp in sorted(shapes, key=lambda fs: (fs[0]["properties"].get("kind") != "phuong", -fs[1].area)):
        name = f["properties"]["name"]
        if fold(name) == name.lower() or not shp.is_valid:
            continue
        pt = shp.representative_point()
        if sum(1 for _, other in shapes if other.intersects(pt)) == 1:
            return f, pt
    raise AssertionError("no commune with diacritics and a point of its own in communes.geojson")


def test_admin_unit_by_name_with_or_without_diacritics_and_by_code(client: TestClient, db: Session) -> None:
    commune, pt = pick_commune()
    name, code = commune["properties"]["name"], str(commune["properties"]["code"])
    unit_id = db.scalar(select(AdminUnit.id).where(AdminUnit.code == code, AdminUnit.level == "commune"))
    assert unit_id is not None
    make_site(db, code="AU-IN", lon=pt.x, lat=pt.y)
    # Far from the chosen commune (and outside every commune when it is in the sea).
    outside = make_site(db, code="AU-OUT", lon=105.0, lat=19.0)
    assert outside.admin_unit_id != unit_id
    assert db.scalar(select(Site.admin_unit_id).where(Site.code == "AU-IN")) == unit_id

    bare = re.sub(r"^(phường|xã|đặc khu|thị trấn)\s+", "", name, flags=re.IGNORECASE)
    variants = [name, fold(name), name.upper(), bare, fold(bare), code, unicodedata.normalize("NFD", name)]
    for value in variants:
        assert sites(client, admin_unit=value) == ["AU-IN"], value
    assert sites(client, admin_unit="Không có phường này") == []
    body = collection(client.get("/api/sites", params={"admin_unit": code}))
    assert body["features"][0]["properties"]["commune"] == name
    assert body["features"][0]["properties"]["commune_code"] == code


KIND_WORDS = {"phuong": "Phường", "xa": "Xã", "dac_khu": "Đặc khu", "thi_tran": "Thị trấn"}


def test_admin_unit_with_its_kind_word(client: TestClient, db: Session) -> None:
    """Users write "Phường Gia Viên" or "phuong gia vien"; the importer's CommuneIndex accepts both
    forms for the same unit, and so must the filter."""
    commune, pt = pick_commune()
    props = commune["properties"]
    make_site(db, code="AU-KIND", lon=pt.x, lat=pt.y)
    word = KIND_WORDS[props["kind"]]
    name = props["name"]
    # Add the word unless the stored name already carries it.
    full = name if fold(name).startswith(fold(word)) else f"{word} {name}"
    for value in (full, fold(full), full.upper()):
        assert sites(client, admin_unit=value) == ["AU-KIND"], value


def test_combined_commune_operator_technology(client: TestClient, db: Session) -> None:
    commune, pt = pick_commune()
    here = make_site(db, code="CB-1", lon=pt.x, lat=pt.y)
    make_station(db, site=here, operator_code="MOBIFONE", technologies=["4G", "5G"])
    also_here = make_site(db, code="CB-2", lon=pt.x + 0.0002, lat=pt.y)
    make_station(db, site=also_here, operator_code="MOBIFONE", technologies=["4G"])
    away = make_site(db, code="CB-3", lon=105.0, lat=19.0)
    make_station(db, site=away, operator_code="MOBIFONE", technologies=["5G"])
    if db.scalar(select(Site.admin_unit_id).where(Site.code == "CB-2")) != db.scalar(
        select(Site.admin_unit_id).where(Site.code == "CB-1")
    ):
        pytest.fail("test set-up: CB-2 should lie in the same commune as CB-1")
    got = sites(client, admin_unit=fold(commune["properties"]["name"]), operator="mobifone", technology="5G")
    assert got == ["CB-1"]


def test_bbox_filter_matches_an_independent_check(client: TestClient, db: Session) -> None:
    made = make_random_sites(db, count=60, seed=21)
    box = (106.64, 20.82, 106.70, 20.87)
    expected = sorted(s.code for s in made if box[0] <= s.source_x <= box[2] and box[1] <= s.source_y <= box[3])
    assert 0 < len(expected) < 60
    assert sites(client, bbox=",".join(map(str, box))) == expected


def test_within_polygon_matches_shapely(client: TestClient, db: Session) -> None:
    import json

    from shapely.geometry import Point

    made = make_random_sites(db, count=80, seed=22)
    polygon = {
        "type": "Polygon",
        "coordinates": [
            [
                [106.62, 20.81],
                [106.73, 20.83],
                [106.69, 20.89],
                [106.66, 20.84],
                [106.62, 20.88],
                [106.62, 20.81],
            ]
        ],
    }
    shp = shape(polygon)
    expected = sorted(s.code for s in made if shp.contains(Point(s.source_x, s.source_y)))
    assert 0 < len(expected) < 80
    assert sites(client, within=json.dumps(polygon)) == expected
    feature = {"type": "Feature", "properties": {}, "geometry": polygon}
    assert sites(client, within=json.dumps(feature)) == expected


def test_near_without_radius_orders_everything_by_distance(client: TestClient, db: Session) -> None:
    made = make_random_sites(db, count=30, seed=23)
    lon, lat = 106.70, 20.83
    expected = sorted(made, key=lambda s: geod_m(lon, lat, s.source_x, s.source_y))
    body = collection(client.get("/api/sites", params={"near": f"{lon},{lat}", "limit": 10}))
    assert body["numberMatched"] == 30
    assert codes(body) == [s.code for s in expected[:10]]
    for f, s in zip(body["features"], expected, strict=False):
        assert f["properties"]["distance_m"] == pytest.approx(geod_m(lon, lat, s.source_x, s.source_y), abs=0.01)


# --- one site ------------------------------------------------------------------------------------


def test_get_one_site_with_stations_and_sectors(client: TestClient, db: Session) -> None:
    site = make_site(
        db,
        code="HP-77777",
        lon=106.6812345,
        lat=20.8612345,
        address="Số 7 Điện Biên Phủ",
        pole_class="A1b",
        pole_height_m=6.0,
        building_height_m=21.5,
    )
    st = make_station(
        db,
        site=site,
        operator_code="VIETTEL",
        station_code="HPG7777",
        technologies=["4G", "5G"],
        bands=["1800", "n78"],
        sectors=[(0, 4, 1000), (120, 4, 1000), (240, 6, 800)],
    )
    make_station(db, site=site, operator_code="VNPT", station_code="HP_VNP_7777", technologies=["3G"])

    response = client.get("/api/sites/HP-77777")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "Feature" and body["id"] == "HP-77777"
    assert body["geometry"] == {"type": "Point", "coordinates": [106.6812345, 20.8612345]}
    props = body["properties"]
    assert props["address"] == "Số 7 Điện Biên Phủ"
    assert props["pole_class"] == "A1b" and props["pole_height_m"] == 6.0
    assert props["building_height_m"] == 21.5
    assert props["source"] == {"crs": 4326, "x": 106.6812345, "y": 20.8612345, "provenance": "gps"}
    assert props["version"] == 1
    stations = {s["station_code"]: s for s in props["stations"]}
    assert set(stations) == {"HPG7777", "HP_VNP_7777"}
    viettel = stations["HPG7777"]
    assert viettel["id"] == st.id
    assert viettel["operator_code"] == "VIETTEL" and viettel["site_code"] == "HP-77777"
    assert viettel["technologies"] == ["4G", "5G"] and viettel["bands"] == ["1800", "n78"]
    assert [(s["sector_no"], s["azimuth_deg"], s["tilt_deg"], s["eirp_w"]) for s in viettel["sectors"]] == [
        (1, 0, 4, 1000),
        (2, 120, 4, 1000),
        (3, 240, 6, 800),
    ]
    assert stations["HP_VNP_7777"]["operator_code"] == "VNPT"


def test_missing_site_is_404_problem(client: TestClient) -> None:
    body = problem(client.get("/api/sites/HP-99999"), 404)
    assert "HP-99999" in body["detail"]


# --- create --------------------------------------------------------------------------------------


def test_create_site_in_wgs84(client: TestClient, db: Session) -> None:
    commune, pt = pick_commune()
    response = client.post(
        "/api/sites",
        json={
            "code": "HP-50001",
            "position": {"lon": pt.x, "lat": pt.y},
            "address": "Số 5 Lạch Tray",
            "pole_class": "A2a",
            "pole_height_m": 12,
            "owner": "Viettel",
        },
    )
    assert response.status_code == 201, response.text
    assert response.headers["location"] == "/api/sites/HP-50001"
    body = response.json()
    assert body["id"] == "HP-50001"
    props = body["properties"]
    assert props["commune"] == commune["properties"]["name"]
    assert props["pole_class"] == "A2a" and props["pole_height_m"] == 12
    assert props["owner"] == "Viettel"
    assert props["source"] == {"crs": 4326, "x": pt.x, "y": pt.y, "provenance": "gps"}
    lon, lat = stored_lon_lat(db, "HP-50001")
    assert geod_m(lon, lat, pt.x, pt.y) < 0.001
    assert client.get("/api/sites/HP-50001").status_code == 200
    assert sites(client, q="lach tray") == ["HP-50001"]


@pytest.mark.parametrize(("lon", "lat"), [(106.6838, 20.8600), (106.5500, 20.9500), (106.7400, 20.7300)])
def test_create_site_in_vn2000_tm3_matches_pyproj_epsg_6960(
    client: TestClient, db: Session, lon: float, lat: float
) -> None:
    easting, northing = WGS84_TO_TM3.transform(lon, lat)
    response = client.post(
        "/api/sites",
        json={
            "code": "HP-60001",
            "position": {"crs": 9210, "easting": easting, "northing": northing, "provenance": "survey"},
        },
    )
    assert response.status_code == 201, response.text
    ref_lon, ref_lat = TM3_TO_WGS84.transform(easting, northing)
    got_lon, got_lat = stored_lon_lat(db, "HP-60001")
    assert geod_m(got_lon, got_lat, ref_lon, ref_lat) < 0.1
    # VN-2000 is about 224 m from WGS 84 here: the datum shift was applied, not skipped.
    plain = pyproj.Transformer.from_crs(
        pyproj.CRS("+proj=tmerc +lat_0=0 +lon_0=105.75 +k=0.9999 +x_0=500000 +y_0=0 +ellps=WGS84 +units=m"),
        "EPSG:4326",
        always_xy=True,
    ).transform(easting, northing)
    assert geod_m(got_lon, got_lat, *plain) > 100
    source = response.json()["properties"]["source"]
    assert source == {"crs": 9210, "x": easting, "y": northing, "provenance": "survey"}


def test_create_site_without_code_gets_the_next_code(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-00041", lon=106.61, lat=20.81)
    response = client.post("/api/sites", json={"position": {"lon": 106.6401, "lat": 20.8402}})
    assert response.status_code == 201, response.text
    assert response.json()["id"] == "HP-00042"
    again = client.post("/api/sites", json={"position": {"lon": 106.6501, "lat": 20.8502}})
    assert again.status_code == 201, again.text
    assert again.json()["id"] == "HP-00043"
    assert re.fullmatch(r"HP-\d{5}", again.json()["id"])


def test_create_site_a_few_metres_from_another_is_refused(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-00100", lon=106.6800, lat=20.8600)
    # About 2.2 m east of it.
    body = problem(client.post("/api/sites", json={"position": {"lon": 106.68002, "lat": 20.8600}}), 422)
    assert_names_field(body, "position")
    assert any(e.get("code") == "duplicate_site" for e in body["errors"])
    assert "HP-00100" in str(body["errors"])
    assert db.scalar(select(func.count()).select_from(Site)) == 1
    # Twenty metres away is another site.
    ok = client.post("/api/sites", json={"position": {"lon": 106.6802, "lat": 20.8600}})
    assert ok.status_code == 201, ok.text


@pytest.mark.parametrize(
    ("lon", "lat", "code"),
    [
        (100.50, 13.75, "outside_vietnam"),  # Bangkok
        (-0.12, 51.5, "outside_vietnam"),  # London
        (105.85, 21.03, "outside_province"),  # Hà Nội
        (106.70, 10.78, "outside_province"),  # Thành phố Hồ Chí Minh
    ],
)
def test_create_site_outside_vietnam_or_the_province_is_refused(
    client: TestClient, db: Session, lon: float, lat: float, code: str
) -> None:
    body = problem(client.post("/api/sites", json={"position": {"lon": lon, "lat": lat}}), 422)
    assert_names_field(body, "position")
    assert code in {e.get("code") for e in body["errors"]}
    assert db.scalar(select(func.count()).select_from(Site)) == 0


def test_swapped_latitude_and_longitude_are_reported(client: TestClient) -> None:
    body = problem(client.post("/api/sites", json={"position": {"lon": 20.86, "lat": 106.68}}), 422)
    assert_names_field(body, "position")
    assert "swapped_lat_lon" in {e.get("code") for e in body["errors"]}


@pytest.mark.parametrize("crs", [3857, 32648, 4765, 0])
def test_unsupported_crs_is_refused_naming_the_field(client: TestClient, crs: int) -> None:
    body = problem(
        client.post("/api/sites", json={"position": {"crs": crs, "easting": 590000, "northing": 2306000}}),
        422,
    )
    assert "position.crs" in {e["field"] for e in body["errors"]}


@pytest.mark.parametrize(
    "position",
    [
        {"lon": 106.68},
        {"easting": 590000},
        {"lon": 106.68, "lat": 20.86, "easting": 590000, "northing": 2306000},
        {},
    ],
)
def test_incomplete_positions_are_refused(client: TestClient, position: dict[str, Any]) -> None:
    assert_names_field(problem(client.post("/api/sites", json={"position": position}), 422), "position")


def test_create_site_with_an_existing_code_conflicts(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-00200", lon=106.61, lat=20.81)
    body = problem(client.post("/api/sites", json={"code": "HP-00200", "position": {"lon": 106.7, "lat": 20.85}}), 409)
    assert "HP-00200" in body["detail"]


# --- change and delete ---------------------------------------------------------------------------


def test_patch_changes_fields_and_bumps_the_version(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-00300", lon=106.66, lat=20.84, address="Cũ", pole_class="A2a")
    response = client.patch(
        "/api/sites/HP-00300",
        headers=versioned(client, "/api/sites/HP-00300"),
        json={"address": "Số 9 Lạch Tray", "pole_class": "A2c", "pole_height_m": 42, "status": "planned"},
    )
    assert response.status_code == 200, response.text
    props = response.json()["properties"]
    assert props["address"] == "Số 9 Lạch Tray"
    assert props["pole_class"] == "A2c" and props["pole_height_m"] == 42 and props["status"] == "planned"
    assert props["version"] == 2
    again = client.get("/api/sites/HP-00300").json()["properties"]
    assert again["address"] == "Số 9 Lạch Tray" and again["version"] == 2
    second = client.patch(
        "/api/sites/HP-00300", headers=versioned(client, "/api/sites/HP-00300"), json={"notes": "đã kiểm tra"}
    )
    assert second.json()["properties"]["version"] == 3
    assert second.json()["properties"]["address"] == "Số 9 Lạch Tray", "unset fields stay as they are"


def test_patch_moves_the_site(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-00301", lon=106.66, lat=20.84)
    response = client.patch(
        "/api/sites/HP-00301",
        headers=versioned(client, "/api/sites/HP-00301"),
        json={"position": {"lon": 106.67, "lat": 20.845}},
    )
    assert response.status_code == 200, response.text
    lon, lat = stored_lon_lat(db, "HP-00301")
    assert geod_m(lon, lat, 106.67, 20.845) < 0.001
    assert response.json()["properties"]["version"] == 2


def test_patch_onto_another_site_is_refused(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-00302", lon=106.66, lat=20.84)
    make_site(db, code="HP-00303", lon=106.67, lat=20.84)
    body = problem(
        client.patch(
            "/api/sites/HP-00303",
            headers=versioned(client, "/api/sites/HP-00303"),
            json={"position": {"lon": 106.66001, "lat": 20.84}},
        ),
        422,
    )
    assert_names_field(body, "position")
    lon, _ = stored_lon_lat(db, "HP-00303")
    assert lon == pytest.approx(106.67)


def test_patch_missing_site_is_404(client: TestClient) -> None:
    problem(
        client.patch("/api/sites/HP-98765", headers=versioned(client, "/api/sites/HP-98765"), json={"address": "x"}),
        404,
    )


def test_delete_site_with_stations_conflicts(client: TestClient, db: Session) -> None:
    site = make_site(db, code="HP-00400", lon=106.66, lat=20.84)
    make_station(db, site=site, station_code="DEL-1")
    body = problem(client.delete("/api/sites/HP-00400", headers=versioned(client, "/api/sites/HP-00400")), 409)
    assert "HP-00400" in body["detail"]
    assert client.get("/api/sites/HP-00400").status_code == 200


def test_delete_empty_site(client: TestClient, db: Session) -> None:
    make_site(db, code="HP-00401", lon=106.66, lat=20.84)
    response = client.delete("/api/sites/HP-00401", headers=versioned(client, "/api/sites/HP-00401"))
    assert response.status_code == 204
    assert response.content == b""
    problem(client.get("/api/sites/HP-00401"), 404)
    problem(client.delete("/api/sites/HP-00401", headers=versioned(client, "/api/sites/HP-00401")), 404)


def test_site_code_with_a_slash_is_refused(client: TestClient) -> None:
    """A code must be usable as one path segment (/api/sites/{code}), so "/" is refused up front
    instead of creating a site no URL can reach."""
    response = client.post("/api/sites", json={"code": "HP/2024/001", "position": {"lon": 106.66, "lat": 20.84}})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert [e["field"] for e in response.json()["errors"]] == ["code"]


@pytest.mark.parametrize("field", ["status", "address", "pole_class", "owner"])
def test_patch_with_null_is_a_422_or_clears_never_a_conflict(client: TestClient, db: Session, field: str) -> None:
    """Explicit null: either the field may be empty (200) or the request is invalid (422 naming it);
    it is never a 409 "already exists" (nothing collides) nor a 500."""
    make_site(db, code="HP-00500", lon=106.66, lat=20.84, address="Số 1")
    response = client.patch("/api/sites/HP-00500", headers=versioned(client, "/api/sites/HP-00500"), json={field: None})
    if response.status_code == 200:
        assert response.json()["properties"][field] is None
    else:
        assert_names_field(problem(response, 422), field)


def test_automatic_code_after_a_very_long_numeric_code(client: TestClient) -> None:
    """A code the schema accepts must not stop the registry from numbering the next site."""
    first = client.post(
        "/api/sites", json={"code": "HP-1234567890123456789012345", "position": {"lon": 106.66, "lat": 20.84}}
    )
    assert first.status_code == 201, first.text
    response = client.post("/api/sites", json={"position": {"lon": 106.67, "lat": 20.84}})
    assert response.status_code == 201, response.text
    assert response.json()["id"] != "HP-1234567890123456789012345"
