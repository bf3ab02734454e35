"""Fetching one record by a key, locked for a change when asked, or NotFound with a Vietnamese message."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import NotFound

T = TypeVar("T")


def one(session: Session, model: type[T], *criteria: Any, missing: str, for_update: bool = False) -> T:
    stmt = select(model).where(*criteria)
    record = session.scalar(stmt.with_for_update(of=model) if for_update else stmt)
    if record is None:
        raise NotFound(missing)
    return record
