"""Turning entered coordinates into a WGS 84 point, with every doubt reported, never fixed.

The conversion itself lives in ``geo``; this module adds what only the registry knows: the
configured province, and the Vietnamese wording of the error for a field or a spreadsheet cell.
Every area that takes a position (sites, press outlets, cases) takes a ``PositionIn`` and turns it
into a ``Position`` with ``position_from_input``, and stores it with ``point``.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from geoalchemy2 import WKTElement
from pydantic import Field, model_validator

from geo.checks import Issue, check_position, check_projected
from geo.crs import SUPPORTED_EPSG, CrsError, is_geographic, to_wgs84
from registry.errors import FieldError, ValidationFailed
from registry.schemas import Strict


class Provenance(StrEnum):
    gps = "gps"
    survey = "survey"
    map = "map"
    converted = "converted"


PROVENANCE_NAMES = {
    Provenance.gps: "đo bằng GPS",
    Provenance.survey: "đo đạc",
    Provenance.map: "lấy trên bản đồ",
    Provenance.converted: "chuyển đổi từ hệ tọa độ khác",
}


@dataclass(frozen=True)
class Position:
    lon: float
    lat: float
    source_crs: int
    source_x: float
    source_y: float


@dataclass(frozen=True)
class PositionProblem:
    code: str
    message: str
    # Which of the inputs the problem is about: "x", "y", "crs" or "xy" (both).
    about: str = "xy"


def resolve(crs: int, x: float, y: float) -> tuple[Position | None, list[PositionProblem]]:
    """(x, y) are (lon, lat) for a geographic CRS and (easting, northing) for a projected one."""
    if crs not in SUPPORTED_EPSG:
        allowed = ", ".join(str(c) for c in sorted(SUPPORTED_EPSG))
        return None, [
            PositionProblem("unsupported_crs", f"Hệ tọa độ EPSG:{crs} không được hỗ trợ (chấp nhận: {allowed})", "crs")
        ]
    if is_geographic(crs):
        # A latitude of 106 is usually a longitude in the wrong column: geo says so before "out of range".
        issues = check_position(x, y)
        if issues and issues[0].code == "out_of_range":
            about = "y" if not -90 <= y <= 90 else "x" if not -180 <= x <= 180 else "xy"
            return None, [PositionProblem(i.code, i.message, about) for i in issues]
    else:
        issues = check_projected(x, y)
    if issues:
        return None, _as_problems(issues)
    try:
        lon, lat = to_wgs84(crs, x, y)
    except CrsError as exc:
        return None, [PositionProblem("conversion_failed", str(exc), "crs")]
    problems = _as_problems(check_position(lon, lat))
    if problems:
        return None, problems
    return Position(lon, lat, crs, x, y), []


def _as_problems(issues: list[Issue]) -> list[PositionProblem]:
    return [PositionProblem(i.code, i.message) for i in issues]


class PositionIn(Strict):
    """A point in any supported CRS: lon/lat for geographic CRSs, easting/northing for projected.

    VN-2000 projected coordinates are often written X = northing, Y = easting: send them as
    ``northing`` and ``easting`` by name, never by position.
    """

    crs: int = Field(4326, description="EPSG code: 4326, 4756, 3405, 3406, 5896–5899, 9205–9218")
    lon: float | None = Field(None, description="Kinh độ (CRS địa lý)")
    lat: float | None = Field(None, description="Vĩ độ (CRS địa lý)")
    easting: float | None = Field(None, description="Tọa độ Y (hướng Đông) của hệ phẳng")
    northing: float | None = Field(None, description="Tọa độ X (hướng Bắc) của hệ phẳng")
    provenance: Provenance | None = Field(None, description="Mặc định: gps cho kinh/vĩ độ, survey cho tọa độ phẳng")

    @model_validator(mode="after")
    def _one_pair(self) -> PositionIn:
        geographic = self.lon is not None or self.lat is not None
        projected = self.easting is not None or self.northing is not None
        if geographic == projected:
            raise ValueError("Cần đúng một cặp tọa độ: (lon, lat) hoặc (easting, northing)")
        if geographic and (self.lon is None or self.lat is None):
            raise ValueError("Thiếu kinh độ hoặc vĩ độ")
        if projected and (self.easting is None or self.northing is None):
            raise ValueError("Thiếu easting hoặc northing")
        return self

    @property
    def provenance_or_default(self) -> str:
        if self.provenance is not None:
            return self.provenance.value
        return Provenance.gps.value if self.lon is not None else Provenance.survey.value

    @property
    def source_xy(self) -> tuple[float, float]:
        if self.lon is not None and self.lat is not None:
            return self.lon, self.lat
        assert self.easting is not None and self.northing is not None
        return self.easting, self.northing


def position_from_input(position: PositionIn) -> Position:
    """The WGS 84 position of an entered point, or ValidationFailed naming ``position.<field>``."""
    x, y = position.source_xy
    resolved, problems = resolve(position.crs, x, y)
    if resolved is None:
        names = {
            "x": "lon" if position.lon is not None else "easting",
            "y": "lat" if position.lat is not None else "northing",
            "crs": "crs",
            "xy": "",
        }
        raise ValidationFailed(
            "Tọa độ không hợp lệ",
            [
                FieldError(p.message, field="position" + ("." + names[p.about] if names[p.about] else ""), code=p.code)
                for p in problems
            ],
        )
    return resolved


def point(lon: float, lat: float) -> WKTElement:
    return WKTElement(f"POINT({lon!r} {lat!r})", srid=4326)
