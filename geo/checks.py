"""Plausibility checks for entered coordinates. They REPORT problems and never fix them.

Swapped axes are the commonest spreadsheet error, but "correcting" them silently would hide the one
case where the swapped value was right; the user confirms instead (DOMAIN.md §6).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from pyproj import Geod

IssueCode = Literal["out_of_range", "swapped_lat_lon", "outside_vietnam", "outside_province", "swapped_x_y"]


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding about a coordinate; ``message`` is Vietnamese text for the user."""

    code: IssueCode
    message: str


class BBox(NamedTuple):
    """Longitude/latitude rectangle in WGS 84 degrees."""

    min_lon: float
    min_lat: float
    max_lon: float
    max_lat: float

    def contains(self, lon: float, lat: float) -> bool:
        return self.min_lon <= lon <= self.max_lon and self.min_lat <= lat <= self.max_lat


# Deliberately generous: mainland (Apa Chải ≈102.14°E, Lũng Cú ≈23.39°N, Mũi Cà Mau ≈8.6°N,
# Mũi Đôi ≈109.46°E), islands (Phú Quốc, Thổ Chu, Côn Đảo, Bạch Long Vĩ), Hoàng Sa (≈15.7–17.1°N,
# 111.2–112.9°E) and Trường Sa (≈6.2–12°N, 111.5–117.8°E). A rectangle also covers parts of Laos,
# Cambodia, southern China and much sea: it only catches clearly wrong points. Province bounding
# boxes (data kept elsewhere) give the finer check.
VIETNAM_BBOX = BBox(min_lon=102.0, min_lat=6.0, max_lon=118.0, max_lat=23.6)

# VN-2000 UTM and TM-3 metres in Vietnam. Northings run from ≈660 000 (Trường Sa) to ≈2 600 000
# (Lũng Cú); eastings stay within ≈100 000–1 000 000 because x0 = 500 000 and each CRS is used near
# its own meridian. The ranges overlap (660 000–1 000 000); there a swap cannot be told apart.
EASTING_RANGE = (100_000.0, 1_000_000.0)
NORTHING_RANGE = (600_000.0, 2_700_000.0)

_GEOD = Geod(ellps="WGS84")


def _fmt(lon: float, lat: float) -> str:
    # Degrees keep the decimal point, as GPS apps and maps show them.
    return f"kinh độ {lon:.6g}, vĩ độ {lat:.6g}"


def _metres(value: float) -> str:
    # Vietnamese style: space between thousands, decimal comma.
    return f"{value:,.2f}".replace(",", " ").replace(".", ",") + " m"


def check_position(
    lon: float, lat: float, *, province_bbox: BBox | tuple[float, float, float, float] | None = None
) -> list[Issue]:
    """Report problems with a WGS 84 position; an empty list means nothing was found.

    At most one issue is returned, the most specific root cause: a swapped pair is reported as
    'swapped_lat_lon' rather than also as 'out_of_range' or 'outside_vietnam'.
    """
    if not (math.isfinite(lon) and math.isfinite(lat)):
        return [Issue("out_of_range", "Tọa độ bị thiếu hoặc không phải là số.")]
    if not VIETNAM_BBOX.contains(lon, lat) and VIETNAM_BBOX.contains(lat, lon):
        return [
            Issue(
                "swapped_lat_lon",
                f"Kinh độ và vĩ độ có vẻ bị đổi chỗ ({_fmt(lon, lat)}; nếu đổi lại thì điểm nằm trong "
                "Việt Nam). Vui lòng kiểm tra và nhập lại.",
            )
        ]
    if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
        return [
            Issue(
                "out_of_range",
                f"Tọa độ ngoài phạm vi hợp lệ ({_fmt(lon, lat)}): kinh độ phải trong [−180, 180], "
                "vĩ độ trong [−90, 90].",
            )
        ]
    if not VIETNAM_BBOX.contains(lon, lat):
        return [Issue("outside_vietnam", f"Vị trí nằm ngoài lãnh thổ Việt Nam ({_fmt(lon, lat)}).")]
    if province_bbox is not None and not BBox(*province_bbox).contains(lon, lat):
        return [Issue("outside_province", f"Vị trí nằm ngoài phạm vi của tỉnh/thành phố ({_fmt(lon, lat)}).")]
    return []


def _within(value: float, bounds: tuple[float, float]) -> bool:
    return bounds[0] <= value <= bounds[1]


def check_projected(easting: float, northing: float) -> list[Issue]:
    """Report implausible VN-2000 UTM/TM-3 metres, in particular X and Y written the wrong way round.

    Vietnamese surveyors write X = northing and Y = easting, so copying "X" into an easting column
    swaps them; a swapped pair shows up as an "easting" above 1 000 000 m or a "northing" that is
    really an easting.
    """
    if not (math.isfinite(easting) and math.isfinite(northing)):
        return [Issue("out_of_range", "Tọa độ phẳng bị thiếu hoặc không phải là số.")]
    if _within(easting, EASTING_RANGE) and _within(northing, NORTHING_RANGE):
        return []
    values = f"(tọa độ Đông {_metres(easting)}, tọa độ Bắc {_metres(northing)})"
    if _within(northing, EASTING_RANGE) and _within(easting, NORTHING_RANGE):
        return [
            Issue(
                "swapped_x_y",
                f"Tọa độ X và Y có vẻ bị đổi chỗ {values}. Lưu ý: trong trắc địa Việt Nam, X là tọa độ "
                "hướng Bắc (northing), Y là tọa độ hướng Đông (easting).",
            )
        ]
    return [Issue("out_of_range", f"Tọa độ phẳng nằm ngoài phạm vi hợp lý ở Việt Nam {values}.")]


def geodesic_distance_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Distance in metres on the WGS 84 ellipsoid (used by duplicate checks and tests)."""
    return float(_GEOD.inv(lon1, lat1, lon2, lat2)[2])


def vertex_count(geometry: Any, *, stop_after: int | None = None) -> int:
    """The positions in a GeoJSON geometry (or Feature), counted on the raw dict before any geometry
    is built from it; with ``stop_after``, counting stops once past it (a huge input costs no more).

    Iterative, so hostile nesting cannot exhaust the stack; anything that is not a position is
    skipped here and left for the geometry parser to refuse.
    """
    if isinstance(geometry, dict) and geometry.get("type") == "Feature":
        geometry = geometry.get("geometry")
    count = 0
    stack: list[Any] = [geometry]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            stack.extend(v for k, v in node.items() if k in ("coordinates", "geometries"))
        elif isinstance(node, list | tuple):
            if node and isinstance(node[0], int | float) and not isinstance(node[0], bool):
                count += 1
                if stop_after is not None and count > stop_after:
                    return count
            else:
                stack.extend(node)
    return count
