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
_COLUMN = (
    "CASE WHEN p.status IN ('under_construction', 'operating') THEN coalesce(c.state, 'valid') "
    "ELSE 'inactive' END AS permits,"
)


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
