"""The permit check: is this site (or a proposed one) legal on a day, and if not, what is missing?

For the site and each station on it: every required permit with its status and days until expiry;
the planning zones it stands in and whether its pole class and height are allowed there; the bulky
poles closer than the zone's spacing rule; co-location candidates; the operators' frequency
licences for the stations' bands; and a verdict with reasons in Vietnamese.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from registry.base import in_force_sql
from registry.permits.models import KIND_NAMES, SATISFYING, STATUS_NAMES, PermitKind, PermitStatus, status_sql
from registry.permits.requirements import Need, needs_of_proposal, needs_of_sites
from registry.settings import Settings
from registry.stations.models import Site
from registry.zones.models import KIND_NAMES as ZONE_KIND_NAMES
from registry.zones.models import ZoneKind

# Two poles exactly at the spacing distance are compliant; rounding of geodesic distances below
# 5 mm is not a violation.
SPACING_TOLERANCE_M = 0.005

COMPLIANT, ACTION_NEEDED, NON_COMPLIANT = "compliant", "action_needed", "non_compliant"
VERDICT_NAMES = {COMPLIANT: "Tuân thủ", ACTION_NEEDED: "Cần xử lý", NON_COMPLIANT: "Không tuân thủ"}


@dataclass
class Subject:
    """What is checked: an existing site, or a structure that might be built."""

    lon: float
    lat: float
    pole_class: str | None
    pole_height_m: float | None
    building_height_m: float | None
    site_id: int | None = None
    site_code: str | None = None

    @property
    def total_height_m(self) -> float:
        return (self.building_height_m or 0.0) + (self.pole_height_m or 0.0)

    @property
    def bulky(self) -> bool:
        return bool(self.pole_class and self.pole_class.startswith("A2"))


@dataclass
class Reasons:
    items: list[dict[str, str]] = field(default_factory=list)

    def add(self, severity: str, code: str, message: str) -> None:
        self.items.append({"severity": severity, "code": code, "message": message})

    @property
    def verdict(self) -> str:
        severities = {r["severity"] for r in self.items}
        if NON_COMPLIANT in severities:
            return NON_COMPLIANT
        return ACTION_NEEDED if ACTION_NEEDED in severities else COMPLIANT


def _class_allowed(pole_class: str | None, allowed: list[str] | None) -> bool:
    if allowed is None or pole_class is None:
        return True
    return any(pole_class == a or (len(a) == 2 and pole_class.startswith(a)) for a in allowed)


def zones_at(session: Session, lon: float, lat: float, on: date) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            """
            SELECT id, code, name, kind, allowed_pole_classes, max_height_m, urban, source_decision,
                   valid_from, valid_to
            FROM planning_zone
            WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
              AND (valid_from IS NULL OR valid_from <= :on) AND (valid_to IS NULL OR valid_to > :on)
            ORDER BY code"""
        ),
        {"lon": lon, "lat": lat, "on": on},
    ).mappings()
    return [dict(r) for r in rows]


def _urban(session: Session, zones: list[dict[str, Any]], lon: float, lat: float, on: date) -> bool:
    flags = [z["urban"] for z in zones if z["urban"] is not None]
    if flags:
        return any(flags)
    unit = session.execute(
        text(
            """
            SELECT urban FROM admin_unit
            WHERE level = 'commune' AND ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))
              AND (valid_from IS NULL OR valid_from <= :on) AND (valid_to IS NULL OR valid_to > :on)
            LIMIT 1"""
        ),
        {"lon": lon, "lat": lat, "on": on},
    ).scalar_one_or_none()
    return bool(unit)


def spacing_rule(
    session: Session, subject: Subject, *, urban: bool, zone_ids: list[int], on: date
) -> dict[str, Any] | None:
    """The spacing rule for the subject's class and height: a zone's own rule wins over the general
    ones; among several, the largest distance."""
    if not subject.bulky:
        return None
    row = (
        session.execute(
            text(
                f"""
            SELECT id, zone_id, pole_class, height_above_m, height_up_to_m, urban, min_distance_m, legal_basis
            FROM spacing_rule
            WHERE (zone_id IS NULL OR zone_id = ANY(:zones))
              AND (pole_class = :cls OR (length(pole_class) = 2 AND :cls LIKE pole_class || '%'))
              AND (height_above_m IS NULL OR :h > height_above_m)
              AND (height_up_to_m IS NULL OR :h <= height_up_to_m)
              AND (urban IS NULL OR urban = :urban)
              AND {in_force_sql()}
            ORDER BY (zone_id IS NULL), min_distance_m DESC
            LIMIT 1"""
            ),
            {"zones": zone_ids, "cls": subject.pole_class, "h": subject.pole_height_m or 0.0, "urban": urban, "on": on},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


_NEARBY = """
    SELECT s.code, s.pole_class, s.pole_height_m, s.status,
           round(ST_X(s.geom)::numeric, 7)::float8 AS lon, round(ST_Y(s.geom)::numeric, 7)::float8 AS lat,
           ST_Distance(s.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography) AS distance_m,
           (SELECT count(*) FROM station st WHERE st.site_id = s.id) AS station_count,
           (SELECT coalesce(array_agg(DISTINCT o.short_name ORDER BY o.short_name), '{{}}') FROM station st
            JOIN organisation o ON o.id = st.operator_id WHERE st.site_id = s.id) AS operators
    FROM site s
    WHERE ST_DWithin(s.geom::geography, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326)::geography, :radius)
      AND s.status <> 'dismantled' AND (CAST(:exclude AS int) IS NULL OR s.id <> :exclude) {extra}
    ORDER BY distance_m, s.code
    LIMIT :limit"""


def nearby(session: Session, subject: Subject, *, radius: float, limit: int, bulky_only: bool) -> list[dict[str, Any]]:
    """Sites (not dismantled) within ``radius`` metres of the subject, nearest first, with positions."""
    extra = "AND s.pole_class LIKE 'A2%'" if bulky_only else ""
    rows = session.execute(
        text(_NEARBY.format(extra=extra)),
        {"lon": subject.lon, "lat": subject.lat, "radius": radius, "exclude": subject.site_id, "limit": limit},
    ).mappings()
    return [dict(r, distance_m=round(float(r["distance_m"]), 3)) for r in rows]


def _zone_section(session: Session, subject: Subject, on: date, reasons: Reasons) -> dict[str, Any]:
    zones = zones_at(session, subject.lon, subject.lat, on)
    out = []
    for z in zones:
        class_ok = _class_allowed(subject.pole_class, z["allowed_pole_classes"])
        height_ok = (
            z["max_height_m"] is None or subject.pole_height_m is None or subject.pole_height_m <= z["max_height_m"]
        )
        if not class_ok:
            reasons.add(
                NON_COMPLIANT,
                "pole_class_not_allowed",
                f"Loại cột {subject.pole_class} không được phép trong {z['name']} ({z['code']}); "
                f"chỉ cho phép: {', '.join(z['allowed_pole_classes'])}",
            )
        if not height_ok:
            reasons.add(
                NON_COMPLIANT,
                "too_high",
                f"Cột cao {subject.pole_height_m:g} m, vượt giới hạn {z['max_height_m']:g} m "
                f"của {z['name']} ({z['code']})",
            )
        out.append(
            {
                "code": z["code"],
                "name": z["name"],
                "kind": z["kind"],
                "kind_name": ZONE_KIND_NAMES[ZoneKind(z["kind"])],
                "allowed_pole_classes": z["allowed_pole_classes"],
                "max_height_m": z["max_height_m"],
                "source_decision": z["source_decision"],
                "pole_class_allowed": class_ok,
                "height_allowed": height_ok,
            }
        )
    urban = _urban(session, zones, subject.lon, subject.lat, on)
    rule = spacing_rule(session, subject, urban=urban, zone_ids=[z["id"] for z in zones], on=on)
    too_close: list[dict[str, Any]] = []
    if rule is not None:
        limit_m = float(rule["min_distance_m"])
        near = nearby(session, subject, radius=limit_m, limit=100, bulky_only=True)
        too_close = [n for n in near if n["distance_m"] < limit_m - SPACING_TOLERANCE_M]
        for n in too_close:
            reasons.add(
                NON_COMPLIANT,
                "spacing",
                f"Cách cột cồng kềnh {n['code']} ({n['pole_class']}) {n['distance_m']:.1f} m, "
                f"dưới khoảng cách tối thiểu {limit_m:g} m",
            )
    return {
        "zones": out,
        "urban": urban,
        "spacing": None
        if rule is None
        else {
            "rule_id": rule["id"],
            "zone_specific": rule["zone_id"] is not None,
            "min_distance_m": rule["min_distance_m"],
            "legal_basis": rule["legal_basis"],
            "too_close": too_close,
        },
    }


def _need_reason(need: Need, on: date, reasons: Reasons, who: str) -> None:
    kinds = " hoặc ".join(KIND_NAMES[PermitKind(k)].lower() for k in need.permit_kinds)
    if need.permit_status is None:
        reasons.add(NON_COMPLIANT, "missing_permit", f"{who}: thiếu {kinds} ({need.description})")
    elif need.permit_status == PermitStatus.expiring:
        days = need.days_left(on)
        when = "hôm nay" if days == 0 else f"sau {days} ngày"
        reasons.add(ACTION_NEEDED, "expiring", f"{who}: {kinds} số {need.permit_number} hết hạn {when}")
    elif need.permit_status not in SATISFYING:
        state = STATUS_NAMES[PermitStatus(need.permit_status)]
        reasons.add(NON_COMPLIANT, need.permit_status, f"{who}: {kinds} số {need.permit_number} {state}")


def _frequency(
    session: Session, site_id: int, on: date, days: int, reasons: Reasons
) -> dict[int, list[dict[str, Any]]]:
    rows = session.execute(
        text(
            """
            SELECT st.id AS station_id, st.station_code, o.short_name AS operator, b.band,
                   best.number, best.valid_until, best.status
            FROM station st JOIN organisation o ON o.id = st.operator_id
            CROSS JOIN LATERAL unnest(st.bands) AS b(band)
            LEFT JOIN LATERAL (
                SELECT f.number, f.valid_until,
                       {status} AS status
                FROM frequency_licence f WHERE f.operator_id = st.operator_id AND f.band = b.band
                ORDER BY ({status} IN ('valid', 'expiring')) DESC,
                         f.valid_until DESC NULLS FIRST
                LIMIT 1
            ) best ON true
            WHERE st.site_id = :site AND st.status IN ('operating', 'suspended')
            ORDER BY st.id, b.band""".format(status=status_sql("f"))
        ),
        {"site": site_id, "on": on, "days": days},
    ).mappings()
    out: dict[int, list[dict[str, Any]]] = {}
    for r in rows:
        who = f"{r['operator']} (trạm {r['station_code']})"
        if r["status"] is None:
            reasons.add(NON_COMPLIANT, "no_frequency_licence", f"{who}: không có giấy phép tần số băng {r['band']}")
        elif r["status"] == PermitStatus.expiring:
            reasons.add(ACTION_NEEDED, "frequency_expiring", f"{who}: giấy phép tần số băng {r['band']} sắp hết hạn")
        elif r["status"] not in SATISFYING:
            state = STATUS_NAMES[PermitStatus(r["status"])]
            reasons.add(NON_COMPLIANT, "frequency_" + r["status"], f"{who}: giấy phép tần số băng {r['band']} {state}")
        out.setdefault(r["station_id"], []).append(
            {
                "band": r["band"],
                "licence_number": r["number"],
                "valid_until": r["valid_until"].isoformat() if r["valid_until"] else None,
                "status": r["status"] or "missing",
            }
        )
    return out


def check_site(session: Session, site: Site, *, on: date, settings: Settings) -> dict[str, Any]:
    from registry.stations.service import site_lon_lat

    lon, lat = site_lon_lat(session, site)
    subject = Subject(lon, lat, site.pole_class, site.pole_height_m, site.building_height_m, site.id, site.code)
    reasons = Reasons()
    days = settings.permit_expiring_days
    needs = needs_of_sites(
        session,
        on=on,
        expiring_days=days,
        site_where="s.id = :only_site",
        params={"only_site": site.id},
        site_statuses=["planned", "under_construction", "operating"],
    )
    site_needs = [n for n in needs if n.holder == "site"]
    for n in site_needs:
        _need_reason(n, on, reasons, f"Vị trí {site.code}")
    zone_part = _zone_section(session, subject, on, reasons)
    frequency = _frequency(session, site.id, on, days, reasons)
    stations = []
    for st in site.stations:
        mine = [n for n in needs if n.station_id == st.id]
        for n in mine:
            _need_reason(n, on, reasons, f"{st.operator.short_name} (trạm {st.station_code})")
        stations.append(
            {
                "id": st.id,
                "station_code": st.station_code,
                "operator": st.operator.short_name,
                "status": st.status,
                "technologies": list(st.technologies),
                "bands": list(st.bands),
                "required_permits": [n.as_dict(on) for n in mine],
                "frequency_licences": frequency.get(st.id, []),
            }
        )
    if site.status == "dismantled":
        reasons.items.clear()
    return {
        "site": {
            "code": site.code,
            "position": {"lon": round(lon, 7), "lat": round(lat, 7)},
            "pole_class": site.pole_class,
            "pole_height_m": site.pole_height_m,
            "building_height_m": site.building_height_m,
            "total_height_m": subject.total_height_m,
            "status": site.status,
        },
        "on": on.isoformat(),
        "expiring_days": days,
        "required_permits": [n.as_dict(on) for n in site_needs],
        **zone_part,
        "stations": stations,
        "colocation_candidates": nearby(
            session,
            subject,
            radius=settings.colocation_radius_m,
            limit=settings.max_colocation_candidates,
            bulky_only=False,
        ),
        "verdict": reasons.verdict,
        "verdict_name": VERDICT_NAMES[reasons.verdict],
        "reasons": reasons.items,
    }


def check_proposal(session: Session, subject: Subject, *, on: date, settings: Settings) -> dict[str, Any]:
    """The same answer for a structure that is not (yet) in the registry; nothing is stored."""
    reasons = Reasons()
    zone_part = _zone_section(session, subject, on, reasons)
    needs = needs_of_proposal(
        session,
        on=on,
        lon=subject.lon,
        lat=subject.lat,
        pole_class=subject.pole_class or "",
        total_height_m=subject.total_height_m,
    )
    return {
        "proposal": {
            "position": {"lon": round(subject.lon, 7), "lat": round(subject.lat, 7)},
            "pole_class": subject.pole_class,
            "pole_height_m": subject.pole_height_m,
            "building_height_m": subject.building_height_m,
            "total_height_m": subject.total_height_m,
        },
        "on": on.isoformat(),
        # What the structure will need before it is built; a proposal holds no permit yet.
        "permits_to_obtain": [
            {
                "rule": n.rule_code,
                "accepted_kinds": n.permit_kinds,
                "kind_names": [KIND_NAMES[PermitKind(k)] for k in n.permit_kinds],
                "description": n.description,
                "legal_basis": n.legal_basis,
                "certainty": n.certainty,
            }
            for n in needs
        ],
        **zone_part,
        "colocation_candidates": nearby(
            session,
            subject,
            radius=settings.colocation_radius_m,
            limit=settings.max_colocation_candidates,
            bulky_only=False,
        ),
        "verdict": reasons.verdict,
        "verdict_name": VERDICT_NAMES[reasons.verdict],
        "reasons": reasons.items,
    }
