"""Stage 3 of a station import: checks across rows and against the registry (the same station
twice, the same site entered twice, a site moved, points outside the province), and which site each
row ends up on. Reads only: the writes are in ``write.py``."""

from __future__ import annotations

import math
from dataclasses import dataclass

from sqlalchemy import select, text
from sqlalchemy.orm import Session, selectinload

from geo.checks import geodesic_distance_m
from geo.crs import is_geographic
from registry.admin_units.service import CommuneIndex, place_points, province_loaded
from registry.errors import FieldError
from registry.positions import Position
from registry.settings import Settings
from registry.stations.importer.rows import ImportReport, Row, RowParser
from registry.stations.models import Site, Station


@dataclass
class NewSite:
    key: str
    code: str | None
    position: Position
    provenance: str
    rows: list[Row]
    commune_id: int | None = None


def _cell(pos: Position, tolerance_m: float) -> tuple[int, int]:
    # Grid cells at least as wide as the duplicate distance (a degree of longitude is over 100 km
    # everywhere in Vietnam), so any pair that close lies in neighbouring cells.
    per_degree = min(2000.0, 100_000.0 / max(tolerance_m, 1.0))
    return math.floor(pos.lon * per_degree), math.floor(pos.lat * per_degree)


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


class Plan:
    """Cross-row checks and site resolution: which site (existing or new) each row ends up on."""

    def __init__(self, session: Session, parser: RowParser, report: ImportReport, settings: Settings) -> None:
        self.session = session
        self.parser = parser
        self.report = report
        self.settings = settings
        self.rows: list[Row] = []
        self.existing_sites: dict[str, Site] = {}
        self.new_sites: dict[str, NewSite] = {}
        self.existing_stations: dict[tuple[int, str], Station] = {}
        self._grid: dict[tuple[int, int], list[NewSite]] | None = None

    def build(self, rows: list[Row]) -> None:
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

    def _unique_stations(self, rows: list[Row]) -> list[Row]:
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
                    site = self.new_sites[row.site_code] = NewSite(
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
                match = self._add_new_site(NewSite(key, None, row.position, row.provenance, []))
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

    def _current_sites(self, rows: list[Row]) -> dict[int, tuple[str, float]]:
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

    def _new_site_near(self, pos: Position) -> NewSite | None:
        if self._grid is None:
            self._grid = {}
            for site in self.new_sites.values():
                self._grid.setdefault(_cell(site.position, self.settings.duplicate_site_distance_m), []).append(site)
        cx, cy = _cell(pos, self.settings.duplicate_site_distance_m)
        best: tuple[float, NewSite] | None = None
        for dx in (-1, 0, 1):
            for dy in (-1, 0, 1):
                for site in self._grid.get((cx + dx, cy + dy), []):
                    d = geodesic_distance_m(site.position.lon, site.position.lat, pos.lon, pos.lat)
                    if d <= self.settings.duplicate_site_distance_m and (best is None or d < best[0]):
                        best = (d, site)
        return best[1] if best else None

    def _add_new_site(self, site: NewSite) -> NewSite:
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
        cells: dict[tuple[int, int], list[NewSite]] = {}
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

    def _site_error(self, site: NewSite, message: str, code: str) -> None:
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

    def _load_stations(self) -> None:
        operator_ids = list({r.operator.id for r in self.rows})
        codes = list({r.station_code for r in self.rows})
        for st in self.session.scalars(
            select(Station)
            .where(Station.operator_id.in_(operator_ids), Station.station_code.in_(codes))
            .options(selectinload(Station.sectors))
        ):
            self.existing_stations[(st.operator_id, st.station_code)] = st
