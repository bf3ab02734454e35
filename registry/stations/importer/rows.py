"""Stage 1 and 2 of a station import: the file's headers mapped to template columns, then every row
parsed on its own, each problem a FieldError naming the row and the file's own header."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from geo.crs import SUPPORTED_EPSG, is_geographic
from geo.parse import CoordinateParseError, parse_angle, parse_number
from registry.errors import FieldError
from registry.organisations.models import Organisation
from registry.organisations.service import OrganisationIndex
from registry.positions import Position, PositionProblem, resolve
from registry.stations.models import PoleClass, Provenance
from registry.stations.schemas import EIRP_MAX_W, MAX_SECTORS
from registry.stations.template import BY_KEY, PROVENANCE_WORDS, STATUS_WORDS, column_for
from registry.tabular import ImportReportDict, Table, TableStream
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
_BAND_SPLIT = re.compile(r"[,;/|]+")
_SITE_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")


@dataclass
class ImportReport(ImportReportDict):
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
        return {"valid": self.valid, **super().as_dict()}


@dataclass
class Row:
    number: int
    station_code: str
    operator: Organisation
    site_code: str | None
    position: Position | None
    provenance: str
    site_fields: dict[str, Any]
    station_fields: dict[str, Any]
    sectors: tuple[tuple[float, float | None, float | None], ...] | None
    commune: str | None


class RowParser:
    """Parses the cells of one row; every problem becomes a FieldError naming the file's header."""

    def __init__(self, headers: dict[str, str], report: ImportReport, orgs: OrganisationIndex) -> None:
        self.headers = headers
        self.report = report
        self.orgs = orgs
        # The same few operator names repeat down a file: each looked up once.
        self._operators: dict[str, Organisation | None] = {}

    def error(self, row: int, key: str, value: Any, message: str, code: str = "invalid") -> None:
        self.report.errors.append(
            FieldError(
                message,
                row=row,
                column=self.headers.get(key, BY_KEY[key].header if key in BY_KEY else key),
                value=jsonable(value),
                code=code,
            )
        )

    @staticmethod
    def texts(cells: dict[str, Any]) -> dict[str, str | None]:
        """Every cell as the text it says: stripped, None when blank; a whole number without ".0".
        Read once per row (each of a row's eighteen cells was looked at a few times)."""
        return {key: value.strip() or None if type(value) is str else _text(value) for key, value in cells.items()}

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

    def parse(self, row: int, cells: dict[str, Any]) -> Row | None:
        before = len(self.report.errors)
        texts = self.texts(cells)
        if "\x00" in "".join(filter(None, texts.values())):
            for key, value in cells.items():
                if isinstance(value, str) and "\x00" in value:
                    self.error(row, key, value.replace("\x00", "\\0"), "Ô chứa ký tự NUL")
            return None
        text = texts.get
        station_code = text("station_code")
        if not station_code:
            self.error(row, "station_code", cells.get("station_code"), "Thiếu mã trạm", "required")
        elif len(station_code) > 60:
            self.error(row, "station_code", station_code, "Mã trạm dài quá 60 ký tự")
        operator_name = text("operator")
        operator = None
        if not operator_name:
            self.error(row, "operator", None, "Thiếu doanh nghiệp", "required")
        else:
            if operator_name in self._operators:
                operator = self._operators[operator_name]
            else:
                operator = self._operators[operator_name] = self.orgs.find_operator(operator_name)
            if operator is None:
                self.error(
                    row,
                    "operator",
                    operator_name,
                    f"Không biết doanh nghiệp «{operator_name}» (có: {', '.join(self.orgs.operator_names())})",
                    "unknown_operator",
                )
        site_code = text("site_code")
        if site_code and not _SITE_CODE.fullmatch(site_code):
            self.error(row, "site_code", site_code, "Mã vị trí chỉ gồm chữ, số và . _ - (tối đa 40 ký tự)")
        position = self.position(row, cells, texts, site_code)
        provenance = Provenance.gps.value
        if (raw := text("provenance")) is not None:
            provenance = PROVENANCE_WORDS.get(_folded(raw), "")
            if not provenance:
                self.error(row, "provenance", raw, "Nguồn tọa độ phải là gps, survey, map hoặc converted")
        elif position is not None and position.source_crs not in (4326, 4756):
            provenance = Provenance.survey.value  # plane coordinates come from a survey, not a phone

        site_fields: dict[str, Any] = {}
        if (raw := text("pole_class")) is not None:
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
        if (raw := text("address")) is not None:
            site_fields["address"] = raw
        if (raw := text("owner")) is not None:
            site_fields["owner"] = raw

        station_fields: dict[str, Any] = {}
        if (raw := text("technologies")) is not None:
            techs, unknown = _technologies(raw)
            for word in unknown:
                self.error(row, "technologies", raw, f"Công nghệ «{word}» không hợp lệ (2G, 3G, 4G, 5G)")
            station_fields["technologies"] = list(techs)
        if (raw := text("bands")) is not None:
            bands = [b for b in (w.strip() for w in _BAND_SPLIT.split(raw)) if b]
            if any(len(b) > 16 for b in bands):
                self.error(row, "bands", raw, "Mỗi băng tần tối đa 16 ký tự")
            station_fields["bands"] = bands
        if (raw := text("status")) is not None:
            status = STATUS_WORDS.get(_folded(raw))
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
        sectors = self.sectors(row, cells, texts)
        if len(self.report.errors) > before or operator is None or not station_code:
            return None
        return Row(
            row,
            station_code,
            operator,
            site_code,
            position,
            provenance,
            site_fields,
            station_fields,
            sectors,
            text("commune"),
        )

    def position(
        self, row: int, cells: dict[str, Any], texts: dict[str, str | None], site_code: str | None
    ) -> Position | None:
        has_geo = bool(texts.get("lon") or texts.get("lat"))
        has_proj = bool(texts.get("northing") or texts.get("easting"))
        crs_raw = texts.get("crs")
        crs: int | None = None
        if crs_raw is not None:
            crs = _epsg(crs_raw)
            if crs is None:
                self.error(row, "crs", crs_raw, "Hệ tọa độ phải là mã EPSG, ví dụ 4326 hoặc EPSG:9210")
                return None
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
        resolved, problems = _resolved(crs, values[0], values[1])
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
        parsed = _date_text(str(raw).strip())
        if parsed is None:
            self.error(row, "commissioning_date", raw, "Ngày không hợp lệ (dd/mm/yyyy hoặc yyyy-mm-dd)")
        return parsed

    def sectors(
        self, row: int, cells: dict[str, Any], texts: dict[str, str | None]
    ) -> tuple[tuple[float, float | None, float | None], ...] | None:
        lists: dict[str, tuple[float, ...] | None] = {}
        for key in ("azimuths", "tilts", "eirps"):
            raw = texts.get(key)
            if raw is None:
                lists[key] = None
                continue
            values, problem = _sector_values(key, raw)
            if problem is not None:
                self.error(row, key, raw, problem)
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
        return tuple((az, tilts[i] if tilts else None, eirps[i] if eirps else None) for i, az in enumerate(azimuths))


def _text(value: Any) -> str | None:
    """A cell that is not text (a number, a date) as text: a whole number without ".0"."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip() or None


@lru_cache(maxsize=4096)
def _resolved(crs: int, x: float, y: float) -> tuple[Position | None, tuple[PositionProblem, ...]]:
    """``resolve``, each point once: a site's rows (one per station) repeat its coordinates."""
    position, problems = resolve(crs, x, y)
    return position, tuple(problems)


# The same bounds as the API's SectorIn, so a file cannot store what the API would refuse: (low, high,
# low excluded, high excluded).
_SECTOR_BOUNDS = {
    "azimuths": (0.0, 360.0, False, True),
    "tilts": (-90.0, 90.0, False, False),
    "eirps": (0.0, EIRP_MAX_W, True, False),
}
_SECTOR_SPLIT = re.compile(r"[;|/]+")


@lru_cache(maxsize=4096)
def _sector_values(key: str, raw: str) -> tuple[tuple[float, ...], str | None]:
    """A cell of per-sector values read (the same few cells repeat down a file: read each once), or
    the problem with it."""
    lo, hi, open_lo, open_hi = _SECTOR_BOUNDS[key]
    values = []
    for part in filter(None, (p.strip() for p in _SECTOR_SPLIT.split(raw))):
        try:
            v = parse_number(part)
        except CoordinateParseError:
            return (), f"«{part}» không phải số"
        if v < lo or v > hi or (open_lo and v == lo) or (open_hi and v == hi):
            interval = f"{'(' if open_lo else '['}{lo:g}; {hi:g}{')' if open_hi else ']'}"
            return (), f"Giá trị {v:g} ngoài khoảng {interval}"
        values.append(v)
    if len(values) > MAX_SECTORS:
        return (), f"Tối đa {MAX_SECTORS} sector một trạm"
    return tuple(values), None


# The words of a few columns repeat down a file: each distinct cell folded or read once.
_folded = lru_cache(maxsize=1024)(fold)


@lru_cache(maxsize=1024)
def _technologies(raw: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(the technologies named, sorted and distinct; the words that are none)."""
    words = [w for w in _SPLIT.split(raw) if w]
    known = {TECHNOLOGY_WORDS[w.lower()] for w in words if w.lower() in TECHNOLOGY_WORDS}
    return tuple(sorted(known)), tuple(w for w in words if w.lower() not in TECHNOLOGY_WORDS)


@lru_cache(maxsize=256)
def _epsg(raw: str) -> int | None:
    """The EPSG code a CRS cell names (4326, EPSG:9210, epsg 9210), or None."""
    match = re.fullmatch(r"(?:epsg\s*:?\s*)?(\d{4,5})", raw.strip(), re.IGNORECASE)
    return int(match.group(1)) if match else None


_DMY = re.compile(r"(\d{2})/(\d{2})/(\d{4})")


@lru_cache(maxsize=4096)
def _date_text(s: str) -> date | None:
    """A date written dd/mm/yyyy, yyyy-mm-dd, dd-mm-yyyy or dd.mm.yyyy, or None."""
    if (m := _DMY.fullmatch(s)) is not None:  # the template's own form, without strptime
        try:
            return date(int(m[3]), int(m[2]), int(m[1]))
        except ValueError:
            pass
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(s, pattern).date()
        except ValueError:
            continue
    return None


def jsonable(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else str(value)
    return str(value)


def _map_headers(table: Table | TableStream, report: ImportReport) -> dict[int, str]:
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


def rows_from_table(
    table: Table | TableStream, report: ImportReport
) -> tuple[dict[str, str], Iterator[tuple[int, dict[str, Any]]]]:
    """The table's header keys and its rows as {key: cell}, made as they are read."""
    mapping = _map_headers(table, report)
    headers = {key: table.headers[i] for i, key in mapping.items()}
    rows = ((n, {key: cells[i] if i < len(cells) else None for i, key in mapping.items()}) for n, cells in table.rows)
    return headers, rows
