"""Importing an operator's station spreadsheet: all rows validated first, then all-or-nothing.

Stages: (1) map headers to columns; (2) parse every row, collecting every error with its row and
column; (3) checks across rows and against the registry (the same station twice, the same site
entered twice, points outside the province); (4) only when nothing is wrong, upsert by
(operator, station code). Importing the same file again changes nothing.

Stages 1–3 take no lock, so a long file does not stop other writers; the registry-wide site-writes
lock is held only for stage 4, after checking that no site or station changed meanwhile (if one
did, stage 3 runs again under the lock).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from geo.checks import geodesic_distance_m
from geo.crs import SUPPORTED_EPSG, is_geographic
from geo.parse import CoordinateParseError, parse_angle, parse_number
from registry.admin_units.service import CommuneIndex, place_points, province_loaded
from registry.errors import FieldError, LimitExceeded, ValidationFailed
from registry.organisations.models import Organisation
from registry.organisations.service import OrganisationIndex, new_organisation
from registry.positions import Position, resolve
from registry.settings import Settings, get_settings
from registry.stations.models import PoleClass, Provenance, Site, Station
from registry.stations.schemas import EIRP_MAX_W, MAX_SECTORS
from registry.stations.service import lock_site_writes, next_site_code, point, set_sectors
from registry.stations.template import BY_KEY, PROVENANCE_WORDS, STATUS_WORDS, column_for
from registry.tabular import Table
from registry.text import fold

Progress = Callable[[str, int, int], None]

TECHNOLOGY_WORDS = {
    "2g": "2G",
    "gsm": "2G",
    "3g": "3G",
    "umts": "3G",
    "wcdma": "3G",
    "4g": "4G",
    "lte": "4G",
    "5g": "5G",
    "nr": "5G",
}
POLE_CLASSES = {p.value.lower(): p.value for p in PoleClass}
_SPLIT = re.compile(r"[,;/|+\s]+")


@dataclass
class ImportReport:
    rows: int = 0
    dry_run: bool = False
    sites_created: int = 0
    sites_updated: int = 0
    sites_reused: int = 0
    stations_created: int = 0
    stations_updated: int = 0
    stations_unchanged: int = 0
    organisations_created: list[str] = field(default_factory=list)
    errors: list[FieldError] = field(default_factory=list)
    warnings: list[FieldError] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        return not self.errors

    def as_dict(self) -> dict[str, Any]:
        return {
            "valid": self.valid,
            "dry_run": self.dry_run,
            "rows": self.rows,
            "sites_created": self.sites_created,
            "sites_updated": self.sites_updated,
            "sites_reused": self.sites_reused,
            "stations_created": self.stations_created,
            "stations_updated": self.stations_updated,
            "stations_unchanged": self.stations_unchanged,
            "organisations_created": self.organisations_created,
            "errors": [e.as_dict() for e in self.errors],
            "warnings": [w.as_dict() for w in self.warnings],
        }


@dataclass
class _Row:
    number: int
    station_code: str
    operator: Organisation
    site_code: str | None
    position: Position | None
    provenance: str
    site_fields: dict[str, Any]
    station_fields: dict[str, Any]
    sectors: list[tuple[float, float | None, float | None]] | None
    commune: str | None
    site_key: str = ""  # which site (existing code or new-site key) the row ends up on


@dataclass
class _NewSite:
    key: str
    code: str | None
    position: Position
    provenance: str
    rows: list[_Row]
    commune_id: int | None = None


class _RowParser:
    """Parses the cells of one row; every problem becomes a FieldError naming the file's header."""

    def __init__(self, headers: dict[str, str], report: ImportReport, orgs: OrganisationIndex) -> None:
        self.headers = headers
        self.report = report
        self.orgs = orgs

    def error(self, row: int, key: str, value: Any, message: str, code: str = "invalid") -> None:
        self.report.errors.append(
            FieldError(
                message,
                row=row,
                column=self.headers.get(key, BY_KEY[key].header if key in BY_KEY else key),
                value=_jsonable(value),
                code=code,
            )
        )

    def text(self, cells: dict[str, Any], key: str) -> str | None:
        value = cells.get(key)
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        s = str(value).strip()
        return s or None

    def number(self, row: int, cells: dict[str, Any], key: str, lo: float, hi: float) -> float | None:
        raw = cells.get(key)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        try:
            value = parse_number(raw)
        except CoordinateParseError as exc:
            self.error(row, key, raw, str(exc))
            return None
        if not lo <= value <= hi:
            self.error(row, key, raw, f"Giá trị {value:g} ngoài khoảng cho phép {lo:g}–{hi:g}")
            return None
        return value

    def parse(self, row: int, cells: dict[str, Any]) -> _Row | None:
        before = len(self.report.errors)
        for key, value in cells.items():
            if isinstance(value, str) and "\x00" in value:
                self.error(row, key, value.replace("\x00", "\\0"), "Ô chứa ký tự NUL")
        if len(self.report.errors) > before:
            return None
        station_code = self.text(cells, "station_code")
        if not station_code:
            self.error(row, "station_code", cells.get("station_code"), "Thiếu mã trạm", "required")
        elif len(station_code) > 60:
            self.error(row, "station_code", station_code, "Mã trạm dài quá 60 ký tự")
        operator_name = self.text(cells, "operator")
        operator = None
        if not operator_name:
            self.error(row, "operator", None, "Thiếu doanh nghiệp", "required")
        else:
            operator = self.orgs.find_operator(operator_name)
            if operator is None:
                self.error(
                    row,
                    "operator",
                    operator_name,
                    f"Không biết doanh nghiệp «{operator_name}» (có: {', '.join(self.orgs.operator_names())})",
                    "unknown_operator",
                )
        site_code = self.text(cells, "site_code")
        if site_code and not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}", site_code):
            self.error(row, "site_code", site_code, "Mã vị trí chỉ gồm chữ, số và . _ - (tối đa 40 ký tự)")
        position = self.position(row, cells, site_code)
        provenance = Provenance.gps.value
        if (raw := self.text(cells, "provenance")) is not None:
            provenance = PROVENANCE_WORDS.get(fold(raw), "")
            if not provenance:
                self.error(row, "provenance", raw, "Nguồn tọa độ phải là gps, survey, map hoặc converted")
        elif position is not None and position.source_crs not in (4326, 4756):
            provenance = Provenance.survey.value  # plane coordinates come from a survey, not a phone

        site_fields: dict[str, Any] = {}
        if (raw := self.text(cells, "pole_class")) is not None:
            pole = POLE_CLASSES.get(raw.lower().replace(" ", ""))
            if pole is None:
                self.error(row, "pole_class", raw, "Loại cột phải là A1a, A1b, A1c, A2a, A2b hoặc A2c")
            site_fields["pole_class"] = pole
        for key, hi in (("pole_height_m", 300.0), ("building_height_m", 500.0)):
            value = self.number(row, cells, key, 0.0, hi)
            if value is not None:
                if key == "pole_height_m" and value == 0:
                    self.error(row, key, cells.get(key), "Chiều cao cột phải lớn hơn 0")
                site_fields[key] = value
        if (raw := self.text(cells, "address")) is not None:
            site_fields["address"] = raw
        if (raw := self.text(cells, "owner")) is not None:
            site_fields["owner"] = raw

        station_fields: dict[str, Any] = {}
        if (raw := self.text(cells, "technologies")) is not None:
            techs = []
            for word in filter(None, _SPLIT.split(raw)):
                tech = TECHNOLOGY_WORDS.get(word.lower())
                if tech is None:
                    self.error(row, "technologies", raw, f"Công nghệ «{word}» không hợp lệ (2G, 3G, 4G, 5G)")
                else:
                    techs.append(tech)
            station_fields["technologies"] = sorted(set(techs))
        if (raw := self.text(cells, "bands")) is not None:
            bands = [b for b in (w.strip() for w in re.split(r"[,;/|]+", raw)) if b]
            if any(len(b) > 16 for b in bands):
                self.error(row, "bands", raw, "Mỗi băng tần tối đa 16 ký tự")
            station_fields["bands"] = bands
        if (raw := self.text(cells, "status")) is not None:
            status = STATUS_WORDS.get(fold(raw))
            if status is None:
                self.error(
                    row,
                    "status",
                    raw,
                    "Trạng thái không hợp lệ (đang hoạt động, quy hoạch, đang xây dựng, tạm dừng, đã tháo dỡ)",
                )
            station_fields["status"] = status
        if "commissioning_date" in cells:
            station_fields["commissioning_date"] = self.date(row, cells)
        sectors = self.sectors(row, cells)
        if len(self.report.errors) > before or operator is None or not station_code:
            return None
        return _Row(
            row,
            station_code,
            operator,
            site_code,
            position,
            provenance,
            site_fields,
            station_fields,
            sectors,
            self.text(cells, "commune"),
        )

    def position(self, row: int, cells: dict[str, Any], site_code: str | None) -> Position | None:
        has_geo = any(self.text(cells, k) for k in ("lon", "lat"))
        has_proj = any(self.text(cells, k) for k in ("northing", "easting"))
        crs_raw = self.text(cells, "crs")
        crs: int | None = None
        if crs_raw is not None:
            match = re.fullmatch(r"(?:epsg\s*:?\s*)?(\d{4,5})", crs_raw.strip(), re.IGNORECASE)
            if match is None:
                self.error(row, "crs", crs_raw, "Hệ tọa độ phải là mã EPSG, ví dụ 4326 hoặc EPSG:9210")
                return None
            crs = int(match.group(1))
        if has_geo and has_proj:
            self.error(row, "lon", None, "Chỉ ghi một cặp tọa độ: (kinh độ, vĩ độ) hoặc (X, Y)")
            return None
        if not has_geo and not has_proj:
            if not site_code:
                self.error(
                    row, "lon", None, "Thiếu tọa độ (kinh độ, vĩ độ hoặc X, Y) và không có mã vị trí", "required"
                )
            return None
        if has_geo:
            crs = crs or 4326
            a_key, b_key = "lon", "lat"
            parse = [lambda v: parse_angle(v, "lon"), lambda v: parse_angle(v, "lat")]
        else:
            if crs is None:
                self.error(row, "crs", None, "Tọa độ phẳng (X, Y) cần ghi rõ hệ tọa độ, ví dụ 9210", "required")
                return None
            a_key, b_key = "easting", "northing"
            parse = [parse_number, parse_number]
        if crs in SUPPORTED_EPSG and is_geographic(crs) != has_geo:
            kind = "địa lý (kinh độ, vĩ độ)" if is_geographic(crs) else "phẳng (X, Y)"
            self.error(row, "crs", crs_raw, f"EPSG:{crs} là hệ tọa độ {kind}; cột tọa độ không khớp")
            return None
        values: list[float] = []
        for key, fn in zip((a_key, b_key), parse, strict=True):
            raw = cells.get(key)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                self.error(row, key, raw, "Thiếu giá trị tọa độ", "required")
                return None
            try:
                values.append(fn(raw))
            except (CoordinateParseError, ValueError) as exc:
                # A plain number outside its range (a latitude of 106) is left to resolve(), which
                # tells a swapped pair from a wrong value.
                try:
                    values.append(parse_number(raw))
                except CoordinateParseError:
                    self.error(row, key, raw, str(exc), "bad_coordinate")
                    return None
        resolved, problems = resolve(crs, values[0], values[1])
        for p in problems:
            key = {"x": a_key, "y": b_key, "crs": "crs"}.get(p.about, a_key)
            self.error(row, key, cells.get(key) if key != "crs" else crs_raw, p.message, p.code)
        return resolved

    def date(self, row: int, cells: dict[str, Any]) -> date | None:
        raw = cells.get("commissioning_date")
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            return None
        if isinstance(raw, datetime):
            return raw.date()
        if isinstance(raw, date):
            return raw
        s = str(raw).strip()
        for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
            try:
                return datetime.strptime(s, pattern).date()
            except ValueError:
                continue
        self.error(row, "commissioning_date", raw, "Ngày không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)")
        return None

    def sectors(self, row: int, cells: dict[str, Any]) -> list[tuple[float, float | None, float | None]] | None:
        lists: dict[str, list[float] | None] = {}
        # The same bounds as the API's SectorIn, so a file cannot store what the API would refuse.
        for key, lo, hi in (("azimuths", 0.0, 360.0), ("tilts", -90.0, 90.0), ("eirps", 0.0, EIRP_MAX_W)):
            raw = self.text(cells, key)
            if raw is None:
                lists[key] = None
                continue
            values = []
            for part in filter(None, (p.strip() for p in re.split(r"[;|/]+", raw))):
                try:
                    v = parse_number(part)
                except CoordinateParseError:
                    self.error(row, key, raw, f"«{part}» không phải số")
                    return None
                open_ends = {"azimuths": (False, True), "eirps": (True, False)}.get(key, (False, False))
                if v < lo or v > hi or (open_ends[0] and v == lo) or (open_ends[1] and v == hi):
                    interval = f"{'(' if open_ends[0] else '['}{lo:g}; {hi:g}{')' if open_ends[1] else ']'}"
                    self.error(row, key, raw, f"Giá trị {v:g} ngoài khoảng {interval}")
                    return None
                values.append(v)
            if len(values) > MAX_SECTORS:
                self.error(row, key, raw, f"Tối đa {MAX_SECTORS} sector một trạm")
                return None
            lists[key] = values
        azimuths = lists["azimuths"]
        if azimuths is None:
            if lists["tilts"] or lists["eirps"]:
                self.error(row, "azimuths", None, "Có góc nghiêng/EIRP nhưng thiếu góc phương vị", "required")
            return None
        for key in ("tilts", "eirps"):
            other = lists[key]
            if other is not None and len(other) != len(azimuths):
                self.error(
                    row, key, cells.get(key), f"Số giá trị ({len(other)}) khác số góc phương vị ({len(azimuths)})"
                )
                return None
        tilts, eirps = lists["tilts"], lists["eirps"]
        return [(az, tilts[i] if tilts else None, eirps[i] if eirps else None) for i, az in enumerate(azimuths)]


def _cell(pos: Position, tolerance_m: float) -> tuple[int, int]:
    # Grid cells at least as wide as the duplicate distance (a degree of longitude is over 100 km
    # everywhere in Vietnam), so any pair that close lies in neighbouring cells.
    per_degree = min(2000.0, 100_000.0 / max(tolerance_m, 1.0))
    return math.floor(pos.lon * per_degree), math.floor(pos.lat * per_degree)


def _same_unit(a: str, b: str) -> bool:
    return CommuneIndex.key(a) == CommuneIndex.key(b)


def _jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


def _map_headers(table: Table, report: ImportReport) -> dict[int, str]:
    mapping: dict[int, str] = {}
    seen: dict[str, str] = {}
    for i, header in enumerate(table.headers):
        if not header:
            continue
        key = column_for(header)
        if key is None:
            report.warnings.append(
                FieldError(
                    f"Cột «{header}» không thuộc mẫu, bị bỏ qua",
                    row=table.header_row,
                    column=header,
                    code="unknown_column",
                )
            )
            continue
        if key in seen:
            report.errors.append(
                FieldError(
                    f"Cột «{header}» trùng ý nghĩa với cột «{seen[key]}»",
                    row=table.header_row,
                    column=header,
                    code="duplicate_column",
                )
            )
            continue
        seen[key] = header
        mapping[i] = key
    for key in ("station_code", "operator"):
        if key not in seen:
            report.errors.append(
                FieldError(
                    f"Thiếu cột bắt buộc «{BY_KEY[key].header}»",
                    row=table.header_row,
                    column=BY_KEY[key].header,
                    code="missing_column",
                )
            )
    return mapping


def rows_from_table(table: Table, report: ImportReport) -> tuple[dict[str, str], list[tuple[int, dict[str, Any]]]]:
    mapping = _map_headers(table, report)
    headers = {key: table.headers[i] for i, key in mapping.items()}
    rows = [(n, {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}) for n, cells in table.rows]
    return headers, rows


def import_table(
    session: Session,
    *,
    table: Table,
    dry_run: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
) -> ImportReport:
    report = ImportReport(dry_run=dry_run)
    headers, rows = rows_from_table(table, report)
    if report.errors:
        raise ValidationFailed("Tệp không đúng mẫu", report.errors, report=report.as_dict())
    return import_rows(
        session, rows=rows, headers=headers, dry_run=dry_run, settings=settings, progress=progress, report=report
    )


def import_rows(
    session: Session,
    *,
    rows: list[tuple[int, dict[str, Any]]],
    headers: dict[str, str] | None = None,
    dry_run: bool = False,
    settings: Settings | None = None,
    progress: Progress | None = None,
    report: ImportReport | None = None,
) -> ImportReport:
    """Validate every row, then (unless ``dry_run``) write them all; raises ValidationFailed on any error."""
    settings = settings or get_settings()
    report = report or ImportReport(dry_run=dry_run)
    report.rows = len(rows)
    if len(rows) > settings.max_import_rows:
        raise LimitExceeded(f"Tệp có {len(rows)} dòng, tối đa {settings.max_import_rows} dòng một lần", status=413)
    if not rows:
        raise ValidationFailed(
            "Tệp không có dòng dữ liệu",
            [FieldError("Không có dòng dữ liệu nào dưới dòng tiêu đề", field="file")],
            report=report.as_dict(),
        )
    # Parsing, validating and planning take no lock: other writers of sites (and everyone reading)
    # carry on meanwhile. Only the writes below hold the registry-wide site-writes lock.
    orgs = OrganisationIndex(session)
    parser = _RowParser(headers or {}, report, orgs)
    parsed: list[_Row] = []
    for i, (number, cells) in enumerate(rows):
        row = parser.parse(number, cells)
        if row is not None:
            parsed.append(row)
        if progress and (i % 500 == 0 or i == len(rows) - 1):
            progress("Kiểm tra từng dòng", i + 1, len(rows))

    warnings_before_plan = len(report.warnings)
    seen = _registry_state(session)
    plan = _Plan(session, parser, report, settings)
    plan.build(parsed)
    _refuse_if_errors(report)
    # Codes are max + 1 and the duplicate and placement checks read before they write: the writes
    # serialise with every other writer of sites (waiting at most the session's lock_timeout).
    lock_site_writes(session)
    if _registry_state(session) != seen:
        # Another writer committed sites or stations while this file was being checked: check the
        # plan again against what is there now (the new site next door, the code taken, the site
        # moved), under the lock, so nothing can change any more before the writes.
        session.flush()
        session.expire_all()
        del report.warnings[warnings_before_plan:]
        plan = _Plan(session, parser, report, settings)
        plan.build(parsed)
        _refuse_if_errors(report)
    if dry_run:
        # The exact counts come from doing the writes in a savepoint and undoing them.
        savepoint = session.begin_nested()
        try:
            plan.write(None)
        finally:
            savepoint.rollback()
        return report
    plan.write(progress)
    return report


def _refuse_if_errors(report: ImportReport) -> None:
    if report.errors:
        raise ValidationFailed(
            f"Tệp có {len({e.row for e in report.errors})} dòng lỗi; chưa ghi gì vào sổ",
            report.errors,
            report=report.as_dict(),
        )


def _registry_state(session: Session) -> tuple[int, ...]:
    """A fingerprint of the sites and stations a plan reads: any site or station added, removed or
    changed since (every change bumps a version) changes it."""
    row = session.execute(
        text(
            "SELECT (SELECT ARRAY[count(*), coalesce(max(id), 0), coalesce(sum(version), 0)] FROM site)"
            " || (SELECT ARRAY[count(*), coalesce(max(id), 0), coalesce(sum(version), 0)] FROM station)"
        )
    ).scalar_one()
    return tuple(int(v) for v in row)


class _Plan:
    """Cross-row checks, site resolution, and the writes."""

    def __init__(self, session: Session, parser: _RowParser, report: ImportReport, settings: Settings) -> None:
        self.session = session
        self.parser = parser
        self.report = report
        self.settings = settings
        self.rows: list[_Row] = []
        self.existing_sites: dict[str, Site] = {}
        self.new_sites: dict[str, _NewSite] = {}
        self.existing_stations: dict[tuple[int, str], Station] = {}
        self._grid: dict[tuple[int, int], list[_NewSite]] | None = None

    def build(self, rows: list[_Row]) -> None:
        self.rows = self._unique_stations(rows)
        codes = {r.site_code for r in self.rows if r.site_code}
        if codes:
            for site in self.session.scalars(select(Site).where(Site.code.in_(codes))):
                self.existing_sites[site.code] = site
        self._load_stations()
        self._check_existing_site_positions()
        self._group_new_sites()
        self._check_new_sites()
        self._check_communes()

    def _unique_stations(self, rows: list[_Row]) -> list[_Row]:
        first: dict[tuple[int, str], int] = {}
        out = []
        for row in rows:
            key = (row.operator.id, row.station_code)
            if key in first:
                self.parser.error(
                    row.number,
                    "station_code",
                    row.station_code,
                    f"Trạm {row.station_code} của {row.operator.short_name} đã có ở dòng {first[key]}",
                    "duplicate_station",
                )
                continue
            first[key] = row.number
            out.append(row)
        return out

    def _check_existing_site_positions(self) -> None:
        tol = self.settings.duplicate_site_distance_m
        wanted = [
            (r, self.existing_sites[r.site_code])
            for r in self.rows
            if r.site_code in self.existing_sites and r.position is not None
        ]
        if not wanted:
            return
        ids = list({s.id for _, s in wanted})
        coords = dict(
            self.session.execute(
                text("SELECT id, ARRAY[ST_X(geom), ST_Y(geom)] FROM site WHERE id = ANY(:ids)"), {"ids": ids}
            ).all()
        )
        for row, site in wanted:
            assert row.position is not None
            lon, lat = coords[site.id]
            d = geodesic_distance_m(lon, lat, row.position.lon, row.position.lat)
            if d > tol:
                self.parser.error(
                    row.number,
                    "lon" if is_geographic(row.position.source_crs) else "easting",
                    None,
                    f"Vị trí {site.code} trong sổ cách tọa độ trong tệp {d:.1f} m "
                    f"(cho phép {tol:g} m); sửa tọa độ vị trí qua API nếu sổ sai",
                    "site_moved",
                )

    def _group_new_sites(self) -> None:
        for row in self.rows:
            if row.site_code in self.existing_sites:
                row.site_key = row.site_code
                continue
            if row.site_code:
                site = self.new_sites.get(row.site_code)
                if site is None:
                    if row.position is None:
                        self.parser.error(
                            row.number,
                            "site_code",
                            row.site_code,
                            f"Vị trí {row.site_code} chưa có trong sổ: cần tọa độ",
                            "required",
                        )
                        continue
                    site = self.new_sites[row.site_code] = _NewSite(
                        row.site_code, row.site_code, row.position, row.provenance, []
                    )
                elif row.position is not None:
                    d = geodesic_distance_m(site.position.lon, site.position.lat, row.position.lon, row.position.lat)
                    if d > self.settings.duplicate_site_distance_m:
                        self.parser.error(
                            row.number,
                            "site_code",
                            row.site_code,
                            f"Cùng mã vị trí {row.site_code} với dòng {site.rows[0].number} nhưng cách {d:.1f} m",
                            "site_conflict",
                        )
                        continue
                site.rows.append(row)
                row.site_key = site.key
        # Rows with no site code: reuse a site a few metres away (co-location), else a new one.
        loose = [r for r in self.rows if not r.site_code and r.position is not None]
        if not loose:
            return
        near_existing = self._existing_near([r.position for r in loose if r.position])
        current = self._current_sites(loose)
        for row, hit in zip(loose, near_existing, strict=True):
            # A station already in the registry stays on its site while that site is still within
            # the duplicate distance: re-importing a file never moves stations between sites.
            hit = current.get(row.number) or hit
            if hit is not None:
                code, d = hit
                self.report.warnings.append(
                    FieldError(
                        f"Không ghi mã vị trí: ghép vào vị trí {code} trong sổ, cách {d:.1f} m",
                        row=row.number,
                        column=self.parser.headers.get("site_code", "Mã vị trí"),
                        code="joined_site",
                    )
                )
                if code not in self.existing_sites:
                    site = self.session.scalar(select(Site).where(Site.code == code))
                    assert site is not None
                    self.existing_sites[code] = site
                row.site_key = code
                continue
            assert row.position is not None
            match = self._new_site_near(row.position)
            if match is None:
                key = f"#new-{row.number}"
                match = self._add_new_site(_NewSite(key, None, row.position, row.provenance, []))
            else:
                self.report.warnings.append(
                    FieldError(
                        f"Không ghi mã vị trí: cùng vị trí với dòng {match.rows[0].number} (cách dưới "
                        f"{self.settings.duplicate_site_distance_m:g} m)",
                        row=row.number,
                        column=self.parser.headers.get("site_code", "Mã vị trí"),
                        code="joined_site",
                    )
                )
            match.rows.append(row)
            row.site_key = match.key

    def _current_sites(self, rows: list[_Row]) -> dict[int, tuple[str, float]]:
        """For rows whose station exists: its current site, when still within the duplicate distance."""
        wanted = {
            r.number: st.site_id
            for r in rows
            if (st := self.existing_stations.get((r.operator.id, r.station_code))) is not None
        }
        if not wanted:
            return {}
        sites = {
            row.id: (row.code, row.x, row.y)
            for row in self.session.execute(
                text("SELECT id, code, ST_X(geom) x, ST_Y(geom) y FROM site WHERE id = ANY(:ids)"),
                {"ids": list(set(wanted.values()))},
            )
        }
        out = {}
        for r in rows:
            if r.number in wanted and r.position is not None:
                code, x, y = sites[wanted[r.number]]
                d = geodesic_distance_m(x, y, r.position.lon, r.position.lat)
                if d <= self.settings.duplicate_site_distance_m:
                    out[r.number] = (code, d)
        return out

    def _new_site_near(self, pos: Position) -> _NewSite | None:
        if self._grid is None:
            self._grid = {}
            for site in self.new_sites.values():
                self._grid.setdefault(_cell(site.position, self.settings.duplicate_site_distance_m), []).append(site)
        cx, cy = _cell(pos, self.settings.duplicate_site_distance_m)
        best: tuple[float, _NewSite] | None = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for site in self._grid.get((cx + dx, cy + dy), []):
                    d = geodesic_distance_m(site.position.lon, site.position.lat, pos.lon, pos.lat)
                    if d <= self.settings.duplicate_site_distance_m and (best is None or d < best[0]):
                        best = (d, site)
        return best[1] if best else None

    def _add_new_site(self, site: _NewSite) -> _NewSite:
        self.new_sites[site.key] = site
        if self._grid is not None:
            self._grid.setdefault(_cell(site.position, self.settings.duplicate_site_distance_m), []).append(site)
        return site

    def _existing_near(
        self, positions: list[Position], exclude: list[str | None] | None = None
    ) -> list[tuple[str, float] | None]:
        if not positions:
            return []
        rows = self.session.execute(
            text(
                """
                SELECT p.i, n.code, n.d FROM unnest(CAST(:xs AS float8[]), CAST(:ys AS float8[]),
                                                    CAST(:ex AS text[])) WITH ORDINALITY AS p(x, y, ex, i)
                LEFT JOIN LATERAL (
                    SELECT s.code, ST_Distance(s.geom::geography,
                                               ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)::geography) AS d
                    FROM site s
                    WHERE ST_DWithin(s.geom::geography, ST_SetSRID(ST_MakePoint(p.x, p.y), 4326)::geography, :tol)
                      AND s.code IS DISTINCT FROM p.ex
                    ORDER BY d, s.code LIMIT 1
                ) n ON true ORDER BY p.i
                """
            ),
            {
                "xs": [p.lon for p in positions],
                "ys": [p.lat for p in positions],
                "ex": exclude or [None] * len(positions),
                "tol": self.settings.duplicate_site_distance_m,
            },
        ).all()
        return [(r.code, float(r.d)) if r.code is not None else None for r in rows]

    def _check_new_sites(self) -> None:
        coded = [s for s in self.new_sites.values() if s.code]
        tol = self.settings.duplicate_site_distance_m
        # A new code placed on top of a site already in the registry: the same site entered twice.
        hits = self._existing_near([s.position for s in coded], [s.code for s in coded])
        for site, hit in zip(coded, hits, strict=True):
            if hit is not None:
                self._site_error(
                    site,
                    f"Vị trí mới {site.code} cách vị trí {hit[0]} trong sổ {hit[1]:.1f} m: "
                    f"có thể cùng một vị trí nhập hai lần (ghi mã {hit[0]} để dùng chung)",
                    "duplicate_site",
                )
        # Two new codes a few metres apart within the file.
        cells: dict[tuple[int, int], list[_NewSite]] = {}
        for site in coded:
            cell = _cell(site.position, self.settings.duplicate_site_distance_m)
            for dx in (-1, 0, 1):
                for dy in (-1, 0, 1):
                    for other in cells.get((cell[0] + dx, cell[1] + dy), []):
                        d = geodesic_distance_m(
                            other.position.lon, other.position.lat, site.position.lon, site.position.lat
                        )
                        if d <= tol:
                            self._site_error(
                                site,
                                f"Vị trí {site.code} cách vị trí {other.code} "
                                f"(dòng {other.rows[0].number}) {d:.1f} m: có thể là một vị trí "
                                "nhập hai lần",
                                "duplicate_site",
                            )
            cells.setdefault(cell, []).append(site)
        sites = list(self.new_sites.values())
        if sites and not province_loaded(self.session, self.settings.province_code):
            self.report.warnings.append(
                FieldError(
                    f"Chưa có ranh giới tỉnh (mã {self.settings.province_code}): chưa kiểm tra điểm ngoài tỉnh",
                    code="province_unknown",
                )
            )
        placements = place_points(
            self.session, [(s.position.lon, s.position.lat) for s in sites], province_code=self.settings.province_code
        )
        for site, placement in zip(sites, placements, strict=True):
            site.commune_id = placement.commune_id
            if (
                placement.outside_province_m is not None
                and placement.outside_province_m > self.settings.province_tolerance_m
            ):
                self._site_error(
                    site,
                    f"Điểm nằm ngoài địa bàn tỉnh (cách ranh giới {placement.outside_province_m / 1000:.1f} km)",
                    "outside_province",
                )

    def _site_error(self, site: _NewSite, message: str, code: str) -> None:
        row = site.rows[0]
        key = (
            "site_code"
            if site.code and code == "duplicate_site"
            else ("lon" if is_geographic(site.position.source_crs) else "easting")
        )
        self.parser.error(row.number, key, site.code if key == "site_code" else None, message, code)

    def _check_communes(self) -> None:
        communes = CommuneIndex(self.session)
        if not communes:
            return
        for row in self.rows:
            if not row.commune:
                continue
            matches = communes.find(row.commune)
            if not matches:
                self.report.warnings.append(
                    FieldError(
                        f"Không có xã/phường «{row.commune}» hiện hành; giữ nguyên tên như nguồn ghi",
                        row=row.number,
                        column=self.parser.headers.get("commune", "Xã/phường"),
                        value=row.commune,
                        code="unknown_commune",
                    )
                )
                continue
            site = self.new_sites.get(row.site_key)
            if site is not None and site.commune_id is not None and site.commune_id not in {m.id for m in matches}:
                self.report.warnings.append(
                    FieldError(
                        f"Tọa độ nằm ngoài «{row.commune}» (theo ranh giới gần đúng)",
                        row=row.number,
                        column=self.parser.headers.get("commune", "Xã/phường"),
                        value=row.commune,
                        code="commune_mismatch",
                    )
                )

    # --- writing -------------------------------------------------------------------------------

    def _load_stations(self) -> None:
        operator_ids = list({r.operator.id for r in self.rows})
        codes = list({r.station_code for r in self.rows})
        for st in self.session.scalars(
            select(Station)
            .where(Station.operator_id.in_(operator_ids), Station.station_code.in_(codes))
            .options(selectinload(Station.sectors))
        ):
            self.existing_stations[(st.operator_id, st.station_code)] = st

    def write(self, progress: Progress | None) -> None:
        orgs = self.parser.orgs
        by_site: dict[str, list[_Row]] = {}
        for row in self.rows:
            by_site.setdefault(row.site_key, []).append(row)
        sites: dict[str, Site] = dict(self.existing_sites)
        updated_sites: set[str] = set()
        for code, site in self.existing_sites.items():
            if self._apply_site(site, by_site.get(code, []), orgs):
                site.version += 1
                updated_sites.add(code)
        self.report.sites_updated = len(updated_sites)
        self.report.sites_reused = len(
            {r.site_key for r in self.rows if r.site_key in self.existing_sites and not r.site_code}
        )
        next_number = int(next_site_code(self.session, self.settings).rsplit("-", 1)[1])
        for new in self.new_sites.values():
            if new.code is None:
                while True:
                    code = f"{self.settings.site_code_prefix}-{next_number:05d}"
                    next_number += 1
                    if code not in self.new_sites:
                        break
                new.code = code
            pos = new.position
            site = Site(
                code=new.code,
                geom=point(pos.lon, pos.lat),
                source_crs=pos.source_crs,
                source_x=pos.source_x,
                source_y=pos.source_y,
                provenance=new.provenance,
                admin_unit_id=new.commune_id,
                status="operating",
            )
            self._apply_site(site, new.rows, orgs)
            self.session.add(site)
            sites[new.key] = site
            self.report.sites_created += 1
        self.session.flush()
        total = len(self.rows)
        for i, row in enumerate(self.rows):
            site_id = sites[row.site_key].id
            existing = self.existing_stations.get((row.operator.id, row.station_code))
            if existing is None:
                station = Station(
                    operator_id=row.operator.id,
                    station_code=row.station_code,
                    site_id=site_id,
                    technologies=[],
                    bands=[],
                    status="operating",
                )
                self._apply_station(station, row)
                self.session.add(station)
                self.report.stations_created += 1
            elif self._apply_station(existing, row, site_id=site_id):
                existing.version += 1
                self.report.stations_updated += 1
            else:
                self.report.stations_unchanged += 1
            if progress and (i % 500 == 0 or i == total - 1):
                progress("Ghi vào sổ", i + 1, total)
        self.session.flush()
        self._site_status_from_stations()

    def _apply_site(self, site: Site, rows: list[_Row], orgs: OrganisationIndex) -> bool:
        changed = False
        merged: dict[str, Any] = {}
        first_row: dict[str, int] = {}
        for row in rows:
            for key, value in row.site_fields.items():
                if key not in merged:
                    merged[key], first_row[key] = value, row.number
                elif merged[key] != value:
                    self.report.warnings.append(
                        FieldError(
                            f"Khác giá trị ở dòng {first_row[key]} của cùng vị trí ({merged[key]!r}); "
                            "giữ giá trị của dòng đầu",
                            row=row.number,
                            column=self.parser.headers.get(key, BY_KEY[key].header),
                            value=_jsonable(value),
                            code="site_conflict",
                        )
                    )
        if "owner" in merged:
            owner = orgs.find(merged["owner"])
            if owner is None:
                owner = new_organisation(self.session, orgs, name=merged["owner"])
                self.report.organisations_created.append(owner.name)
            merged["owner_id"] = owner.id
            del merged["owner"]
        commune = next((r.commune for r in rows if r.commune), None)
        # The unit as first entered is history: a later file does not rewrite it.
        if (
            commune is not None
            and site.entered_admin_unit is None
            and not (site.admin_unit is not None and _same_unit(commune, site.admin_unit.name))
        ):
            merged["entered_admin_unit"] = commune
        for key, value in merged.items():
            if getattr(site, key) != value:
                setattr(site, key, value)
                changed = True
        return changed

    def _apply_station(self, station: Station, row: _Row, *, site_id: int | None = None) -> bool:
        changed = False
        if site_id is not None and station.site_id != site_id:
            station.site_id = site_id
            changed = True
        for key, value in row.station_fields.items():
            if getattr(station, key) != value:
                setattr(station, key, value)
                changed = True
        if row.sectors is not None and set_sectors(station, row.sectors):
            changed = True
        return changed

    def _site_status_from_stations(self) -> None:
        """A new site is as far along as its most advanced station (operating beats planned)."""
        codes = [s.code for s in self.new_sites.values()]
        self.session.execute(
            text(
                """
                UPDATE site s SET status = CASE
                    WHEN bool_or_op THEN 'operating' WHEN bool_or_uc THEN 'under_construction'
                    WHEN bool_or_pl THEN 'planned' ELSE 'dismantled' END
                FROM (SELECT site_id, bool_or(status IN ('operating', 'suspended')) AS bool_or_op,
                             bool_or(status = 'under_construction') AS bool_or_uc,
                             bool_or(status = 'planned') AS bool_or_pl
                      FROM station GROUP BY site_id) agg
                WHERE agg.site_id = s.id AND s.code = ANY(:codes)
                """
            ),
            {"codes": codes},
        )
