"""Coordinate reference systems used for Vietnamese base-station coordinates.

Every supported CRS except WGS 84 itself is based on the VN-2000 datum (EPSG:4756). VN-2000 is
converted to WGS 84 with exactly one transformation, EPSG:6960 (a 7-parameter Helmert, coordinate
frame convention). Note: PROJ's EPSG database names EPSG:6960 "VN-2000 to WGS 84 (2)"; the older
"VN-2000 to WGS 84 (1)" is EPSG:5194 with different parameters. Both claim 1 m accuracy over the
same area, so PROJ's automatic choice (``Transformer.from_crs``) is decided by list order at run time
and may change between PROJ versions; the two differ by about 0.7 m. We therefore pin EPSG:6960:

1. ``TransformerGroup(src, EPSG:4326, always_xy=True)`` lists every candidate operation;
2. we keep the single candidate whose ``operations`` contain the identifier ``EPSG:6960``
   (the other steps are the inverse map projection and an axis swap, never a datum shift);
3. we rebuild it with ``Transformer.from_pipeline(candidate.to_json())`` because transformers handed
   out by ``TransformerGroup`` are not thread-safe, while a normal ``Transformer`` is.

The tests check the result against ``Transformer.from_pipeline("urn:ogc:def:coordinateOperation:
EPSG::6960")`` chained after the map projection's inverse, and against the PROJ string
``+towgs84=`` documented in DOMAIN.md §6 (position-vector signs of the same seven parameters).

Axis order is always (x, y) = (longitude, latitude) or (easting, northing). Vietnamese surveyors
write X = northing and Y = easting: callers must swap those before calling (see geo.checks).
"""

from __future__ import annotations

import math
import numbers
import warnings
from collections.abc import Iterable
from functools import cache

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pyproj import CRS, Transformer
from pyproj.crs import BoundCRS, CoordinateOperation
from pyproj.enums import TransformDirection, WktVersion
from pyproj.exceptions import ProjError
from pyproj.transformer import TransformerGroup

WGS84_EPSG = 4326
VN2000_EPSG = 4756
VN2000_TO_WGS84_EPSG = 6960
# EPSG:6960 as a PROJ/WKT1 TOWGS84 clause (position-vector rotation signs), see DOMAIN.md §6.
VN2000_TOWGS84 = "-191.90441429,-39.30318279,-111.45032835,0.00928836,-0.01975479,0.00427372,0.252906278"
UTM_EPSG = frozenset({3405, 3406})
TM3_EPSG = frozenset({5896, 5897, 5898, 5899, *range(9205, 9219)})
SUPPORTED_EPSG: frozenset[int] = frozenset({WGS84_EPSG, VN2000_EPSG, *UTM_EPSG, *TM3_EPSG})

FloatArray = NDArray[np.float64]


class CrsError(ValueError):
    """Unsupported CRS or coordinates that cannot be converted; the message is Vietnamese."""


def _checked_epsg(epsg: object) -> int:
    if type(epsg) is int and epsg in SUPPORTED_EPSG:  # the common case, without the ABC checks below
        return epsg
    # bool is an Integral subclass; True must not silently mean EPSG:1.
    code = int(epsg) if isinstance(epsg, numbers.Integral) and not isinstance(epsg, bool) else None
    if code is None or code not in SUPPORTED_EPSG:
        raise CrsError(
            f"Hệ tọa độ EPSG:{epsg} không được hỗ trợ. Chỉ hỗ trợ WGS 84 (EPSG:4326), VN-2000 "
            "(EPSG:4756), VN-2000 UTM (EPSG:3405, 3406) và VN-2000 TM-3 (EPSG:5896–5899, 9205–9218)."
        )
    return code


def _as_float(value: object, name: str) -> float:
    if type(value) is float and math.isfinite(value):  # the common case, without the ABC check below
        return value
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise CrsError(f"{name} phải là một số, nhận được {value!r}.")
    number = float(value)
    if not math.isfinite(number):
        raise CrsError(f"{name} phải là số hữu hạn, nhận được {value!r}.")
    return number


def _check_lon_lat(lon: float, lat: float) -> None:
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        raise CrsError(
            f"Tọa độ địa lý ({lon}, {lat}) nằm ngoài phạm vi: kinh độ phải trong [−180, 180], vĩ độ trong [−90, 90]."
        )


def _uses_epsg_6960(transformer: Transformer) -> bool:
    for step in transformer.operations or ():
        ident = step.to_json_dict().get("id") or {}
        if ident.get("authority") == "EPSG" and ident.get("code") == VN2000_TO_WGS84_EPSG:
            return True
    return False


@cache
def _crs(epsg: int) -> CRS:
    return CRS.from_epsg(epsg)


@cache
def _transformer(epsg: int) -> Transformer:
    if epsg == WGS84_EPSG:
        return Transformer.from_crs(WGS84_EPSG, WGS84_EPSG, always_xy=True)  # no-op, kept uniform
    group = TransformerGroup(_crs(epsg), _crs(WGS84_EPSG), always_xy=True)
    pinned = [candidate for candidate in group.transformers if _uses_epsg_6960(candidate)]
    if len(pinned) != 1:
        # A PROJ database without EPSG:6960 is a deployment error; never fall back silently.
        raise RuntimeError(f"PROJ offers {len(pinned)} EPSG:6960 operations for EPSG:{epsg}, expected 1")
    transformer = Transformer.from_pipeline(pinned[0].to_json())
    if not _uses_epsg_6960(transformer):
        raise RuntimeError(f"Rebuilt transformer for EPSG:{epsg} lost EPSG:6960")
    return transformer


def transformer_to_wgs84(epsg: int) -> Transformer:
    """Cached, thread-safe transformer (x, y) of ``epsg`` → (lon, lat) WGS 84, pinned to EPSG:6960."""
    return _transformer(_checked_epsg(epsg))


def is_geographic(epsg: int) -> bool:
    """True for longitude/latitude CRSs (4326, 4756), False for projected ones (metres)."""
    return _is_geographic(_checked_epsg(epsg))


@cache
def _is_geographic(code: int) -> bool:
    return _crs(code).is_geographic


def to_wgs84(epsg: int, a: float, b: float) -> tuple[float, float]:
    """Convert one point to WGS 84 (lon, lat).

    Geographic ``epsg``: a = longitude, b = latitude. Projected: a = easting, b = northing.
    """
    code = _checked_epsg(epsg)
    x, y = _as_float(a, "Kinh độ/tọa độ Đông"), _as_float(b, "Vĩ độ/tọa độ Bắc")
    if is_geographic(code):
        _check_lon_lat(x, y)
    return _transform(code, x, y, TransformDirection.FORWARD)


def from_wgs84(epsg: int, lon: float, lat: float) -> tuple[float, float]:
    """Convert one WGS 84 point to ``epsg``: (lon, lat) or (easting, northing)."""
    code = _checked_epsg(epsg)
    x, y = _as_float(lon, "Kinh độ"), _as_float(lat, "Vĩ độ")
    _check_lon_lat(x, y)
    return _transform(code, x, y, TransformDirection.INVERSE)


def _transform(epsg: int, x: float, y: float, direction: TransformDirection) -> tuple[float, float]:
    if epsg == WGS84_EPSG and math.isfinite(x) and math.isfinite(y):
        return float(x), float(y)  # WGS 84 to itself: PROJ's no-op would return the same numbers
    try:
        out_x, out_y = _transformer(epsg).transform(x, y, errcheck=True, direction=direction)
    except ProjError as exc:
        raise CrsError(f"Không chuyển đổi được tọa độ ({x}, {y}) với hệ EPSG:{epsg}.") from exc
    if not (math.isfinite(out_x) and math.isfinite(out_y)):
        raise CrsError(f"Không chuyển đổi được tọa độ ({x}, {y}) với hệ EPSG:{epsg}.")
    return float(out_x), float(out_y)


def to_wgs84_many(epsg: int, a: ArrayLike, b: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`to_wgs84` for imports; points that cannot be converted come back as NaN.

    Rows are reported, not rejected, so one bad row does not abort a spreadsheet import.
    """
    code = _checked_epsg(epsg)
    x, y = _as_arrays(a, b)
    if is_geographic(code):
        bad = ~((np.abs(x) <= 180.0) & (np.abs(y) <= 90.0))
        x, y = np.where(bad, np.nan, x), np.where(bad, np.nan, y)
    return _transform_many(code, x, y, TransformDirection.FORWARD)


def from_wgs84_many(epsg: int, lon: ArrayLike, lat: ArrayLike) -> tuple[FloatArray, FloatArray]:
    """Vectorised :func:`from_wgs84`; invalid points come back as NaN."""
    code = _checked_epsg(epsg)
    x, y = _as_arrays(lon, lat)
    bad = ~((np.abs(x) <= 180.0) & (np.abs(y) <= 90.0))
    x, y = np.where(bad, np.nan, x), np.where(bad, np.nan, y)
    return _transform_many(code, x, y, TransformDirection.INVERSE)


def _as_arrays(a: ArrayLike, b: ArrayLike) -> tuple[FloatArray, FloatArray]:
    try:
        x = np.array(a, dtype=np.float64, ndmin=1)
        y = np.array(b, dtype=np.float64, ndmin=1)
    except (TypeError, ValueError) as exc:
        raise CrsError("Danh sách tọa độ phải chỉ gồm các số.") from exc
    if x.shape != y.shape:
        raise CrsError(f"Hai danh sách tọa độ phải dài bằng nhau ({x.shape} và {y.shape}).")
    return x, y


def _transform_many(
    epsg: int, x: FloatArray, y: FloatArray, direction: TransformDirection
) -> tuple[FloatArray, FloatArray]:
    out_x, out_y = _transformer(epsg).transform(x, y, direction=direction)
    out_x, out_y = np.asarray(out_x, dtype=np.float64), np.asarray(out_y, dtype=np.float64)
    # PROJ marks failures with inf; NaN is the single "missing" marker for callers.
    bad = ~(np.isfinite(out_x) & np.isfinite(out_y))
    return np.where(bad, np.nan, out_x), np.where(bad, np.nan, out_y)


def _srs_for_postgis(epsg: int) -> CRS:
    if epsg == WGS84_EPSG:
        return _crs(epsg)
    # A BoundCRS carries EPSG:6960 as TOWGS84 into both the WKT1 and the PROJ string.
    return BoundCRS(
        source_crs=_crs(epsg),
        target_crs=_crs(WGS84_EPSG),
        transformation=CoordinateOperation.from_epsg(VN2000_TO_WGS84_EPSG),
    )


def spatial_ref_sys_rows(srids: Iterable[int], *, auth_name: str = "EPSG") -> list[tuple[int, str, int, str, str]]:
    """Rows (srid, auth_name, auth_srid, srtext, proj4text) for PostGIS's ``spatial_ref_sys``.

    srtext is WKT1_GDAL and, for VN-2000 CRSs, contains TOWGS84[EPSG:6960]; proj4text contains
    ``+towgs84=`` with the same values. Caveat: with PROJ ≥ 6, PostGIS tries "auth_name:auth_srid"
    first, then srtext, then proj4text. With auth_name 'EPSG' and a PROJ database that knows the
    code, PROJ picks the VN-2000 → WGS 84 operation itself (PROJ 9.5 picks EPSG:6960, older releases
    may not); pass another auth_name (e.g. 'TTTT') to force PostGIS to use our srtext.
    """
    rows: list[tuple[int, str, int, str, str]] = []
    seen: set[int] = set()
    for srid in srids:
        code = _checked_epsg(srid)
        if code in seen:
            continue
        seen.add(code)
        srs = _srs_for_postgis(code)
        srtext = srs.to_wkt(WktVersion.WKT1_GDAL)
        with warnings.catch_warnings():
            # pyproj warns that PROJ strings lose metadata; proj4text is PostGIS's last resort only.
            warnings.simplefilter("ignore", UserWarning)
            proj4text = srs.to_proj4()
        rows.append((code, auth_name, code, srtext, proj4text.replace(" +type=crs", "").strip()))
    return rows
