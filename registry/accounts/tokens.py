"""Bearer tokens: random, shown to the client once, stored only as an HMAC keyed by the secret key."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry.accounts.models import AuthToken, User

PREFIX = "tttt_"


@dataclass(frozen=True)
class Issued:
    token: str
    expires_at: datetime
    token_id: int


def digest(token: str, secret: bytes) -> bytes:
    return hmac.new(secret, token.encode(), hashlib.sha256).digest()


def issue(session: Session, user: User, *, secret: bytes, ttl: timedelta) -> Issued:
    token = PREFIX + secrets.token_urlsafe(32)
    expires = datetime.now(UTC) + ttl
    row = AuthToken(user_id=user.id, token_hash=digest(token, secret), expires_at=expires)
    session.add(row)
    session.flush()
    return Issued(token, expires, row.id)


def resolve(session: Session, token: str, *, secret: bytes) -> AuthToken | None:
    """The live token row for ``token``: not expired, not revoked, its user active."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = session.scalar(select(AuthToken).where(AuthToken.token_hash == digest(token, secret)))
    if row is None or row.revoked_at is not None or row.expires_at <= datetime.now(UTC) or not row.user.active:
        return None
    return row


def revoke(session: Session, token_id: int) -> None:
    session.execute(
        update(AuthToken).where(AuthToken.id == token_id, AuthToken.revoked_at.is_(None)).values(revoked_at=_now())
    )


def revoke_all(session: Session, user_id: int) -> None:
    session.execute(
        update(AuthToken).where(AuthToken.user_id == user_id, AuthToken.revoked_at.is_(None)).values(revoked_at=_now())
    )


def _now() -> datetime:
    return datetime.now(UTC)
