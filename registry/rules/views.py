"""The legal constants as the back office reads them: each code with its value in force on a day and
the next value already entered, and one code's values through time. The same rows GET /api/rules
answers (``service.list_values``), put together per code."""

from __future__ import annotations

from datetime import date
from itertools import groupby
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import NotFound
from registry.rules import service
from registry.rules.models import RuleValue
from registry.rules.words import CERTAINTY_NAMES, area_name, area_of, shown_value, unit_of


def standing(row: Any, on: date) -> str:
    """``current``, ``next`` (starts later) or ``ended`` on ``on``: a row with effective_from/to."""
    if row.effective_from > on:
        return "next"
    if row.effective_to is not None and row.effective_to <= on:
        return "ended"
    return "current"


STANDING_NAMES = {"current": "Đang áp dụng", "next": "Sắp áp dụng", "ended": "Đã hết hiệu lực"}


def value_record(r: RuleValue, on: date) -> dict[str, Any]:
    """One value with its words: the API's fields (``service.value_dict``) and how a page shows them."""
    state = standing(r, on)
    return {
        **service.value_dict(r),
        "shown": shown_value(r.kind, r.value),
        "unit": unit_of(r.code, r.kind),
        "certainty_name": CERTAINTY_NAMES.get(r.certainty, r.certainty),
        "standing": state,
        "standing_name": STANDING_NAMES[state],
    }


def constants(session: Session, *, on: date) -> list[dict[str, Any]]:
    """Every code once, by area then code: its value in force on ``on`` and the next one entered."""
    out = []
    for code, group in groupby(service.list_values(session), key=lambda r: r.code):
        rows = [value_record(r, on) for r in group]
        current = next((r for r in rows if r["standing"] == "current"), None)
        coming = next((r for r in rows if r["standing"] == "next"), None)
        shown = current or coming or rows[-1]
        area = area_of(code)
        out.append(
            {
                "code": code,
                "area": area,
                "area_name": area_name(area),
                "description": shown["description"],
                "kind": shown["kind"],
                "unit": shown["unit"],
                "current": current,
                "next": coming,
                "values": len(rows),
            }
        )
    out.sort(key=lambda c: (c["area_name"], c["code"]))
    return out


def constant_history(session: Session, code: str, *, on: date) -> list[dict[str, Any]]:
    """The values of one code, oldest first; NotFound when the code has none."""
    rows = [value_record(r, on) for r in service.list_values(session, code=code)]
    if not rows:
        raise NotFound(f"Không có quy định mã {code}")
    return rows
