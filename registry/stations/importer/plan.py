"""Stage 3 of a station import: checks across rows and against the registry (the same station
twice, the same site entered twice, a site moved, points outside the province), and which site each
row ends up on. Set-based over the staging tables (``staging.py``); reads the registry only: the
writes are in ``write.py``.

Every check is one statement over all rows; only the rows without a site code are walked in Python,
in file order, since each may start a new site that a later row joins (a few numbers per row).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from geo.checks import geodesic_distance_m
from geo.crs import is_geographic
from registry.admin_units.service import CommuneIndex, province_loaded
from registry.errors import FieldError
from registry.settings import Settings
from registry.stations.importer.rows import ImportReport, RowParser

# A point of a row, as geography, for statements over import_row (alias r).
_PT = "ST_SetSRID(ST_MakePoint(r.lon, r.lat), 4326)::geography"


def _cell(lon: float, lat: float, tolerance_m: float) -> tuple[int, int]:
    # Grid cells at least as wide as the duplicate distance (a degree of longitude is over 100 km
    # everywhere in Vietnam), so any pair that close lies in neighbouring cells.
    per_degree = min(2000.0, 100_000.0 / max(tolerance_m, 1.0))
    return math.floor(lon * per_degree), math.floor(lat * per_degree)


def registry_state(session: Session) -> tuple[int, ...]:
    """A fingerprint of the sites and stations a plan reads: any site or station added, removed or
    changed since (every change bumps a version) changes it."""
    row = session.execute(
        text(
            "SELECT (SELECT ARRAY[count(*), coalesce(max(id), 0), coalesce(sum(version), 0)] FROM site)"
            " || (SELECT ARRAY[count(*), coalesce(max(id), 0), coalesce(sum(version), 0)] FROM station)"
        )
    ).scalar_one()
    return tuple(int(v) for v in row)


@dataclass
class _NewSite:
    key: str
    lon: float
    lat: float
    first_row: int


class Plan:
    """Cross-row checks and site resolution: which site (existing or new) each staged row ends up on."""

    def __init__(self, session: Session, parser: RowParser, report: ImportReport, settings: Settings) -> None:
        self.session = session
        self.parser = parser
        self.report = report
        self.settings = settings
        self.tol = settings.duplicate_site_distance_m

    def sql(self, statement: str, **params: Any) -> Any:
        return self.session.execute(text(statement), {"tol": self.tol, **params})

    def build(self, *, again: bool = False) -> None:
        if again:  # the registry changed meanwhile: resolve every row anew
            self.sql("UPDATE import_row SET site_key = NULL, site_id = NULL, station_id = NULL")
            self.sql("TRUNCATE import_site, import_unit")
        self._unique_stations()
        self._resolve_existing()
        self._check_existing_site_positions()
        self._group_new_sites()
        self._place_loose_rows()
        self.sql(
            "INSERT INTO import_site (key, site_id, code, first_row) SELECT site_key, site_id, site_key, min(number)"
            " FROM import_row WHERE site_id IS NOT NULL GROUP BY site_key, site_id"
        )
        self.sql("CREATE INDEX IF NOT EXISTS import_site_geog ON import_site USING gist (geog)")
        self.sql("ANALYZE import_site (key, site_id, code, first_row)")  # what the checks and writes join on
        self._check_new_sites()
        self._check_communes()
        self.report.sites_reused = int(
            self.sql(
                "SELECT count(DISTINCT site_key) FROM import_row WHERE site_code IS NULL AND site_id IS NOT NULL"
            ).scalar_one()
        )

    def _errors(self, found: list[tuple[int, str, Any, str, str]]) -> None:
        for number, key, value, message, code in sorted(found, key=lambda e: e[0]):
            self.parser.error(number, key, value, message, code)

    def _unique_stations(self) -> None:
        rows = self.sql(
            """
            DELETE FROM import_row r USING (
                SELECT number, min(number) OVER (PARTITION BY operator_id, station_code) AS first FROM import_row
            ) d
            WHERE d.number = r.number AND d.number <> d.first
            RETURNING r.number, r.station_code, r.operator_name, d.first
            """
        ).all()
        self._errors(
            [
                (
                    r.number,
                    "station_code",
                    r.station_code,
                    f"Trạm {r.station_code} của {r.operator_name} đã có ở dòng {r.first}",
                    "duplicate_station",
                )
                for r in rows
            ]
        )

    def _resolve_existing(self) -> None:
        self.sql("UPDATE import_row r SET site_id = s.id, site_key = s.code FROM site s WHERE s.code = r.site_code")
        self.sql(
            "UPDATE import_row r SET station_id = st.id FROM station st"
            " WHERE st.operator_id = r.operator_id AND st.station_code = r.station_code"
        )

    def _coordinate_key(self, source_crs: int) -> str:
        return "lon" if is_geographic(source_crs) else "easting"

    def _check_existing_site_positions(self) -> None:
        rows = self.sql(
            f"""
            SELECT r.number, r.source_crs, s.code, ST_Distance(s.geom::geography, {_PT}) AS d
            FROM import_row r JOIN site s ON s.id = r.site_id
            WHERE r.lon IS NOT NULL AND NOT ST_DWithin(s.geom::geography, {_PT}, :tol)
            """
        ).all()
        self._errors(
            [
                (
                    r.number,
                    self._coordinate_key(r.source_crs),
                    None,
                    f"Vị trí {r.code} trong sổ cách tọa độ trong tệp {r.d:.1f} m "
                    f"(cho phép {self.tol:g} m); sửa tọa độ vị trí qua API nếu sổ sai",
                    "site_moved",
                )
                for r in rows
            ]
        )

    def _group_new_sites(self) -> None:
        """A new code's site is where its first row with coordinates puts it; its other rows join it."""
        self.sql(
            """
            INSERT INTO import_site (key, code, first_row, lon, lat, source_crs, source_x, source_y, provenance, geog)
            SELECT DISTINCT ON (site_code) site_code, site_code, number, lon, lat, source_crs, source_x, source_y,
                   provenance, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography
            FROM import_row WHERE site_code IS NOT NULL AND site_id IS NULL AND lon IS NOT NULL
            ORDER BY site_code, number
            """
        )
        found: list[tuple[int, str, Any, str, str]] = []
        for r in self.sql(
            """
            SELECT r.number, r.site_code FROM import_row r LEFT JOIN import_site k ON k.key = r.site_code
            WHERE r.site_code IS NOT NULL AND r.site_id IS NULL AND r.lon IS NULL
              AND (k.key IS NULL OR r.number < k.first_row)
            """
        ):
            found.append(
                (r.number, "site_code", r.site_code, f"Vị trí {r.site_code} chưa có trong sổ: cần tọa độ", "required")
            )
        for r in self.sql(
            f"""
            SELECT r.number, r.site_code, k.first_row, ST_Distance(k.geog, {_PT}) AS d
            FROM import_row r JOIN import_site k ON k.key = r.site_code
            WHERE r.site_id IS NULL AND r.lon IS NOT NULL AND r.number > k.first_row
              AND (r.lon, r.lat) <> (k.lon, k.lat) AND NOT ST_DWithin(k.geog, {_PT}, :tol)
            """
        ):
            found.append(
                (
                    r.number,
                    "site_code",
                    r.site_code,
                    f"Cùng mã vị trí {r.site_code} với dòng {r.first_row} nhưng cách {r.d:.1f} m",
                    "site_conflict",
                )
            )
        self._errors(found)
        self.sql(
            f"""
            UPDATE import_row r SET site_key = k.key FROM import_site k
            WHERE k.key = r.site_code AND r.site_id IS NULL
              AND (CASE WHEN r.lon IS NULL THEN r.number > k.first_row
                        -- the same point (the site's own row, another operator's row) needs no distance
                        ELSE (r.lon, r.lat) = (k.lon, k.lat) OR ST_DWithin(k.geog, {_PT}, :tol) END)
            """
        )

    def _place_loose_rows(self) -> None:
        """Rows with no site code: the site of their station while it is still that close, else a site
        a few metres away (co-location), else a new site that later rows may join."""
        loose = self.sql(
            f"""
            SELECT r.number, r.lon, r.lat, r.source_crs, r.source_x, r.source_y, r.provenance,
                   cur.id AS cur_id, cur.code AS cur_code, cur.d AS cur_d,
                   near.id AS near_id, near.code AS near_code, near.d AS near_d
            FROM import_row r
            CROSS JOIN LATERAL (SELECT {_PT} AS p) pt
            LEFT JOIN station st ON st.id = r.station_id
            LEFT JOIN LATERAL (
                SELECT s.id, s.code, ST_Distance(s.geom::geography, pt.p) AS d FROM site s
                WHERE s.id = st.site_id AND ST_DWithin(s.geom::geography, pt.p, :tol)
            ) cur ON true
            LEFT JOIN LATERAL (
                SELECT s.id, s.code, ST_Distance(s.geom::geography, pt.p) AS d FROM site s
                WHERE cur.id IS NULL AND ST_DWithin(s.geom::geography, pt.p, :tol)
                ORDER BY d, s.code LIMIT 1
            ) near ON true
            WHERE r.site_code IS NULL AND r.lon IS NOT NULL
            ORDER BY r.number
            """
        )
        grid: dict[tuple[int, int], list[_NewSite]] | None = None
        numbers: list[int] = []
        keys: list[str] = []
        site_ids: list[int | None] = []
        new_sites: list[tuple[Any, ...]] = []
        column = self.parser.headers.get("site_code", "Mã vị trí")
        for r in loose:
            if grid is None:  # the file's coded new sites, which a row may join
                grid = {}
                for k in self.sql("SELECT key, lon, lat, first_row FROM import_site WHERE site_id IS NULL"):
                    site = _NewSite(k.key, k.lon, k.lat, k.first_row)
                    grid.setdefault(_cell(site.lon, site.lat, self.tol), []).append(site)
            hit = (r.cur_id, r.cur_code, r.cur_d) if r.cur_id is not None else (r.near_id, r.near_code, r.near_d)
            if hit[0] is not None:
                self.report.warnings.append(
                    FieldError(
                        f"Không ghi mã vị trí: ghép vào vị trí {hit[1]} trong sổ, cách {hit[2]:.1f} m",
                        row=r.number,
                        column=column,
                        code="joined_site",
                    )
                )
                numbers.append(r.number), keys.append(hit[1]), site_ids.append(hit[0])
                continue
            match = self._new_site_near(grid, r.lon, r.lat)
            if match is None:
                match = _NewSite(f"#new-{r.number}", r.lon, r.lat, r.number)
                grid.setdefault(_cell(r.lon, r.lat, self.tol), []).append(match)
                new_sites.append(
                    (match.key, r.number, r.lon, r.lat, r.source_crs, r.source_x, r.source_y, r.provenance)
                )
            else:
                self.report.warnings.append(
                    FieldError(
                        f"Không ghi mã vị trí: cùng vị trí với dòng {match.first_row} (cách dưới {self.tol:g} m)",
                        row=r.number,
                        column=column,
                        code="joined_site",
                    )
                )
            numbers.append(r.number), keys.append(match.key), site_ids.append(None)
        if new_sites:
            columns = list(zip(*new_sites, strict=True))
            self.sql(
                """
                INSERT INTO import_site (key, first_row, lon, lat, source_crs, source_x, source_y, provenance, geog)
                SELECT k, n, x, y, c, sx, sy, p, ST_SetSRID(ST_MakePoint(x, y), 4326)::geography
                FROM unnest(CAST(:k AS text[]), CAST(:n AS int[]), CAST(:x AS float8[]), CAST(:y AS float8[]),
                            CAST(:c AS int[]), CAST(:sx AS float8[]), CAST(:sy AS float8[]), CAST(:p AS text[]))
                     AS t(k, n, x, y, c, sx, sy, p)
                """,
                **dict(zip(("k", "n", "x", "y", "c", "sx", "sy", "p"), (list(c) for c in columns), strict=True)),
            )
        if numbers:
            self.sql(
                """
                UPDATE import_row r SET site_key = a.k, site_id = a.id
                FROM unnest(CAST(:n AS int[]), CAST(:k AS text[]), CAST(:i AS int[])) AS a(n, k, id)
                WHERE r.number = a.n
                """,
                n=numbers,
                k=keys,
                i=site_ids,
            )

    def _new_site_near(self, grid: dict[tuple[int, int], list[_NewSite]], lon: float, lat: float) -> _NewSite | None:
        cx, cy = _cell(lon, lat, self.tol)
        best: tuple[float, _NewSite] | None = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for site in grid.get((cx + dx, cy + dy), []):
                    d = geodesic_distance_m(site.lon, site.lat, lon, lat)
                    if d <= self.tol and (best is None or d < best[0]):
                        best = (d, site)
        return best[1] if best else None

    def _check_new_sites(self) -> None:
        found: list[tuple[int, str, Any, str, str]] = []
        # A new code placed on top of a site already in the registry: the same site entered twice.
        for r in self.sql(
            """
            SELECT k.first_row, k.code, n.code AS other, n.d FROM import_site k
            CROSS JOIN LATERAL (
                SELECT s.code, ST_Distance(s.geom::geography, k.geog) AS d FROM site s
                WHERE ST_DWithin(s.geom::geography, k.geog, :tol) AND s.code IS DISTINCT FROM k.code
                ORDER BY d, s.code LIMIT 1
            ) n
            WHERE k.site_id IS NULL AND k.code IS NOT NULL
            """
        ):
            found.append(
                (
                    r.first_row,
                    "site_code",
                    r.code,
                    f"Vị trí mới {r.code} cách vị trí {r.other} trong sổ {r.d:.1f} m: "
                    f"có thể cùng một vị trí nhập hai lần (ghi mã {r.other} để dùng chung)",
                    "duplicate_site",
                )
            )
        # Two new codes a few metres apart within the file: the later one is refused.
        for r in self.sql(
            """
            SELECT b.first_row, b.code, a.code AS other, a.first_row AS other_row, ST_Distance(a.geog, b.geog) AS d
            FROM import_site a JOIN import_site b ON a.first_row < b.first_row AND ST_DWithin(a.geog, b.geog, :tol)
            WHERE a.site_id IS NULL AND b.site_id IS NULL AND a.code IS NOT NULL AND b.code IS NOT NULL
            ORDER BY b.first_row, a.first_row
            """
        ):
            found.append(
                (
                    r.first_row,
                    "site_code",
                    r.code,
                    f"Vị trí {r.code} cách vị trí {r.other} (dòng {r.other_row}) {r.d:.1f} m: có thể là một vị trí "
                    "nhập hai lần",
                    "duplicate_site",
                )
            )
        any_new = self.sql("SELECT EXISTS (SELECT 1 FROM import_site WHERE site_id IS NULL)").scalar_one()
        if any_new and not province_loaded(self.session, self.settings.province_code):
            self.report.warnings.append(
                FieldError(
                    f"Chưa có ranh giới tỉnh (mã {self.settings.province_code}): chưa kiểm tra điểm ngoài tỉnh",
                    code="province_unknown",
                )
            )
        # The commune each new site lies in, and the points outside the province.
        self.sql(
            """
            UPDATE import_site k SET commune_id = (
                SELECT a.id FROM admin_unit a
                WHERE a.level = 'commune' AND a.valid_to IS NULL AND ST_Intersects(a.geom, k.geog::geometry)
                ORDER BY a.id LIMIT 1)
            WHERE k.site_id IS NULL
            """
        )
        for r in self.sql(
            """
            WITH province AS (
                SELECT geom FROM admin_unit
                WHERE level = 'province' AND code = :province AND valid_to IS NULL AND geom IS NOT NULL LIMIT 1
            )
            SELECT k.first_row, k.code, k.source_crs, ST_Distance(p.geom::geography, k.geog) AS d
            FROM import_site k, province p
            WHERE k.site_id IS NULL AND NOT ST_Intersects(p.geom, k.geog::geometry)
            """,
            province=self.settings.province_code,
        ):
            if r.d > self.settings.province_tolerance_m:
                found.append(
                    (
                        r.first_row,
                        self._coordinate_key(r.source_crs),
                        None,
                        f"Điểm nằm ngoài địa bàn tỉnh (cách ranh giới {r.d / 1000:.1f} km)",
                        "outside_province",
                    )
                )
        self._errors(found)

    def _check_communes(self) -> None:
        """Communes named in the file: unknown ones, and new sites whose point lies outside the one named."""
        communes = CommuneIndex(self.session)
        names = self.sql("SELECT DISTINCT commune FROM import_row WHERE commune IS NOT NULL").scalars().all()
        if names:
            self.sql(
                "INSERT INTO import_unit (name, key, ids)"
                " SELECT n, k, ARRAY(SELECT jsonb_array_elements_text(CAST(i AS jsonb))::int)"
                " FROM unnest(CAST(:n AS text[]), CAST(:k AS text[]), CAST(:i AS text[])) AS t(n, k, i)",
                n=list(names),
                k=[CommuneIndex.key(n) for n in names],
                i=[json.dumps([u.id for u in communes.find(n)]) for n in names],
            )
        if not communes or not names:
            return
        column = self.parser.headers.get("commune", "Xã/phường")
        for r in self.sql(
            """
            SELECT r.number, r.commune, cardinality(u.ids) = 0 AS unknown
            FROM import_row r JOIN import_unit u ON u.name = r.commune
            LEFT JOIN import_site k ON k.key = r.site_key AND k.site_id IS NULL
            WHERE cardinality(u.ids) = 0 OR (k.commune_id IS NOT NULL AND NOT k.commune_id = ANY(u.ids))
            ORDER BY r.number
            """
        ):
            message = (
                f"Không có xã/phường «{r.commune}» hiện hành; giữ nguyên tên như nguồn ghi"
                if r.unknown
                else f"Tọa độ nằm ngoài «{r.commune}» (theo ranh giới gần đúng)"
            )
            self.report.warnings.append(
                FieldError(
                    message,
                    row=r.number,
                    column=column,
                    value=r.commune,
                    code="unknown_commune" if r.unknown else "commune_mismatch",
                )
            )
