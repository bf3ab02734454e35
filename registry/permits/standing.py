"""A site's permit standing on the map: the columns staff see on each point of the site tiles.

The tiles are built in ``registry.stations.tiles``, which knows nothing of permits; the API hands
``standing_columns`` to them for a caller allowed to read permits. The standing is worked out for
the sites of the tile only (``registry.permits.requirements.compliance_sql``).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.memo import remembered
from registry.permits.requirements import compliance_params, compliance_sql
from registry.stations.queries import SiteCondition, StationFilter, site_where
from registry.stations.tiles import TILE_SITES, TileColumns

# Sites being built or operating have a standing (valid when they need nothing); others are inactive.
_STANDING = (
    "CASE WHEN {status} IN ('under_construction', 'operating') THEN coalesce(c.state, 'valid') ELSE 'inactive' END"
)
_COLUMN = _STANDING.format(status="p.status") + " AS permits,"


def standing_columns(*, on: date, expiring_days: int) -> TileColumns:
    """``permits`` on each site of a point tile: valid, expiring, expired, missing or inactive on ``on``."""
    return TileColumns(
        cte=f"compliance AS ({compliance_sql(TILE_SITES)})",
        column=_COLUMN,
        join="LEFT JOIN compliance c ON c.site_id = p.id",
        params=compliance_params(on=on, expiring_days=expiring_days),
    )


def problem_sites(session: Session, f: StationFilter, *, on: date, expiring_days: int) -> SiteCondition:
    """The listed sites that are in the permit "missing" list on ``on`` (registry.permits.reports
    ``missing_permits``): the site or one of its stations has a need no valid or expiring permit meets.
    Worked out for the sites ``f`` matches, once while the data stays the same (registry.memo): paging,
    sorting and exporting a list filtered on permit problems reuse it (the whole country's 103,000
    sites take over a second to work out)."""

    def work() -> list[int]:
        w = site_where(f)
        sql = f"SELECT site_id FROM ({compliance_sql(w.sql())}) c WHERE state IN ('expired', 'missing')"
        before = session.execute(text("SELECT current_setting('enable_nestloop')")).scalar_one()
        # The requirements' CTEs hide their sizes from the planner: it expects a handful of site needs and
        # joins every station to them in a nested loop (12.9 million comparisons on the demo's 3,200
        # sites, 0.45 s); hash joins give the same rows in 0.07 s.
        session.execute(text("SELECT set_config('enable_nestloop', 'off', true)"))
        try:
            params = {**w.params, **compliance_params(on=on, expiring_days=expiring_days)}
            return sorted(int(i) for i in session.scalars(text(sql), params))
        finally:
            session.execute(text("SELECT set_config('enable_nestloop', :v, true)"), {"v": before})

    ids = remembered(session, ("permit-problem", on, expiring_days, repr(f)), work, max_items=2_000_000)
    return SiteCondition(
        cte="problem AS (SELECT unnest(CAST(:problem_ids AS int[])) AS site_id)",
        condition="s.id IN (SELECT site_id FROM problem)",
        params={"problem_ids": ids},
    )


def site_standings(session: Session, f: StationFilter, *, on: date, expiring_days: int) -> dict[str, str]:
    """The permit standing of each site ``f`` matches, by site code: what the tiles show staff on ``on``
    (a commune saved for use without the network draws the sites from this)."""
    w = site_where(f)
    sql = (
        f"WITH pts AS (SELECT s.id, s.code, s.status FROM site s WHERE {w.sql()}), "
        f"compliance AS ({compliance_sql(TILE_SITES)}) "
        f"SELECT p.code, {_COLUMN.rstrip(',')} FROM pts p LEFT JOIN compliance c ON c.site_id = p.id"
    )
    params = {**w.params, **compliance_params(on=on, expiring_days=expiring_days)}
    return {str(code): str(state) for code, state in session.execute(text(sql), params)}


# The standings a site can have on the map (``standing_columns``), in their order of gravity.
STANDINGS = ("valid", "expiring", "expired", "missing", "inactive")


def standing_sites(
    session: Session, f: StationFilter, standings: list[str], *, on: date, expiring_days: int
) -> SiteCondition:
    """The sites ``f`` matches whose standing on ``on`` is one of ``standings`` (as the tiles colour
    them), as a condition on ``s`` that needs no CTE (``condition`` alone works in a tile's query).
    Worked out once while the data stays the same (registry.memo), like ``problem_sites``."""

    def work() -> list[int]:
        w = site_where(f)
        sql = (
            "SELECT s.id FROM site s LEFT JOIN (" + compliance_sql(w.sql()) + ") c ON c.site_id = s.id "
            "WHERE " + w.sql() + " AND (" + _STANDING.format(status="s.status") + ") = ANY(:standings)"
        )
        params = {**w.params, **compliance_params(on=on, expiring_days=expiring_days), "standings": sorted(standings)}
        return sorted(int(i) for i in session.scalars(text(sql), params))

    key = ("permit-standing", on, expiring_days, tuple(sorted(standings)), repr(f))
    ids = remembered(session, key, work, max_items=2_000_000)
    return SiteCondition(
        cte="standing AS (SELECT unnest(CAST(:standing_ids AS int[])) AS site_id)",
        condition="s.id = ANY(CAST(:standing_ids AS int[]))",
        params={"standing_ids": ids},
    )
