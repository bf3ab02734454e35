"""Stage 4 of a station import: the upserts by (operator, station code), set-based from the staging
tables, run only when the plan found nothing wrong and while the caller holds the site-writes lock.

``merge`` settles what each site gets (the first row that names a value wins; a later different
value is a warning) and the owners' organisations; then either ``count`` (a dry run: the same
comparisons, nothing written) or ``write``: one statement per kind of change, each writing its own
audit events (``registry.audit.sets``). The grid counts and map keys follow by the tables' statement
triggers (migration 0012), once per statement.
"""

from __future__ import annotations

from typing import Any

from registry.admin_units.service import CommuneIndex
from registry.audit.listener import SKIPPED
from registry.audit.parts import part_list_sql
from registry.audit.sets import audit_params, created_changes, created_events_sql, events_sql, row_json
from registry.errors import FieldError
from registry.organisations.service import new_organisation
from registry.stations.importer.plan import Plan
from registry.stations.importer.rows import Progress, jsonable
from registry.stations.importer.staging import SECTOR_KEYS, SITE_FIELDS
from registry.stations.models import Sector, Site, Station
from registry.stations.service import next_site_code
from registry.stations.template import BY_KEY

WRITING = "Ghi vào sổ"

# What an existing site becomes: the file's values over the registry's; a commune the file names is
# kept as entered while none is and it is not the site's own unit (a later file does not rewrite it).
_SITE_NEW = """
    SELECT o.id,
           coalesce(k.pole_class, o.pole_class) AS pole_class,
           coalesce(k.pole_height_m, o.pole_height_m) AS pole_height_m,
           coalesce(k.building_height_m, o.building_height_m) AS building_height_m,
           coalesce(k.address, o.address) AS address,
           CASE WHEN k.owner IS NULL THEN o.owner_id ELSE coalesce(k.owner_id, -1) END AS owner_id,
           CASE WHEN o.entered_admin_unit IS NULL AND k.commune IS NOT NULL
                     AND (uk.key IS NULL OR u.key IS DISTINCT FROM uk.key)
                THEN k.commune ELSE o.entered_admin_unit END AS entered_admin_unit
    FROM import_site k JOIN site o ON o.id = k.site_id
    LEFT JOIN import_unit u ON u.name = k.commune
    LEFT JOIN import_unit_key uk ON uk.id = o.admin_unit_id"""
_SITE_COLUMNS = ("pole_class", "pole_height_m", "building_height_m", "address", "owner_id", "entered_admin_unit")
_SITE_DIFFERS = (
    f"({', '.join(f'n.{c}' for c in _SITE_COLUMNS)}) IS DISTINCT FROM ({', '.join(f'o.{c}' for c in _SITE_COLUMNS)})"
)

# A station's sectors as its events list them (registry.audit.parts): a row's (staged as JSON), and a
# station's in the registry (``o``).
_ROW_SECTOR_LIST = "coalesce(r.sectors_listed, '[]')"
_REGISTERED_SECTOR = part_list_sql(Sector, SKIPPED, {c: f"x.{c}" for c in SECTOR_KEYS})
_STATION_SECTOR_LIST = f"""(SELECT coalesce(jsonb_agg({_REGISTERED_SECTOR} ORDER BY x.sector_no), '[]')
    FROM sector x WHERE x.station_id = o.id)"""

# What an existing station becomes: the fields the row gives, on the site the plan put it on (with its
# sectors before and after, for its event, when they change).
_STATION_NEW = f"""
    SELECT o.id, k.site_id,
           CASE WHEN 'technologies' = ANY(r.station_fields) THEN CAST(r.technologies AS varchar[])
                ELSE o.technologies END AS technologies,
           CASE WHEN 'bands' = ANY(r.station_fields) THEN CAST(r.bands AS varchar[]) ELSE o.bands END AS bands,
           coalesce(r.status, o.status) AS status,
           CASE WHEN 'commissioning_date' = ANY(r.station_fields) THEN r.commissioning_date
                ELSE o.commissioning_date END AS commissioning_date,
           r.sectors_changed,
           CASE WHEN r.sectors_changed THEN {_STATION_SECTOR_LIST} END AS sectors_before,
           CASE WHEN r.sectors_changed THEN {_ROW_SECTOR_LIST} END AS sectors_after
    FROM import_row r JOIN import_site k ON k.key = r.site_key JOIN station o ON o.id = r.station_id"""
_STATION_COLUMNS = ("site_id", "technologies", "bands", "status", "commissioning_date")
_STATION_DIFFERS = (
    f"(n.sectors_changed OR ({', '.join(f'n.{c}' for c in _STATION_COLUMNS)}) IS DISTINCT FROM "
    f"({', '.join(f'o.{c}' for c in _STATION_COLUMNS)}))"
)

# A row's sectors, numbered 1..n.
_ROW_SECTORS = "CROSS JOIN LATERAL unnest(r.azimuths, r.tilts, r.eirps) WITH ORDINALITY AS d(az, ti, ei, n)"
# The sectors a row asks for (the rows whose station's sectors differ).
_SECTORS_WANTED = f"""
    SELECT r.station_id, d.n AS sector_no, d.az, d.ti, d.ei
    FROM import_row r {_ROW_SECTORS}
    WHERE r.sectors_changed"""
# The sectors of the stations a statement adds (``created``: their ids and rows), in the same statement:
# the rows' staged station ids stay those of the stations already in the registry.
_NEW_SECTORS = f"""
    SELECT r.id AS station_id, d.n AS sector_no, d.az, d.ti, d.ei
    FROM created r {_ROW_SECTORS}
    WHERE r.has_sectors"""


def _station_value(column: str) -> str:
    """SQL: ``column`` of the registry's station a row updates (r.station_id; NULL for a new one),
    looked up by its id: a join would read every station of the registry, which the rows of a file of
    new stations do not need."""
    return f"(SELECT st.{column} FROM station st WHERE st.id = r.station_id)"


_SITE_PARENTS = "'{}'::text[]"
_STATION_PARENTS = (
    "ARRAY(SELECT DISTINCT CAST('site:' || v AS text) COLLATE \"C\""
    " FROM unnest(ARRAY[c.old ->> 'site_id', c.new ->> 'site_id']) v WHERE v IS NOT NULL ORDER BY 1)"
)
# The same for the creates, whose source gives the new row's columns (audit.sets.created_events_sql).
_NEW_STATION_PARENTS = "ARRAY['site:' || c.site_id]"


def merge(plan: Plan, *, dry_run: bool) -> None:
    """Each site's values from its rows (conflicts are warnings), the owners' organisations (made
    unless ``dry_run``) and, for new sites, the status their stations give."""
    plan.sql(
        f"""
        UPDATE import_site k SET {", ".join(f"{f} = v.{f}" for f in (*SITE_FIELDS, "commune", "status"))}
        FROM (
            SELECT r.site_key,
                   {
            ", ".join(
                f"(array_agg(r.{f} ORDER BY r.number) FILTER (WHERE r.{f} IS NOT NULL))[1] AS {f}"
                for f in (*SITE_FIELDS, "commune")
            )
        },
                   CASE WHEN bool_or(e.status IN ('operating', 'suspended')) THEN 'operating'
                        WHEN bool_or(e.status = 'under_construction') THEN 'under_construction'
                        WHEN bool_or(e.status = 'planned') THEN 'planned' ELSE 'dismantled' END AS status
            FROM import_row r
            CROSS JOIN LATERAL (SELECT coalesce(r.status, {_station_value("status")}, 'operating') AS status) e
            GROUP BY r.site_key
        ) v
        WHERE v.site_key = k.key
        """
    )
    _conflicts(plan)
    _owners(plan, dry_run=dry_run)
    units = plan.sql(
        """
        SELECT a.id, a.name FROM admin_unit a WHERE a.id IN (
            SELECT s.admin_unit_id FROM site s JOIN import_site k ON k.site_id = s.id WHERE k.commune IS NOT NULL
            UNION SELECT commune_id FROM import_site WHERE site_id IS NULL AND commune IS NOT NULL)
        """
    ).all()
    if units:
        plan.sql(
            "INSERT INTO import_unit_key (id, key) SELECT * FROM unnest(CAST(:i AS int[]), CAST(:k AS text[]))",
            i=[u.id for u in units],
            k=[CommuneIndex.key(u.name) for u in units],
        )


def _conflicts(plan: Plan) -> None:
    """A warning for each row whose site value differs from the first row's that gives one (every
    field in one pass over the rows)."""
    firsts = ", ".join(
        f"first_value({f}) OVER (PARTITION BY site_key ORDER BY ({f} IS NULL), number) AS {f}_first, "
        f"first_value(number) OVER (PARTITION BY site_key ORDER BY ({f} IS NULL), number) AS {f}_row"
        for f in SITE_FIELDS
    )
    differs = " OR ".join(f"({f} IS NOT NULL AND {f} IS DISTINCT FROM {f}_first)" for f in SITE_FIELDS)
    found = []
    for r in plan.sql(
        f"SELECT * FROM (SELECT number, {', '.join(SITE_FIELDS)}, {firsts} FROM import_row) x WHERE {differs}"
    ):
        for order, field in enumerate(SITE_FIELDS):
            value, first = getattr(r, field), getattr(r, f"{field}_first")
            if value is not None and value != first:
                found.append((r.number, order, field, value, first, getattr(r, f"{field}_row")))
    for number, _, field, value, first, first_row in sorted(found, key=lambda f: f[:2]):
        plan.report.warnings.append(
            FieldError(
                f"Khác giá trị ở dòng {first_row} của cùng vị trí ({first!r}); giữ giá trị của dòng đầu",
                row=number,
                column=plan.parser.headers.get(field, BY_KEY[field].header),
                value=jsonable(value),
                code="site_conflict",
            )
        )


def _owners(plan: Plan, *, dry_run: bool) -> None:
    orgs = plan.parser.orgs
    names = plan.sql(
        "SELECT owner FROM import_site WHERE owner IS NOT NULL GROUP BY owner ORDER BY min(first_row)"
    ).scalars()
    found: dict[str, int | None] = {}
    for name in names:
        owner = orgs.find(name)
        if owner is None and not dry_run:
            owner = new_organisation(plan.session, orgs, name=name)
            plan.report.organisations_created.append(owner.name)
        elif owner is None:
            plan.report.organisations_created.append(name)
        found[name] = owner.id if owner is not None else None
    if found:
        plan.sql(
            "INSERT INTO import_owner (name, id) SELECT * FROM unnest(CAST(:n AS text[]), CAST(:i AS int[]))",
            n=list(found),
            i=list(found.values()),
        )
        plan.sql("UPDATE import_site k SET owner_id = o.id FROM import_owner o WHERE o.name = k.owner")


def _mark_sector_changes(plan: Plan) -> None:
    """Which rows' sectors differ from their station's (all of them for a station with none yet)."""
    plan.sql(
        """
        UPDATE import_row r SET sectors_changed = c.changed FROM (
            SELECT w.number, (coalesce(cur.az, '{}'), coalesce(cur.ti, '{}'), coalesce(cur.ei, '{}'))
                             IS DISTINCT FROM (w.azimuths, w.tilts, w.eirps) AS changed
            FROM import_row w LEFT JOIN (
                SELECT station_id, array_agg(azimuth_deg ORDER BY sector_no) AS az,
                       array_agg(tilt_deg ORDER BY sector_no) AS ti, array_agg(eirp_w ORDER BY sector_no) AS ei
                FROM sector WHERE station_id IN (SELECT station_id FROM import_row WHERE has_sectors)
                GROUP BY station_id
            ) cur ON cur.station_id = w.station_id
            WHERE w.has_sectors AND w.station_id IS NOT NULL
        ) c
        WHERE c.number = r.number
        """
    )


def count(plan: Plan) -> None:
    """A dry run's figures: what ``write`` would do, by the same comparisons, writing nothing."""
    report = plan.report
    sites, existing_sites, rows, existing = _in_registry(plan)
    report.sites_created = sites - existing_sites
    if existing_sites:
        report.sites_updated = int(
            plan.sql(
                f"SELECT count(*) FROM ({_SITE_NEW}) n JOIN site o ON o.id = n.id WHERE {_SITE_DIFFERS}"
            ).scalar_one()
        )
    report.stations_created = rows - existing
    if existing:
        _mark_sector_changes(plan)
        report.stations_updated = int(
            plan.sql(
                f"SELECT count(*) FROM ({_STATION_NEW}) n JOIN station o ON o.id = n.id WHERE {_STATION_DIFFERS}"
            ).scalar_one()
        )
    report.stations_unchanged = existing - report.stations_updated


def _in_registry(plan: Plan) -> tuple[int, int, int, int]:
    """(the import's sites, those already in the registry, its rows, those of stations already in the
    registry): the statements that compare with the registry run only when there is something to
    compare (each reads the whole table it joins)."""
    sites, existing_sites = plan.sql("SELECT count(*), count(site_id) FROM import_site").one()
    rows, existing = plan.sql("SELECT count(*), count(station_id) FROM import_row").one()
    return int(sites), int(existing_sites), int(rows), int(existing)


def write(plan: Plan, progress: Progress | None) -> None:
    report = plan.report
    _, existing_sites, total, existing = _in_registry(plan)

    def step(done: float) -> None:
        if progress:
            progress(WRITING, round(total * done), total)

    step(0)
    params = audit_params(Site, Station, parts=("sectors",))
    if existing_sites:
        report.sites_updated = _update_sites(plan, params)
    _new_site_codes(plan)

    report.sites_created = plan.sql(
        f"""
        WITH added AS (
            INSERT INTO site AS s (code, geom, source_crs, source_x, source_y, provenance, admin_unit_id, status,
                                   pole_class, pole_height_m, building_height_m, address, owner_id, entered_admin_unit,
                                   map_keys, operators, technologies, station_count)
            SELECT k.code, CAST(k.geog AS geometry), k.source_crs, k.source_x, k.source_y, k.provenance,
                   k.commune_id, k.status, k.pole_class, k.pole_height_m, k.building_height_m, k.address, k.owner_id,
                   CASE WHEN k.commune IS NOT NULL AND (uk.key IS NULL OR u.key IS DISTINCT FROM uk.key)
                        THEN k.commune END,
                   coalesce(g.map_keys, '{{}}'), coalesce(g.operators, '{{}}'), coalesce(g.technologies, '{{}}'),
                   coalesce(g.station_count, 0)
            FROM import_site k
            LEFT JOIN ({_NEW_SITE_SUMMARY}) g ON g.site_key = k.key
            LEFT JOIN import_unit u ON u.name = k.commune
            LEFT JOIN import_unit_key uk ON uk.id = k.commune_id
            WHERE k.site_id IS NULL ORDER BY k.first_row
            RETURNING s.id, s.code, {created_changes("s", Site)} AS changes
        ),
        trail AS ({created_events_sql(Site, "added", parents=_SITE_PARENTS)}),
        placed AS (UPDATE import_site k SET site_id = added.id FROM added WHERE added.code = k.code)
        SELECT count(*) FROM added
        """,
        **params,
    ).scalar_one()
    step(0.3)
    # The new stations with their sectors and their events (each listing the station's sectors), in one
    # statement (the sectors' foreign key is checked at its end, when the stations are there).
    report.stations_created = plan.sql(
        f"""
        WITH added AS (
            INSERT INTO station AS s (operator_id, station_code, site_id, technologies, bands, status,
                                      commissioning_date)
            SELECT r.operator_id, r.station_code, k.site_id,
                   CASE WHEN 'technologies' = ANY(r.station_fields) THEN CAST(r.technologies AS varchar[])
                        ELSE '{{}}' END,
                   CASE WHEN 'bands' = ANY(r.station_fields) THEN CAST(r.bands AS varchar[]) ELSE '{{}}' END,
                   coalesce(r.status, 'operating'), r.commissioning_date
            FROM import_row r JOIN import_site k ON k.key = r.site_key
            WHERE r.station_id IS NULL ORDER BY r.number
            RETURNING s.id, s.operator_id, s.station_code, s.site_id, {created_changes("s", Station)} AS changes
        ),
        created AS (
            SELECT a.id, a.site_id, r.has_sectors, r.azimuths, r.tilts, r.eirps,
                   CASE WHEN r.sectors_listed IS NULL THEN a.changes
                        ELSE a.changes || jsonb_build_object('sectors', jsonb_build_array(NULL, r.sectors_listed))
                   END AS changes
            FROM added a JOIN import_row r ON r.operator_id = a.operator_id AND r.station_code = a.station_code
        ),
        trail AS ({created_events_sql(Station, "created", parents=_NEW_STATION_PARENTS)}),
        sectors AS (
            INSERT INTO sector (station_id, sector_no, azimuth_deg, tilt_deg, eirp_w)
            SELECT * FROM ({_NEW_SECTORS}) d ORDER BY d.station_id, d.sector_no
        )
        SELECT count(*) FROM added
        """,
        **params,
    ).scalar_one()
    step(0.6)
    if existing:
        report.stations_updated = _update_stations(plan, params)
        step(0.8)
        _write_sectors(plan)
    report.stations_unchanged = existing - report.stations_updated
    step(1)
    plan.session.expire_all()  # the ORM's copies of what these statements changed are stale


def _update_stations(plan: Plan, params: dict[str, Any]) -> int:
    """The stations already in the registry whose row changes them (their sectors included: the
    station's event lists them before and after), each with its event; how many."""
    _mark_sector_changes(plan)
    sectors = ("jsonb_build_object('sectors', n.sectors_before)", "jsonb_build_object('sectors', n.sectors_after)")
    return _update(plan, params, Station, _STATION_NEW, _STATION_COLUMNS, _STATION_DIFFERS, _STATION_PARENTS, sectors)


def _update_sites(plan: Plan, params: dict[str, Any]) -> int:
    """The sites already in the registry that the file changes, each with its event; how many."""
    return _update(plan, params, Site, _SITE_NEW, _SITE_COLUMNS, _SITE_DIFFERS, _SITE_PARENTS)


def _update(
    plan: Plan,
    params: dict[str, Any],
    model: type[Site] | type[Station],
    new: str,
    columns: tuple[str, ...],
    differs: str,
    parents: str,
    more: tuple[str, str] = ("'{}'::jsonb", "'{}'::jsonb"),
) -> int:
    """Rows of ``model`` set to what ``new`` (SQL: ``id`` and ``columns``) says where ``differs``, each
    a version more and an update event (``more``: SQL of fields the events also compare, before and
    after); how many."""
    table = model.__tablename__
    return int(
        plan.sql(
            f"""
            WITH n AS ({new}),
            changed AS (
                UPDATE {table} s SET {", ".join(f"{c} = n.{c}" for c in columns)},
                                     version = o.version + 1, updated_at = now()
                FROM n JOIN {table} o ON o.id = n.id
                WHERE s.id = n.id AND {differs}
                RETURNING s.id, {row_json("o", model)} || {more[0]} AS old, {row_json("s", model)} || {more[1]} AS new
            ),
            trail AS ({events_sql(model, "update", "changed", parents=parents)})
            SELECT count(*) FROM changed
            """,
            **params,
        ).scalar_one()
    )


def _write_sectors(plan: Plan) -> None:
    """Sectors 1..n of each station whose sectors differ: changed in place, extra ones removed,
    missing ones added (the unique (station, number) never sees two rows at once). Their changes are
    in their station's update event ("sectors", before and after)."""
    plan.sql(
        f"""
        UPDATE sector s SET azimuth_deg = d.az, tilt_deg = d.ti, eirp_w = d.ei
        FROM ({_SECTORS_WANTED}) d
        WHERE s.station_id = d.station_id AND s.sector_no = d.sector_no
          AND (d.az, d.ti, d.ei) IS DISTINCT FROM (s.azimuth_deg, s.tilt_deg, s.eirp_w)
        """
    )
    plan.sql(
        """
        DELETE FROM sector s USING import_row r
        WHERE r.sectors_changed AND s.station_id = r.station_id AND s.sector_no > cardinality(r.azimuths)
        """
    )
    plan.sql(
        f"""
        INSERT INTO sector (station_id, sector_no, azimuth_deg, tilt_deg, eirp_w)
        SELECT d.station_id, d.sector_no, d.az, d.ti, d.ei FROM ({_SECTORS_WANTED}) d
        WHERE NOT EXISTS (SELECT 1 FROM sector x WHERE x.station_id = d.station_id AND x.sector_no = d.sector_no)
        ORDER BY d.station_id, d.sector_no
        """
    )


# Each new site's summary of the stations its rows put on it (map keys, operators, technologies, how
# many), as the station triggers would set it (migrations 0012 and 0020): written with the site, its
# grid cells are counted once, and the station trigger takes it as counted (migration 0025).
_NEW_SITE_SUMMARY = f"""
    SELECT e.site_key, count(DISTINCT e.number) AS station_count,
           CAST(array_agg(DISTINCT o.short_name ORDER BY o.short_name) AS text[]) AS operators,
           array_agg(DISTINCT CAST(t AS text) ORDER BY CAST(t AS text)) FILTER (WHERE t IS NOT NULL) AS technologies,
           ARRAY(SELECT x FROM unnest(array_agg(DISTINCT 'o:' || e.operator_id)
                                      || coalesce(array_agg(DISTINCT 't:' || t) FILTER (WHERE t IS NOT NULL), '{{}}')) x
                 ORDER BY x) AS map_keys
    FROM (
        SELECT r.number, r.site_key, r.operator_id,
               CASE WHEN 'technologies' = ANY(r.station_fields) THEN CAST(r.technologies AS varchar[])
                    ELSE coalesce({_station_value("technologies")}, '{{}}') END AS technologies
        FROM import_row r JOIN import_site k ON k.key = r.site_key AND k.site_id IS NULL
    ) e
    JOIN organisation o ON o.id = e.operator_id
    LEFT JOIN LATERAL unnest(e.technologies) t ON true
    GROUP BY e.site_key"""


def _new_site_codes(plan: Plan) -> None:
    """Codes for the new sites the file gave none: the next free numbers after the registry's last."""
    keys = plan.sql("SELECT key FROM import_site WHERE site_id IS NULL AND code IS NULL ORDER BY first_row").scalars()
    keys = list(keys)
    if not keys:
        return
    prefix = plan.settings.site_code_prefix
    taken = set(
        plan.sql("SELECT code FROM import_site WHERE site_id IS NULL AND code LIKE :p", p=f"{prefix}-%").scalars()
    )
    number = int(next_site_code(plan.session, plan.settings).rsplit("-", 1)[1])
    codes = []
    for _ in keys:
        while (code := f"{prefix}-{number:05d}") in taken:
            number += 1
        codes.append(code)
        number += 1
    plan.sql(
        "UPDATE import_site k SET code = a.c FROM unnest(CAST(:k AS text[]), CAST(:c AS text[])) AS a(k, c)"
        " WHERE k.key = a.k",
        k=keys,
        c=codes,
    )
