"""Accounts as the back office lists them: searched (user name, full name, e-mail, unit; with or
without diacritics), filtered by role and by active or disabled, sorted and paged in the database."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from registry.accounts.models import AuthToken, User
from registry.text import fold


def _folded(column: Any) -> Any:
    return func.f_unaccent(func.lower(func.coalesce(column, "")))


# The sort keys a list may ask for (``-key``: the other way).
SORTS: dict[str, Any] = {
    "username": User.username,
    "full_name": _folded(User.full_name),
    "unit": _folded(User.unit),
    "active": User.active,
    "created_at": User.created_at,
    "last_login_at": User.last_login_at,
}


def _filtered(q: str | None, roles: Sequence[str], active: bool | None) -> Select[tuple[User]]:
    stmt = select(User)
    if q and (needle := fold(q)):
        stmt = stmt.where(
            or_(
                func.strpos(User.username, needle) > 0,
                func.strpos(_folded(User.full_name), needle) > 0,
                func.strpos(_folded(User.email), needle) > 0,
                func.strpos(_folded(User.unit), needle) > 0,
            )
        )
    if roles:
        stmt = stmt.where(User.roles.overlap(list(roles)))
    if active is not None:
        stmt = stmt.where(User.active.is_(active))
    return stmt


def user_page(
    session: Session,
    *,
    q: str | None = None,
    roles: Sequence[str] = (),
    active: bool | None = None,
    sort: str = "username",
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[User], int]:
    """One page of the accounts that match (every one with ``limit`` None) and how many match."""
    stmt = _filtered(q, roles, active)
    total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
    key = SORTS[sort.lstrip("-")]
    order = key.desc().nulls_last() if sort.startswith("-") else key.asc().nulls_last()
    stmt = stmt.order_by(order, User.username).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return list(session.scalars(stmt)), total


def live_sessions(session: Session, user_id: int) -> int:
    """How many of the account's sign-ins (tokens) are still live: not revoked, not expired."""
    return (
        session.scalar(
            select(func.count())
            .select_from(AuthToken)
            .where(
                AuthToken.user_id == user_id,
                AuthToken.revoked_at.is_(None),
                AuthToken.expires_at > datetime.now(UTC),
            )
        )
        or 0
    )
