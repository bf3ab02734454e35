"""Stage 3 of a station import: checks across rows and against the registry (the same station
twice, the same site entered twice, a site moved, points outside the province), and which site each
row ends up on. Set-based over the staging tables (``staging.py``); reads the registry only: the
writes are in ``write.py``.

The checks that need no later row (a station named twice, rows against the registry, the new sites
the file codes and their rows) run on each batch of rows as it is staged (``batch``), while the next
rows are read: the server checks one batch as Python parses the next. The rest run once every row is
in (``build``), each one statement over all rows; only the rows without a site code are walked in
Python, in file order, since each may start a new site that a later row joins (a few numbers per row).
Problems found batch by batch are kept and reported with the others when ``build`` ends, in the same
order as if every check had run once over the whole file.
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


# A problem a check finds: (row, column key, value, message, code).
Found = tuple[int, str, Any, str, str]
# What the checks find, by check, reported in this order, each group sorted by row: a station named
# twice; a site of the registry that moved; rows of a new coded site (no position; too far from its
# first row); then the new sites together: on top of a site of the registry, two in the file a few
# metres apart, outside the province. All but the pairs are found by ``batch``.
_REPORTED = (
    ("duplicate_station",),
    ("site_moved",),
    ("new_site_rows",),
    ("new_site_near_registry", "new_site_pairs", "new_site_outside"),
)
# The highest row number a batch can end at (the last batch, and every row at once).
LAST_ROW = 2**31 - 1


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
        # Problems found, by check, reported when ``build`` ends (``_report``).
        self.found: dict[str, list[Found]] = {name: [] for group in _REPORTED for name in group}

    def sql(self, statement: str, **params: Any) -> Any:
        return self.session.execute(text(statement), {"tol": self.tol, **params})

    def batch(self, first: int, last: int) -> None:
        """The checks of the rows numbered ``first``..``last`` that need no later row (every earlier
        batch has been checked)."""
        rows = {"first": first, "last": last}
        self._unique_stations(rows)
        self._resolve_existing(rows)
        self._check_existing_site_positions(rows)
        self._group_new_sites(rows)
        self._check_new_coded_sites(rows)

    def build(self, *, again: bool = False) -> None:
        """Every check that needs the whole file, once ``batch`` has seen every row."""
        if again:  # the registry changed meanwhile: resolve every row anew
            self.sql("UPDATE import_row SET site_key = NULL, site_id = NULL, station_id = NULL")
            self.sql("TRUNCATE import_site, import_unit")
            for found in self.found.values():
                found.clear()
            self.batch(0, LAST_ROW)
        self._resolve_stations()
        self._place_loose_rows()
        self.sql(
            "INSERT INTO import_site (key, site_id, code, first_row) SELECT site_key, site_id, site_key, min(number)"
            " FROM import_row WHERE site_id IS NOT NULL GROUP BY site_key, site_id"
        )
        self.sql("ANALYZE import_site (key, site_id, code, first_row)")  # what the checks and writes join on
        self._check_new_sites()
        self._report()
        self._check_communes()
        self.report.sites_reused = int(
            self.sql(
                "SELECT count(DISTINCT site_key) FROM import_row WHERE site_code IS NULL AND site_id IS NOT NULL"
            ).scalar_one()
        )

    def _report(self) -> None:
        """The problems found, as if each check had run once over every row."""
        for group in _REPORTED:
            found = [problem for name in group for problem in self.found[name]]
            for number, key, value, message, code in sorted(found, key=lambda e: e[0]):
                self.parser.error(number, key, value, message, code)

    def _unique_stations(self, rows: dict[str, int]) -> None:
        """A station named again by a later row: the later row is refused (and left out of the checks)."""
        deleted = self.sql(
            """
            DELETE FROM import_row r USING (
                SELECT b.number, f.first FROM import_row b
                CROSS JOIN LATERAL (
                    SELECT min(x.number) AS first FROM import_row x
                    WHERE x.operator_id = b.operator_id AND x.station_code = b.station_code
                ) f
                WHERE b.number BETWEEN :first AND :last
            ) d
            WHERE d.number = r.number AND d.number <> d.first
            RETURNING r.number, r.station_code, r.operator_name, d.first
            """,
            **rows,
        ).all()
        self.found["duplicate_station"].extend(
            [
                (
                    r.number,
                    "station_code",
                    r.station_code,
                    f"Trạm {r.station_code} của {r.operator_name} đã có ở dòng {r.first}",
                    "duplicate_station",
                )
                for r in deleted
            ]
        )

    def _resolve_existing(self, rows: dict[str, int]) -> None:
        """The sites of the registry the rows name by code, each looked up by its code (a join would
        read every site once a batch; LIMIT keeps the subquery a lookup the planner does not flatten)."""
        self.sql(
            """
            UPDATE import_row r SET site_id = s.id, site_key = s.code
            FROM import_row b
            CROSS JOIN LATERAL (SELECT x.id, x.code FROM site x WHERE x.code = b.site_code LIMIT 1) s
            WHERE b.number BETWEEN :first AND :last AND r.number = b.number
            """,
            **rows,
        )

    def _resolve_stations(self) -> None:
        """The stations of the registry the rows update, each looked up by its (operator, code): a join
        would read every station of the registry, however few the file names."""
        self.sql(
            """
            UPDATE import_row r SET station_id = st.id
            FROM import_row b
            CROSS JOIN LATERAL (
                SELECT x.id FROM station x WHERE x.operator_id = b.operator_id AND x.station_code = b.station_code
                LIMIT 1
            ) st
            WHERE r.number = b.number
            """
        )

    def _coordinate_key(self, source_crs: int) -> str:
        return "lon" if is_geographic(source_crs) else "easting"

    def _check_existing_site_positions(self, rows: dict[str, int]) -> None:
        moved = self.sql(
            f"""
            SELECT r.number, r.source_crs, s.code, ST_Distance(s.geom::geography, {_PT}) AS d
            FROM import_row r
            CROSS JOIN LATERAL (SELECT x.code, x.geom FROM site x WHERE x.id = r.site_id LIMIT 1) s  -- a lookup
            WHERE r.number BETWEEN :first AND :last
              AND r.lon IS NOT NULL AND NOT ST_DWithin(s.geom::geography, {_PT}, :tol)
            """,
            **rows,
        ).all()
        self.found["site_moved"].extend(
            [
                (
                    r.number,
                    self._coordinate_key(r.source_crs),
                    None,
                    f"Vị trí {r.code} trong sổ cách tọa độ trong tệp {r.d:.1f} m "
                    f"(cho phép {self.tol:g} m); sửa tọa độ vị trí qua API nếu sổ sai",
                    "site_moved",
                )
                for r in moved
            ]
        )

    def _group_new_sites(self, rows: dict[str, int]) -> None:
        """A new code's site is where its first row with coordinates puts it; its other rows join it
        (batches come in file order: a code's first row is in an earlier batch or in this one)."""
        self.sql(
            """
            INSERT INTO import_site (key, code, first_row, lon, lat, source_crs, source_x, source_y, provenance, geog)
            SELECT DISTINCT ON (site_code) site_code, site_code, number, lon, lat, source_crs, source_x, source_y,
                   provenance, ST_SetSRID(ST_MakePoint(lon, lat), 4326)::geography
            FROM import_row
            WHERE site_code IS NOT NULL AND site_id IS NULL AND lon IS NOT NULL AND number BETWEEN :first AND :last
            ORDER BY site_code, number
            ON CONFLICT (key) DO NOTHING
            """,
            **rows,
        )
        for r in self.sql(
            """
            SELECT r.number, r.site_code FROM import_row r LEFT JOIN import_site k ON k.key = r.site_code
            WHERE r.number BETWEEN :first AND :last
              AND r.site_code IS NOT NULL AND r.site_id IS NULL AND r.lon IS NULL
              AND (k.key IS NULL OR r.number < k.first_row)
            """,
            **rows,
        ):
            # A later row may still give the code coordinates: it stays refused (its row comes first).
            self.found["new_site_rows"].append(
                (r.number, "site_code", r.site_code, f"Vị trí {r.site_code} chưa có trong sổ: cần tọa độ", "required")
            )
        for r in self.sql(
            f"""
            SELECT r.number, r.site_code, k.first_row, ST_Distance(k.geog, {_PT}) AS d
            FROM import_row r JOIN import_site k ON k.key = r.site_code
            WHERE r.number BETWEEN :first AND :last
              AND r.site_id IS NULL AND r.lon IS NOT NULL AND r.number > k.first_row
              AND (r.lon, r.lat) <> (k.lon, k.lat) AND NOT ST_DWithin(k.geog, {_PT}, :tol)
            """,
            **rows,
        ):
            self.found["new_site_rows"].append(
                (
                    r.number,
                    "site_code",
                    r.site_code,
                    f"Cùng mã vị trí {r.site_code} với dòng {r.first_row} nhưng cách {r.d:.1f} m",
                    "site_conflict",
                )
            )
        self.sql(
            f"""
            UPDATE import_row r SET site_key = k.key FROM import_site k
            WHERE r.number BETWEEN :first AND :last AND k.key = r.site_code AND r.site_id IS NULL
              AND (CASE WHEN r.lon IS NULL THEN r.number > k.first_row
                        -- the same point (the site's own row, another operator's row) needs no distance
                        ELSE (r.lon, r.lat) = (k.lon, k.lat) OR ST_DWithin(k.geog, {_PT}, :tol) END)
            """,
            **rows,
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

    def _check_new_coded_sites(self, rows: dict[str, int]) -> None:
        """The new sites the file codes whose first row is in the batch: one on top of a site already in
        the registry (the same site entered twice), their commune, and those outside the province."""
        for r in self.sql(
            """
            SELECT k.first_row, k.code, n.code AS other, n.d FROM import_site k
            CROSS JOIN LATERAL (
                SELECT s.code, ST_Distance(s.geom::geography, k.geog) AS d FROM site s
                WHERE ST_DWithin(s.geom::geography, k.geog, :tol) AND s.code IS DISTINCT FROM k.code
                ORDER BY d, s.code LIMIT 1
            ) n
            WHERE k.site_id IS NULL AND k.code IS NOT NULL AND k.first_row BETWEEN :first AND :last
            """,
            **rows,
        ):
            self.found["new_site_near_registry"].append(
                (
                    r.first_row,
                    "site_code",
                    r.code,
                    f"Vị trí mới {r.code} cách vị trí {r.other} trong sổ {r.d:.1f} m: "
                    f"có thể cùng một vị trí nhập hai lần (ghi mã {r.other} để dùng chung)",
                    "duplicate_site",
                )
            )
        self._place_new_sites("k.code IS NOT NULL AND k.first_row BETWEEN :first AND :last", rows)

    def _place_new_sites(self, which: str, params: dict[str, Any]) -> None:
        """The commune each new site (``which`` of them, an SQL condition on ``k``) lies in, and the
        points outside the province."""
        self.sql(
            f"""
            UPDATE import_site k SET commune_id = (
                SELECT a.id FROM admin_unit a
                WHERE a.level = 'commune' AND a.valid_to IS NULL AND ST_Intersects(a.geom, k.geog::geometry)
                ORDER BY a.id LIMIT 1)
            WHERE k.site_id IS NULL AND {which}
            """,
            **params,
        )
        for r in self.sql(
            f"""
            WITH province AS (
                SELECT geom FROM admin_unit
                WHERE level = 'province' AND code = :province AND valid_to IS NULL AND geom IS NOT NULL LIMIT 1
            )
            SELECT k.first_row, k.code, k.source_crs, ST_Distance(p.geom::geography, k.geog) AS d
            FROM import_site k, province p
            WHERE k.site_id IS NULL AND {which} AND NOT ST_Intersects(p.geom, k.geog::geometry)
            """,
            province=self.settings.province_code,
            **params,
        ):
            if r.d > self.settings.province_tolerance_m:
                self.found["new_site_outside"].append(
                    (
                        r.first_row,
                        self._coordinate_key(r.source_crs),
                        None,
                        f"Điểm nằm ngoài địa bàn tỉnh (cách ranh giới {r.d / 1000:.1f} km)",
                        "outside_province",
                    )
                )

    def _check_new_sites(self) -> None:
        """Two new codes a few metres apart within the file (the later one is refused); the new sites of
        rows without a code placed (commune, province)."""
        self.found["new_site_pairs"] = [
            (
                r.first_row,
                "site_code",
                r.code,
                f"Vị trí {r.code} cách vị trí {r.other} (dòng {r.other_row}) {r.d:.1f} m: có thể là một vị trí "
                "nhập hai lần",
                "duplicate_site",
            )
            for r in self.sql(
                """
                SELECT b.first_row, b.code, a.code AS other, a.first_row AS other_row,
                       ST_Distance(a.geog, b.geog) AS d
                FROM import_site a JOIN import_site b
                     ON a.first_row < b.first_row AND ST_DWithin(a.geog, b.geog, :tol)
                WHERE a.site_id IS NULL AND b.site_id IS NULL AND a.code IS NOT NULL AND b.code IS NOT NULL
                ORDER BY b.first_row, a.first_row
                """
            )
        ]
        any_new = self.sql("SELECT EXISTS (SELECT 1 FROM import_site WHERE site_id IS NULL)").scalar_one()
        if any_new and not province_loaded(self.session, self.settings.province_code):
            self.report.warnings.append(
                FieldError(
                    f"Chưa có ranh giới tỉnh (mã {self.settings.province_code}): chưa kiểm tra điểm ngoài tỉnh",
                    code="province_unknown",
                )
            )
        self._place_new_sites("k.code IS NULL", {})  # ``batch`` placed the coded ones

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
