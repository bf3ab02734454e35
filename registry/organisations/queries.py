"""Reading organisations: the reference list and the operators a filter offers."""

from __future__ import annotations

from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def organisations(session: Session, *, operator: bool | None = None) -> list[dict[str, Any]]:
    """Code, names, aliases of every organisation (only operators, or only the others, when asked);
    operators first, by short name."""
    rows = session.execute(
        text(
            "SELECT code, name, short_name, is_operator, aliases FROM organisation "
            "WHERE CAST(:op AS boolean) IS NULL OR is_operator = :op ORDER BY is_operator DESC, short_name"
        ),
        {"op": operator},
    ).mappings()
    return [dict(r) for r in rows]


def operator_names(session: Session) -> list[tuple[str, str]]:
    """(code, short name or name) of every operator, by short name."""
    rows = session.execute(
        text("SELECT code, coalesce(short_name, name) FROM organisation WHERE is_operator ORDER BY short_name")
    )
    return [(str(code), str(name)) for code, name in rows]
