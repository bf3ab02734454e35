"""One search box for the maps: a site or station code, an address from the registry's own addresses
(sites, press outlets), a commune, or typed coordinates (decimal, DMS, VN-2000 X/Y with the zone).

Offline by design: nothing is geocoded by a service; what is found is what the registry holds and the
communes of ``admin_unit``. Text is matched folded (``registry.text.fold`` in Python, the same
``f_unaccent(lower(...))`` in SQL), word by word, with the expressions the trigram indexes were built
on (``ix_site_search``, ``ix_station_search``, the outlets' ``search_text``), so a search over a
million sites stays an index scan. Every result carries a kind, a Vietnamese label, and a position
or an extent; the caller's visible fields decide what of a station is named.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Collection
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.crs import SUPPORTED_EPSG, is_geographic
from geo.parse import CoordinateParseError, parse_angle, parse_number
from registry.admin_units.service import CommuneIndex
from registry.audit.words import ADMIN_KIND_NAMES
from registry.positions import resolve
from registry.text import fold

MAX_LIMIT = 20
MAX_QUERY = 200  # characters; a longer text is no place name or coordinate
MAX_WORDS = 6

KIND_NAMES = {
    "coordinates": "Tọa độ",
    "site": "Vị trí",
    "station": "Trạm gốc",
    "address": "Địa chỉ",
    "outlet": "Cơ quan báo chí",
    "commune": "Xã, phường",
    "zone": "Vùng quy hoạch",
}

# Vietnam's mainland and islands, loosely: which of two numbers is the latitude is decided by this.
VN_LAT = (7.0, 24.0)
VN_LON = (101.0, 118.0)


@dataclass(frozen=True)
class Found:
    kind: str
    label: str
    detail: str | None = None
    code: str | None = None
    position: tuple[float, float] | None = None  # lon, lat
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat
    outline: dict[str, Any] | None = None  # a commune's boundary (GeoJSON, simplified)
    score: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["kind_name"] = KIND_NAMES[self.kind]
        del out["score"]
        return out


# --- Coordinates ---------------------------------------------------------------------------------


def _in_vietnam(lon: float, lat: float) -> bool:
    return VN_LON[0] <= lon <= VN_LON[1] and VN_LAT[0] <= lat <= VN_LAT[1]


# A separator between the two numbers of a pair: a semicolon, slash, comma-and-space, or spaces.
_SEPARATORS = re.compile(r"\s*[;/|]\s*|,\s+|\s+|,")


def _pair(left: str, right: str) -> tuple[float, float] | None:
    """(lon, lat) when one of the two texts reads as a latitude and the other as a longitude in Vietnam."""
    for lat_text, lon_text in ((left, right), (right, left)):
        try:
            lat, lon = parse_angle(lat_text, "lat"), parse_angle(lon_text, "lon")
        except CoordinateParseError:
            continue
        if _in_vietnam(lon, lat):
            return lon, lat
    return None


def _lon_lat(q: str) -> tuple[float, float] | None:
    """Decimal degrees or DMS in either order ("20.8449, 106.6881", "106,6881 20,8449",
    "20°50'41.6\"N 106°41'17.2\"E"): tried at each separator, the first reading inside Vietnam."""
    cuts = [m for m in _SEPARATORS.finditer(q) if m.start() > 0 and m.end() < len(q)]
    if len(cuts) > 12:
        return None
    for cut in cuts:
        found = _pair(q[: cut.start()], q[cut.end() :])
        if found:
            return found
    return None


_NUM = r"(-?\d+(?:[.,\s]\d{3})*(?:[.,]\d+)?)"
_X = re.compile(rf"\bX\s*[=:]?\s*{_NUM}", re.IGNORECASE)
_Y = re.compile(rf"\bY\s*[=:]?\s*{_NUM}", re.IGNORECASE)
_EPSG = re.compile(r"\b(?:EPSG\s*[:=]?\s*)?(\d{4})\b", re.IGNORECASE)
_MERIDIAN = re.compile(r"\b(1\d\d)\s*[°º˚o]\s*(?:(\d{1,2})\s*['′’]?)?")


def _epsg_of_meridian(degrees: float) -> int | None:
    from pyproj import CRS

    for code in sorted(SUPPORTED_EPSG):
        if is_geographic(code):
            continue
        op = CRS.from_epsg(code).coordinate_operation
        params = op.params if op else []
        if any("longitude" in p.name.lower() and abs(p.value - degrees) < 1e-9 for p in params):
            return code
    return None


def _vn2000(q: str) -> tuple[float, float, int] | None:
    """VN-2000 "X=2306645.86 Y=599708.37" (X northing, Y easting, as surveyors write them) with the zone
    as a central meridian ("105°45'") or an EPSG code: (lon, lat, epsg)."""
    x, y = _X.search(q), _Y.search(q)
    if not (x and y):
        return None
    rest = q[: min(x.start(), y.start())] + " " + q[max(x.end(), y.end()) :]
    epsg: int | None = None
    if (meridian := _MERIDIAN.search(rest)) is not None:
        epsg = _epsg_of_meridian(int(meridian[1]) + int(meridian[2] or 0) / 60)
    elif (code := _EPSG.search(rest)) is not None and int(code[1]) in SUPPORTED_EPSG:
        epsg = int(code[1])
    if epsg is None or is_geographic(epsg):
        return None
    try:
        northing, easting = parse_number(x[1].strip()), parse_number(y[1].strip())
    except CoordinateParseError:
        return None
    position, _problems = resolve(epsg, easting, northing)
    if position is None:
        return None
    return position.lon, position.lat, epsg


def _dms(value: float, hemispheres: str) -> str:
    seconds = round(abs(value) * 3600, 1)
    d, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{int(d)}°{int(m):02d}′{s:04.1f}″{hemispheres[0] if value >= 0 else hemispheres[1]}".replace(".", ",")


def coordinates(q: str) -> Found | None:
    """The point typed in ``q``, if ``q`` is coordinates of a place in Vietnam."""
    detail = None
    vn = _vn2000(q)
    if vn is not None:
        lon, lat, epsg = vn
        detail = f"VN-2000 (EPSG:{epsg})"
    else:
        found = _lon_lat(q)
        if found is None:
            return None
        lon, lat = found
    label = f"{_dms(lat, 'NS')} {_dms(lon, 'EW')}"
    decimal = f"{lat:.6f}, {lon:.6f}".replace(".", ",").replace(", ", "; ")
    return Found("coordinates", label, f"{detail} → {decimal}" if detail else decimal, position=(lon, lat), score=10.0)


# --- Registry text ------------------------------------------------------------------------------


def _like(word: str) -> str:
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _words(folded: str) -> list[str]:
    return [w for w in folded.split(" ") if w][:MAX_WORDS]


def _all_words(expr: str, words: list[str], prefix: str) -> tuple[str, dict[str, str]]:
    """``expr LIKE`` every word (each an index-usable LIKE on the trigram index built on ``expr``)."""
    params = {f"{prefix}{i}": _like(w) for i, w in enumerate(words)}
    return " AND ".join(f"{expr} LIKE :{name}" for name in params), params


_SITE_TEXT = "f_unaccent(lower(s.code || ' ' || coalesce(s.address, '')))"
_STATION_TEXT = "f_unaccent(lower(st.station_code))"


def _sites(session: Session, q: str, folded: str, words: list[str], limit: int, station_codes: bool) -> list[Found]:
    site_match, params = _all_words(_SITE_TEXT, words, "w")
    station_match = f"{_STATION_TEXT} LIKE :whole"
    by_id = "st.id = :station_id" if folded.isdigit() and len(folded) < 10 else "false"
    sql = text(
        f"""
        WITH hit AS (
            SELECT s.id, NULL::int AS station_id FROM site s WHERE s.code = :code
            UNION ALL
            SELECT st.site_id, st.id FROM station st WHERE st.station_code = :code
            UNION ALL
            (SELECT s.id, NULL::int AS station_id FROM site s WHERE {site_match} LIMIT :cap)
            UNION ALL
            (SELECT st.site_id, st.id FROM station st WHERE {station_match} OR {by_id} LIMIT :cap)
        )
        SELECT DISTINCT ON (s.id, hit.station_id) s.code, s.address, a.name AS commune,
               ST_X(s.geom) AS lon, ST_Y(s.geom) AS lat, st.id AS station_id, st.station_code,
               similarity(f_unaccent(lower(s.code || ' ' || coalesce(s.address, ''))), :whole_text) AS sim
        FROM hit JOIN site s ON s.id = hit.id
        LEFT JOIN station st ON st.id = hit.station_id
        LEFT JOIN admin_unit a ON a.id = s.admin_unit_id
        """
    )
    rows = session.execute(
        sql,
        {
            **params,
            "whole": _like(folded),
            "whole_text": folded,
            "code": q.strip().upper(),
            "station_id": int(folded) if by_id != "false" else 0,
            "cap": limit * 3,
        },
    ).all()
    found = []
    for r in rows:
        where = ", ".join(p for p in (r.address, r.commune) if p) or None
        if r.station_id is not None:
            code_hit = fold(r.station_code or "") == folded or str(r.station_id) == folded
            if station_codes:
                label = r.station_code or f"#{r.station_id}"
                detail = f"Trạm #{r.station_id} tại vị trí {r.code}" + (f" — {where}" if where else "")
                found.append(
                    Found("station", label, detail, r.code, (r.lon, r.lat), score=(5.0 if code_hit else 3.0) + r.sim)
                )
            else:  # the public finds the site by a station's code, as the sites list does
                found.append(Found("site", r.code, where, r.code, (r.lon, r.lat), score=(4.5 if code_hit else 2.5)))
            continue
        code = fold(r.code)
        if code == folded or code.startswith(folded):
            found.append(Found("site", r.code, where, r.code, (r.lon, r.lat), score=(6.0 if code == folded else 4.0)))
        else:
            detail = f"Vị trí {r.code}" + (f", {r.commune}" if r.commune else "")
            found.append(Found("address", r.address or r.code, detail, r.code, (r.lon, r.lat), score=2.0 + r.sim))
    return found


def _outlets(session: Session, folded: str, words: list[str], limit: int) -> list[Found]:
    """Press outlets and offices by name (their ``search_text``) or address, those with a position."""
    name_match, params = _all_words("o.search_text", words, "n")
    address_match, address_params = _all_words("f_unaccent(lower(coalesce(o.address, '')))", words, "a")
    sql = text(
        f"""
        SELECT o.code, o.name, o.address, ST_X(o.geom) AS lon, ST_Y(o.geom) AS lat,
               similarity(o.search_text, :whole_text) AS sim
        FROM press_outlet o
        WHERE o.geom IS NOT NULL AND (({name_match}) OR ({address_match}))
        ORDER BY sim DESC, o.code LIMIT :cap
        """
    )
    rows = session.execute(sql, {**params, **address_params, "whole_text": folded, "cap": limit}).all()
    return [Found("outlet", r.name, r.address, r.code, (r.lon, r.lat), score=1.5 + r.sim) for r in rows]


_KIND_WORDS = "^(" + "|".join(p.strip() for p in CommuneIndex.PREFIXES) + ") "


def _commune_name(name: str, kind: str | None) -> str:
    """ "Phường Lê Chân" for the unit named "Lê Chân" of kind phuong (a name may already carry the word)."""
    word = ADMIN_KIND_NAMES.get(kind or "")
    return f"{word} {name}" if word and not fold(name).startswith(fold(word)) else name


def _communes(session: Session, folded: str, limit: int) -> list[Found]:
    """Communes in force whose name, without "phường/xã…", holds the words (their extent and outline)."""
    key = CommuneIndex.key(folded)
    match, params = _all_words(f"regexp_replace(f_unaccent(lower(a.name)), '{_KIND_WORDS}', '')", _words(key), "c")
    sql = text(
        f"""
        SELECT a.code, a.name, a.kind, a.former_district,
               regexp_replace(f_unaccent(lower(a.name)), '{_KIND_WORDS}', '') = :key AS exact,
               ST_X(ST_PointOnSurface(a.geom)) AS lon, ST_Y(ST_PointOnSurface(a.geom)) AS lat,
               ST_XMin(a.geom) AS x0, ST_YMin(a.geom) AS y0, ST_XMax(a.geom) AS x1, ST_YMax(a.geom) AS y1,
               ST_AsGeoJSON(ST_SimplifyPreserveTopology(a.geom, 0.0001), 5) AS outline
        FROM admin_unit a
        WHERE a.level = 'commune' AND a.valid_to IS NULL AND a.geom IS NOT NULL AND {match}
        ORDER BY exact DESC, a.name LIMIT :cap
        """
    )
    rows = session.execute(sql, {**params, "key": key, "cap": limit}).all()
    return [
        Found(
            "commune",
            _commune_name(r.name, r.kind),
            f"Trước đây thuộc {r.former_district}" if r.former_district else None,
            r.code,
            (r.lon, r.lat),
            (r.x0, r.y0, r.x1, r.y1),
            json.loads(r.outline),
            score=7.0 if r.exact else 3.5,
        )
        for r in rows
    ]


def _zones(session: Session, words: list[str], limit: int) -> list[Found]:
    """Planning zones in force whose name holds the words: the registry's own named places ("Nhà hát
    lớn", "quảng trường", "trụ sở UBND" …), public planning documents, found by their extent."""
    match, params = _all_words("f_unaccent(lower(z.name))", words, "z")
    sql = text(
        f"""
        SELECT z.code, z.name,
               ST_X(ST_PointOnSurface(z.geom)) AS lon, ST_Y(ST_PointOnSurface(z.geom)) AS lat,
               ST_XMin(z.geom) AS x0, ST_YMin(z.geom) AS y0, ST_XMax(z.geom) AS x1, ST_YMax(z.geom) AS y1,
               ST_AsGeoJSON(ST_SimplifyPreserveTopology(z.geom, 0.0001), 5) AS outline
        FROM planning_zone z
        WHERE (z.valid_to IS NULL OR z.valid_to > current_date) AND {match}
        ORDER BY z.code LIMIT :cap
        """
    )
    rows = session.execute(sql, {**params, "cap": limit}).all()
    return [
        Found(
            "zone",
            r.name,
            f"Vùng quy hoạch {r.code}",
            r.code,
            (r.lon, r.lat),
            (r.x0, r.y0, r.x1, r.y1),
            json.loads(r.outline),
            score=2.5,
        )
        for r in rows
    ]


def search(session: Session, q: str, *, limit: int = 10, station_fields: Collection[str] | None = None) -> list[Found]:
    """What ``q`` names, best first, at most ``limit`` (≤ MAX_LIMIT) results. ``station_fields``: the
    station fields the caller may read (None: all); without ``station_code`` a station is found only as
    its site."""
    limit = max(1, min(limit, MAX_LIMIT))
    q = q.strip()[:MAX_QUERY]
    folded = fold(q)
    if len(folded) < 2:
        return []
    found: list[Found] = []
    point = coordinates(q)
    if point is not None:
        found.append(point)
    words = _words(folded)
    if words:
        station_codes = station_fields is None or "station_code" in station_fields
        found += _sites(session, q, folded, words, limit, station_codes)
        found += _outlets(session, folded, words, limit)
        found += _communes(session, folded, limit)
        found += _zones(session, words, limit)
    found.sort(key=lambda f: (-f.score if math.isfinite(f.score) else 0.0, f.label))
    return found[:limit]
