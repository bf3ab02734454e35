"""The import's staging tables: every parsed row COPY'd into ``import_row`` as it is read, so the
checks across rows and against the registry, and the writes, run set-based in SQL and Python holds
no more than one row at a time.

Temporary tables of the import's own transaction (``ON COMMIT DROP``), dropped again when the import
ends, so a session can import twice and a refused or dry-run import leaves nothing behind.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.audit.listener import SKIPPED
from registry.audit.parts import part_columns
from registry.stations.importer.rows import Row
from registry.stations.models import Sector

# One row per accepted (parsed without error) line of the file, as the parser read it, plus what the
# plan resolves: which site the row ends up on (``site_key``; ``site_id`` once the site exists) and
# the station it updates.
ROW_COLUMNS = (
    ("number", "int"),
    ("station_code", "text"),
    ("operator_id", "int"),
    ("operator_name", "text"),
    ("site_code", "text"),
    ("lon", "float8"),
    ("lat", "float8"),
    ("source_crs", "int"),
    ("source_x", "float8"),
    ("source_y", "float8"),
    ("provenance", "text"),
    ("pole_class", "text"),
    ("pole_height_m", "float8"),
    ("building_height_m", "float8"),
    ("address", "text"),
    ("owner", "text"),
    ("station_fields", "text[]"),  # which station fields the row sets (a blank date clears the date)
    ("technologies", "text[]"),
    ("bands", "text[]"),
    ("status", "text"),
    ("commissioning_date", "date"),
    ("has_sectors", "bool"),
    ("azimuths", "float8[]"),
    ("tilts", "float8[]"),
    ("eirps", "float8[]"),
    ("commune", "text"),
    ("sectors_listed", "jsonb"),  # the sectors as the station's events list them (registry.audit.parts)
)
# psycopg names the types as PostgreSQL does; arrays go as literals (``_sectors``, ``_words``), parsed
# by the server.
_COPY_TYPES = {"int": "int4", "float8[]": "text", "text[]": "text", "bool": "bool", "jsonb": "text"}
SITE_FIELDS = ("pole_class", "pole_height_m", "building_height_m", "address", "owner")
STATION_FIELDS = ("technologies", "bands", "status", "commissioning_date")
TABLES = ("import_row", "import_site", "import_owner", "import_unit", "import_unit_key")

_DDL = f"""
-- Half of each page left free: the plan and the writes update every row several times, and with room
-- on the page an update is HOT (no new index entries).
CREATE TEMP TABLE import_row (
    {", ".join(f"{name} {kind}" for name, kind in ROW_COLUMNS)},
    site_key text, site_id int, station_id int,
    sectors_changed bool NOT NULL DEFAULT false
) WITH (fillfactor = 50) ON COMMIT DROP;
-- Every site a row ends up on: existing (site_id) or new (key = its code, or '#new-<row>' when the
-- file gave none), with the row that first named it and, for new ones, its position.
CREATE TEMP TABLE import_site (
    key text PRIMARY KEY, site_id int, code text, first_row int NOT NULL,
    lon float8, lat float8, source_crs int, source_x float8, source_y float8, provenance text,
    commune_id int, geog geography,
    -- what the rows say of the site (the first row that says it wins) and the organisation of its owner
    pole_class text, pole_height_m float8, building_height_m float8, address text, owner text, owner_id int,
    commune text, status text
) WITH (fillfactor = 50) ON COMMIT DROP;
-- Owner names as the file writes them and the organisation each is (NULL: to be created).
CREATE TEMP TABLE import_owner (name text PRIMARY KEY, id int) ON COMMIT DROP;
-- Communes as the file writes them: their key (folded, no kind word) and the current units by that name.
CREATE TEMP TABLE import_unit (name text PRIMARY KEY, key text NOT NULL, ids int[] NOT NULL) ON COMMIT DROP;
-- The same key for the units the sites lie in (is the commune the file names the site's own unit?).
CREATE TEMP TABLE import_unit_key (id int PRIMARY KEY, key text NOT NULL) ON COMMIT DROP;
"""


def create(session: Session) -> None:
    drop(session)
    for statement in filter(str.strip, _DDL.split(";")):
        session.execute(text(statement))
    # What the checks of each batch look rows up by, as the rows arrive (plan.Plan.batch). Made on the
    # empty tables: an index made later in the transaction, over rows it has since updated, could not
    # be used by the transaction itself (PostgreSQL's indcheckxmin).
    session.execute(text("CREATE UNIQUE INDEX ON import_row (number)"))
    session.execute(text("CREATE INDEX ON import_row (operator_id, station_code)"))
    session.execute(text("CREATE INDEX import_site_geog ON import_site USING gist (geog)"))
    session.execute(text("CREATE INDEX ON import_site (first_row)"))


def drop(session: Session) -> None:
    session.execute(text(f"DROP TABLE IF EXISTS {', '.join(TABLES)}"))


def _words(values: list[str] | None) -> str | None:
    """A text[] literal, every element quoted (the same few lists repeat down a file: each written once)."""
    return None if values is None else _quoted(tuple(values))


@lru_cache(maxsize=1024)
def _quoted(values: tuple[str, ...]) -> str:
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


# The keys of a sector as its station's events list it, in this order (checked against the model),
# and one sector as JSON text with its four values to fill in.
SECTOR_KEYS = ("sector_no", "azimuth_deg", "tilt_deg", "eirp_w")
assert part_columns(Sector, SKIPPED) == list(SECTOR_KEYS), part_columns(Sector, SKIPPED)
_SECTOR_JSON = "{{" + ",".join(f'"{key}":{{}}' for key in SECTOR_KEYS) + "}}"


@lru_cache(maxsize=4096)
def _sectors(
    sectors: tuple[tuple[float, float | None, float | None], ...] | None,
) -> tuple[bool, str | None, str | None, str | None, str | None]:
    """(whether the row gives sectors, its azimuths, tilts and EIRPs as float8[] literals, and its
    sectors as JSON text as the station's events list them — written here: the server's jsonb_agg
    per row was a tenth of the import). Each value is written once, for both; the same sectors,
    which repeat down a file, once."""
    if sectors is None:
        return False, None, None, None, None
    if not sectors:
        return True, "{}", "{}", "{}", None
    texts = [[None if v is None else repr(float(v)) for v in sector] for sector in sectors]
    arrays = ("{" + ",".join("NULL" if t[i] is None else t[i] for t in texts) + "}" for i in range(3))
    listed = ",".join(_SECTOR_JSON.format(n, a, t or "null", e or "null") for n, (a, t, e) in enumerate(texts, start=1))
    return (True, *arrays, f"[{listed}]")


def staged(row: Row) -> tuple[Any, ...]:
    """The row as ``import_row`` takes it."""
    pos = row.position
    site = row.site_fields
    has_sectors, azimuths, tilts, eirps, listed = _sectors(row.sectors)
    fields = row.station_fields
    return (
        row.number,
        row.station_code,
        row.operator.id,
        row.operator.short_name,
        row.site_code,
        pos.lon if pos else None,
        pos.lat if pos else None,
        pos.source_crs if pos else None,
        pos.source_x if pos else None,
        pos.source_y if pos else None,
        row.provenance,
        site.get("pole_class"),
        site.get("pole_height_m"),
        site.get("building_height_m"),
        site.get("address"),
        site.get("owner"),
        _words([k for k in STATION_FIELDS if k in fields]),
        _words(fields.get("technologies")),
        _words(fields.get("bands")),
        fields.get("status"),
        fields.get("commissioning_date"),
        has_sectors,
        azimuths,
        tilts,
        eirps,
        row.commune,
        listed,
    )


def copy_rows(session: Session, rows: list[tuple[Any, ...]]) -> None:
    """``rows`` (each ``staged(row)``) COPY'd into ``import_row``."""
    if not rows:
        return
    connection = session.connection().connection.driver_connection
    assert connection is not None
    columns = ", ".join(name for name, _ in ROW_COLUMNS)
    with connection.cursor() as cursor, cursor.copy(f"COPY import_row ({columns}) FROM STDIN") as copy:
        copy.set_types([_COPY_TYPES.get(kind, kind) for _, kind in ROW_COLUMNS])
        for row in rows:
            copy.write_row(row)


def index(session: Session) -> None:
    """Statistics once the rows are in (temporary tables are never analysed by autovacuum). The
    statements after this one join whole tables (hash joins): no index is made here, nor could one
    made now be used by the import's own transaction, which has updated the rows (indcheckxmin)."""
    # Statistics of the columns the plan joins and groups on (the others' would cost as much again).
    session.execute(text("ANALYZE import_row (number, operator_id, station_code, site_code)"))
