"""Permits, licences and rules as the API shows them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.permits import reports
from registry.permits.models import (
    KIND_NAMES,
    STATUS_NAMES,
    FrequencyLicence,
    Permit,
    PermitKind,
    PermitRule,
    PermitStatus,
)


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def _validity(record: Permit | FrequencyLicence, status: str, on: date) -> dict[str, Any]:
    return {
        "number": record.number,
        "issuer": record.issuer,
        "issue_date": _iso(record.issue_date),
        "valid_from": _iso(record.valid_from),
        "valid_until": _iso(record.valid_until),
        "conditions": record.conditions,
        "suspended_from": _iso(record.suspended_from),
        "suspended_until": _iso(record.suspended_until),
        "revoked_on": _iso(record.revoked_on),
        "status_reason": record.status_reason,
        "notes": record.notes,
        "status": status,
        "status_name": STATUS_NAMES[PermitStatus(status)],
        "status_on": on.isoformat(),
        "days_until_expiry": (record.valid_until - on).days if record.valid_until else None,
        "version": record.version,
    }


def permit_dict(
    permit: Permit, *, status: str, on: date, site_code: str | None, station_code: str | None
) -> dict[str, Any]:
    doc = permit.document
    return {
        "id": permit.id,
        "kind": permit.kind,
        "kind_name": KIND_NAMES[PermitKind(permit.kind)],
        "site_code": site_code,
        "station_id": permit.station_id,
        "station_code": station_code,
        **_validity(permit, status, on),
        "document": None
        if doc is None
        else {
            "filename": doc.filename,
            "media_type": doc.media_type,
            "size_bytes": doc.size_bytes,
            "sha256": doc.sha256,
            "href": f"/api/permits/{permit.id}/document",
        },
    }


def licence_record(session: Any, licence: FrequencyLicence, *, expiring_days: int, on: date) -> dict[str, Any]:
    """A frequency licence with its standing on ``on``: what the API answers and the office page shows."""
    from registry.permits.service import status_of

    return licence_dict(licence, status=status_of(session, licence, on=on, expiring_days=expiring_days), on=on)


def licence_dict(licence: FrequencyLicence, *, status: str, on: date) -> dict[str, Any]:
    return {
        "id": licence.id,
        "operator": licence.operator.short_name,
        "operator_code": licence.operator.code,
        "band": licence.band,
        **_validity(licence, status, on),
    }


def rule_dict(rule: PermitRule) -> dict[str, Any]:
    return {
        "code": rule.code,
        "applies_to": rule.applies_to,
        "permit_kinds": rule.permit_kinds,
        "kind_names": [KIND_NAMES[PermitKind(k)] for k in rule.permit_kinds],
        "pole_classes": rule.pole_classes,
        "min_height_m": rule.min_height_m,
        "max_height_m": rule.max_height_m,
        "zone_kinds": rule.zone_kinds,
        "description": rule.description,
        "legal_basis": rule.legal_basis,
        "certainty": rule.certainty,
        "effective_from": rule.effective_from.isoformat(),
        "effective_to": _iso(rule.effective_to),
        "version": rule.version,
    }


def permit_page(
    session: Any,
    *,
    on: date,
    expiring_days: int,
    limit: int,
    offset: int,
    site_code: str | None = None,
    station_id: int | None = None,
    kind: str | None = None,
    status: str | None = None,
) -> dict[str, Any]:
    """A page of permits with their standing on ``on``: what ``GET /api/permits`` answers and a site's
    record page lists."""
    from registry.permits.service import list_permits

    rows, total = list_permits(
        session, on=on, expiring_days=expiring_days, site_code=site_code, station_id=station_id, kind=kind,
        status=status, limit=limit, offset=offset,
    )  # fmt: skip
    items = [permit_dict(p, status=s, on=on, site_code=sc, station_code=stc) for p, s, sc, stc in rows]
    return {"on": on.isoformat(), "total": total, "limit": limit, "offset": offset, "items": items}


def permit_record(session: Any, permit: Permit, *, expiring_days: int, on: date) -> dict[str, Any]:
    """A permit with its standing on ``on``, its holder's codes and the one-stop dossier whose approval
    produced it (the link is kept on the dossier): what the API answers and the office page shows."""
    from registry.permits.service import holder_codes, status_of
    from registry.procedures.service import dossier_for_record
    from registry.procedures.views import dossier_link

    state = status_of(session, permit, on=on, expiring_days=expiring_days)
    site_code, station_code = holder_codes(session, permit)
    out = permit_dict(permit, status=state, on=on, site_code=site_code, station_code=station_code)
    out["dossier"] = dossier_link(dossier_for_record(session, permit_id=permit.id))
    return out


@dataclass(frozen=True)
class WorkList:
    """One of the licensing officers' lists: its title (the Excel sheet), file name and columns."""

    key: str
    title: str
    name: str
    columns: list[tuple[str, str]]


WORK_LISTS = {
    w.key: w
    for w in (
        WorkList("expiring", "Sắp hết hạn", "giay-phep-sap-het-han", reports.EXPIRING_COLUMNS),
        WorkList("missing", "Thiếu giấy phép", "thieu-giay-phep", reports.NEED_COLUMNS),
        WorkList("expired-inspections", "Kiểm định hết hạn", "kiem-dinh-het-han", reports.NEED_COLUMNS),
    )
}


def work_list_xlsx(rows: list[dict[str, Any]], work: WorkList, *, on: date) -> tuple[str, bytes]:
    """Every row of a work list as an Excel file: (file name, bytes), the same for the API and the page."""
    return f"{work.name}-{on:%Y%m%d}.xlsx", reports.to_xlsx(rows, work.columns, title=work.title, on=on)


def work_list_json(rows: list[dict[str, Any]], *, on: date, limit: int, offset: int) -> str:
    """One page of a work list (``limit``, ``offset``) with ``count`` of all, as JSON text. Plain values
    only (text, numbers, lists): encoded directly, which for a national list of 350,000 rows is seconds
    faster than FastAPI's generic encoder."""
    page = rows[offset : offset + limit]
    return json.dumps(
        {"on": on.isoformat(), "count": len(rows), "limit": limit, "offset": offset, "items": page},
        ensure_ascii=False,
    )


def proposal_check(session: Any, data: Any, *, settings: Any) -> dict[str, Any]:
    """The permit check of a structure that is not built yet (a ``ProposedSite``): its position in any
    supported CRS, on its day or today. Nothing is stored. What ``POST /api/permit-check`` answers and
    the office's check page draws."""
    from registry.clock import today
    from registry.permits.check import Subject, check_proposal
    from registry.stations.models import PoleClass
    from registry.stations.service import position_from_input

    pos = position_from_input(data.position)
    subject = Subject(pos.lon, pos.lat, PoleClass(data.pole_class).value, data.pole_height_m, data.building_height_m)
    return check_proposal(session, subject, on=data.on or today(), settings=settings)
