"""Inspections and sanction decisions: create, conclude, record payment; unpaid sanctions on a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from registry.cases.enforcement_models import (
    SANCTION_STATUS_NAMES,
    Finding,
    Inspection,
    RemedialMeasure,
    Sanction,
    SanctionStatus,
)
from registry.cases.schemas import FindingDone, InspectionConclude, InspectionCreate, SanctionCreate, SanctionPatch
from registry.cases.service import LINK_CHECKS, get_case
from registry.errors import Conflict, FieldError, NotFound, ValidationFailed
from registry.lookup import one
from registry.rules.book import RuleBook
from registry.text import grouped
from registry.versions import check_version, touch

# The days to pay from delivery of the decision and the late fee per day are rule values
# (sanction.payment_days, sanction.late_fee_percent_per_day; registry/rules), those in force on the
# day the decision was delivered.


def _case_id(session: Session, code: str | None, field: str) -> int | None:
    if code is None:
        return None
    try:
        return get_case(session, code).id
    except NotFound as exc:
        raise ValidationFailed(exc.detail, [FieldError(exc.detail, field=field)]) from exc


def get_inspection(session: Session, inspection_id: int, *, for_update: bool = False) -> Inspection:
    return one(
        session,
        Inspection,
        Inspection.id == inspection_id,
        missing=f"Không có cuộc thanh tra số hiệu {inspection_id}",
        for_update=for_update,
    )


def create_inspection(session: Session, data: InspectionCreate) -> Inspection:
    case_id = _case_id(session, data.case_code, "case_code")
    if case_id is not None and session.scalar(select(Inspection.id).where(Inspection.case_id == case_id)):
        raise Conflict(f"Hồ sơ {data.case_code} đã có cuộc thanh tra", field="case_code")
    if data.direct_end_on and data.announced_on and data.direct_end_on < data.announced_on:
        raise ValidationFailed("Ngày không hợp lệ", [FieldError("Kết thúc trước ngày công bố", field="direct_end_on")])
    record = Inspection(
        case_id=case_id,
        **data.model_dump(exclude={"case_code", "findings"}),
        extensions=0,
        conclusion_published=False,
    )
    record.findings = [Finding(**f.model_dump()) for f in data.findings]
    session.add(record)
    session.flush()
    return record


def conclude_inspection(
    session: Session, inspection_id: int, data: InspectionConclude, *, expected_version: int | None
) -> Inspection:
    record = get_inspection(session, inspection_id, for_update=True)
    check_version(record, expected_version, what=f"Cuộc thanh tra {inspection_id}")
    if record.direct_end_on and data.concluded_on < record.direct_end_on:
        raise ValidationFailed(
            "Ngày không hợp lệ", [FieldError("Kết luận trước khi kết thúc thanh tra trực tiếp", field="concluded_on")]
        )
    record.conclusion_number, record.concluded_on = data.conclusion_number, data.concluded_on
    record.conclusion, record.conclusion_published = data.conclusion, data.published
    if data.findings is not None:
        record.findings = [Finding(**f.model_dump()) for f in data.findings]
    touch(record)
    session.flush()
    return record


def mark_finding(
    session: Session, inspection_id: int, finding_id: int, data: FindingDone, *, expected_version: int | None
) -> Inspection:
    """A finding's recommendation done on a day (or not done: ``done_on`` None), the other findings kept."""
    record = get_inspection(session, inspection_id, for_update=True)
    check_version(record, expected_version, what=f"Cuộc thanh tra {inspection_id}")
    finding = next((f for f in record.findings if f.id == finding_id), None)
    if finding is None:
        raise NotFound(f"Cuộc thanh tra {inspection_id} không có phát hiện số hiệu {finding_id}")
    if data.done_on is not None and data.done_on < record.decision_date:
        raise ValidationFailed("Ngày không hợp lệ", [FieldError("Trước ngày quyết định thanh tra", field="done_on")])
    finding.done_on = data.done_on
    touch(record)
    session.flush()
    return record


def inspection_dict(record: Inspection) -> dict[str, Any]:
    return {
        "id": record.id,
        "decision_number": record.decision_number,
        "decision_date": record.decision_date.isoformat(),
        "issuer": record.issuer,
        "subject": record.subject,
        "scope": record.scope,
        "team": list(record.team),
        "announced_on": _iso(record.announced_on),
        "direct_end_on": _iso(record.direct_end_on),
        "conclusion_number": record.conclusion_number,
        "concluded_on": _iso(record.concluded_on),
        "conclusion_published": record.conclusion_published,
        "conclusion": record.conclusion,
        "findings": [
            {
                "id": f.id,
                "finding": f.finding,
                "recommendation": f.recommendation,
                "deadline": _iso(f.deadline),
                "done_on": _iso(f.done_on),
            }
            for f in record.findings
        ],
        "version": record.version,
    }


def _iso(d: date | None) -> str | None:
    return d.isoformat() if d else None


# --- sanctions -------------------------------------------------------------------------------------


def _check_fine(data: SanctionCreate) -> None:
    errors = []
    if data.bracket_max_vnd < data.bracket_min_vnd:
        errors.append(FieldError("Mức tối đa nhỏ hơn mức tối thiểu", field="bracket_max_vnd"))
    factor = 2 if data.violator_kind == "organisation" else 1
    low, high = data.bracket_min_vnd * factor, data.bracket_max_vnd * factor
    if not low <= data.fine_vnd <= high:
        who = "tổ chức (gấp đôi cá nhân)" if factor == 2 else "cá nhân"
        errors.append(
            FieldError(f"Mức phạt với {who} phải từ {grouped(low)} đến {grouped(high)} đồng", field="fine_vnd")
        )
    if data.violator_kind == "organisation" and not data.tax_code:
        errors.append(FieldError("Tổ chức vi phạm cần mã số thuế", field="tax_code"))
    if errors:
        raise ValidationFailed("Quyết định xử phạt không hợp lệ", errors)


def get_sanction(session: Session, sanction_id: int, *, for_update: bool = False) -> Sanction:
    return one(
        session,
        Sanction,
        Sanction.id == sanction_id,
        missing=f"Không có quyết định xử phạt số hiệu {sanction_id}",
        for_update=for_update,
    )


def create_sanction(session: Session, data: SanctionCreate) -> Sanction:
    _check_fine(data)
    if session.scalar(select(Sanction.id).where(Sanction.number == data.number)):
        raise Conflict(f"Quyết định số {data.number} đã có", field="number")
    if data.inspection_id is not None and session.get(Inspection, data.inspection_id) is None:
        raise ValidationFailed("Không có cuộc thanh tra", [FieldError("Không có", field="inspection_id")])
    linked = data.linked if data.linked is not None and data.linked.entity != "organisation" else None
    if linked is not None and session.execute(text(LINK_CHECKS[linked.entity]), {"code": linked.code}).first() is None:
        raise ValidationFailed("Bản ghi liên quan không tồn tại", [FieldError("Không có", field="linked.code")])
    record = Sanction(
        **data.model_dump(exclude={"case_code", "linked", "measures"}),
        case_id=_case_id(session, data.case_code, "case_code"),
        linked_entity=data.linked.entity if data.linked and data.linked.entity != "organisation" else None,
        linked_code=data.linked.code if data.linked and data.linked.entity != "organisation" else None,
        status=SanctionStatus.delivered.value if data.delivered_on else SanctionStatus.issued.value,
    )
    record.measures = [RemedialMeasure(**m.model_dump()) for m in data.measures]
    session.add(record)
    session.flush()
    return record


def status_moves(record: Sanction) -> list[str]:
    """The statuses an officer may move a decision to by hand: enforcement once delivered and unpaid,
    a complaint, annulment; a complaint not upheld puts it back. Delivery and payment move it by their
    dates (``delivered_on``, ``paid_on``); an annulled decision moves no more."""
    now = record.status
    if now == SanctionStatus.annulled:
        return []
    moves = []
    if now == SanctionStatus.complained:
        moves.append(SanctionStatus.delivered.value if record.delivered_on else SanctionStatus.issued.value)
    if now == SanctionStatus.delivered and record.paid_on is None:
        moves.append(SanctionStatus.enforced.value)
    if now != SanctionStatus.complained:
        moves.append(SanctionStatus.complained.value)
    return [*moves, SanctionStatus.annulled.value]


def _check_move(record: Sanction, data: SanctionPatch, fields: dict[str, Any]) -> None:
    errors = []
    to = fields.get("status")
    if to is not None and to != record.status and to not in status_moves(record):
        before, after = SANCTION_STATUS_NAMES[SanctionStatus(record.status)], SANCTION_STATUS_NAMES[SanctionStatus(to)]
        errors.append(FieldError(f"Không chuyển được quyết định {before} sang {after}", field="status"))
    if fields.get("delivered_on") is not None and data.delivered_on < record.decided_on:  # type: ignore[operator]
        errors.append(FieldError("Trước ngày quyết định", field="delivered_on"))
    if fields.get("paid_on") is not None and record.status == SanctionStatus.annulled:
        errors.append(FieldError("Quyết định đã hủy", field="paid_on"))
    if errors:
        raise ValidationFailed("Không cập nhật được quyết định xử phạt", errors)


def update_sanction(
    session: Session, sanction_id: int, data: SanctionPatch, *, expected_version: int | None
) -> Sanction:
    record = get_sanction(session, sanction_id, for_update=True)
    check_version(record, expected_version, what=f"Quyết định {record.number}")
    fields = data.model_dump(exclude_unset=True)
    _check_move(record, data, fields)
    if fields.get("delivered_on") is not None:
        record.delivered_on = data.delivered_on
        if record.status == SanctionStatus.issued:
            record.status = SanctionStatus.delivered.value
    if fields.get("paid_on") is not None:
        if data.paid_on < record.decided_on:  # type: ignore[operator]
            raise ValidationFailed("Ngày nộp không hợp lệ", [FieldError("Trước ngày quyết định", field="paid_on")])
        record.paid_on = data.paid_on
        record.status = SanctionStatus.paid.value
    if fields.get("status") is not None:
        record.status = data.status  # type: ignore[assignment]
    if data.measures is not None:
        record.measures = [RemedialMeasure(**m.model_dump()) for m in data.measures]
    touch(record)
    session.flush()
    return record


def payment_due(record: Sanction, book: RuleBook) -> date | None:
    if record.delivered_on is None:
        return None
    return record.delivered_on + timedelta(days=book.value("sanction.payment_days", record.delivered_on))


def late_fee(record: Sanction, on: date, book: RuleBook) -> int:
    """A share of the fine for each day after the payment deadline (until paid, or until ``on``)."""
    due = payment_due(record, book)
    if due is None or record.delivered_on is None:
        return 0
    end = min(record.paid_on or on, on)
    days = (end - due).days
    percent = book.value("sanction.late_fee_percent_per_day", record.delivered_on)
    return round(record.fine_vnd * percent / 100 * days) if days > 0 else 0


def sanction_dict(record: Sanction, *, on: date, book: RuleBook) -> dict[str, Any]:
    due = payment_due(record, book)
    return {
        "id": record.id,
        "number": record.number,
        "decided_on": record.decided_on.isoformat(),
        "issuer": record.issuer,
        "minutes_number": record.minutes_number,
        "violator_kind": record.violator_kind,
        "violator_name": record.violator_name,
        "tax_code": record.tax_code,
        "citation": ", ".join(
            p
            for p in (
                f"điểm {record.point}" if record.point else "",
                f"khoản {record.clause}",
                f"Điều {record.article}",
                record.decree,
            )
            if p
        ),
        "violation": record.violation,
        "bracket_vnd": [record.bracket_min_vnd, record.bracket_max_vnd],
        "fine_vnd": record.fine_vnd,
        "additional_penalties": record.additional_penalties,
        "status": record.status,
        "delivered_on": _iso(record.delivered_on),
        "payment_due": _iso(due),
        "paid_on": _iso(record.paid_on),
        "late_fee_vnd": late_fee(record, on, book),
        "inspection_id": record.inspection_id,
        "linked": None
        if record.linked_entity is None
        else {"entity": record.linked_entity, "code": record.linked_code},
        "measures": [
            {"measure": m.measure, "deadline": m.deadline.isoformat(), "done_on": _iso(m.done_on)}
            for m in record.measures
        ],
        "version": record.version,
    }


def unpaid_past_deadline(session: Session, *, on: date) -> list[Sanction]:
    rows = session.scalars(
        select(Sanction)
        .where(
            Sanction.status.in_([SanctionStatus.issued.value, SanctionStatus.delivered.value]),
            Sanction.paid_on.is_(None),
        )
        .order_by(Sanction.delivered_on, Sanction.id)
    )
    book = RuleBook.load(session)
    return [s for s in rows if (due := payment_due(s, book)) is not None and due < on]
