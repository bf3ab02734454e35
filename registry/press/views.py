"""Outlets, licences and amendments as the API shows them."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import Any

from geoalchemy2.shape import to_shape

from registry.permits.models import STATUS_NAMES, PermitStatus
from registry.press.models import (
    LICENCE_KIND_NAMES,
    OUTLET_KIND_NAMES,
    OUTLET_STATUS_NAMES,
    LicenceKind,
    OutletKind,
    OutletStatus,
    PressLicence,
    PressOutlet,
)

LICENCE_STATUS_NAMES = {
    **{s.value: n for s, n in STATUS_NAMES.items()},
    "none": "chưa có giấy phép",
    "not_required": "không cần giấy phép",
}


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def outlet_dict(
    outlet: PressOutlet,
    licence: dict[str, Any] | None = None,
    *,
    fields: Collection[str] | None = None,
    succession: dict[str, Any] | None = None,
) -> dict[str, Any]:
    point = to_shape(outlet.geom) if outlet.geom is not None else None
    record: dict[str, Any] = {
        "code": outlet.code,
        "kind": outlet.kind,
        "kind_name": OUTLET_KIND_NAMES[OutletKind(outlet.kind)],
        "name": outlet.name,
        "short_name": outlet.short_name,
        "governing_body": outlet.governing_body,
        "head_name": outlet.head_name,
        "head_title": outlet.head_title,
        "address": outlet.address,
        "location": None if point is None else {"lon": round(point.x, 7), "lat": round(point.y, 7)},
        "commune": outlet.admin_unit.name if outlet.admin_unit else None,
        "phone": outlet.phone,
        "email": outlet.email,
        "domains": list(outlet.domains),
        "periodicity": outlet.periodicity,
        "languages": list(outlet.languages),
        "status": outlet.status,
        "status_name": OUTLET_STATUS_NAMES[OutletStatus(outlet.status)],
        "parent": None if outlet.parent is None else {"code": outlet.parent.code, "name": outlet.parent.name},
        "notes": outlet.notes,
        "version": outlet.version,
    }
    if licence is not None:
        record["licence"] = {
            "status": licence["licence_status"],
            "status_name": LICENCE_STATUS_NAMES[licence["licence_status"]],
            "id": licence["licence_id"],
            "number": licence["licence_number"],
            "valid_until": _iso(licence["licence_valid_until"]),
        }
    if succession is not None:
        record.update(succession)
    return record if fields is None else {k: v for k, v in record.items() if k in fields}


def outlet_feature(
    outlet: PressOutlet, licence: dict[str, Any] | None, fields: Collection[str] | None
) -> dict[str, Any]:
    props = outlet_dict(outlet, licence, fields=fields)
    props.pop("location", None)
    point = to_shape(outlet.geom) if outlet.geom is not None else None
    return {
        "type": "Feature",
        "id": outlet.code,
        "geometry": None if point is None else {"type": "Point", "coordinates": [round(point.x, 7), round(point.y, 7)]},
        "properties": props,
    }


def press_licence_dict(licence: PressLicence, *, status: str, on: date, outlet_code: str) -> dict[str, Any]:
    return {
        "id": licence.id,
        "outlet_code": outlet_code,
        "kind": licence.kind,
        "kind_name": LICENCE_KIND_NAMES[LicenceKind(licence.kind)],
        "number": licence.number,
        "issuer": licence.issuer,
        "issue_date": _iso(licence.issue_date),
        "valid_from": _iso(licence.valid_from),
        "valid_until": _iso(licence.valid_until),
        "conditions": licence.conditions,
        "suspended_from": _iso(licence.suspended_from),
        "suspended_until": _iso(licence.suspended_until),
        "revoked_on": _iso(licence.revoked_on),
        "status_reason": licence.status_reason,
        "notes": licence.notes,
        "status": status,
        "status_name": STATUS_NAMES[PermitStatus(status)],
        "status_on": on.isoformat(),
        "days_until_expiry": (licence.valid_until - on).days if licence.valid_until else None,
        "amendments": [
            {
                "amendment_no": a.amendment_no,
                "decision_number": a.decision_number,
                "decided_on": a.decided_on.isoformat(),
                "reason": a.reason,
                "changes": {k: {"before": v[0], "after": v[1]} for k, v in a.changes.items()},
            }
            for a in licence.amendments
        ],
        "version": licence.version,
    }


def outlet_record(session: Any, outlet: Any, grant: Any, *, expiring_days: int) -> dict[str, Any]:
    """An outlet as the API answers and its record page shows it, for the caller's grant: the public
    fields for the public; for staff every field, its licence standing and the cases about it."""
    from registry.accounts.permissions import visible_fields
    from registry.cases.service import cases_about
    from registry.clock import today
    from registry.press import queries, service

    fields = visible_fields(grant.principal, "press_outlet")
    licence = None if fields is not None else queries.licence_of(session, outlet.id, on=today(), days=expiring_days)
    body = outlet_dict(outlet, licence, fields=fields, succession=service.succession(session, outlet))
    if fields is None:  # staff: the cases about this outlet
        body["cases"] = cases_about(session, "press_outlet", outlet.code)
    return body


def licence_records(session: Any, outlet: Any, *, expiring_days: int, on: date) -> list[dict[str, Any]]:
    """An outlet's licences with their standing on ``on`` (staff)."""
    from registry.permits.service import status_of
    from registry.press import queries

    return [
        press_licence_dict(
            lic, status=status_of(session, lic, on=on, expiring_days=expiring_days), on=on, outlet_code=outlet.code
        )
        for lic in queries.outlet_licences(session, outlet)
    ]


def outlet_items(
    session: Any,
    grant: Any,
    filters: Any,
    *,
    on: date,
    days: int,
    limit: int,
    offset: int,
    sort: str | None = None,
    descending: bool = False,
) -> tuple[list[dict[str, Any]], int]:
    """A page of outlets found with ``filters`` (registry.press.queries.PressFilter) as the caller's
    grant shows them: the public neither sees nor filters by licence standing. (items, total)."""
    from dataclasses import replace

    from registry.accounts.permissions import visible_fields
    from registry.press import queries

    fields = visible_fields(grant.principal, "press_outlet")
    if fields is not None and filters.licence_statuses:
        filters = replace(filters, licence_statuses=[])
    if fields is not None and sort in ("licence_status", "licence_valid_until"):
        sort = None
    rows, total = queries.find_outlets(
        session, filters, on=on, days=days, limit=limit, offset=offset, sort=sort, descending=descending
    )
    return [outlet_dict(o, None if fields is not None else lic, fields=fields) for o, lic in rows], total


def outlet_collection(
    session: Any,
    grant: Any,
    filters: Any,
    *,
    on: date,
    days: int,
    limit: int = 5000,
    sort: str | None = None,
    descending: bool = False,
) -> dict[str, Any]:
    """The outlets found with ``filters`` that have a place, as a GeoJSON FeatureCollection for the
    caller's grant (the map's layer and the office list's GeoJSON export)."""
    from dataclasses import replace

    from registry.accounts.permissions import visible_fields
    from registry.press import queries

    fields = visible_fields(grant.principal, "press_outlet")
    if fields is not None and filters.licence_statuses:
        filters = replace(filters, licence_statuses=[])
    rows, _ = queries.find_outlets(
        session, filters, on=on, days=days, limit=limit, offset=0, sort=sort, descending=descending
    )
    features = [outlet_feature(o, None if fields is not None else lic, fields) for o, lic in rows if o.geom is not None]
    return {"type": "FeatureCollection", "features": features}


def branch_records(session: Any, outlet: Any) -> list[dict[str, Any]]:
    """The offices and correspondents of ``outlet`` (staff: every field)."""
    from registry.press import queries

    return [outlet_dict(b) for b in queries.branches_of(session, outlet)]


def annual_report_records(session: Any, outlet: Any) -> list[dict[str, Any]]:
    from registry.press import queries

    return [
        {"year": r.year, "filed_on": r.filed_on.isoformat(), "notes": r.notes}
        for r in queries.annual_reports_of(session, outlet)
    ]
