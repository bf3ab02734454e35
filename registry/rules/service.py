"""Changing legal constants: a new value from a day on closes the one before it. Codes themselves
come with the code that reads them (migrations); an administrator changes values, never adds codes."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import FieldError, NotFound, ValidationFailed
from registry.rules.book import canonical, parse
from registry.rules.models import RuleValue
from registry.rules.schemas import RuleValueCreate


def list_values(session: Session, *, on: date | None = None, code: str | None = None) -> list[RuleValue]:
    stmt = select(RuleValue).order_by(RuleValue.code, RuleValue.effective_from)
    if code is not None:
        stmt = stmt.where(RuleValue.code == code)
    if on is not None:
        stmt = stmt.where(RuleValue.in_force_on(on))
    return list(session.scalars(stmt))


def add_value(session: Session, data: RuleValueCreate) -> RuleValue:
    history = list_values(session, code=data.code)
    if not history:
        raise NotFound(f"Không có quy định mã {data.code}")
    last = history[-1]
    errors = []
    value = canonical(last.kind, data.value)
    try:
        parse(last.kind, value)
    except ValueError as exc:
        errors.append(FieldError(str(exc), field="value", value=data.value))
    if data.effective_from <= last.effective_from:
        errors.append(
            FieldError(
                f"Phải sau ngày hiệu lực của giá trị hiện hành ({last.effective_from:%d/%m/%Y})",
                field="effective_from",
            )
        )
    if errors:
        raise ValidationFailed("Giá trị quy định không hợp lệ", errors)
    if last.effective_to is None or last.effective_to > data.effective_from:
        last.effective_to = data.effective_from
    row = RuleValue(
        code=data.code,
        kind=last.kind,
        value=value,
        description=data.description or last.description,
        legal_basis=data.legal_basis,
        certainty=data.certainty,
        effective_from=data.effective_from,
        effective_to=None,
    )
    session.add(row)
    session.flush()
    return row


def value_dict(r: RuleValue) -> dict[str, Any]:
    return {
        "id": r.id,
        "code": r.code,
        "kind": r.kind,
        "value": r.value,
        "description": r.description,
        "legal_basis": r.legal_basis,
        "certainty": r.certainty,
        "effective_from": r.effective_from.isoformat(),
        "effective_to": r.effective_to.isoformat() if r.effective_to else None,
        "version": r.version,
    }
