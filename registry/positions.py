"""Turning entered coordinates into a WGS 84 point, with every doubt reported, never fixed.

The conversion itself lives in ``geo``; this module adds what only the registry knows: the
configured province, and the Vietnamese wording of the error for a field or a spreadsheet cell.
"""

from __future__ import annotations

from dataclasses import dataclass

from geo.checks import Issue, check_position, check_projected
from geo.crs import SUPPORTED_EPSG, CrsError, is_geographic, to_wgs84


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
