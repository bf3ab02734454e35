"""Each site's operators, technologies and number of stations kept in the site row, so lists and
nearest read them instead of aggregating the stations of every listed site per request (issue #19).

``site.operators`` (the operators' short names, distinct and sorted), ``site.technologies`` (distinct,
sorted) and ``site.station_count`` are what the lists' LATERAL over ``station`` computed. They are kept
by the statement-level triggers on ``station`` that already keep ``site.map_keys`` (migration 0012):
one grouped UPDATE per INSERT, UPDATE or DELETE statement, however many rows it touched; an UPDATE
of stations looks only at the rows whose site, operator or technologies changed. A new short name
of an operator is written into the sites of its stations by a statement trigger on ``organisation``
(renames are rare; reading names from the row is cheaper for every list than joining them per site).

Trigger writes bypass the ORM: no audit event, no version bump (a site's ETag does not change when a
station is added), as with map_keys. The columns are in ``Site.__audit_exclude__``.

Every station added or removed now rewrites its site's row. With room left on each page of ``site``
(fillfactor 85) most of those rewrites are HOT: no new entries in the site's six indexes (GiST, GIN
trigram). Measured on 100,000 sites, the rewrite of the 51,689 sites of one operator (its rename):
5.2 s with full pages, 1.8 s after the table was rewritten with the room. Pages get the room as rows
are rewritten; ``VACUUM FULL site`` gives it to all at once (not done here: it locks the table).

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-06
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Frozen from 0012: the keys of the stations of the site a.id, sorted.
STATION_KEYS = """coalesce((SELECT array_agg(k ORDER BY k) FROM (
        SELECT 'o:' || st.operator_id AS k FROM station st WHERE st.site_id = a.id
        UNION SELECT 't:' || t FROM station st, unnest(st.technologies) t WHERE st.site_id = a.id) q), '{}')"""

# The summary of the site a.id's stations, as the lists computed it per request before.
OPERATORS = """CAST(coalesce((SELECT array_agg(DISTINCT o.short_name ORDER BY o.short_name)
        FROM station st JOIN organisation o ON o.id = st.operator_id WHERE st.site_id = a.id), '{}') AS text[])"""
TECHNOLOGIES = """ARRAY(SELECT DISTINCT CAST(t AS text) FROM station st, unnest(st.technologies) t
        WHERE st.site_id = a.id ORDER BY 1)"""
STATION_COUNT = "(SELECT count(*) FROM station st WHERE st.site_id = a.id)"

SUMMARY = ("map_keys", "operators", "technologies", "station_count")


def _apply(sites: str) -> str:
    """Recompute the summary and map keys of the sites whose ids ``sites`` (an SQL set of ``id``)
    lists; write only the rows that change (an unchanged site row is not rewritten and fires no cell
    change). Two passes over a site's stations (its operators, its technologies) give all four
    columns, map_keys as 0012 sorted them: 2.2 s for 51,689 sites against 3.2 s for a subquery each."""
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
        WHERE s.id = k.id AND ({differs});"""


# The sites an UPDATE of stations may have changed the summary of: both sides of every row whose
# site, operator or technologies changed (a row matched by no id on the other side counts too).
UPDATED_SITES = """
    SELECT DISTINCT v AS id FROM (
        SELECT o.site_id AS was, n.site_id AS now FROM old_rows o FULL JOIN new_rows n ON n.id = o.id
        WHERE o.id IS NULL OR n.id IS NULL OR o.site_id IS DISTINCT FROM n.site_id
           OR o.operator_id IS DISTINCT FROM n.operator_id OR o.technologies IS DISTINCT FROM n.technologies
    ) c, unnest(ARRAY[c.was, c.now]) v WHERE v IS NOT NULL"""

# The sites with a station of an operator whose short name an UPDATE of organisations changed.
RENAMED_SITES = """
    SELECT DISTINCT st.site_id AS id FROM station st
    WHERE st.operator_id IN (SELECT n.id FROM old_rows o JOIN new_rows n ON n.id = o.id
                             WHERE o.short_name IS DISTINCT FROM n.short_name)"""


def upgrade() -> None:
    op.execute(
        "ALTER TABLE site ADD COLUMN operators text[] DEFAULT '{}' NOT NULL, "
        "ADD COLUMN technologies text[] DEFAULT '{}' NOT NULL, "
        "ADD COLUMN station_count integer DEFAULT 0 NOT NULL"
    )
    op.execute("ALTER TABLE site SET (fillfactor = 85)")
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION site_map_keys_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' THEN {_apply(UPDATED_SITES)}
            ELSIF TG_OP = 'DELETE' THEN {_apply("SELECT DISTINCT site_id AS id FROM old_rows")}
            ELSE {_apply("SELECT DISTINCT site_id AS id FROM new_rows")}
            END IF;
            RETURN NULL;
        END $$"""
    )
    op.execute(
        f"""
        CREATE FUNCTION site_operator_names_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN {_apply(RENAMED_SITES)}
            RETURN NULL;
        END $$"""
    )
    op.execute(
        "CREATE TRIGGER organisation_site_names AFTER UPDATE ON organisation "
        "REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION site_operator_names_apply()"
    )
    # Existing sites (map_keys is already right; the cells do not change).
    op.execute(
        f"""
        UPDATE site a SET operators = {OPERATORS}, technologies = {TECHNOLOGIES}, station_count = {STATION_COUNT}
        WHERE EXISTS (SELECT 1 FROM station st WHERE st.site_id = a.id)"""
    )


# 0012's function, frozen: map_keys only.
_MAP_KEYS_0012 = f"""
        UPDATE site s SET map_keys = k.keys
        FROM (SELECT a.id, {STATION_KEYS} AS keys FROM (SELECT DISTINCT site_id AS id FROM ROWS) a) k
        WHERE s.id = k.id AND s.map_keys IS DISTINCT FROM k.keys;"""


def downgrade() -> None:
    op.execute("DROP TRIGGER organisation_site_names ON organisation")
    op.execute("DROP FUNCTION site_operator_names_apply()")
    op.execute(
        f"""
        CREATE OR REPLACE FUNCTION site_map_keys_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN {_MAP_KEYS_0012.replace("ROWS", "old_rows")}
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {_MAP_KEYS_0012.replace("ROWS", "new_rows")}
            END IF;
            RETURN NULL;
        END $$"""
    )
    op.execute("ALTER TABLE site RESET (fillfactor)")
    op.execute("ALTER TABLE site DROP COLUMN operators, DROP COLUMN technologies, DROP COLUMN station_count")
