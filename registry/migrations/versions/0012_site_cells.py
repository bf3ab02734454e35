"""Site counts on a global grid, kept by triggers, so low-zoom vector tiles need no aggregation.

Level L divides the Web-Mercator square into 2^L × 2^L cells; levels 5–17 are kept, which covers
tile zooms 0–12 at 32 cells per tile side (registry/stations/tiles.py). Each cell holds its number of
sites and the sums of their Mercator coordinates (the cluster is drawn at their mean). Statement
triggers with transition tables apply a whole bulk insert, update or delete in one grouped upsert.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-28
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

HALF = 20037508.342789244  # half the Web-Mercator world's width, metres


def _cells(rows: str, sign: str, *, upsert: bool = True) -> str:
    conflict = (
        "ON CONFLICT (level, gx, gy) DO UPDATE "
        "SET n = c.n + excluded.n, sx = c.sx + excluded.sx, sy = c.sy + excluded.sy"
        if upsert
        else ""
    )
    return f"""
        INSERT INTO site_cell AS c (level, gx, gy, n, sx, sy)
        SELECT l, floor((p.x + {HALF}) / ({2 * HALF} / 2 ^ l))::int, floor(({HALF} - p.y) / ({2 * HALF} / 2 ^ l))::int,
               {sign}count(*), {sign}sum(p.x), {sign}sum(p.y)
        FROM (SELECT ST_X(m) AS x, ST_Y(m) AS y
              FROM (SELECT ST_Transform(geom, 3857) AS m FROM {rows} WHERE geom IS NOT NULL) t) p,
             generate_series(5, 17) AS l
        GROUP BY 1, 2, 3
        {conflict};"""


def upgrade() -> None:
    op.execute(
        """
        CREATE TABLE site_cell (
            level smallint NOT NULL,
            gx integer NOT NULL,
            gy integer NOT NULL,
            n integer NOT NULL,
            sx double precision NOT NULL,
            sy double precision NOT NULL,
            CONSTRAINT pk_site_cell PRIMARY KEY (level, gx, gy)
        )"""
    )
    op.execute(
        f"""
        CREATE FUNCTION site_cell_apply() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP IN ('UPDATE', 'DELETE') THEN {_cells("old_rows", "-")}
            END IF;
            IF TG_OP IN ('INSERT', 'UPDATE') THEN {_cells("new_rows", "")}
            END IF;
            RETURN NULL;
        END $$"""
    )
    op.execute(
        "CREATE TRIGGER site_cell_insert AFTER INSERT ON site REFERENCING NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION site_cell_apply()"
    )
    op.execute(
        "CREATE TRIGGER site_cell_update AFTER UPDATE ON site REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION site_cell_apply()"
    )
    op.execute(
        "CREATE TRIGGER site_cell_delete AFTER DELETE ON site REFERENCING OLD TABLE AS old_rows "
        "FOR EACH STATEMENT EXECUTE FUNCTION site_cell_apply()"
    )
    op.execute(_cells("site", "", upsert=False))


def downgrade() -> None:
    op.execute("DROP TRIGGER site_cell_delete ON site")
    op.execute("DROP TRIGGER site_cell_update ON site")
    op.execute("DROP TRIGGER site_cell_insert ON site")
    op.execute("DROP FUNCTION site_cell_apply()")
    op.execute("DROP TABLE site_cell")
