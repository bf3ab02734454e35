"""Reading the press registry: outlets found and filtered (with their licence status on a day),
notifications with their lateness, and the press managers' work lists."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from registry.base import in_force_sql
from registry.permits.models import status_sql
from registry.press.models import (
    BRANCH_KINDS,
    OUTLET_KIND_NAMES,
    OUTLET_STATUS_NAMES,
    REQUIRED_LICENCE,
    AnnualReport,
    PressLicence,
    PressOutlet,
)
from registry.text import fold

_STATUS = status_sql("l")
_RANK = f"""CASE {_STATUS} WHEN 'valid' THEN 0 WHEN 'expiring' THEN 1 WHEN 'suspended' THEN 2
    WHEN 'not_yet_valid' THEN 3 WHEN 'expired' THEN 4 ELSE 5 END"""
_REQUIRED = " ".join(f"WHEN '{k.value}' THEN '{v.value}'" for k, v in REQUIRED_LICENCE.items())
_BRANCHES = ", ".join(f"'{k.value}'" for k in BRANCH_KINDS)

# The best licence of the kind an outlet ``o`` must hold, joined per outlet (only for the outlets
# a query keeps); its status is 'none' when it holds none, 'not_required' for offices and
# correspondents of outlets based elsewhere.
_BEST_JOIN = f"""
    LEFT JOIN LATERAL (
        SELECT l.id, l.number, l.valid_until, {_STATUS} AS status
        FROM press_licence l
        WHERE l.outlet_id = o.id AND l.kind = (CASE o.kind {_REQUIRED} END)
        ORDER BY {_RANK}, l.valid_until DESC NULLS FIRST, l.id DESC LIMIT 1
    ) b ON true"""
_LICENCE_STATUS = f"(CASE WHEN o.kind IN ({_BRANCHES}) THEN 'not_required' ELSE coalesce(b.status, 'none') END)"
_BEST_COLUMNS = (
    f"{_LICENCE_STATUS} AS licence_status, b.id AS licence_id, b.number AS licence_number, "
    "b.valid_until AS licence_valid_until"
)


@dataclass(frozen=True)
class PressFilter:
    q: str | None = None
    kinds: list[str] = field(default_factory=list)
    statuses: list[str] = field(default_factory=list)
    admin_unit: str | None = None
    licence_statuses: list[str] = field(default_factory=list)


def _where(f: PressFilter, params: dict[str, Any]) -> str:
    clauses = ["true"]
    if f.q:
        folded = fold(f.q)
        params.update(
            qf=folded,
            qlike="%" + folded.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%",
            qraw=f.q.strip().lower(),
        )
        # Both arms of the inner OR use the trigram index (<% is word similarity ≥ 0.6, pg_trgm's
        # default threshold); licence numbers use their own index.
        clauses.append(
            "o.id IN (SELECT p.id FROM press_outlet p WHERE p.search_text LIKE :qlike OR :qf <% p.search_text "
            "UNION SELECT l2.outlet_id FROM press_licence l2 WHERE lower(l2.number) = :qraw)"
        )
    if f.kinds:
        clauses.append("o.kind = ANY(:kinds)")
        params["kinds"] = f.kinds
    if f.statuses:
        clauses.append("o.status = ANY(:statuses)")
        params["statuses"] = f.statuses
    if f.admin_unit:
        from registry.admin_units.service import CommuneIndex

        clauses.append(
            "EXISTS (SELECT 1 FROM admin_unit a WHERE a.id = o.admin_unit_id AND (a.code = :unit "
            "OR f_unaccent(lower(a.name)) LIKE '%' || :unit_folded))"
        )
        params.update(unit=f.admin_unit, unit_folded=CommuneIndex.key(f.admin_unit))
    if f.licence_statuses:
        clauses.append(f"{_LICENCE_STATUS} = ANY(:licence_statuses)")
        params["licence_statuses"] = f.licence_statuses
    return " AND ".join(clauses)


def _words(names: dict[Any, str]) -> str:
    """A CASE turning a stored value into its Vietnamese name, so a list sorts as it reads."""
    return " ".join(f"WHEN '{k.value}' THEN '{v}'" for k, v in names.items())


# The orders a list of outlets may take: (SQL, needs each outlet's best licence).
OUTLET_SORTS: dict[str, tuple[str, bool]] = {
    "code": ("o.code", False),
    "name": ("f_unaccent(lower(o.name))", False),
    "kind": (f"(CASE o.kind {_words(OUTLET_KIND_NAMES)} END)", False),
    "status": (f"(CASE o.status {_words(OUTLET_STATUS_NAMES)} END)", False),
    "commune": ("(SELECT f_unaccent(lower(a.name)) FROM admin_unit a WHERE a.id = o.admin_unit_id)", False),
    "parent": ("(SELECT p.code FROM press_outlet p WHERE p.id = o.parent_id)", False),
    "licence_status": (_LICENCE_STATUS, True),
    "licence_valid_until": ("b.valid_until", True),
}


def find_outlets(
    session: Session,
    f: PressFilter,
    *,
    on: date,
    days: int,
    limit: int,
    offset: int,
    sort: str | None = None,
    descending: bool = False,
) -> tuple[list[tuple[PressOutlet, dict[str, Any]]], int]:
    """Outlets matching ``f`` (best match first when searching, unless ``sort`` names one of
    OUTLET_SORTS), each with its licence on ``on``."""
    params: dict[str, Any] = {"on": on, "days": days}
    where = _where(f, params)
    order = "word_similarity(:qf, o.search_text) DESC, o.name" if f.q else "o.name, o.code"
    by_licence = False
    if sort is not None:
        expr, by_licence = OUTLET_SORTS[sort]
        order = f"{expr} {'DESC' if descending else 'ASC'} NULLS LAST, o.code"
    base = f"FROM press_outlet o {_BEST_JOIN} WHERE {where}"
    # Counting needs the licences only when filtering by them.
    counted = base if f.licence_statuses else f"FROM press_outlet o WHERE {where}"
    total = int(session.execute(text(f"SELECT count(*) {counted}"), params).scalar_one())
    if f.licence_statuses or by_licence:
        sql = f"SELECT o.id, {_BEST_COLUMNS} {base} ORDER BY {order} LIMIT :limit OFFSET :offset"
    else:
        # The page first, then the licences of its rows only.
        sql = (
            f"SELECT o.id, {_BEST_COLUMNS} FROM (SELECT o.id, row_number() OVER (ORDER BY {order}) AS n "
            f"FROM press_outlet o WHERE {where} ORDER BY {order} LIMIT :limit OFFSET :offset) page "
            f"JOIN press_outlet o ON o.id = page.id {_BEST_JOIN} ORDER BY page.n"
        )
    rows = session.execute(text(sql), dict(params, limit=limit, offset=offset)).mappings().all()
    outlets = {o.id: o for o in session.scalars(select(PressOutlet).where(PressOutlet.id.in_([r["id"] for r in rows])))}
    return [(outlets[r["id"]], dict(r)) for r in rows], total


def licence_of(session: Session, outlet_id: int, *, on: date, days: int) -> dict[str, Any]:
    row = session.execute(
        text(f"SELECT {_BEST_COLUMNS} FROM press_outlet o {_BEST_JOIN} WHERE o.id = :id"),
        {"id": outlet_id, "on": on, "days": days},
    )
    return dict(row.mappings().one())


# --- notifications ----------------------------------------------------------------------------------

# The rule in force on the day the notification was filed (Vietnam's calendar day).
_RULE_IN_FORCE = in_force_sql("CAST(n.filed_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date)", alias="r")
_NOTIFICATIONS = """
    SELECT n.id, n.kind, n.subject, n.organiser, n.location, n.filed_at, n.event_at, n.notes, n.version,
           o.code AS outlet_code, o.name AS outlet_name, r.code AS rule, r.min_lead, r.unit, r.legal_basis,
           CASE WHEN r.unit = 'days'
                THEN CAST(n.event_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date)
                     - CAST(n.filed_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date)
                ELSE EXTRACT(EPOCH FROM (n.event_at - n.filed_at)) / 3600.0 END AS lead,
           CASE WHEN r.id IS NULL THEN NULL
                WHEN r.unit = 'days'
                THEN CAST(n.event_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date)
                     - CAST(n.filed_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date) < r.min_lead
                ELSE n.event_at - n.filed_at < r.min_lead * interval '1 hour' END AS late
    FROM press_notification n
    LEFT JOIN press_outlet o ON o.id = n.outlet_id
    LEFT JOIN LATERAL (
        SELECT * FROM press_notification_rule r
        WHERE r.kind = n.kind AND {in_force}
        ORDER BY r.effective_from DESC LIMIT 1
    ) r ON true
    WHERE {where}
    ORDER BY n.filed_at DESC, n.id DESC"""


def notifications(
    session: Session,
    *,
    late_only: bool = False,
    outlet_id: int | None = None,
    since: date | None = None,
    until: date | None = None,
    notification_id: int | None = None,
) -> list[dict[str, Any]]:
    clauses, params = ["true"], {}
    if late_only:
        clauses.append(
            "(r.id IS NOT NULL AND CASE WHEN r.unit = 'days' THEN CAST(n.event_at AT TIME ZONE "
            "'Asia/Ho_Chi_Minh' AS date) - CAST(n.filed_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date) "
            "< r.min_lead ELSE n.event_at - n.filed_at < r.min_lead * interval '1 hour' END)"
        )
    if outlet_id is not None:
        clauses.append("n.outlet_id = :outlet")
        params["outlet"] = outlet_id
    if since is not None:
        clauses.append("CAST(n.filed_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date) >= :since")
        params["since"] = since
    if until is not None:
        clauses.append("CAST(n.filed_at AT TIME ZONE 'Asia/Ho_Chi_Minh' AS date) <= :until")
        params["until"] = until
    if notification_id is not None:
        clauses.append("n.id = :nid")
        params["nid"] = notification_id
    sql = _NOTIFICATIONS.format(where=" AND ".join(clauses), in_force=_RULE_IN_FORCE)
    rows = session.execute(text(sql), params).mappings()
    return [
        dict(
            r,
            filed_at=r["filed_at"].isoformat(),
            event_at=r["event_at"].isoformat(),
            lead=None if r["lead"] is None else round(float(r["lead"]), 2),
        )
        for r in rows
    ]


# --- work lists --------------------------------------------------------------------------------------


def expiring_licences(session: Session, *, on: date, days: int) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            f"""
            SELECT l.id, l.kind, l.number, l.issuer, l.valid_until, l.valid_until - CAST(:on AS date) AS days_left,
                   o.code AS outlet_code, o.name AS outlet_name, o.kind AS outlet_kind
            FROM press_licence l JOIN press_outlet o ON o.id = l.outlet_id
            WHERE {_STATUS} = 'expiring' AND o.status IN ('active', 'suspended')
            ORDER BY l.valid_until, o.name, l.id"""
        ),
        {"on": on, "days": days},
    ).mappings()
    return [dict(r, valid_until=r["valid_until"].isoformat()) for r in rows]


def unlicensed(session: Session, *, on: date, days: int) -> list[dict[str, Any]]:
    """Active outlets of a licensed kind whose best licence does not let them operate on ``on``."""
    rows = session.execute(
        text(
            f"""
            SELECT o.code AS outlet_code, o.name AS outlet_name, o.kind AS outlet_kind, {_BEST_COLUMNS}
            FROM press_outlet o {_BEST_JOIN}
            WHERE o.status = 'active' AND {_LICENCE_STATUS} NOT IN ('valid', 'expiring', 'not_required')
            ORDER BY o.name, o.code"""
        ),
        {"on": on, "days": days},
    ).mappings()
    return [
        dict(r, licence_valid_until=r["licence_valid_until"].isoformat() if r["licence_valid_until"] else None)
        for r in rows
    ]


def report_year_due(on: date, due: tuple[int, int]) -> int:
    """The last year whose annual report is due by ``on``; reports of a year are due before the day
    ``due`` (month, day) of the next (rule press.annual_report_due, 15 January)."""
    return on.year - 1 if on >= date(on.year, *due) else on.year - 2


def missing_annual_reports(session: Session, *, on: date) -> list[dict[str, Any]]:
    """Active general-information websites licensed by the end of the due year with no report for it
    (or one filed late, on or after the due day)."""
    from registry.rules.book import RuleBook

    due = RuleBook.load(session).value("press.annual_report_due", on)
    year = report_year_due(on, due)
    rows = session.execute(
        text(
            """
            SELECT o.code AS outlet_code, o.name AS outlet_name, o.domains, :year AS year, r.filed_on,
                   CASE WHEN r.id IS NULL THEN 'missing' ELSE 'late' END AS state
            FROM press_outlet o
            LEFT JOIN press_annual_report r ON r.outlet_id = o.id AND r.year = :year
            WHERE o.kind = 'general_website' AND o.status = 'active'
              AND EXISTS (SELECT 1 FROM press_licence l WHERE l.outlet_id = o.id AND l.kind = 'website_licence'
                          AND coalesce(l.valid_from, l.issue_date) <= make_date(:year, 12, 31))
              AND (r.id IS NULL OR r.filed_on >= make_date(:year + 1, :due_month, :due_day))
            ORDER BY state, o.name"""
        ),
        {"year": year, "due_month": due[0], "due_day": due[1]},
    ).mappings()
    return [dict(r, filed_on=r["filed_on"].isoformat() if r["filed_on"] else None) for r in rows]


def outlet_licences(session: Session, outlet: PressOutlet) -> list[PressLicence]:
    """The outlet's licences in the order they were recorded."""
    stmt = select(PressLicence).where(PressLicence.outlet_id == outlet.id).order_by(PressLicence.id)
    return list(session.scalars(stmt))


def branches_of(session: Session, outlet: PressOutlet) -> list[PressOutlet]:
    """The representative offices and resident correspondents (and any record) under ``outlet``."""
    stmt = select(PressOutlet).where(PressOutlet.parent_id == outlet.id).order_by(PressOutlet.kind, PressOutlet.code)
    return list(session.scalars(stmt))


def annual_reports_of(session: Session, outlet: PressOutlet) -> list[AnnualReport]:
    """A website's annual reports, the latest year first."""
    stmt = select(AnnualReport).where(AnnualReport.outlet_id == outlet.id).order_by(AnnualReport.year.desc())
    return list(session.scalars(stmt))


def outlet_communes(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the communes in force where an outlet stands: a list's commune filter."""
    rows = session.execute(
        text(
            "SELECT a.code, a.name FROM admin_unit a WHERE a.level = 'commune' AND a.valid_to IS NULL "
            "AND EXISTS (SELECT 1 FROM press_outlet o WHERE o.admin_unit_id = a.id) "
            "ORDER BY f_unaccent(lower(a.name)), a.code"
        )
    )
    return [(str(code), str(name)) for code, name in rows]


def outlet_names(session: Session, codes: list[str]) -> dict[str, str]:
    """code → name of the given outlets (those that exist)."""
    if not codes:
        return {}
    rows = session.execute(select(PressOutlet.code, PressOutlet.name).where(PressOutlet.code.in_(codes)))
    return {str(c): str(n) for c, n in rows}


def parent_choices(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the outlets an office or a correspondent may belong to: those not themselves
    an office or a correspondent, not merged or ceased; by code."""
    stmt = (
        select(PressOutlet.code, PressOutlet.name)
        .where(
            PressOutlet.kind.not_in([k.value for k in BRANCH_KINDS]), PressOutlet.status.in_(["active", "suspended"])
        )
        .order_by(PressOutlet.code)
    )
    return [(str(c), str(n)) for c, n in session.execute(stmt)]
