"""geo.checks: report-only plausibility checks."""

from __future__ import annotations

import dataclasses
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pyproj import CRS

from geo.checks import VIETNAM_BBOX, BBox, Issue, check_position, check_projected, geodesic_distance_m
from geo.crs import TM3_EPSG, from_wgs84

HAI_PHONG = (106.68, 20.86)
HAI_PHONG_BBOX = BBox(106.3, 20.5, 107.2, 21.1)


@pytest.mark.parametrize(
    ("lon", "lat"),
    [
        HAI_PHONG,
        (105.32, 23.36),  # Lũng Cú, northernmost
        (102.14, 22.40),  # Apa Chải, westernmost
        (104.72, 8.60),  # Mũi Cà Mau
        (103.96, 10.23),  # Phú Quốc
        (107.73, 20.13),  # Bạch Long Vĩ
        (112.33, 16.83),  # Hoàng Sa
        (114.33, 9.88),  # Trường Sa: Sinh Tồn
        (111.92, 8.64),  # Trường Sa Lớn
    ],
)
def test_places_in_vietnam_pass(lon: float, lat: float) -> None:
    assert check_position(lon, lat) == []


def test_swapped_lat_lon_is_reported_not_fixed() -> None:
    [issue] = check_position(HAI_PHONG[1], HAI_PHONG[0])
    assert issue.code == "swapped_lat_lon"
    assert issue.message.startswith("Kinh độ và vĩ độ có vẻ bị đổi chỗ (")


@pytest.mark.parametrize(
    ("lon", "lat", "code", "words"),
    [
        (0.0, 0.0, "outside_vietnam", "ngoài lãnh thổ Việt Nam"),
        (2.35, 48.86, "outside_vietnam", "ngoài lãnh thổ Việt Nam"),
        (-106.68, 20.86, "outside_vietnam", "ngoài lãnh thổ Việt Nam"),
        (106.68, -20.86, "outside_vietnam", "ngoài lãnh thổ Việt Nam"),
        (200.0, 20.0, "out_of_range", "ngoài phạm vi hợp lệ"),
        (106.68, 95.0, "out_of_range", "ngoài phạm vi hợp lệ"),
        (math.nan, 20.0, "out_of_range", "không phải là số"),
        (106.68, math.inf, "out_of_range", "không phải là số"),
    ],
)
def test_bad_positions(lon: float, lat: float, code: str, words: str) -> None:
    [issue] = check_position(lon, lat)
    assert issue.code == code and words in issue.message


def test_outside_province() -> None:
    assert check_position(*HAI_PHONG, province_bbox=HAI_PHONG_BBOX) == []
    [issue] = check_position(105.85, 21.03, province_bbox=tuple(HAI_PHONG_BBOX))  # Hà Nội
    assert issue.code == "outside_province" and "ngoài phạm vi của tỉnh" in issue.message
    # A point outside Vietnam is reported as such, not also as outside the province.
    assert [i.code for i in check_position(0.0, 0.0, province_bbox=HAI_PHONG_BBOX)] == ["outside_vietnam"]


def test_issue_is_frozen() -> None:
    issue = Issue("outside_vietnam", "x")
    with pytest.raises(dataclasses.FrozenInstanceError):
        issue.code = "out_of_range"  # type: ignore[misc]


in_vietnam = st.tuples(
    st.floats(VIETNAM_BBOX.min_lon, VIETNAM_BBOX.max_lon),
    st.floats(VIETNAM_BBOX.min_lat, VIETNAM_BBOX.max_lat),
)


@given(point=in_vietnam)
def test_every_point_in_the_box_passes_and_its_swap_is_caught(point: tuple[float, float]) -> None:
    lon, lat = point
    assert check_position(lon, lat) == []
    assert [i.code for i in check_position(lat, lon)] == ["swapped_lat_lon"]


def test_projected_hai_phong() -> None:
    easting, northing = from_wgs84(9210, *HAI_PHONG)
    assert check_projected(easting, northing) == []
    [issue] = check_projected(northing, easting)  # X (northing) typed into the easting column
    assert issue.code == "swapped_x_y"
    assert "X là tọa độ hướng Bắc (northing), Y là tọa độ hướng Đông (easting)" in issue.message


def test_projected_swap_in_the_far_south_is_caught() -> None:
    # Near Cà Mau the northing is below 1 000 000 m, but a swapped pair is still out of place.
    easting, northing = from_wgs84(9207, 105.0, 8.7)  # TM-3 104-30 (Cà Mau)
    assert northing < 1_000_000
    assert check_projected(easting, northing) == []
    assert [i.code for i in check_projected(northing, easting)] == ["swapped_x_y"]


@pytest.mark.parametrize(
    ("easting", "northing"), [(5.0, 1e7), (106.68, 20.86), (-500_000.0, 2_300_000.0), (math.nan, 2_300_000.0)]
)
def test_projected_out_of_range(easting: float, northing: float) -> None:
    assert [i.code for i in check_projected(easting, northing)] == ["out_of_range"]


@given(
    epsg=st.sampled_from(sorted(TM3_EPSG | {3405, 3406})),
    offset=st.floats(-2.9, 2.9),
    lat=st.floats(9.2, 23.4),
)
def test_projected_property(epsg: int, offset: float, lat: float) -> None:
    origin = CRS.from_epsg(epsg).coordinate_operation.params[1]
    assert origin.name == "Longitude of natural origin"
    central = origin.value
    easting, northing = from_wgs84(epsg, central + offset, lat)
    assert check_projected(easting, northing) == []
    assert [i.code for i in check_projected(northing, easting)] == ["swapped_x_y"]


def test_geodesic_distance() -> None:
    assert geodesic_distance_m(*HAI_PHONG, *HAI_PHONG) == 0.0
    one_degree = geodesic_distance_m(0.0, 0.0, 0.0, 1.0)
    assert one_degree == pytest.approx(110_574.4, abs=1.0)  # meridian degree at the equator
    a = geodesic_distance_m(*HAI_PHONG, 105.85, 21.03)
    assert a == pytest.approx(geodesic_distance_m(105.85, 21.03, *HAI_PHONG))
    assert 85_000 < a < 95_000  # Hải Phòng – Hà Nội, about 88 km
