"""Reading legal constants: load every rule value once (a few dozen rows), then ask for a code on a day.

``RuleBook.value(code, on)`` gives the typed value in force on ``on``: int, Decimal, datetime.time or
(month, day). A day with no value in force (before the first) is refused (``MissingRule``, 422), never
answered with a silent default.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import FieldError, ValidationFailed
from registry.rules.models import RuleValue, ValueKind


class MissingRule(ValidationFailed):
    """No value of a rule is in force on the day asked: the day lies before the first value (a date a
    user typed), so it is answered as invalid input naming the rule."""

    def __init__(self, code: str, on: date) -> None:
        message = f"Không có giá trị quy định «{code}» có hiệu lực ngày {on:%d/%m/%Y}"
        super().__init__(message, [FieldError(message, value=on.isoformat(), code="no_rule_in_force")])


def canonical(kind: ValueKind | str, text: str) -> str:
    """The stored form of a value typed as pages show it: a decimal comma becomes a point, a day of the
    year typed ``dd/mm`` becomes ``MM-DD``; anything else is kept (``parse`` then says what is wrong)."""
    kind = ValueKind(kind)
    text = text.strip()
    if kind == ValueKind.decimal and text.count(",") == 1 and "." not in text:
        return text.replace(",", ".")
    if kind == ValueKind.month_day and text.count("/") == 1:
        dd, mm = text.split("/")
        if dd.isdigit() and mm.isdigit() and len(dd) <= 2 and len(mm) <= 2:
            return f"{int(mm):02d}-{int(dd):02d}"
    return text


def parse(kind: ValueKind | str, text: str) -> Any:
    """The typed value of ``text``; ValueError with a Vietnamese reason when it does not read as ``kind``."""
    kind = ValueKind(kind)
    try:
        if kind == ValueKind.integer:
            n = int(text)
            if n < 0:
                raise ValueError
            return n
        if kind == ValueKind.decimal:
            d = Decimal(text)
            if not d.is_finite() or d < 0:
                raise ValueError
            return d
        if kind == ValueKind.time:
            hh, mm = text.split(":")
            if len(hh) != 2 or len(mm) != 2:
                raise ValueError
            return time(int(hh), int(mm))
        mm, dd = text.split("-")
        if len(mm) != 2 or len(dd) != 2:
            raise ValueError
        date(2024, int(mm), int(dd))  # a leap year: 02-29 is a day of some years
        return int(mm), int(dd)
    except (ValueError, InvalidOperation):
        shape = {
            ValueKind.integer: "số nguyên không âm",
            ValueKind.decimal: "số thập phân không âm, ví dụ 0,05",
            ValueKind.time: "giờ dạng HH:MM",
            ValueKind.month_day: "ngày trong năm dạng ngày/tháng, ví dụ 15/01",
        }[kind]
        raise ValueError(f"Giá trị phải là {shape}") from None


@dataclass(frozen=True)
class _Entry:
    start: date
    end: date | None
    value: Any


class RuleBook:
    def __init__(self, rows: list[RuleValue]) -> None:
        self._by_code: dict[str, list[_Entry]] = {}
        for r in sorted(rows, key=lambda r: r.effective_from):
            entry = _Entry(r.effective_from, r.effective_to, parse(r.kind, r.value))
            self._by_code.setdefault(r.code, []).append(entry)

    @classmethod
    def load(cls, session: Session) -> RuleBook:
        return cls(list(session.scalars(select(RuleValue))))

    def value(self, code: str, on: date) -> Any:
        for e in reversed(self._by_code.get(code, [])):
            if e.start <= on and (e.end is None or on < e.end):
                return e.value
        raise MissingRule(code, on)
