"""Cases as the API shows them: a denouncer's identity only to the handler assigned and admins."""

from __future__ import annotations

from typing import Any

from geoalchemy2.shape import to_shape

from registry.accounts.models import Role
from registry.accounts.permissions import Principal
from registry.cases.models import Case
from registry.cases.vocabulary import CONFIDENTIAL_ROLES, KIND_NAMES, STATE_NAMES, CaseKind, CaseState, PartyRole


def may_see_identity(principal: Principal, case: Case) -> bool:
    return Role.admin.value in principal.roles or (
        principal.user_id is not None and principal.user_id == case.handler_id
    )


def _party(party: Any, visible: bool) -> dict[str, Any]:
    if PartyRole(party.role) in CONFIDENTIAL_ROLES and not visible:
        return {"role": party.role, "confidential": True}
    return {
        "role": party.role,
        "name": party.name,
        "id_number": party.id_number,
        "address": party.address,
        "phone": party.phone,
        "email": party.email,
        "confidential": PartyRole(party.role) in CONFIDENTIAL_ROLES,
    }


def case_dict(case: Case, principal: Principal, deadlines: dict[str, Any], handler: str | None) -> dict[str, Any]:
    visible = may_see_identity(principal, case)
    point = to_shape(case.geom) if case.geom is not None else None
    return {
        "code": case.code,
        "kind": case.kind,
        "received_on": case.received_on.isoformat(),
        "channel": case.channel,
        "subject": case.subject,
        "content": case.content,
        "location": None if point is None else {"lon": round(point.x, 7), "lat": round(point.y, 7)},
        "complex": case.complex,
        "especially_complex": case.especially_complex,
        "remote": case.remote,
        "state": case.state,
        "state_name": STATE_NAMES[CaseState(case.state)],
        "handler": handler,
        "unit": case.unit,
        "accepted_on": case.accepted_on.isoformat() if case.accepted_on else None,
        "concluded_on": case.concluded_on.isoformat() if case.concluded_on else None,
        "extensions": case.extensions,
        "outcome": case.outcome,
        "parties": [_party(p, visible) for p in case.parties],
        "links": [{"entity": link.entity, "code": link.entity_code} for link in case.links],
        "transitions": [
            {"from": t.from_state, "to": t.to_state, "on": t.on_day.isoformat(), "actor": t.actor, "reason": t.reason}
            for t in case.transitions
        ],
        "deadlines": deadlines,
        "version": case.version,
    }


DEADLINE_STATUS_NAMES = {
    "overdue": "quá hạn",
    "due_soon": "sắp đến hạn",
    "within_deadline": "trong hạn",
    "suspended": "tạm đình chỉ",
}


def deadline_status(deadlines: dict[str, Any] | None, *, due_within: int) -> str | None:
    """overdue, due_soon (within ``due_within`` working days), within_deadline, suspended, or None
    for a case with no running deadline (closed, concluded …)."""
    if not deadlines or deadlines["status"] is None:
        return None
    if deadlines["status"] == "within_deadline" and deadlines["working_days_left"] <= due_within:
        return "due_soon"
    return str(deadlines["status"])


def case_feature(case: Case, deadlines: dict[str, Any] | None, *, due_within: int) -> dict[str, Any]:
    """A case as a map point: what it is, where, and how its deadline stands; never its parties,
    subject or content (a denunciation's subject can name the denouncer)."""
    point = to_shape(case.geom)
    status = deadline_status(deadlines, due_within=due_within)
    return {
        "type": "Feature",
        "id": case.code,
        "geometry": {"type": "Point", "coordinates": [round(point.x, 6), round(point.y, 6)]},
        "properties": {
            "code": case.code,
            "kind": case.kind,
            "kind_name": KIND_NAMES[CaseKind(case.kind)],
            "state": case.state,
            "state_name": STATE_NAMES[CaseState(case.state)],
            "received_on": case.received_on.isoformat(),
            "current_due": deadlines["current_due"] if deadlines else None,
            "working_days_left": deadlines["working_days_left"] if deadlines else None,
            "deadline_status": status,
            "deadline_status_name": DEADLINE_STATUS_NAMES.get(status or ""),
        },
    }


EXPORT_COLUMNS = [
    ("Mã hồ sơ", "code"),
    ("Loại", "kind"),
    ("Ngày nhận", "received_on"),
    ("Kênh", "channel"),
    ("Nội dung tóm tắt", "subject"),
    ("Trạng thái", "state_name"),
    ("Người xử lý", "handler"),
    ("Đơn vị", "unit"),
    ("Hạn hiện tại", "current_due"),
    ("Tình trạng hạn", "deadline_status"),
]


def case_records(session: Any, cases: list[Case], principal: Principal) -> list[dict[str, Any]]:
    """Cases as the API answers and their record pages show them to ``principal``: deadlines on the
    working-day calendar, the handler by name, a denouncer's identity only for who may see it."""
    from registry.calendar import service as calendar
    from registry.cases import queries, service
    from registry.clock import today

    cal = calendar.load(session)
    day = today()
    names = queries.handler_names(session, cases)
    return [
        case_dict(c, principal, service.deadlines(session, cal, c, today=day), names.get(c.handler_id or -1))
        for c in cases
    ]
