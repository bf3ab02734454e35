"""geo.crs: conversions must equal PROJ's own EPSG:6960 operation, whatever PROJ would pick itself."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyproj import CRS, Transformer

from geo.checks import geodesic_distance_m
from geo.crs import (
    SUPPORTED_EPSG,
    TM3_EPSG,
    UTM_EPSG,
    VN2000_TOWGS84,
    CrsError,
    from_wgs84,
    from_wgs84_many,
    is_geographic,
    spatial_ref_sys_rows,
    to_wgs84,
    to_wgs84_many,
    transformer_to_wgs84,
)

HAI_PHONG = (106.68, 20.86)  # WGS 84, near the city centre
# EPSG:6960 straight from PROJ's database; EPSG axis order is (lat, lon).
EPSG_6960 = Transformer.from_pipeline("urn:ogc:def:coordinateOperation:EPSG::6960")
PROJECTED = sorted(UTM_EPSG | TM3_EPSG)


def reference_to_wgs84(epsg: int, a: float, b: float) -> tuple[float, float]:
    """Independent path: the CRS's own map projection inverse, then EPSG:6960 from the database."""
    crs = CRS.from_epsg(epsg)
    lon, lat = a, b
    if not crs.is_geographic:
        lon, lat = Transformer.from_crs(crs, crs.geodetic_crs, always_xy=True).transform(a, b)
    lat84, lon84 = EPSG_6960.transform(lat, lon)
    return lon84, lat84


def reference_from_wgs84(epsg: int, lon: float, lat: float) -> tuple[float, float]:
    lat_vn, lon_vn = EPSG_6960.transform(lat, lon, direction="INVERSE")
    crs = CRS.from_epsg(epsg)
    if crs.is_geographic:
        return lon_vn, lat_vn
    return Transformer.from_crs(crs.geodetic_crs, crs, always_xy=True).transform(lon_vn, lat_vn)


def centre_of_use(epsg: int) -> tuple[float, float]:
    west, south, east, north = CRS.from_epsg(epsg).area_of_use.bounds
    return (west + east) / 2, (south + north) / 2


def test_supported_set() -> None:
    expected = {4326, 4756, 3405, 3406, 5896, 5897, 5898, 5899, *range(9205, 9219)}
    assert expected == SUPPORTED_EPSG and isinstance(SUPPORTED_EPSG, frozenset)
    assert is_geographic(4326) and is_geographic(4756)
    assert not any(is_geographic(code) for code in PROJECTED)


@pytest.mark.parametrize("epsg", sorted(SUPPORTED_EPSG - {4326}))
def test_every_vn2000_crs_is_pinned_to_epsg_6960(epsg: int) -> None:
    assert CRS.from_epsg(epsg).geodetic_crs.to_epsg() == 4756
    ids = [(op.to_json_dict().get("id") or {}) for op in transformer_to_wgs84(epsg).operations]
    assert {"authority": "EPSG", "code": 6960} in ids
    assert {"authority": "EPSG", "code": 5194} not in ids  # "VN-2000 to WGS 84 (1)", not official


def test_tm3_hai_phong_with_surveyor_x_as_northing() -> None:
    # EPSG:9210 is Hải Phòng's TM-3 zone (central meridian 105°45'). Surveyors write X = northing.
    x_northing, y_easting = from_wgs84(9210, *HAI_PHONG)[::-1]
    assert 2_300_000 < x_northing < 2_320_000 and 590_000 < y_easting < 600_000
    lon, lat = to_wgs84(9210, y_easting, x_northing)
    assert geodesic_distance_m(lon, lat, *reference_to_wgs84(9210, y_easting, x_northing)) < 0.1
    assert geodesic_distance_m(lon, lat, *HAI_PHONG) < 0.01


@pytest.mark.parametrize("epsg", PROJECTED)
def test_projected_matches_epsg_6960(epsg: int) -> None:
    lon0, lat0 = centre_of_use(epsg)
    easting, northing = reference_from_wgs84(epsg, lon0, lat0)
    assert geodesic_distance_m(*to_wgs84(epsg, easting, northing), lon0, lat0) < 0.1
    back = from_wgs84(epsg, lon0, lat0)
    assert math.dist(back, (easting, northing)) < 0.1


@pytest.mark.parametrize(("epsg", "point"), [(3405, (105.85, 21.03)), (3406, (108.22, 16.05))])
def test_utm_cities_match_epsg_6960(epsg: int, point: tuple[float, float]) -> None:
    easting, northing = reference_from_wgs84(epsg, *point)  # Hà Nội in 48N, Đà Nẵng in 49N
    assert geodesic_distance_m(*to_wgs84(epsg, easting, northing), *point) < 0.1


def test_geographic_vn2000_matches_epsg_6960_and_the_domain_proj_string() -> None:
    lon, lat = to_wgs84(4756, *HAI_PHONG)
    assert geodesic_distance_m(lon, lat, *reference_to_wgs84(4756, *HAI_PHONG)) < 0.1
    towgs84 = Transformer.from_crs(
        CRS.from_proj4(f"+proj=longlat +ellps=WGS84 +towgs84={VN2000_TOWGS84} +no_defs"), 4326, always_xy=True
    )
    assert geodesic_distance_m(lon, lat, *towgs84.transform(*HAI_PHONG)) < 0.01


def test_the_tests_can_tell_the_older_transformation_apart() -> None:
    # EPSG:5194 "VN-2000 to WGS 84 (1)" lands ~0.7 m away: more than the 0.1 m tolerance above.
    older = Transformer.from_pipeline("EPSG:5194")
    lat84, lon84 = older.transform(HAI_PHONG[1], HAI_PHONG[0])
    assert geodesic_distance_m(*to_wgs84(4756, *HAI_PHONG), lon84, lat84) > 0.3


def test_vn2000_shift_at_hai_phong_is_about_224_m() -> None:
    shift = geodesic_distance_m(*to_wgs84(4756, *HAI_PHONG), *HAI_PHONG)
    assert 150 < shift < 300
    # The same holds for projected input: the VN-2000 position of a TM-3 point vs its WGS 84 position.
    easting, northing = from_wgs84(9210, *HAI_PHONG)
    vn_lon, vn_lat = Transformer.from_crs(9210, 4756, always_xy=True).transform(easting, northing)
    assert 150 < geodesic_distance_m(vn_lon, vn_lat, *HAI_PHONG) < 300


def test_wgs84_is_identity() -> None:
    assert to_wgs84(4326, *HAI_PHONG) == HAI_PHONG
    assert from_wgs84(4326, *HAI_PHONG) == HAI_PHONG


vietnam_lon_lat = st.tuples(st.floats(102.2, 117.5), st.floats(6.5, 23.3))


@settings(max_examples=60, deadline=None)
@given(point=vietnam_lon_lat, epsg=st.sampled_from(sorted(SUPPORTED_EPSG)))
def test_round_trip(point: tuple[float, float], epsg: int) -> None:
    a, b = from_wgs84(epsg, *point)
    assert geodesic_distance_m(*to_wgs84(epsg, a, b), *point) < 0.01


@settings(max_examples=30, deadline=None)
@given(points=st.lists(vietnam_lon_lat, min_size=1, max_size=20), epsg=st.sampled_from(sorted(SUPPORTED_EPSG)))
def test_vectorised_equals_scalar(points: list[tuple[float, float]], epsg: int) -> None:
    lons, lats = zip(*points, strict=True)
    xs, ys = from_wgs84_many(epsg, lons, lats)
    lons2, lats2 = to_wgs84_many(epsg, xs, ys)
    for i, (lon, lat) in enumerate(points):
        assert (xs[i], ys[i]) == pytest.approx(from_wgs84(epsg, lon, lat), abs=1e-9)
        assert geodesic_distance_m(lons2[i], lats2[i], lon, lat) < 0.01


def test_vectorised_marks_bad_rows_as_nan() -> None:
    lons, lats = to_wgs84_many(4756, [106.68, 106.68, math.inf], [20.86, 95.0, 20.0])
    assert math.isfinite(lons[0]) and np.isnan(lons[1:]).all() and np.isnan(lats[1:]).all()
    xs, ys = from_wgs84_many(9210, np.array([106.68, 300.0]), np.array([20.86, 20.86]))
    assert math.isfinite(xs[0]) and np.isnan(xs[1]) and np.isnan(ys[1])
    with pytest.raises(CrsError, match="dài bằng nhau"):
        to_wgs84_many(9210, [1.0, 2.0], [1.0])
    with pytest.raises(CrsError, match="chỉ gồm các số"):
        to_wgs84_many(9210, ["a"], [1.0])


@pytest.mark.parametrize("epsg", [32648, 4326.0, "9210", True, 0, None])
def test_unsupported_epsg(epsg: object) -> None:
    with pytest.raises(CrsError, match="không được hỗ trợ"):
        to_wgs84(epsg, 1.0, 2.0)  # type: ignore[arg-type]
    with pytest.raises(CrsError):
        from_wgs84(epsg, 1.0, 2.0)  # type: ignore[arg-type]
    with pytest.raises(CrsError):
        spatial_ref_sys_rows([epsg])  # type: ignore[list-item]
    assert issubclass(CrsError, ValueError)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: to_wgs84(4756, 106.0, 95.0), "ngoài phạm vi"),
        (lambda: from_wgs84(9210, 200.0, 20.0), "ngoài phạm vi"),
        (lambda: to_wgs84(9210, math.nan, 2_300_000.0), "số hữu hạn"),
        (lambda: to_wgs84(9210, "596579", 2_300_000.0), "phải là một số"),
        (lambda: to_wgs84(9210, 1e30, 1e30), "Không chuyển đổi được"),
    ],
)
def test_conversion_errors(call: object, match: str) -> None:
    with pytest.raises(CrsError, match=match):
        call()  # type: ignore[operator]


def test_spatial_ref_sys_rows_for_the_missing_tm3_zones() -> None:
    codes = list(range(9205, 9219))
    rows = spatial_ref_sys_rows([*codes, 9210])  # duplicates are dropped
    assert [row[0] for row in rows] == codes
    for srid, auth_name, auth_srid, srtext, proj4text in rows:
        assert (auth_name, auth_srid) == ("EPSG", srid)
        assert srtext.startswith('PROJCS["VN-2000 / TM-3') and f'AUTHORITY["EPSG","{srid}"]]' in srtext
        assert f"TOWGS84[{VN2000_TOWGS84}]" in srtext
        assert "+proj=tmerc" in proj4text and "+k=0.9999 +x_0=500000" in proj4text
        assert f"+towgs84={VN2000_TOWGS84}" in proj4text and "+type=crs" not in proj4text
    row_9210 = rows[codes.index(9210)]
    assert "+lon_0=105.75 " in row_9210[4] and 'PARAMETER["central_meridian",105.75]' in row_9210[3]
    assert spatial_ref_sys_rows([9210], auth_name="TTTT")[0][1] == "TTTT"


@pytest.mark.parametrize("epsg", sorted(SUPPORTED_EPSG))
def test_postgis_fallback_texts_agree_with_python(epsg: int) -> None:
    # PostGIS falls back to srtext, then proj4text: both must reproduce our conversion.
    _, _, _, srtext, proj4text = spatial_ref_sys_rows([epsg])[0]
    a, b = from_wgs84(epsg, *HAI_PHONG)
    for text in (srtext, proj4text):
        lon, lat = Transformer.from_crs(CRS.from_user_input(text), 4326, always_xy=True).transform(a, b)
        assert geodesic_distance_m(lon, lat, *HAI_PHONG) < 0.01
