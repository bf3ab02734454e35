"""Cases: create, change, move through the state machine, and their deadlines on the calendar."""

from __future__ import annotations

import contextlib
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from registry.accounts.models import Role, User
from registry.audit import context
from registry.audit.models import AuditEvent
from registry.calendar.days import WorkCalendar
from registry.cases.deadlines import Deadline, Flags, Suspension, compute, resolution_deadlines, rule_for
from registry.cases.models import Case, CaseLink, CaseParty, CaseTransition
from registry.cases.schemas import CaseCreate, CasePatch, LinkIn, TransitionIn
from registry.cases.vocabulary import TRANSITIONS, CaseKind, CaseState, Channel
from registry.errors import FieldError, InvalidTransition, PermissionDenied, ValidationFailed
from registry.lookup import one
from registry.positions import point, position_from_input
from registry.versions import check_version, touch

PREFIX = {
    CaseKind.complaint: "KN",
    CaseKind.second_complaint: "KN2",
    CaseKind.denunciation: "TC",
    CaseKind.petition: "PA",
    CaseKind.planned_inspection: "TT",
    CaseKind.adhoc_inspection: "TTDX",
}
OPEN_STATES = frozenset(
    {CaseState.received, CaseState.accepted, CaseState.in_progress, CaseState.suspended, CaseState.extended}
)
HANDLER_ROLES = frozenset({Role.admin.value, Role.inspector.value})


def get_case(session: Session, code: str, *, for_update: bool = False) -> Case:
    return one(session, Case, Case.code == code, missing=f"Không có hồ sơ vụ việc {code}", for_update=for_update)


def _handler(session: Session, username: str | None) -> int | None:
    if username is None:
        return None
    user = session.scalar(select(User).where(User.username == username.lower()))
    if user is None or not user.active or not (set(user.roles) & HANDLER_ROLES):
        raise ValidationFailed(
            "Người xử lý không hợp lệ",
            [FieldError(f"{username} không phải thanh tra viên đang hoạt động", field="handler", value=username)],
        )
    return user.id


def _assign(session: Session, *, actor: str, current: int | None, username: str | None, creating: bool) -> int | None:
    """The handler id a case gets when ``actor`` names ``username`` (None: nobody), or PermissionDenied.

    The handler reads a denouncer's identity (``registry/cases/views.py``), so choosing the handler is
    choosing who reads it, and it is not every case writer's act:

    - an admin assigns, reassigns or un-assigns any case (there is no unit-head role in the
      permission table; admins are the ones who hand work out);
    - the current handler hands the case over to another active inspector (not to nobody: an
      un-assigned case would wait for an admin without anyone being told);
    - whoever records a new case may take it themself, or leave it un-assigned: they have just typed
      the parties, so handling it shows them nothing they do not know. Giving a new case to someone
      else is a reassignment, an admin's act like the others;
    - naming the handler the case already has changes nothing and is allowed (clients send back
      what they read).

    ``unit`` does not govern access (only the handler and admins see identities), so case writers
    keep changing it. The handler change is audited with the usernames before and after.
    """
    target = username.strip().lower() if username is not None else None
    before = session.scalar(select(User.username).where(User.id == current)) if current is not None else None
    if target == before:
        return current
    me, is_admin = _actor(session, actor)
    if not is_admin:
        if creating:
            allowed = target is None or (me is not None and target == me.username)
            rule = "Khi tiếp nhận chỉ được tự nhận xử lý; giao hồ sơ cho người khác là việc của quản trị viên"
        else:
            allowed = me is not None and current is not None and me.id == current and target is not None
            rule = "Chỉ quản trị viên hoặc người đang xử lý hồ sơ (giao cho thanh tra viên khác) được đổi người xử lý"
        if not allowed:
            raise PermissionDenied(rule, errors=[FieldError(rule, field="handler").as_dict()])
    return _handler(session, target)


def _actor(session: Session, actor: str) -> tuple[User | None, bool]:
    """The acting user, and whether they act as an admin (active, holding the role)."""
    me = session.scalar(select(User).where(User.username == actor.lower()))
    return me, me is not None and me.active and Role.admin.value in me.roles


def reassignable_to(session: Session, case: Case, *, actor: str) -> list[str | None]:
    """Whom ``actor`` may give ``case`` to under ``_assign``'s rule, by username (None: nobody), for
    a page's choice; empty when ``actor`` may not reassign it at all (``_assign`` refuses anyway)."""
    me, is_admin = _actor(session, actor)
    if not is_admin and (me is None or case.handler_id is None or me.id != case.handler_id):
        return []
    handlers = active_handlers(session)
    return [None, *handlers] if is_admin else [name for name in handlers if me is None or name != me.username]


def active_handlers(session: Session) -> list[str]:
    """The usernames of the active users who may handle a case (inspectors and admins)."""
    users = session.execute(select(User.username, User.roles).where(User.active).order_by(User.username)).all()
    return [name for name, roles in users if set(roles) & HANDLER_ROLES]


def _audit_handler(session: Session, case: Case, before: int | None) -> None:
    """The handler change in the case's history, by username (the listener records only the ids)."""
    if case.handler_id == before:
        return
    names = dict(
        session.execute(select(User.id, User.username).where(User.id.in_([i for i in (before, case.handler_id) if i])))
        .tuples()
        .all()
    )
    session.add(
        AuditEvent(
            actor=context.actor.get(),
            request_id=context.request_id.get(),
            entity_type="case",
            entity_id=str(case.id),
            action="update",
            changes={"handler": [names.get(before) if before else None, names.get(case.handler_id or 0)]},
            parents=[],
        )
    )
    session.flush()


LINK_CHECKS = {
    "site": "SELECT 1 FROM site WHERE code = :code",
    "station": "SELECT 1 FROM station WHERE CAST(id AS text) = :code",
    "press_outlet": "SELECT 1 FROM press_outlet WHERE code = :code",
    "organisation": "SELECT 1 FROM organisation WHERE code = :code",
}


def _links(session: Session, links: list[LinkIn]) -> list[CaseLink]:
    out = []
    for i, link in enumerate(links):
        if session.execute(text(LINK_CHECKS[link.entity]), {"code": link.code}).first() is None:
            raise ValidationFailed(
                "Bản ghi liên quan không tồn tại",
                [FieldError(f"Không có {link.entity} {link.code}", field=f"links.{i}.code")],
            )
        out.append(CaseLink(entity=link.entity, entity_code=link.code))
    return out


def next_code(session: Session, kind: CaseKind, received_on: date) -> str:
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('case_code'))"))
    prefix = f"{PREFIX[kind]}-{received_on.year}-"
    count = session.scalar(select(func.count()).select_from(Case).where(Case.code.startswith(prefix))) or 0
    return f"{prefix}{count + 1:04d}"


def _reception(session: Session, data: CaseCreate) -> int | None:
    """The reception session a case is received at: it must exist, and the case comes by that channel."""
    if data.reception_session_id is None:
        return None
    from registry.cases.models import ReceptionSession

    if session.get(ReceptionSession, data.reception_session_id) is None:
        raise ValidationFailed(
            "Buổi tiếp công dân không tồn tại",
            [FieldError(f"Không có buổi tiếp công dân số {data.reception_session_id}", field="reception_session_id")],
        )
    if data.channel != Channel.reception_session:
        raise ValidationFailed(
            "Kênh tiếp nhận không khớp",
            [FieldError("Vụ việc tiếp nhận tại buổi tiếp công dân có kênh «buổi tiếp công dân»", field="channel")],
        )
    return data.reception_session_id


def create_case(session: Session, data: CaseCreate, *, actor: str) -> Case:
    reception_session_id = _reception(session, data)
    case = Case(
        code=next_code(session, data.kind, data.received_on),
        kind=data.kind.value,
        received_on=data.received_on,
        channel=data.channel.value,
        subject=data.subject,
        content=data.content,
        complex=bool(data.complex),
        especially_complex=bool(data.especially_complex),
        remote=bool(data.remote),
        state=CaseState.received.value,
        handler_id=_assign(session, actor=actor, current=None, username=data.handler, creating=True),
        unit=data.unit,
        extensions=0,
        reception_session_id=reception_session_id,
    )
    if data.position is not None:
        pos = position_from_input(data.position)
        case.geom = point(pos.lon, pos.lat)
    case.parties = [CaseParty(**p.model_dump(mode="json")) for p in data.parties]
    case.links = _links(session, data.links)
    case.transitions = [
        CaseTransition(
            from_state=None, to_state=CaseState.received.value, on_day=data.received_on, actor=actor, reason="Tiếp nhận"
        )
    ]
    session.add(case)
    session.flush()
    _audit_handler(session, case, None)
    return case


def update_case(
    session: Session, code: str, data: CasePatch, *, expected_version: int | None, actor: str = "anonymous"
) -> Case:
    """Change a case; a change of handler follows ``_assign``'s rule (``actor`` is the username)."""
    case = get_case(session, code, for_update=True)
    check_version(case, expected_version, what=f"Hồ sơ {code}")
    fields = data.model_dump(exclude_unset=True)
    before = case.handler_id
    for key in ("subject", "content", "unit", "outcome"):
        if key in fields:
            setattr(case, key, fields[key])
    for key in ("complex", "especially_complex", "remote"):
        if fields.get(key) is not None:
            setattr(case, key, fields[key])
    if "handler" in fields:
        case.handler_id = _assign(
            session, actor=actor, current=case.handler_id, username=fields["handler"], creating=False
        )
    if "position" in fields:
        if data.position is None:
            case.geom = None
        else:
            pos = position_from_input(data.position)
            case.geom = point(pos.lon, pos.lat)
    session.flush()
    _audit_handler(session, case, before)
    return case


def transition(
    session: Session, code: str, data: TransitionIn, *, actor: str, today: date, expected_version: int | None
) -> Case:
    """Move the case, if the state machine allows it, recording who, when and why."""
    case = get_case(session, code, for_update=True)
    check_version(case, expected_version, what=f"Hồ sơ {code}")
    current, target = CaseState(case.state), data.to
    allowed = TRANSITIONS[current]
    if target not in allowed:
        names = ", ".join(sorted(s.value for s in allowed)) or "không có (hồ sơ đã đóng)"
        raise InvalidTransition(
            f"Không thể chuyển hồ sơ {code} từ «{current.value}» sang «{target.value}»; được phép: {names}",
            current_state=current.value,
            allowed=sorted(s.value for s in allowed),
        )
    on = data.on or today
    last = case.transitions[-1].on_day if case.transitions else case.received_on
    if on < last:
        raise ValidationFailed(
            "Ngày không hợp lệ", [FieldError(f"Không được trước bước trước ({last:%d/%m/%Y})", field="on")]
        )
    if target == CaseState.accepted:
        case.accepted_on = on
    elif target == CaseState.extended:
        try:
            rule_for(session, case_kind=case.kind, step="extension", on=case.accepted_on or on, flags=_flags(case),
                     extension_no=case.extensions + 1)  # fmt: skip
        except ValidationFailed as exc:
            raise InvalidTransition(
                f"Hồ sơ {code} không được gia hạn lần {case.extensions + 1} (không có quy tắc cho loại vụ việc này)"
            ) from exc
        case.extensions += 1
    elif target == CaseState.concluded:
        case.concluded_on = on
    case.state = target.value
    case.transitions.append(
        CaseTransition(from_state=current.value, to_state=target.value, on_day=on, actor=actor, reason=data.reason)
    )
    touch(case)  # every move is a version, though the transition itself is a row of its own
    session.flush()
    return case


def _flags(case: Case) -> Flags:
    return Flags(complex=case.complex, especially_complex=case.especially_complex, remote=case.remote)


def suspensions(case: Case) -> list[Suspension]:
    out: list[Suspension] = []
    start: date | None = None
    for t in case.transitions:
        if t.to_state == CaseState.suspended.value:
            start = t.on_day
        elif start is not None and t.from_state == CaseState.suspended.value:
            out.append(Suspension(start, t.on_day))
            start = None
    if start is not None:
        out.append(Suspension(start, None))
    return out


def deadlines(session: Session, cal: WorkCalendar, case: Case, *, today: date) -> dict[str, Any]:
    """The case's deadlines from the rules in force on their starting events, with suspensions."""
    flags = _flags(case)
    steps: list[Deadline] = []
    first_step = "initial_handling" if case.kind == CaseKind.denunciation else "acceptance"
    try:
        rule = rule_for(session, case_kind=case.kind, step=first_step, on=case.received_on, flags=flags)
        steps.append(compute(cal, rule, case.received_on))
    except ValidationFailed:
        pass
    if case.accepted_on is not None:
        with contextlib.suppress(ValidationFailed):  # inspections have no resolution rule
            steps += resolution_deadlines(
                session, cal, case_kind=case.kind, accepted_on=case.accepted_on, flags=flags,
                extensions=case.extensions, suspensions=suspensions(case),
            )  # fmt: skip
    current = None
    state = CaseState(case.state)
    if state in OPEN_STATES and steps:
        current = steps[-1] if case.accepted_on is not None else steps[0]
    status = None
    if current is not None:
        if state == CaseState.suspended:
            status = "suspended"
        elif today > current.due:
            status = "overdue"
        else:
            status = "within_deadline"
    return {
        "steps": [
            {"rule": d.rule, "step": d.step, "start": d.start.isoformat(), "due": d.due.isoformat(),
             "duration": d.duration, "unit": d.unit, "legal_basis": d.legal_basis}
            for d in steps
        ],
        "current_due": current.due.isoformat() if current else None,
        "working_days_left": cal.count_working_days(today, current.due) if current else None,
        "status": status,
    }  # fmt: skip


def attach(session: Session, code: str, data: bytes, filename: str, *, description: str | None,
           confidential: bool | None, max_bytes: int) -> Any:  # fmt: skip
    """Store a document or photo with the case; a denunciation's are confidential unless said otherwise."""
    from registry.cases.models import CaseAttachment
    from registry.documents.store import store

    case = get_case(session, code)
    doc = store(session, data, filename, max_bytes=max_bytes)
    secret = confidential if confidential is not None else case.kind == CaseKind.denunciation
    attachment = CaseAttachment(case_id=case.id, document_id=doc.id, description=description, confidential=secret)
    session.add(attachment)
    session.flush()
    return attachment


def counts(session: Session, *, since: date, until: date, cal: WorkCalendar, today: date) -> dict[str, Any]:
    """Cases received in [since, until]: by kind and state, and per handler and unit, open and overdue."""
    cases = list(session.scalars(select(Case).where(Case.received_on.between(since, until))))
    by_kind: dict[str, dict[str, int]] = {}
    per_handler: dict[str, dict[str, int]] = {}
    names = dict(session.execute(select(User.id, User.username)).all())
    for case in cases:
        by_kind.setdefault(case.kind, {}).setdefault(case.state, 0)
        by_kind[case.kind][case.state] += 1
        key = f"{names.get(case.handler_id, '(chưa giao)')} · {case.unit or '(chưa có đơn vị)'}"
        row = per_handler.setdefault(key, {"total": 0, "open": 0, "overdue": 0})
        row["total"] += 1
        if CaseState(case.state) in OPEN_STATES:
            row["open"] += 1
            if deadlines(session, cal, case, today=today)["status"] == "overdue":
                row["overdue"] += 1
    return {
        "from": since.isoformat(),
        "to": until.isoformat(),
        "total": len(cases),
        "by_kind_and_state": by_kind,
        "per_handler_and_unit": per_handler,
    }


def cases_about(session: Session, entity: str, code: str) -> list[dict[str, Any]]:
    """Cases linked to a registry record (for its page): code, kind, state, subject — never parties."""
    rows = session.execute(
        select(Case.code, Case.kind, Case.state, Case.subject, Case.received_on)
        .join(CaseLink, CaseLink.case_id == Case.id)
        .where(CaseLink.entity == entity, CaseLink.entity_code == code)
        .order_by(Case.received_on.desc())
    ).all()
    return [{"code": r[0], "kind": r[1], "state": r[2], "subject": r[3], "received_on": r[4].isoformat()} for r in rows]
