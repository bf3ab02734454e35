"""The lists licensing officers work from, for any day: permits about to expire, sites and stations
missing a required permit, stations whose inspection certificate has expired. Each narrows by the
station filters (operator, administrative unit, area …) and exports to Excel with Vietnamese headers."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.memo import remembered
from registry.permits.models import KIND_NAMES, STATUS_NAMES, PermitKind, PermitStatus, status_sql
from registry.permits.requirements import EXPIRED_INSPECTION, UNMET, Need, count_of_sites, needs_of_sites
from registry.stations.queries import StationFilter, site_where, station_where
from registry.tabular import write_xlsx

_EXPIRING = """
    SELECT p.id, p.kind, p.number, p.issuer, p.valid_until, (p.valid_until - CAST(:on AS date)) AS days_left,
           s.code AS site_code, s.address, a.name AS commune, st.id AS station_id, st.station_code,
           o.short_name AS operator
    FROM permit p
    LEFT JOIN station st ON st.id = p.station_id
    LEFT JOIN organisation o ON o.id = st.operator_id
    JOIN site s ON s.id = coalesce(p.site_id, st.site_id)
    LEFT JOIN admin_unit a ON a.id = s.admin_unit_id
    WHERE {status} = 'expiring'
      AND s.status <> 'dismantled' AND (st.id IS NULL OR st.status <> 'dismantled')
      AND {site_where} {station_where}
    ORDER BY p.valid_until, s.code, p.id"""


def expiring_permits(session: Session, *, on: date, days: int, filters: StationFilter) -> list[dict[str, Any]]:
    """Permits valid on ``on`` whose last valid day is within ``days`` days (today included)."""
    w = site_where(StationFilter(**{**filters.__dict__, "operators": [], "technologies": [], "statuses": []}))
    station_sql = ""
    params = dict(w.params, on=on, days=days)
    if filters.operators:
        sw = station_where(StationFilter(operators=filters.operators))
        # A site's own permit concerns every operator on it; a station's, its operator only.
        station_sql = (
            "AND CASE WHEN st.id IS NULL THEN EXISTS (SELECT 1 FROM station st JOIN organisation o "
            f"ON o.id = st.operator_id WHERE st.site_id = s.id AND {sw.sql()}) ELSE {sw.sql()} END"
        )
        params.update(sw.params)
    rows = session.execute(
        text(_EXPIRING.format(site_where=w.sql(), station_where=station_sql, status=status_sql("p"))), params
    ).mappings()
    return [
        dict(r, kind_name=KIND_NAMES[PermitKind(r["kind"])], valid_until=r["valid_until"].isoformat()) for r in rows
    ]


# Stations holding an inspection certificate already past its date: the only candidates for the
# expired-inspections list, found through the valid_until index before any rule is evaluated.
_HAS_EXPIRED_CERTIFICATE = (
    "EXISTS (SELECT 1 FROM permit pe WHERE pe.station_id = st.id AND pe.kind = 'inspection_certificate' "
    "AND pe.valid_until < :on)"
)


def _scope(filters: StationFilter, stations: str = "") -> dict[str, Any]:
    """The site and station conditions of a list's filter, as ``needs_of_sites`` takes them."""
    w = site_where(StationFilter(**{**filters.__dict__, "statuses": []}))
    station_conditions, params = [], dict(w.params)
    site_sql = w.sql()
    if filters.operators:
        sw = station_where(StationFilter(operators=filters.operators))
        station_conditions.append(sw.sql())
        params.update(sw.params)
    if stations:
        station_conditions.append(stations)
        site_sql += f" AND EXISTS (SELECT 1 FROM station st WHERE st.site_id = s.id AND {stations})"
    return {
        "site_where": site_sql,
        "station_where": ("WHERE " + " AND ".join(station_conditions)) if station_conditions else "",
        "params": params,
    }


def _needs(
    session: Session, *, on: date, expiring_days: int, filters: StationFilter, only: str, stations: str = ""
) -> list[Need]:
    return needs_of_sites(session, on=on, expiring_days=expiring_days, only=only, **_scope(filters, stations))


def missing_count(session: Session, *, on: date, expiring_days: int, filters: StationFilter) -> int:
    """How many rows ``missing_permits`` has, counted by the database (the national list's 350,000 rows
    are counted in about a second; building them takes four), remembered while the data stays the same."""
    count = remembered(
        session,
        ("missing-count", on, expiring_days, repr(filters)),
        lambda: [count_of_sites(session, on=on, expiring_days=expiring_days, only=UNMET, **_scope(filters))],
    )
    return count[0]


@lru_cache(maxsize=256)
def _required(kinds: tuple[str, ...]) -> str:
    return " hoặc ".join(KIND_NAMES[PermitKind(k)] for k in kinds)


_STATE_NAMES = {s.value: name for s, name in STATUS_NAMES.items()}


def _need_row(n: Need, on: date) -> dict[str, Any]:
    return {
        "holder": n.holder,
        "site_code": n.site_code,
        "station_id": n.station_id,
        "station_code": n.station_code,
        "operator": n.operator,
        "rule": n.rule_code,
        "accepted_kinds": n.permit_kinds,
        "required": _required(tuple(n.permit_kinds)),
        "state": n.state,
        "state_name": "chưa có" if n.permit_status is None else _STATE_NAMES[n.permit_status],
        "permit_id": n.permit_id,
        "permit_number": n.permit_number,
        "valid_until": n.valid_until.isoformat() if n.valid_until else None,
        "days_since_expiry": -n.days_left(on) if n.valid_until and n.valid_until < on else None,
        "legal_basis": n.legal_basis,
    }


def missing_permits(session: Session, *, on: date, expiring_days: int, filters: StationFilter) -> list[dict[str, Any]]:
    """Every requirement of an operating (or building) site or a transmitting station not met on ``on``
    (worked out once while the data stays the same: registry.memo; the rows are shared, the list is not)."""

    def work() -> list[dict[str, Any]]:
        needs = _needs(session, on=on, expiring_days=expiring_days, filters=filters, only=UNMET)
        return [_need_row(n, on) for n in needs if not n.met]

    return list(remembered(session, ("missing", on, expiring_days, repr(filters)), work))


def expired_inspections(session: Session, *, on: date, filters: StationFilter) -> list[dict[str, Any]]:
    """Stations whose best answer to the inspection rule is an inspection certificate past its date."""
    return list(remembered(session, ("expired-inspections", on, repr(filters)), lambda: _expired(session, on, filters)))


def _expired(session: Session, on: date, filters: StationFilter) -> list[dict[str, Any]]:
    return [
        _need_row(n, on)
        for n in _needs(
            session, on=on, expiring_days=0, filters=filters, only=EXPIRED_INSPECTION, stations=_HAS_EXPIRED_CERTIFICATE
        )
        if n.holder == "station"
        and PermitKind.inspection_certificate.value in n.permit_kinds
        and n.permit_status == PermitStatus.expired
        and n.permit_kind == PermitKind.inspection_certificate.value
    ]


EXPIRING_COLUMNS = [
    ("Số hiệu", "id"),
    ("Loại", "kind_name"),
    ("Số", "number"),
    ("Cơ quan cấp", "issuer"),
    ("Hết hạn", "valid_until"),
    ("Còn (ngày)", "days_left"),
    ("Mã vị trí", "site_code"),
    ("Địa chỉ", "address"),
    ("Xã/phường", "commune"),
    ("Mã trạm", "station_code"),
    ("Doanh nghiệp", "operator"),
]
NEED_COLUMNS = [
    ("Mã vị trí", "site_code"),
    ("Mã trạm", "station_code"),
    ("Doanh nghiệp", "operator"),
    ("Quy tắc", "rule"),
    ("Cần có", "required"),
    ("Tình trạng", "state_name"),
    ("Số giấy phép", "permit_number"),
    ("Hết hạn", "valid_until"),
    ("Quá hạn (ngày)", "days_since_expiry"),
    ("Căn cứ", "legal_basis"),
]


def to_xlsx(rows: list[dict[str, Any]], columns: list[tuple[str, str]], *, title: str, on: date) -> bytes:
    return write_xlsx(
        [h for h, _ in columns],
        ([r.get(k) for _, k in columns] for r in rows),
        sheet=title,
        notes=[("Ngày xét", on.isoformat()), ("Số dòng", str(len(rows)))],
    )


def communes_with_sites(session: Session) -> list[tuple[str, str]]:
    """(code, name) of the communes in force where a site stands: the choices of the lists' commune filter."""
    rows = session.execute(
        text(
            "SELECT a.code, a.name FROM admin_unit a WHERE a.level = 'commune' AND a.valid_to IS NULL "
            "AND EXISTS (SELECT 1 FROM site s WHERE s.admin_unit_id = a.id) ORDER BY f_unaccent(lower(a.name)), a.code"
        )
    ).all()
    return [(r[0], r[1]) for r in rows]
