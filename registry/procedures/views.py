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
from registry.procedures.outcomes import OUTCOME_NAMES, PENDING_WITHIN, outcome


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


def document_text(doc: dict[str, Any]) -> str:
    """A paper in words: "Đơn đề nghị (Bản chính, 1 bản)", "… không bắt buộc" when only sometimes needed."""
    parts = [str(doc.get("form") or ""), f"{doc.get('copies') or 1} bản"]
    if doc.get("required") is False:
        parts.append("không bắt buộc")
    return f"{doc.get('name')} ({', '.join(p for p in parts if p)})"


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
        "required_documents": list(p.required_documents or []),
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
        "documents": list(d.documents_received or []),
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


# The steps a citizen sees, in words: a move to ``awaiting_supplement`` asks for a supplement, the move
# out of it means the supplement came; an event that keeps the status is the apology with a new date.
PUBLIC_STEP_NAMES = {
    Status.received: "Tiếp nhận hồ sơ",
    Status.transferred: "Chuyển phòng chuyên môn giải quyết",
    Status.in_progress: "Đang giải quyết",
    Status.awaiting_supplement: "Yêu cầu bổ sung hồ sơ (tạm dừng tính thời hạn)",
    Status.result_ready: "Có kết quả, chờ trả",
    Status.refused: "Từ chối giải quyết (có văn bản nêu lý do)",
    Status.returned: "Đã trả kết quả",
    Status.sent_back: "Trả lại hồ sơ chưa đầy đủ, hợp lệ",
    Status.withdrawn: "Người nộp rút hồ sơ",
}
SUPPLEMENT_RECEIVED = "Đã nhận đủ hồ sơ bổ sung, tiếp tục tính thời hạn"
APOLOGY = "Xin lỗi và hẹn lại ngày trả kết quả"
APOLOGY_NOTE = "Xin lỗi, hẹn lại ngày"  # how registry/procedures/service.apologise notes the apology
PAUSED_STANDING = "Tạm dừng tính thời hạn (chờ bổ sung hồ sơ)"


def paused_text(since: date) -> str:
    """The plain sentence of a stopped clock."""
    return (
        f"Đang chờ bổ sung hồ sơ từ {since:%d/%m/%Y}: thời hạn giải quyết tạm dừng; "
        "ngày hẹn trả sẽ được tính lại khi nhận đủ hồ sơ"
    )


def public_steps(d: Dossier) -> list[dict[str, Any]]:
    """The dossier's dated steps as a citizen may know them: what happened and when (Vietnam time),
    never who did it nor the officers' notes."""
    out: list[dict[str, Any]] = []
    steps = {s.step_no: s for s in d.procedure.steps}
    previous: str | None = None
    for e in d.events:
        at = e.at.astimezone(VIETNAM)
        status = Status(e.status)
        apology = e.status == previous and d.apology_on is not None and (e.note or "").startswith(APOLOGY_NOTE)
        if apology:
            kind, name = "apology", APOLOGY
        elif previous == Status.awaiting_supplement and status != Status.awaiting_supplement and status in (
            Status.received, Status.transferred, Status.in_progress
        ):  # fmt: skip
            kind, name = "supplement_received", SUPPLEMENT_RECEIVED
        else:
            kind, name = status.value, PUBLIC_STEP_NAMES[status]
        out.append(
            {
                "kind": kind,
                "name": name,
                "status": e.status,
                "at": at.isoformat(timespec="minutes"),
                "at_text": f"{at:%d/%m/%Y %H:%M}",
                "step": None
                if e.step_no not in steps or kind not in ("transferred", "in_progress", "supplement_received")
                else f"Bước {e.step_no}/{len(steps)}: {steps[e.step_no].name} ({steps[e.step_no].unit})",
            }
        )
        previous = e.status
    return out


def public_dict(d: Dossier, *, today: date) -> dict[str, Any]:
    """What anyone holding the receipt code sees: no applicant, no notes, no actors.

    While the dossier waits for a supplement the clock is stopped: ``paused`` says since when, in a
    plain sentence, and the standing never reads "trong hạn" against an appointment date that the
    pause will move anyway."""
    p = d.procedure
    standing = _standing(d, today)
    paused = None
    if d.status == Status.awaiting_supplement and d.supplement_since is not None:
        paused = {"since": d.supplement_since.isoformat(), "text": paused_text(d.supplement_since)}
        if standing["outcome"] == PENDING_WITHIN:
            standing["outcome_name"] = PAUSED_STANDING
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
        **standing,
        "paused": paused,
        "history": [
            {
                "status": e.status,
                "status_name": STATUS_NAMES[Status(e.status)],
                "on": e.at.astimezone(VIETNAM).date().isoformat(),
            }
            for e in d.events
        ],
        "steps": public_steps(d),
    }


def dossier_link(d: Dossier | None) -> dict[str, Any] | None:
    """A dossier as the permit's or licence's view names it."""
    if d is None:
        return None
    return {"receipt_code": d.receipt_code, "href": f"/api/dossiers/{d.receipt_code}"}
