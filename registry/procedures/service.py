"""The procedure catalogue and the one-stop desk: the only place that changes procedures and dossiers."""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.calendar.days import VIETNAM, OutOfCalendar, WorkCalendar
from registry.errors import Conflict, FieldError, InvalidTransition, ValidationFailed
from registry.lookup import one
from registry.procedures import deadlines, receipts
from registry.procedures.models import (
    FIELD_PREFIX,
    LEVEL_SERVICE,
    OPEN,
    PAPER_CHANNELS,
    STATUS_NAMES,
    TRANSITIONS,
    UNIT_NAMES,
    Channel,
    Dossier,
    DossierEvent,
    Procedure,
    ProcedureField,
    ProcedureStep,
    Result,
    Status,
    TimeUnit,
)
from registry.procedures.schemas import ApologyIn, DossierCreate, DossierMove, ProcedureCreate, ProcedurePatch
from registry.rules.book import MissingRule, RuleBook
from registry.versions import check_version, touch

# Licences the department issues itself land in these registers (press/publishing: press licences).
PRESS_FIELDS = frozenset({ProcedureField.press, ProcedureField.publishing})
CLOCK_SKEW = timedelta(minutes=5)  # a receipt time this far in the future is refused


def vn_date(at: datetime) -> date:
    return (at if at.tzinfo else at.replace(tzinfo=VIETNAM)).astimezone(VIETNAM).date()


def aware(at: datetime) -> datetime:
    return at if at.tzinfo else at.replace(tzinfo=VIETNAM)


# --- the catalogue ------------------------------------------------------------------------------------


def get_procedure(session: Session, code: str, *, for_update: bool = False) -> Procedure:
    return one(session, Procedure, Procedure.code == code, missing=f"Không có thủ tục mã {code}", for_update=for_update)


def _check_procedure(p: Procedure, steps: list[Any]) -> None:
    errors = []
    total = sum((Decimal(s.duration) for s in steps), Decimal(0))
    if total != Decimal(p.time_value):
        # The refusal says by how much, in the procedure's unit: "thiếu 2 ngày làm việc", "thừa 0.5 giờ làm việc".
        gap = Decimal(p.time_value) - total
        unit = UNIT_NAMES[TimeUnit(p.time_unit)]
        errors.append(
            FieldError(
                f"Tổng thời gian các bước ({total.normalize():f}) phải bằng thời hạn giải quyết ({p.time_value}): "
                f"{'thiếu' if gap > 0 else 'thừa'} {abs(gap).normalize():f} {unit}",
                field="steps",
            )
        )
    if p.effective_to is not None and p.effective_to <= p.effective_from:
        errors.append(FieldError("Ngày hết hiệu lực phải sau ngày có hiệu lực", field="effective_to"))
    if errors:
        raise ValidationFailed("Thủ tục không hợp lệ", errors)


def create_procedure(session: Session, data: ProcedureCreate) -> Procedure:
    if session.scalar(select(Procedure.id).where(Procedure.code == data.code)) is not None:
        raise Conflict(f"Đã có thủ tục mã {data.code}", field="code")
    p = Procedure(
        code=data.code,
        name=data.name,
        field=data.field.value,
        time_value=data.time_value,
        time_unit=data.time_unit.value,
        fees=data.fees,
        fee_vnd=data.fee_vnd,
        legal_basis=data.legal_basis,
        online_level=data.online_level,
        online_service=(data.online_service or LEVEL_SERVICE[data.online_level]).value,
        effective_from=data.effective_from,
        effective_to=data.effective_to,
        notes=data.notes,
        required_documents=[doc.model_dump() for doc in data.required_documents or []],
    )
    _check_procedure(p, data.steps)
    p.steps = [
        ProcedureStep(step_no=i, name=s.name, unit=s.unit, duration=s.duration) for i, s in enumerate(data.steps, 1)
    ]
    session.add(p)
    session.flush()
    return p


def update_procedure(session: Session, code: str, data: ProcedurePatch, *, expected_version: int | None) -> Procedure:
    p = get_procedure(session, code, for_update=True)
    check_version(p, expected_version, what=f"Thủ tục {code}")
    fields = data.model_dump(exclude_unset=True, exclude={"steps", "required_documents"})
    if data.required_documents is not None:
        documents = [doc.model_dump() for doc in data.required_documents]
        if documents != p.required_documents:
            p.required_documents = documents
    for key, value in fields.items():
        if value is None and key not in ("fees", "fee_vnd", "effective_to", "notes", "online_service"):
            raise ValidationFailed("Thủ tục không hợp lệ", [FieldError("Không được để trống", field=key)])
        setattr(p, key, value.value if hasattr(value, "value") else value)
    if "online_level" in fields and fields.get("online_service") is None:
        p.online_service = LEVEL_SERVICE[p.online_level].value
    _check_procedure(p, data.steps if data.steps is not None else p.steps)
    changed = session.is_modified(p)
    if data.steps is not None:
        new = [(s.name, s.unit, Decimal(s.duration)) for s in data.steps]
        if new != [(s.name, s.unit, Decimal(s.duration)) for s in p.steps]:
            # Steps keep their rows by number (a step's history stays with it); extra ones go.
            old = {s.step_no: s for s in p.steps}
            keep = []
            for i, (name, unit, duration) in enumerate(new, 1):
                step = old.get(i) or ProcedureStep(step_no=i)
                step.name, step.unit, step.duration = name, unit, duration
                keep.append(step)
            p.steps = keep
            changed = True
    if changed:
        touch(p)  # steps are rows of their own; their procedure still counts a version
    session.flush()
    return p


def procedures_in_force(session: Session, on: date) -> list[Procedure]:
    return list(
        session.scalars(select(Procedure).where(Procedure.in_force_on(on)).order_by(Procedure.field, Procedure.code))
    )


# --- dossiers -----------------------------------------------------------------------------------------


def get_dossier(session: Session, code: str, *, for_update: bool = False) -> Dossier:
    code = receipts.normalise(code)
    return one(
        session, Dossier, Dossier.receipt_code == code, missing=f"Không có hồ sơ mã {code}", for_update=for_update
    )


def _in_force(p: Procedure, on: date) -> bool:
    return p.is_in_force(on)


def _receipt_code(session: Session, p: Procedure, on: date, randbelow: Callable[[int], int]) -> str:
    for _ in range(10):
        code = receipts.new_code(FIELD_PREFIX[ProcedureField(p.field)], on, randbelow)
        if session.scalar(select(Dossier.id).where(Dossier.receipt_code == code)) is None:
            return code
    raise Conflict("Không tạo được mã hồ sơ mới; thử lại")  # 50 random bits: never in practice


@dataclass(frozen=True)
class Schedule:
    """When a dossier would be received and its appointment: what the receipt prints, and why."""

    procedure: Procedure
    channel: Channel
    received_at: datetime
    received_on: date
    counted_from: date
    due_date: date
    reason: str


def schedule(
    session: Session, cal: WorkCalendar, procedure_code: str, channel: Channel, received_at: datetime, *, now: datetime
) -> Schedule:
    """The appointment of a dossier for ``procedure_code`` received through ``channel`` at ``received_at``:
    the rule the desk's page previews and ``create_dossier`` applies (refusals name their field)."""
    received_at = aware(received_at)
    if received_at > now + CLOCK_SKEW:
        raise ValidationFailed(
            "Thời điểm tiếp nhận không hợp lệ", [FieldError("Không được ở tương lai", field="received_at")]
        )
    p = session.scalar(select(Procedure).where(Procedure.code == procedure_code))
    received_on = vn_date(received_at)
    if p is None or not _in_force(p, received_on):
        why = "Không có thủ tục mã này" if p is None else f"Thủ tục không có hiệu lực ngày {received_on:%d/%m/%Y}"
        raise ValidationFailed("Thủ tục không hợp lệ", [FieldError(why, field="procedure_code", value=procedure_code)])
    try:
        rules = deadlines.rules_on(session, received_on)
    except MissingRule as exc:
        raise ValidationFailed("Thời điểm tiếp nhận không hợp lệ", [FieldError(str(exc), field="received_at")]) from exc
    span = {"value": p.time_value, "unit": p.time_unit}
    try:
        start, due = deadlines.appointment(cal, received_at=received_at, channel=channel, rules=rules, **span)
        why = deadlines.reason(cal, received_at=received_at, channel=channel, rules=rules, start=start, due=due, **span)
    except OutOfCalendar as exc:
        raise ValidationFailed("Ngày ngoài lịch làm việc", [FieldError(str(exc), field="received_at")]) from exc
    return Schedule(p, Channel(channel), received_at, received_on, start, due, why)


def create_dossier(
    session: Session,
    cal: WorkCalendar,
    data: DossierCreate,
    *,
    actor: str,
    now: datetime,
    randbelow: Callable[[int], int] = secrets.randbelow,
) -> Dossier:
    """Receive a dossier: a receipt code, the counting day and the appointment date."""
    plan = schedule(session, cal, data.procedure_code, data.channel, data.received_at or now, now=now)
    p, received_at, received_on = plan.procedure, plan.received_at, plan.received_on
    start, due = plan.counted_from, plan.due_date
    a = data.applicant
    d = Dossier(
        receipt_code=_receipt_code(session, p, received_on, randbelow),
        procedure=p,
        applicant_kind=a.kind.value,
        applicant_name=a.name,
        applicant_id_number=a.id_number,
        applicant_address=a.address,
        applicant_phone=a.phone,
        applicant_email=a.email,
        channel=data.channel.value,
        received_at=received_at,
        received_on=received_on,
        counted_from=start,
        first_due_date=due,
        due_date=due,
        paused_working_days=0,
        status=Status.received.value,
        step_no=1,
        source="desk",
        notes=data.notes,
        documents_received=[doc.model_dump() for doc in data.documents],
    )
    d.events = [DossierEvent(status=Status.received.value, step_no=1, at=received_at, actor=actor, note="Tiếp nhận")]
    session.add(d)
    session.flush()
    return d


def _step_count(d: Dossier) -> int:
    return max(1, len(d.procedure.steps))


def link_record(session: Session, d: Dossier, *, permit_id: int | None, press_licence_id: int | None) -> None:
    """Link an approved dossier to the permit or press licence it produced (one record, both ways)."""
    from registry.permits.models import Permit
    from registry.press.models import PressLicence

    if permit_id is None and press_licence_id is None:
        return
    if permit_id is not None and press_licence_id is not None:
        raise ValidationFailed(
            "Chỉ liên kết một giấy phép", [FieldError("Chọn permit_id hoặc press_licence_id", field="permit_id")]
        )
    if d.result != Result.approved.value:
        raise InvalidTransition(f"Hồ sơ {d.receipt_code} chưa có kết quả cấp phép: không liên kết được giấy phép")
    press = ProcedureField(d.procedure.field) in PRESS_FIELDS
    if press_licence_id is not None:
        if not press:
            raise ValidationFailed(
                "Giấy phép không phù hợp",
                [FieldError("Thủ tục không thuộc lĩnh vực báo chí, xuất bản", field="press_licence_id")],
            )
        if session.get(PressLicence, press_licence_id) is None:
            raise ValidationFailed(
                "Giấy phép không tồn tại",
                [FieldError(f"Không có giấy phép số {press_licence_id}", field="press_licence_id")],
            )
        taken = session.scalar(
            select(Dossier.receipt_code).where(Dossier.press_licence_id == press_licence_id, Dossier.id != d.id)
        )
        field, value = "press_licence_id", press_licence_id
    else:
        if press:
            raise ValidationFailed(
                "Giấy phép không phù hợp",
                [FieldError("Thủ tục báo chí, xuất bản: dùng press_licence_id", field="permit_id")],
            )
        if session.get(Permit, permit_id) is None:
            raise ValidationFailed(
                "Giấy phép không tồn tại", [FieldError(f"Không có giấy phép số {permit_id}", field="permit_id")]
            )
        taken = session.scalar(select(Dossier.receipt_code).where(Dossier.permit_id == permit_id, Dossier.id != d.id))
        field, value = "permit_id", permit_id
    if taken is not None:
        raise Conflict(f"Giấy phép số {value} đã gắn với hồ sơ {taken}", field=field)
    d.permit_id, d.press_licence_id = permit_id, press_licence_id


def move(
    session: Session,
    cal: WorkCalendar,
    code: str,
    data: DossierMove,
    *,
    actor: str,
    now: datetime,
    expected_version: int | None,
) -> Dossier:
    """Move a dossier along its life, if the rules allow it, recording who, when and why."""
    d = get_dossier(session, code, for_update=True)
    check_version(d, expected_version, what=f"Hồ sơ {d.receipt_code}")
    current, target = Status(d.status), data.to
    allowed = TRANSITIONS[current]
    if target not in allowed:
        # In words (the codes stay in ``allowed`` for programs): «Chờ bổ sung hồ sơ …», not awaiting_supplement.
        names = ", ".join(f"«{STATUS_NAMES[s]}»" for s in sorted(allowed, key=lambda s: s.value)) or (
            "không có (hồ sơ đã kết thúc)"
        )
        raise InvalidTransition(
            f"Không thể chuyển hồ sơ {d.receipt_code} từ «{STATUS_NAMES[current]}» sang «{STATUS_NAMES[target]}»; "
            f"được phép: {names}",
            current_state=current.value,
            allowed=sorted(s.value for s in allowed),
        )
    at = aware(data.at or now)
    last = d.events[-1].at if d.events else d.received_at
    if at < last:
        raise ValidationFailed(
            "Thời điểm không hợp lệ", [FieldError(f"Không được trước bước trước ({last.isoformat()})", field="at")]
        )
    if at > now + CLOCK_SKEW:
        raise ValidationFailed("Thời điểm không hợp lệ", [FieldError("Không được ở tương lai", field="at")])
    on = vn_date(at)
    if target in (Status.refused, Status.sent_back, Status.withdrawn) and not data.note:
        raise ValidationFailed("Thiếu lý do", [FieldError("Cần nêu lý do", field="note")])
    if (data.permit_id or data.press_licence_id) and target != Status.result_ready:
        raise ValidationFailed(
            "Chỉ liên kết giấy phép khi có kết quả", [FieldError("Chỉ dùng khi to = result_ready", field="permit_id")]
        )
    steps = _step_count(d)
    if data.step_no is not None and data.step_no > steps:
        raise ValidationFailed(
            "Bước không hợp lệ", [FieldError(f"Quy trình có {steps} bước", field="step_no", value=data.step_no)]
        )
    if current == Status.awaiting_supplement and d.supplement_since is not None:
        # The clock stopped while the applicant completed the dossier: the appointment moves by those days.
        paused = max(0, _count(cal, d.supplement_since, on))
        if paused:
            d.due_date = cal.add_working_days(d.due_date, paused)
            d.paused_working_days += paused
        d.supplement_since = None
    if target == Status.sent_back:
        rules = deadlines.rules_on(session, d.received_on)
        limit = deadlines.send_back_limit(cal, d.counted_from, rules)
        if on > limit:
            raise InvalidTransition(
                f"Quá thời hạn trả lại hồ sơ: chỉ trả lại trong {rules.send_back_working_days} ngày làm việc "
                f"(đến hết {limit:%d/%m/%Y}); hãy yêu cầu bổ sung hoặc giải quyết hồ sơ"
            )
        d.sent_back_on = on
    elif target == Status.withdrawn:
        d.withdrawn_on = on
    elif target == Status.awaiting_supplement:
        d.supplement_since = on
    elif target in (Status.result_ready, Status.refused):
        d.result = Result.approved.value if target == Status.result_ready else Result.refused.value
        d.resolved_on = on
        d.step_no = steps
    elif target == Status.returned:
        d.returned_on = on
    if target == Status.transferred:
        d.step_no = data.step_no or min(2, steps)
    elif target == Status.in_progress:
        d.step_no = data.step_no or max(d.step_no or 1, min(2, steps))
    elif data.step_no is not None:
        d.step_no = data.step_no
    d.status = target.value
    if target == Status.result_ready:
        link_record(session, d, permit_id=data.permit_id, press_licence_id=data.press_licence_id)
    d.events.append(DossierEvent(status=target.value, step_no=d.step_no, at=at, actor=actor, note=data.note))
    touch(d)
    _flush(session)
    return d


def _count(cal: WorkCalendar, start: date, end: date) -> int:
    try:
        return cal.count_working_days(start, end)
    except OutOfCalendar as exc:
        raise ValidationFailed("Ngày ngoài lịch làm việc", [FieldError(str(exc), field="at")]) from exc


def _flush(session: Session) -> None:
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:  # two officers linking the same licence at once
        raise Conflict("Giấy phép đã gắn với hồ sơ khác") from exc


def apologise(
    session: Session,
    cal: WorkCalendar,
    code: str,
    data: ApologyIn,
    *,
    actor: str,
    now: datetime,
    expected_version: int | None,
) -> Dossier:
    """The apology with a new appointment: once, at least a day before the appointment, later than it."""
    d = get_dossier(session, code, for_update=True)
    check_version(d, expected_version, what=f"Hồ sơ {d.receipt_code}")
    if Status(d.status) not in OPEN:
        raise InvalidTransition(f"Hồ sơ {d.receipt_code} đã kết thúc: không hẹn lại được")
    if d.apology_on is not None:
        raise Conflict(
            f"Hồ sơ {d.receipt_code} đã được hẹn lại ngày {d.apology_on:%d/%m/%Y}; chỉ được hẹn lại một lần",
            field="new_due_date",
        )
    today = vn_date(now)
    on = data.on or today
    errors = []
    if on < d.received_on or on > today:
        errors.append(FieldError("Ngày phát hành phải từ ngày nhận hồ sơ đến hôm nay", field="on"))
    lead = deadlines.rules_on(session, d.received_on).apology_lead_days
    if (d.due_date - on).days < lead:
        errors.append(
            FieldError(
                f"Phiếu xin lỗi phải phát hành chậm nhất {lead} ngày trước ngày hẹn ({d.due_date:%d/%m/%Y})",
                field="on",
            )
        )
    if data.new_due_date <= d.due_date:
        errors.append(FieldError("Ngày hẹn mới phải sau ngày hẹn hiện tại", field="new_due_date"))
    else:
        try:
            working = cal.is_working_day(data.new_due_date)
        except OutOfCalendar as exc:
            raise ValidationFailed("Ngày ngoài lịch làm việc", [FieldError(str(exc), field="new_due_date")]) from exc
        if not working:
            errors.append(FieldError("Ngày hẹn mới phải là ngày làm việc", field="new_due_date"))
    if errors:
        raise ValidationFailed("Phiếu xin lỗi không hợp lệ", errors)
    # The apology's moment: now when issued today, otherwise the afternoon of the day it was issued.
    moment = now if on == today else datetime.combine(on, time(16, 0), tzinfo=VIETNAM)
    d.pre_apology_due_date, d.due_date = d.due_date, data.new_due_date
    d.apology_on, d.apology_reason = on, data.reason
    d.events.append(
        DossierEvent(
            status=d.status,
            step_no=d.step_no,
            at=max(moment, d.events[-1].at if d.events else d.received_at),
            actor=actor,
            note=f"Xin lỗi, hẹn lại ngày {data.new_due_date:%d/%m/%Y}: {data.reason}",
        )
    )
    touch(d)
    session.flush()
    return d


def attach_record(
    session: Session, code: str, *, permit_id: int | None, press_licence_id: int | None, expected_version: int | None
) -> Dossier:
    d = get_dossier(session, code, for_update=True)
    check_version(d, expected_version, what=f"Hồ sơ {d.receipt_code}")
    if permit_id is None and press_licence_id is None:
        raise ValidationFailed(
            "Thiếu giấy phép", [FieldError("Cần permit_id hoặc press_licence_id", field="permit_id")]
        )
    link_record(session, d, permit_id=permit_id, press_licence_id=press_licence_id)
    touch(d)
    _flush(session)
    return d


def dossier_for_record(session: Session, *, permit_id: int | None = None, press_licence_id: int | None = None) -> Any:
    """The dossier that produced a permit or licence (for the permit's and licence's views)."""
    if permit_id is not None:
        return session.scalar(select(Dossier).where(Dossier.permit_id == permit_id))
    return session.scalar(select(Dossier).where(Dossier.press_licence_id == press_licence_id))


# --- bulk: the legacy import and the demo ----------------------------------------------------------------


@dataclass(frozen=True)
class DossierRow:
    """A dossier as a legacy system (or the demo) hands it over: its story told by dates."""

    receipt_code: str
    procedure: Procedure
    applicant: str
    applicant_kind: str
    channel: Channel
    received_at: datetime
    status: Status
    due_date: date | None = None
    resolved_on: date | None = None  # result ready / refused / sent back / withdrawn on this day
    returned_on: date | None = None  # result handed over
    apology_on: date | None = None
    pre_apology_due_date: date | None = None


def bulk_create(session: Session, cal: WorkCalendar, rows: Iterable[DossierRow], *, actor: str) -> list[Dossier]:
    """Dossiers whose story is already told (checked by the caller), in one flush; the appointment is
    computed when not given. Each gets the events its dates tell."""
    out = []
    book = RuleBook.load(session)
    for r in rows:
        received_at = aware(r.received_at)
        start, computed = deadlines.appointment(
            cal,
            received_at=received_at,
            channel=r.channel,
            value=r.procedure.time_value,
            unit=r.procedure.time_unit,
            rules=deadlines.OneStopRules.on(book, vn_date(received_at)),
        )
        due = r.due_date or computed
        first_due = r.pre_apology_due_date or due
        steps = max(1, len(r.procedure.steps))
        d = Dossier(
            receipt_code=r.receipt_code,
            procedure=r.procedure,
            applicant_kind=r.applicant_kind,
            applicant_name=r.applicant,
            channel=r.channel.value,
            received_at=received_at,
            received_on=vn_date(received_at),
            counted_from=min(start, first_due, due),
            first_due_date=first_due,
            due_date=due,
            pre_apology_due_date=r.pre_apology_due_date,
            apology_on=r.apology_on,
            paused_working_days=0,
            status=r.status.value,
            step_no=steps if r.status in (Status.result_ready, Status.refused, Status.returned) else 1,
            source="import",
        )
        events = [DossierEvent(status=Status.received.value, step_no=1, at=received_at, actor=actor, note="Tiếp nhận")]
        closing = {
            Status.result_ready: Status.result_ready,
            Status.returned: Status.result_ready,
            Status.refused: Status.refused,
            Status.sent_back: Status.sent_back,
            Status.withdrawn: Status.withdrawn,
        }.get(r.status)
        if closing is not None:
            assert r.resolved_on is not None
            if closing in (Status.result_ready, Status.refused):
                d.result = Result.approved.value if closing == Status.result_ready else Result.refused.value
                d.resolved_on = r.resolved_on
            elif closing == Status.sent_back:
                d.sent_back_on = r.resolved_on
            else:
                d.withdrawn_on = r.resolved_on
            events.append(DossierEvent(status=closing.value, step_no=d.step_no, at=end_of(r.resolved_on), actor=actor))
        elif r.status != Status.received:
            events.append(DossierEvent(status=r.status.value, step_no=1, at=received_at, actor=actor))
            if r.status == Status.awaiting_supplement:
                d.supplement_since = d.received_on
        if r.status == Status.returned:
            assert r.returned_on is not None
            d.returned_on = r.returned_on
            handed = DossierEvent(status=Status.returned.value, step_no=steps, at=end_of(r.returned_on), actor=actor)
            events.append(handed)
        d.events = events
        out.append(d)
    session.add_all(out)
    session.flush()
    return out


def end_of(day: date) -> datetime:
    """A closing day as a moment: 16:30 Vietnam time (legacy systems and a back-dated hand-over keep only
    the day)."""
    return datetime(day.year, day.month, day.day, 16, 30, tzinfo=VIETNAM)


def paper(channel: str) -> bool:
    return Channel(channel) in PAPER_CHANNELS
