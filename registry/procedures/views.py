"""Procedures and dossiers as the API shows them: staff see the applicant, the public lookup never does."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry.calendar.days import VIETNAM
from registry.procedures.models import (
    CHANNEL_NAMES,
    FIELD_NAMES,
    ONLINE_SERVICE_NAMES,
    STATUS_NAMES,
    UNIT_NAMES,
    Channel,
    Dossier,
    OnlineService,
    Procedure,
    ProcedureField,
    Status,
    TimeUnit,
)
from registry.procedures.outcomes import OUTCOME_NAMES, outcome


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def procedure_dict(p: Procedure) -> dict[str, Any]:
    return {
        "code": p.code,
        "name": p.name,
        "field": p.field,
        "field_name": FIELD_NAMES[ProcedureField(p.field)],
        "time_value": p.time_value,
        "time_unit": p.time_unit,
        "time_text": f"{p.time_value} {UNIT_NAMES[TimeUnit(p.time_unit)]}",
        "fees": p.fees,
        "fee_vnd": p.fee_vnd,
        "legal_basis": p.legal_basis,
        "online_level": p.online_level,
        "online_service": p.online_service,
        "online_service_name": ONLINE_SERVICE_NAMES[OnlineService(p.online_service)],
        "effective_from": p.effective_from.isoformat(),
        "effective_to": _iso(p.effective_to),
        "notes": p.notes,
        "steps": [
            {"step_no": s.step_no, "name": s.name, "unit": s.unit, "duration": float(s.duration)} for s in p.steps
        ],
        "version": p.version,
    }


def _step(d: Dossier) -> dict[str, Any] | None:
    step = next((s for s in d.procedure.steps if s.step_no == d.step_no), None)
    if step is None:
        return None
    return {"step_no": step.step_no, "name": step.name, "unit": step.unit, "of": len(d.procedure.steps)}


def _standing(d: Dossier, today: date) -> dict[str, Any]:
    o = outcome(d, today)
    return {"outcome": o, "outcome_name": OUTCOME_NAMES.get(o or "")}


def dossier_dict(d: Dossier, *, today: date) -> dict[str, Any]:
    p = d.procedure
    return {
        "receipt_code": d.receipt_code,
        "procedure": {"code": p.code, "name": p.name, "field": p.field, "online_level": p.online_level},
        "applicant": {
            "kind": d.applicant_kind,
            "name": d.applicant_name,
            "id_number": d.applicant_id_number,
            "address": d.applicant_address,
            "phone": d.applicant_phone,
            "email": d.applicant_email,
        },
        "channel": d.channel,
        "channel_name": CHANNEL_NAMES[Channel(d.channel)],
        "received_at": d.received_at.isoformat(),
        "received_on": d.received_on.isoformat(),
        "counted_from": d.counted_from.isoformat(),
        "first_due_date": d.first_due_date.isoformat(),
        "due_date": d.due_date.isoformat(),
        "apology": None
        if d.apology_on is None
        else {
            "issued_on": d.apology_on.isoformat(),
            "previous_due_date": _iso(d.pre_apology_due_date),
            "new_due_date": d.due_date.isoformat(),
            "reason": d.apology_reason,
        },
        "supplement_since": _iso(d.supplement_since),
        "paused_working_days": d.paused_working_days,
        "status": d.status,
        "status_name": STATUS_NAMES[Status(d.status)],
        "step": _step(d),
        "result": d.result,
        "resolved_on": _iso(d.resolved_on),
        "returned_on": _iso(d.returned_on),
        "sent_back_on": _iso(d.sent_back_on),
        "withdrawn_on": _iso(d.withdrawn_on),
        **_standing(d, today),
        "permit": None if d.permit_id is None else {"id": d.permit_id, "href": f"/api/permits/{d.permit_id}"},
        "press_licence": None
        if d.press_licence_id is None
        else {"id": d.press_licence_id, "href": f"/api/press/licences/{d.press_licence_id}"},
        "source": d.source,
        "notes": d.notes,
        "events": [
            {
                "status": e.status,
                "status_name": STATUS_NAMES[Status(e.status)],
                "step_no": e.step_no,
                "at": e.at.isoformat(),
                "actor": e.actor,
                "note": e.note,
            }
            for e in d.events
        ],
        "receipt_href": f"/api/dossiers/{d.receipt_code}/receipt",
        "version": d.version,
    }


def public_dict(d: Dossier, *, today: date) -> dict[str, Any]:
    """What anyone holding the receipt code sees: no applicant, no notes, no actors."""
    p = d.procedure
    return {
        "receipt_code": d.receipt_code,
        "procedure_code": p.code,
        "procedure_name": p.name,
        "received_on": d.received_on.isoformat(),
        "due_date": d.due_date.isoformat(),
        "status": d.status,
        "status_name": STATUS_NAMES[Status(d.status)],
        "step": _step(d),
        "result": d.result,
        "resolved_on": _iso(d.resolved_on),
        **_standing(d, today),
        "history": [
            {
                "status": e.status,
                "status_name": STATUS_NAMES[Status(e.status)],
                "on": e.at.astimezone(VIETNAM).date().isoformat(),
            }
            for e in d.events
        ],
    }


def dossier_link(d: Dossier | None) -> dict[str, Any] | None:
    """A dossier as the permit's or licence's view names it."""
    if d is None:
        return None
    return {"receipt_code": d.receipt_code, "href": f"/api/dossiers/{d.receipt_code}"}
