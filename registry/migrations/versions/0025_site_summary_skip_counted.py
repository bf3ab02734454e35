"""An INSERT of stations recomputes the summary only of the sites whose summary does not count them yet.

The station import writes each new site with the summary of the stations its rows put there (map
keys, operators, technologies, how many: ``registry.stations.importer.write``), so that its grid cells
are counted once; the station trigger (0020, run through ``EXECUTE`` since 0023) then recomputed all
of those sites after the stations went in and found nothing to change: 0.1 s of a 10,000-row import
over 100,000 sites (bench.imports with ``--sites 100000``; the trigger disabled on a scratch copy:
2.43 against 2.57 s).

The triggers keep every site's summary exact after each statement. So after an INSERT of stations, a
site whose ``station_count`` already equals the number of its stations, and whose ``map_keys`` already
hold the operator and technology keys of the inserted ones, had them counted before they went in (by
the import, the one writer that does); every other site (``station_count`` is the number before the
INSERT) is recomputed as before. Checking costs one count of a site's stations by its index, against
the two grouped passes of the recomputation. UPDATE and DELETE are unchanged.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-05
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SUMMARY = ("map_keys", "operators", "technologies", "station_count")


def _apply(sites: str) -> str:
    """0023's recomputation, frozen: the summary and map keys of the sites whose ids ``sites`` lists,
    writing only the rows that change."""
    differs = " OR ".join(f"s.{c} IS DISTINCT FROM k.{c}" for c in SUMMARY)
    return f"""
        UPDATE site s SET map_keys = k.map_keys, operators = k.operators, technologies = k.technologies,
                          station_count = k.station_count
        FROM (SELECT a.id, ARRAY(SELECT x FROM unnest(ops.keys || tech.keys) x ORDER BY x) AS map_keys,
                     coalesce(ops.names, '{{}}') AS operators, coalesce(tech.names, '{{}}') AS technologies,
                     ops.n AS station_count
              FROM ({sites}) a
              CROSS JOIN LATERAL (
                  SELECT count(*) AS n, CAST(array_agg(DISTINCT o.short_name ORDER BY o.short_name) AS text[]) AS names,
                         coalesce(array_agg(DISTINCT 'o:' || st.operator_id), '{{}}') AS keys
                  FROM station st JOIN organisation o ON o.id = st.operator_id WHERE st.site_id = a.id) ops
              CROSS JOIN LATERAL (
                  SELECT array_agg(DISTINCT CAST(t AS text) ORDER BY CAST(t AS text)) AS names,
                         coalesce(array_agg(DISTINCT 't:' || t), '{{}}') AS keys
                  FROM station st, unnest(st.technologies) t WHERE st.site_id = a.id) tech) k
        WHERE s.id = k.id AND ({differs})"""


# 0023's sets of sites, frozen.
UPDATED_SITES = """
    SELECT DISTINCT v AS id FROM (
        SELECT o.site_id AS was, n.site_id AS now FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
        WHERE o.id IS NULL OR n.id IS NULL OR o.site_id IS DISTINCT FROM n.site_id
           OR o.operator_id IS DISTINCT FROM n.operator_id OR o.technologies IS DISTINCT FROM n.technologies
    ) c, unnest(ARRAY[c.was, c.now]) v WHERE v IS NOT NULL"""
INSERTED_SITES_0023 = "SELECT DISTINCT site_id AS id FROM new_rows"

# The sites of the inserted stations whose summary does not count them yet (see above).
INSERTED_SITES = """
    SELECT a.id FROM (
        SELECT n.site_id AS id,
               array_agg(DISTINCT 'o:' || n.operator_id)
               || coalesce(array_agg(DISTINCT 't:' || t) FILTER (WHERE t IS NOT NULL), '{}') AS keys
        FROM new_rows n LEFT JOIN LATERAL unnest(n.technologies) t ON true
        WHERE n.site_id IS NOT NULL
        GROUP BY n.site_id
    ) a JOIN site c ON c.id = a.id
    WHERE NOT (c.map_keys @> a.keys AND c.station_count = (SELECT count(*) FROM station st WHERE st.site_id = a.id))"""


def _run(sql: str) -> str:
    """``sql`` as a PL/pgSQL statement planned at each call (0023)."""
    tag = "$q$"
    assert tag not in sql
    return f"EXECUTE {tag}{sql}{tag};"


def _function(inserted: str) -> str:
    """The station trigger's function as 0023 wrote it, its INSERT branch recomputing ``inserted``."""
    return f"""
        CREATE OR REPLACE FUNCTION site_map_keys_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN {_run(_apply(UPDATED_SITES))}
            ELSIF TG_OP = 'DELETE' THEN {_run(_apply("SELECT DISTINCT site_id AS id FROM old_rows"))}
            ELSE {_run(_apply(inserted))}
            END IF;
            RETURN NULL;
        END $$"""


def upgrade() -> None:
    op.execute(_function(INSERTED_SITES))


def downgrade() -> None:
    op.execute(_function(INSERTED_SITES_0023))
