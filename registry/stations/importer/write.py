"""Stage 4 of a station import: the upserts by (operator, station code), run only when the plan
found nothing wrong and while the caller holds the site-writes lock."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from registry.admin_units.service import CommuneIndex
from registry.errors import FieldError
from registry.organisations.service import OrganisationIndex, new_organisation
from registry.positions import point
from registry.stations.importer.plan import Plan
from registry.stations.importer.rows import Progress, Row, jsonable
from registry.stations.models import Site, Station
from registry.stations.service import next_site_code, set_sectors
from registry.stations.template import BY_KEY
from registry.versions import touch


def _same_unit(a: str, b: str) -> bool:
    return CommuneIndex.key(a) == CommuneIndex.key(b)


def write(plan: Plan, progress: Progress | None) -> None:
    orgs = plan.parser.orgs
    by_site: dict[str, list[Row]] = {}
    for row in plan.rows:
        by_site.setdefault(row.site_key, []).append(row)
    sites: dict[str, Site] = dict(plan.existing_sites)
    updated_sites: set[str] = set()
    for code, site in plan.existing_sites.items():
        if _apply_site(plan, site, by_site.get(code, []), orgs):
            touch(site)
            updated_sites.add(code)
    plan.report.sites_updated = len(updated_sites)
    plan.report.sites_reused = len(
        {r.site_key for r in plan.rows if r.site_key in plan.existing_sites and not r.site_code}
    )
    next_number = int(next_site_code(plan.session, plan.settings).rsplit("-", 1)[1])
    for new in plan.new_sites.values():
        if new.code is None:
            while True:
                code = f"{plan.settings.site_code_prefix}-{next_number:05d}"
                next_number += 1
                if code not in plan.new_sites:
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
        _apply_site(plan, site, new.rows, orgs)
        plan.session.add(site)
        sites[new.key] = site
        plan.report.sites_created += 1
    plan.session.flush()
    total = len(plan.rows)
    for i, row in enumerate(plan.rows):
        site_id = sites[row.site_key].id
        existing = plan.existing_stations.get((row.operator.id, row.station_code))
        if existing is None:
            station = Station(
                operator_id=row.operator.id,
                station_code=row.station_code,
                site_id=site_id,
                technologies=[],
                bands=[],
                status="operating",
            )
            _apply_station(station, row)
            plan.session.add(station)
            plan.report.stations_created += 1
        elif _apply_station(existing, row, site_id=site_id):
            touch(existing)  # its sectors may be all that changed
            plan.report.stations_updated += 1
        else:
            plan.report.stations_unchanged += 1
        if progress and (i % 500 == 0 or i == total - 1):
            progress("Ghi vào sổ", i + 1, total)
    plan.session.flush()
    _site_status_from_stations(plan)


def _apply_site(plan: Plan, site: Site, rows: list[Row], orgs: OrganisationIndex) -> bool:
    changed = False
    merged: dict[str, Any] = {}
    first_row: dict[str, int] = {}
    for row in rows:
        for key, value in row.site_fields.items():
            if key not in merged:
                merged[key], first_row[key] = value, row.number
            elif merged[key] != value:
                plan.report.warnings.append(
                    FieldError(
                        f"Khác giá trị ở dòng {first_row[key]} của cùng vị trí ({merged[key]!r}); "
                        "giữ giá trị của dòng đầu",
                        row=row.number,
                        column=plan.parser.headers.get(key, BY_KEY[key].header),
                        value=jsonable(value),
                        code="site_conflict",
                    )
                )
    if "owner" in merged:
        owner = orgs.find(merged["owner"])
        if owner is None:
            owner = new_organisation(plan.session, orgs, name=merged["owner"])
            plan.report.organisations_created.append(owner.name)
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


def _apply_station(station: Station, row: Row, *, site_id: int | None = None) -> bool:
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


def _site_status_from_stations(plan: Plan) -> None:
    """A new site is as far along as its most advanced station (operating beats planned)."""
    codes = [s.code for s in plan.new_sites.values()]
    plan.session.execute(
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
