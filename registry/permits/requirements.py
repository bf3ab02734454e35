"""Which permits each site and station needs on a day, and the best permit it holds for each.

One SQL evaluation serves the permit check (one site, or a proposed one) and the officers' lists
(every site): the rules in force on the day are matched against the structure's pole class, height
(building + pole, above ground) and the planning zones it stands in; each need is paired with the
holder's best permit of an accepted kind, whose status comes from ``permit_status()``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.base import in_force_sql
from registry.permits.models import SATISFYING, PermitStatus, status_sql

# Conditions of a rule ``r`` on a subject ``x`` (columns pole_class, total_h, geom).
_MATCH = """
    (r.pole_classes IS NULL OR x.pole_class = ANY(r.pole_classes))
    AND (r.min_height_m IS NULL OR x.total_h >= r.min_height_m)
    AND (r.max_height_m IS NULL OR x.total_h < r.max_height_m)
    AND (r.zone_kinds IS NULL OR EXISTS (
        SELECT 1 FROM planning_zone z
        WHERE z.kind = ANY(r.zone_kinds) AND ST_Covers(z.geom, x.geom)
          AND (z.valid_from IS NULL OR z.valid_from <= :on) AND (z.valid_to IS NULL OR z.valid_to > :on)))
"""

_RULES = f"""
    SELECT * FROM permit_rule
    WHERE {in_force_sql()}"""

_STATUS = status_sql("p")
_RANK = f"""CASE {_STATUS} WHEN 'valid' THEN 0 WHEN 'expiring' THEN 1 WHEN 'suspended' THEN 2
    WHEN 'not_yet_valid' THEN 3 WHEN 'expired' THEN 4 ELSE 5 END"""

# Sites (``s``) that may be narrowed by a site filter; stations whose status means they transmit.
_SUBJECT_SITES = """
    SELECT s.id AS site_id, s.code AS site_code, s.pole_class,
           coalesce(s.building_height_m, 0) + coalesce(s.pole_height_m, 0) AS total_h, s.geom
    FROM site s WHERE s.status = ANY(:site_statuses) AND {site_where}"""

SQL = f"""
WITH rules AS ({_RULES}),
x AS ({{subjects}}),
needs AS (
    SELECT 'site' AS holder, x.site_id, x.site_code, NULL::int AS station_id, NULL::text AS station_code,
           NULL::text AS operator, r.id AS rule_id
    FROM x JOIN rules r ON r.applies_to = 'site' AND {_MATCH}
    UNION ALL
    SELECT 'station', x.site_id, x.site_code, st.id, st.station_code, o.short_name, r.id
    FROM x JOIN station st ON st.site_id = x.site_id AND st.status = ANY(:station_statuses)
    JOIN organisation o ON o.id = st.operator_id
    JOIN rules r ON r.applies_to = 'station' AND {_MATCH}
    {{station_where}}
)
SELECT n.holder, n.site_id, n.site_code, n.station_id, n.station_code, n.operator, n.rule_id,
       best.id AS permit_id, best.kind AS permit_kind, best.number AS permit_number,
       best.valid_until, best.status AS permit_status
FROM needs n JOIN rules r ON r.id = n.rule_id
LEFT JOIN LATERAL (
    SELECT p.id, p.kind, p.number, p.valid_until, {_STATUS} AS status
    FROM permit p
    WHERE p.kind = ANY(r.permit_kinds)
      AND ((n.holder = 'site' AND p.site_id = n.site_id) OR (n.holder = 'station' AND p.station_id = n.station_id))
    ORDER BY {_RANK}, p.valid_until DESC NULLS FIRST, p.id DESC
    LIMIT 1
) best ON true
{{final_where}}
ORDER BY n.site_code, n.holder, n.station_id NULLS FIRST, r.code
"""

# Narrowing the result in SQL spares building rows the caller would drop.
UNMET = "WHERE best.status IS NULL OR best.status NOT IN ('valid', 'expiring')"
EXPIRED_INSPECTION = (
    "WHERE n.holder = 'station' AND best.kind = 'inspection_certificate' AND best.status = 'expired' "
    "AND 'inspection_certificate' = ANY(r.permit_kinds)"
)

ACTIVE_SITE_STATUSES = ["under_construction", "operating"]
ACTIVE_STATION_STATUSES = ["operating", "suspended"]


@dataclass(frozen=True)
class Need:
    """One requirement of one site or station, and how it stands on the day."""

    holder: str  # "site" or "station"
    site_id: int | None
    site_code: str | None
    station_id: int | None
    station_code: str | None
    operator: str | None
    rule_code: str
    permit_kinds: list[str]
    description: str
    legal_basis: str
    certainty: str
    permit_id: int | None
    permit_kind: str | None
    permit_number: str | None
    valid_until: date | None
    permit_status: str | None  # None: no permit of an accepted kind at all

    @property
    def met(self) -> bool:
        return self.permit_status in SATISFYING

    @property
    def state(self) -> str:
        """missing, or the best permit's status."""
        return self.permit_status or "missing"

    def days_left(self, on: date) -> int | None:
        return (self.valid_until - on).days if self.valid_until is not None else None

    def as_dict(self, on: date) -> dict[str, Any]:
        return {
            "rule": self.rule_code,
            "description": self.description,
            "legal_basis": self.legal_basis,
            "certainty": self.certainty,
            "accepted_kinds": self.permit_kinds,
            "state": self.state,
            "met": self.met,
            "permit": None
            if self.permit_id is None
            else {
                "id": self.permit_id,
                "kind": self.permit_kind,
                "number": self.permit_number,
                "valid_until": self.valid_until.isoformat() if self.valid_until else None,
                "days_until_expiry": self.days_left(on),
                "status": self.permit_status,
            },
        }


def _run(session: Session, sql: str, params: dict[str, Any]) -> list[Need]:
    # The rule's texts come once per rule, not once per row: a national list has 350,000 rows and a
    # dozen rules.
    rules = {
        r.id: (r.code, r.permit_kinds, r.description, r.legal_basis, r.certainty)
        for r in session.execute(
            text("SELECT id, code, permit_kinds, description, legal_basis, certainty FROM permit_rule")
        )
    }
    return [
        Need(holder, site_id, site_code, station_id, station_code, operator, *rules[rule_id], *best)
        for holder, site_id, site_code, station_id, station_code, operator, rule_id, *best in session.execute(
            text(sql), params
        )
    ]


def needs_of_sites(
    session: Session,
    *,
    on: date,
    expiring_days: int,
    site_where: str = "true",
    station_where: str = "",
    params: dict[str, Any] | None = None,
    site_statuses: list[str] | None = None,
    station_statuses: list[str] | None = None,
    only: str = "",
) -> list[Need]:
    """Every need of the sites matching ``site_where`` (an SQL condition on ``s``) and their stations;
    ``only`` (UNMET, EXPIRED_INSPECTION) keeps some of them."""
    sql, bind = _of_sites(on, expiring_days, site_where, station_where, params, site_statuses, station_statuses, only)
    return _run(session, sql, bind)


def count_of_sites(
    session: Session,
    *,
    on: date,
    expiring_days: int,
    site_where: str = "true",
    station_where: str = "",
    params: dict[str, Any] | None = None,
    only: str = "",
) -> int:
    """How many needs ``needs_of_sites`` would give, counted by the database (no row is built)."""
    sql, bind = _of_sites(on, expiring_days, site_where, station_where, params, None, None, only)
    return int(session.execute(text(f"SELECT count(*) FROM ({sql}) needs"), bind).scalar_one())


def _of_sites(
    on: date,
    expiring_days: int,
    site_where: str,
    station_where: str,
    params: dict[str, Any] | None,
    site_statuses: list[str] | None,
    station_statuses: list[str] | None,
    only: str,
) -> tuple[str, dict[str, Any]]:
    sql = SQL.format(
        subjects=_SUBJECT_SITES.format(site_where=site_where), station_where=station_where, final_where=only
    )
    bind = dict(
        params or {},
        on=on,
        days=expiring_days,
        site_statuses=site_statuses or ACTIVE_SITE_STATUSES,
        station_statuses=station_statuses or ACTIVE_STATION_STATUSES,
    )
    return sql, bind


def needs_of_proposal(
    session: Session, *, on: date, lon: float, lat: float, pole_class: str, total_height_m: float
) -> list[Need]:
    """What a structure not yet in the registry would need (its site-level permits)."""
    subjects = """
        SELECT NULL::int AS site_id, NULL::text AS site_code, CAST(:pole_class AS text) AS pole_class,
               CAST(:total_h AS float8) AS total_h, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326) AS geom"""
    sql = SQL.format(subjects=subjects, station_where="", final_where="")
    bind = dict(
        on=on,
        days=0,
        pole_class=pole_class,
        total_h=total_height_m,
        lon=lon,
        lat=lat,
        station_statuses=ACTIVE_STATION_STATUSES,
    )
    return [n for n in _run(session, sql, bind) if n.holder == "site"]


UNMET_STATES = [s.value for s in PermitStatus if s not in SATISFYING] + ["missing"]

# A site's permit standing on a map: the worst of its own needs and its stations' needs. A need with
# no usable permit (none, suspended, revoked, not yet valid) is "missing"; then "expired", then
# "expiring"; a site whose every need is met, or that needs nothing, is "valid".
COMPLIANCE_STATES = ("valid", "expiring", "expired", "missing")
_COMPLIANCE_RANK = """CASE WHEN permit_status IN ('valid') THEN 0 WHEN permit_status = 'expiring' THEN 1
    WHEN permit_status = 'expired' THEN 2 ELSE 3 END"""


def compliance_sql(site_where: str) -> str:
    """SQL of (site_id, state) for the active sites matching ``site_where`` that need something; binds
    :on, :days, :site_statuses and :station_statuses (see ``compliance_params``)."""
    needs = SQL.format(subjects=_SUBJECT_SITES.format(site_where=site_where), station_where="", final_where="")
    # Own parameter names, so the statement can also carry the station filters' :site_statuses.
    needs = needs.replace(":site_statuses", ":active_site_statuses").replace(
        ":station_statuses", ":active_station_statuses"
    )
    states = ", ".join(f"'{s}'" for s in COMPLIANCE_STATES)
    return f"""SELECT site_id, (ARRAY[{states}])[max({_COMPLIANCE_RANK}) + 1] AS state
        FROM ({needs}) needs GROUP BY site_id"""


def compliance_params(*, on: date, expiring_days: int) -> dict[str, Any]:
    return {
        "on": on,
        "days": expiring_days,
        "active_site_statuses": ACTIVE_SITE_STATUSES,
        "active_station_statuses": ACTIVE_STATION_STATUSES,
    }
