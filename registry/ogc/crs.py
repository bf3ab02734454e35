"""The coordinate reference systems the OGC API serves (Part 2) and the PostGIS SQL for each.

Every geometry is stored in WGS 84 (SRID 4326, longitude first). An answer in another CRS is
transformed by PostGIS; an input (``bbox``, a filter's geometry) in another CRS is transformed to
WGS 84 before it meets the column, so the spatial indexes are used.

VN-2000 CRSs go through PostGIS with the project's own PROJ string, which carries EPSG:6960 as
``+towgs84=`` (geo.crs.spatial_ref_sys_rows), never through an SRID: for an SRID PostGIS asks PROJ,
and PROJ may pick another VN-2000 → WGS 84 operation (EPSG:5194 differs by about 0.7 m; see
geo/crs.py). The string is a bound parameter like any value.

Axis order is the CRS's own (OGC API – Features Part 2, /req/crs/crs-axis-order): CRS84 is
longitude, latitude; EPSG:4326 and EPSG:4756 are latitude, longitude; every projected CRS here is
easting, northing. PostGIS works in (x = longitude, y = latitude), so the two latitude-first CRSs
are flipped on the way out and on the way in.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from geo.crs import SUPPORTED_EPSG, WGS84_EPSG, spatial_ref_sys_rows
from registry.ogc.errors import BadParameter

CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
EPSG_URI = "http://www.opengis.net/def/crs/EPSG/0/"
WEB_MERCATOR = 3857
_LAT_FIRST = frozenset({4326, 4756})


@dataclass(frozen=True)
class Crs:
    """One CRS served: its URI and EPSG code (None for CRS84)."""

    uri: str
    epsg: int | None

    @property
    def geographic(self) -> bool:
        return self.epsg is None or self.epsg in _LAT_FIRST

    @property
    def lat_first(self) -> bool:
        return self.epsg in _LAT_FIRST

    @property
    def decimals(self) -> int:
        """Decimals of a coordinate in an answer: 1 cm or better (7 in degrees, 3 in metres)."""
        return 7 if self.geographic else 3

    @property
    def header(self) -> str:
        """The Content-Crs header of an answer in this CRS."""
        return f"<{self.uri}>"

    @property
    def needs_proj_string(self) -> bool:
        """Transformed with the project's PROJ string (the VN-2000 CRSs), not an SRID PostGIS knows."""
        return self._proj() is not None

    def _proj(self) -> str | None:
        """The PROJ string PostGIS transforms with (the VN-2000 CRSs), or None (an SRID it knows)."""
        if self.epsg is None or self.epsg in (WGS84_EPSG, WEB_MERCATOR):
            return None
        return _proj_string(self.epsg)

    def from_wgs84(self, column: str, name: str) -> tuple[str, dict[str, Any]]:
        """SQL of the WGS 84 geometry ``column`` in this CRS and axis order (``name``: the bound
        parameter's name, when one is needed)."""
        proj = self._proj()
        if self.epsg is None:
            return column, {}
        if self.epsg == WGS84_EPSG:
            return f"ST_FlipCoordinates({column})", {}
        if self.epsg == WEB_MERCATOR:
            return f"ST_Transform({column}, {WEB_MERCATOR})", {}
        sql = f"ST_Transform({column}, CAST(:{name} AS text))"
        return (f"ST_FlipCoordinates({sql})" if self.lat_first else sql), {name: proj}

    def to_wgs84(self, geometry: str, name: str) -> tuple[str, dict[str, Any]]:
        """SQL of ``geometry`` (coordinates in this CRS and axis order, any SRID) as WGS 84 (SRID 4326,
        longitude first)."""
        if self.epsg is None:
            return f"ST_SetSRID({geometry}, 4326)", {}
        if self.epsg == WGS84_EPSG:
            return f"ST_SetSRID(ST_FlipCoordinates({geometry}), 4326)", {}
        if self.epsg == WEB_MERCATOR:
            return f"ST_Transform(ST_SetSRID({geometry}, {WEB_MERCATOR}), 4326)", {}
        source = f"ST_FlipCoordinates({geometry})" if self.lat_first else geometry
        return f"ST_Transform(ST_SetSRID({source}, 0), CAST(:{name} AS text), 4326)", {name: self._proj()}

    def check_point(self, x: float, y: float, parameter: str) -> None:
        """400 unless (x, y) is a position of this CRS (axis order as written)."""
        if not (math.isfinite(x) and math.isfinite(y)):
            raise BadParameter(parameter, "Tọa độ phải là số hữu hạn")
        if self.geographic:
            lon, lat = (y, x) if self.lat_first else (x, y)
            if not (-180 <= lon <= 180 and -90 <= lat <= 90):
                order = "vĩ độ, kinh độ" if self.lat_first else "kinh độ, vĩ độ"
                raise BadParameter(parameter, f"Tọa độ ngoài phạm vi của {self.uri} (thứ tự {order})")
        elif abs(x) > 1e8 or abs(y) > 1e8:
            raise BadParameter(parameter, f"Tọa độ ngoài phạm vi của {self.uri} (mét)")


@cache
def _proj_string(epsg: int) -> str:
    return spatial_ref_sys_rows([epsg])[0][4]


def _by_code(code: int) -> Crs:
    return Crs(EPSG_URI + str(code), code)


# What every collection offers, CRS84 (its storage CRS) first.
SERVED: tuple[Crs, ...] = (
    Crs(CRS84, None),
    _by_code(WGS84_EPSG),
    _by_code(WEB_MERCATOR),
    *(_by_code(code) for code in sorted(SUPPORTED_EPSG - {WGS84_EPSG})),
)
DEFAULT = SERVED[0]
_BY_EPSG = {c.epsg: c for c in SERVED}

_URI = re.compile(r"https?://www\.opengis\.net/def/crs/(?:EPSG/0/(\d{1,6})|OGC/1\.3/CRS84)")
_SHORT = re.compile(r"\[?(?:EPSG:|urn:ogc:def:crs:EPSG::)(\d{1,6})\]?", re.IGNORECASE)
_CRS84_NAMES = frozenset({"crs84", "ogc:crs84", "[ogc:crs84]", "urn:ogc:def:crs:ogc:1.3:crs84"})


def crs_for(value: str | None, parameter: str) -> Crs:
    """The CRS ``value`` names (an OGC URI, ``EPSG:n``, ``[EPSG:n]``, ``urn:ogc:def:crs:EPSG::n`` or
    ``CRS84``); CRS84 when absent; 400 naming ``parameter`` for anything else."""
    if value is None or value == "":
        return DEFAULT
    text = value.strip()
    if text.lower() in _CRS84_NAMES:
        return DEFAULT
    match = _URI.fullmatch(text) or _SHORT.fullmatch(text)
    if match is not None:
        code = match.group(1)
        if code is None:
            return DEFAULT
        found = _BY_EPSG.get(int(code))
        if found is not None:
            return found
    supported = "CRS84, EPSG:4326, EPSG:3857, VN-2000 (EPSG:4756, 3405, 3406, 5896–5899, 9205–9218)"
    raise BadParameter(parameter, f"Hệ tọa độ không được hỗ trợ; hỗ trợ: {supported}")
