"""Case deadline rules (registry/cases, table ``deadline_rule``) as data an administrator keeps: each
rule as the API shows it, and a new version of a rule from a day on. A version is a row of its own
(codes are unique; the computation picks the row in force on the starting event's day), so a case
accepted before the day keeps the old deadline; the version before it ends that day."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.cases.models import DeadlineRule
from registry.errors import Conflict, FieldError, ValidationFailed
from registry.lookup import one
from registry.rules.schemas import DeadlineRuleVersion
from registry.versions import check_version

# What makes two rows versions of one rule: the same kind of case, step and conditions.
KEY = ("case_kind", "step", "complex", "especially_complex", "remote", "extension_no")


def deadline_rule_dict(r: DeadlineRule) -> dict[str, Any]:
    """A deadline rule as GET /api/deadline-rules answers it."""
    return {
        "code": r.code, "case_kind": r.case_kind, "step": r.step, "duration": r.duration, "unit": r.unit,
        "starts_from": r.starts_from, "complex": r.complex, "especially_complex": r.especially_complex,
        "remote": r.remote, "extension_no": r.extension_no, "description": r.description,
        "legal_basis": r.legal_basis, "certainty": r.certainty, "effective_from": r.effective_from.isoformat(),
        "effective_to": r.effective_to.isoformat() if r.effective_to else None, "version": r.version,
    }  # fmt: skip


def get_deadline_rule(session: Session, code: str, *, for_update: bool = False) -> DeadlineRule:
    return one(
        session, DeadlineRule, DeadlineRule.code == code, missing=f"Không có quy tắc thời hạn {code}",
        for_update=for_update,
    )  # fmt: skip


def versions_of(session: Session, rule: DeadlineRule) -> list[DeadlineRule]:
    """Every version of ``rule`` (itself included), oldest first."""
    stmt = select(DeadlineRule).order_by(DeadlineRule.effective_from, DeadlineRule.code)
    for name in KEY:
        column = getattr(DeadlineRule, name)
        value = getattr(rule, name)
        stmt = stmt.where(column.is_(None) if value is None else column == value)
    return list(session.scalars(stmt))


def new_deadline_version(
    session: Session, code: str, data: DeadlineRuleVersion, *, expected_version: int | None
) -> DeadlineRule:
    old = get_deadline_rule(session, code, for_update=True)
    check_version(old, expected_version, what=f"Quy tắc thời hạn {code}")
    if session.scalar(select(DeadlineRule.id).where(DeadlineRule.code == data.code)) is not None:
        raise Conflict(f"Mã quy tắc {data.code} đã có", field="code")
    later = [r for r in versions_of(session, old) if r.effective_from > old.effective_from]
    if later:
        raise ValidationFailed(
            "Quy tắc thời hạn không hợp lệ",
            [FieldError(f"Quy tắc {code} đã có phiên bản sau ({later[-1].code}): nhập từ phiên bản mới nhất")],
        )  # fmt: skip
    if data.effective_from <= old.effective_from:
        raise ValidationFailed(
            "Quy tắc thời hạn không hợp lệ",
            [FieldError(f"Phải sau ngày hiệu lực của phiên bản hiện hành ({old.effective_from:%d/%m/%Y})",
                        field="effective_from")],
        )  # fmt: skip
    if old.effective_to is None or old.effective_to > data.effective_from:
        old.effective_to = data.effective_from
    row = DeadlineRule(
        code=data.code,
        **{name: getattr(old, name) for name in KEY},
        duration=data.duration,
        unit=data.unit,
        starts_from=data.starts_from or old.starts_from,
        description=data.description or old.description,
        legal_basis=data.legal_basis,
        certainty=data.certainty,
        effective_from=data.effective_from,
        effective_to=None,
    )
    session.add(row)
    session.flush()
    return row
