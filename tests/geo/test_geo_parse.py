"""geo.parse: spreadsheet numbers and angles; anything doubtful raises CoordinateParseError."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from geo.parse import CoordinateParseError, parse_angle, parse_number


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("105.6823", 105.6823),
        ("105,6823", 105.6823),
        ("1 234 567,89", 1234567.89),
        ("1\u00a0234\u00a0567.89", 1234567.89),
        ("2.312.345,67", 2312345.67),
        ("2.312.345", 2312345.0),
        ("1.234,5", 1234.5),
        ("1,234,567.89", 1234567.89),
        ("1.234", 1.234),  # one separator is always decimal
        ("  -3,5\u202f", -3.5),
        ("\u22125", -5.0),
        ("+7", 7.0),
        ("1,5e3", 1500.0),
        (42, 42.0),
        (2.5, 2.5),
    ],
)
def test_parse_number(text: str | float, expected: float) -> None:
    assert parse_number(text) == pytest.approx(expected, abs=1e-12)


@pytest.mark.parametrize(
    "text",
    ["", " ", "abc", "1.234.5", "1,23,456", "12.34.567,8", "1.234,567.8", "--5", "nan", "inf", "1e999",
     "١٢", "12 34", float("nan"), 10**400, "9" * 400, True, None, b"1"],
)  # fmt: skip
def test_parse_number_rejects(text: object) -> None:
    with pytest.raises(CoordinateParseError, match="số"):
        parse_number(text)  # type: ignore[arg-type]


def test_error_carries_text_and_is_a_value_error() -> None:
    with pytest.raises(ValueError) as info:
        parse_number("x1")
    assert isinstance(info.value, CoordinateParseError) and info.value.text == "x1"
    assert str(info.value) == "Không đọc được số từ “x1”."


HP_LAT, HP_LON = 20 + 51 / 60 + 36 / 3600, 106 + 40 / 60 + 48 / 3600


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        ("20°51'36\"N", "lat", HP_LAT),
        ("20°51′36″ B", "lat", HP_LAT),
        ("20º 51’ 36” N", "lat", HP_LAT),
        ("N 20°51'36''", "lat", HP_LAT),
        ("20 51 36", "lat", HP_LAT),
        ("20-51-36", "lat", HP_LAT),
        ("20:51:36", "lat", HP_LAT),
        ("20d51m36s", "lat", HP_LAT),  # trailing s = seconds, not south
        ("20d51m36s S", "lat", -HP_LAT),
        ("20°51.6'", "lat", HP_LAT),
        ("20 51,6", "lat", HP_LAT),
        ("20 51 36.5", "lat", 20 + 51 / 60 + 36.5 / 3600),
        ("20.86", "lat", 20.86),
        ("20,86", "lat", 20.86),
        ("20.86°", "lat", 20.86),
        ("-20°51'36\"", "lat", -HP_LAT),
        ("-20-51-36", "lat", -HP_LAT),
        ("20 51 36 S", "lat", -HP_LAT),
        ("20°51'36\" Nam", "lat", -HP_LAT),
        ("20°51'36\" Bắc", "lat", HP_LAT),
        ("VĐ: 20°51'36\"", "lat", HP_LAT),
        ("106°40'48\"E", "lon", HP_LON),
        ("106°40'48\" Đ", "lon", HP_LON),
        ("106°40'48\" đông", "lon", HP_LON),
        ("106°40'48\" Do\u0302ng".replace("Do", "Đo"), "lon", HP_LON),  # combining circumflex
        ("106 40 48 DONG", "lon", HP_LON),
        ("KĐ 106°40'48\"", "lon", HP_LON),
        ("106.68 W", "lon", -106.68),
        ("106,68 T", "lon", -106.68),
        ("180", "lon", 180.0),
        (20.86, "lat", 20.86),
    ],
)
def test_parse_angle(text: str | float, kind: str, expected: float) -> None:
    assert parse_angle(text, kind) == pytest.approx(expected, abs=1e-9)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("text", "kind", "match"),
    [
        ("20°60'", "lat", "Phút phải nhỏ hơn 60"),
        ("20 75 10", "lat", "Phút phải nhỏ hơn 60"),
        ("20°51'60\"", "lat", "Giây phải nhỏ hơn 60"),
        ("20°51'72.5\"N", "lat", "Giây phải nhỏ hơn 60"),
        ("106°40'48\"E", "lat", "bị đổi chỗ"),
        ("106°40'48\" Đ", "lat", "bị đổi chỗ"),
        ("20°51'36\"N", "lon", "bị đổi chỗ"),
        ("20°51'36\" B", "lon", "bị đổi chỗ"),
        ("KĐ: 106.68", "lat", "bị đổi chỗ"),
        ("VĐ 20.86", "lon", "bị đổi chỗ"),
        ("-20°51'36\"S", "lat", "dấu âm"),
        ("-20 N", "lat", "dấu âm"),
        ("91", "lat", "Vĩ độ phải nằm trong khoảng"),
        ("-90°0'1\"", "lat", "Vĩ độ phải nằm trong khoảng"),
        ("181 E", "lon", "Kinh độ phải nằm trong khoảng"),
        (200.0, "lon", "Kinh độ phải nằm trong khoảng"),
        ("2051", "lat", "Vĩ độ phải nằm trong khoảng"),
        ("20.5°30'", "lat", "phần thập phân"),
        ("20°30.5'15\"", "lat", "phần thập phân"),
        ("", "lat", "Không đọc được vĩ độ"),
        ("abc", "lon", "Không đọc được kinh độ"),
        ("20°51'36\"N E", "lat", "Không đọc được"),
        ("N 20°51'36\" N", "lat", "Không đọc được"),
        ("20°51'36\"X", "lat", "Không đọc được"),
        ("20..5", "lat", "Không đọc được"),
        ("٢٠", "lat", "Không đọc được"),
    ],
)
def test_parse_angle_rejects(text: str | float, kind: str, match: str) -> None:
    with pytest.raises(CoordinateParseError, match=match):
        parse_angle(text, kind)  # type: ignore[arg-type]


def test_parse_angle_kind_is_checked() -> None:
    with pytest.raises(ValueError, match="kind"):
        parse_angle("20", "x")  # type: ignore[arg-type]


# --- properties ---------------------------------------------------------------------------------

DMS_STYLES = (
    "{d}°{m}'{s}\"{h}",
    "{d}°{m}′{s}″ {h}",
    "{h} {d}°{m}'{s}''",
    "{d} {m} {s} {h}",
    "{d}-{m}-{s} {h}",
    "{d}d{m}m{s}s {h}",
    "{d}:{m}:{s}{h}",
)
HEMISPHERES = {"lat": {"N": 1, "B": 1, "S": -1, "Nam": -1}, "lon": {"E": 1, "Đ": 1, "W": -1, "T": -1}}


@given(
    kind=st.sampled_from(["lat", "lon"]),
    d=st.integers(0, 89),
    m=st.integers(0, 59),
    millis=st.integers(0, 59_999),
    style=st.sampled_from(DMS_STYLES),
    comma=st.booleans(),
    data=st.data(),
)
def test_dms_round_trip(kind: str, d: int, m: int, millis: int, style: str, comma: bool, data: st.DataObject) -> None:
    letter = data.draw(st.sampled_from(sorted(HEMISPHERES[kind])))
    seconds = f"{millis // 1000}.{millis % 1000:03d}"
    text = style.format(d=d, m=m, s=seconds.replace(".", ",") if comma else seconds, h=letter)
    expected = HEMISPHERES[kind][letter] * (d + m / 60 + millis / 3_600_000)
    assert parse_angle(text, kind) == pytest.approx(expected, abs=1e-6)  # type: ignore[arg-type]


@given(value=st.floats(-90, 90), comma=st.booleans())
def test_decimal_degrees_round_trip(value: float, comma: bool) -> None:
    text = f"{value:.9f}"
    assert parse_angle(text.replace(".", ",") if comma else text, "lat") == pytest.approx(value, abs=1e-8)


@given(kind=st.sampled_from(["lat", "lon"]), d=st.integers(0, 89), tenths=st.integers(0, 599))
def test_decimal_minutes_round_trip(kind: str, d: int, tenths: int) -> None:
    text = f"{d}°{tenths // 10},{tenths % 10}'"
    assert parse_angle(text, kind) == pytest.approx(d + tenths / 600, abs=1e-9)  # type: ignore[arg-type]


@given(whole=st.integers(0, 10**12), frac=st.integers(0, 10**6), negative=st.booleans())
def test_number_formats_round_trip(whole: int, frac: int, negative: bool) -> None:
    expected = float(f"{'-' if negative else ''}{whole}.{frac}")
    sign = "-" if negative else ""
    grouped = f"{whole:,}"
    nbsp = "\u00a0"
    for text in (
        f"{sign}{whole},{frac}",  # Vietnamese decimal comma
        f"{sign}{whole}.{frac}",
        f"{sign}{grouped.replace(',', '.')},{frac}",  # 2.312.345,67
        f"{sign}{grouped.replace(',', ' ')},{frac}",  # 2 312 345,67
        f"{sign}{grouped.replace(',', nbsp)}.{frac}",
        f"{sign}{grouped}.{frac}",  # English 2,312,345.67
    ):
        assert parse_number(text) == pytest.approx(expected, rel=1e-15), text


# Random text, and random strings over the grammar's own characters to reach the tricky branches.
@given(text=st.text(max_size=30) | st.text(alphabet="0123456789 .,-+:°'\"′″NSEWBĐTDMdmsÂ\u00a0", max_size=20))
def test_garbage_only_raises_parse_errors(text: str) -> None:
    for call in (
        lambda: parse_number(text),
        lambda: parse_angle(text, "lat"),
        lambda: parse_angle(text, "lon"),
    ):
        with contextlib.suppress(CoordinateParseError):
            call()
