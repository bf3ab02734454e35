"""Sign-in throttling keyed on the client address and the account name together.

Accounts are never locked: locking an account lets anyone lock ``admin`` out with a few requests,
and an account that answers 429 where an unknown name does not tells which names exist. Instead an
attempt is counted against two keys before the password is checked:

- (client address, keyed hash of the lower-cased name): after ``max_failed_logins`` attempts in a
  window the next ones from that address for that name are refused with 429 until the window ends,
  while the same account signs in from any other address;
- (client address, every name): after ``max_failed_logins_per_client`` attempts over all names, so
  one address cannot spray many names.

The window is fixed: it starts with the first counted attempt and lasts ``sign_in_window_minutes``;
when it ends the counts start again (a row whose window has ended is deleted by the next attempt,
so the table stays bounded by the addresses active in one window). A successful sign-in clears its
name's count and takes its attempt back from the address's count, so colleagues behind one address
only add up their failures. Nothing here depends on whether the name is an account's: unknown names
are counted, refused and answered exactly like known ones.

Attempts are counted up front, in their own short transaction (``take``), so parallel requests
cannot all slip in before the first failure is written, and the rows are not kept locked while
argon2 runs.
"""

from __future__ import annotations

import hashlib
import hmac
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import case, delete, func, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import Session

from registry.accounts.models import SignInThrottle
from registry.settings import Settings

EVERY_NAME = b""


@dataclass(frozen=True)
class Ticket:
    """The outcome of counting one attempt."""

    client: str
    name_hash: bytes
    wait_seconds: int | None  # None: go ahead and check the password
    first_refusal: bool  # this attempt is the first one refused in its window (audited; later ones not)


def name_hash(name: str, secret: bytes) -> bytes:
    return hmac.new(secret, b"sign-in:" + name.strip().lower().encode(), hashlib.sha256).digest()


def _count(session: Session, client: str, key: bytes, now: datetime, window: timedelta) -> tuple[int, datetime]:
    """Add one attempt to the key's count (a new window when the old one has ended); the count and
    the window's start."""
    table = SignInThrottle.__table__
    expired = table.c.window_start <= now - window
    stmt = (
        insert(SignInThrottle)
        .values(client=client, name_hash=key, attempts=1, window_start=now)
        .on_conflict_do_update(
            index_elements=[table.c.client, table.c.name_hash],
            set_={
                "attempts": case((expired, 1), else_=table.c.attempts + 1),
                "window_start": case((expired, now), else_=table.c.window_start),
            },
        )
        .returning(table.c.attempts, table.c.window_start)
    )
    attempts, start = session.execute(stmt).one()
    return int(attempts), start


def _wait(start: datetime, window: timedelta, now: datetime) -> int:
    return max(1, math.ceil((start + window - now).total_seconds()))


def take(session: Session, *, client: str, name: str, settings: Settings, now: datetime) -> Ticket:
    """Count one sign-in attempt of ``client`` for ``name``; say whether it may go ahead."""
    window = timedelta(minutes=settings.sign_in_window_minutes)
    session.execute(delete(SignInThrottle).where(SignInThrottle.window_start <= now - window))
    key = name_hash(name, settings.secret())
    client = client[:64]
    all_count, all_start = _count(session, client, EVERY_NAME, now, window)
    count, start = _count(session, client, key, now, window)
    waits, first = [], False
    if all_count > settings.max_failed_logins_per_client:
        waits.append(_wait(all_start, window, now))
        first = first or all_count == settings.max_failed_logins_per_client + 1
    if count > settings.max_failed_logins:
        waits.append(_wait(start, window, now))
        first = first or count == settings.max_failed_logins + 1
    return Ticket(client, key, max(waits) if waits else None, first)


def succeeded(session: Session, ticket: Ticket) -> None:
    """A right password: the name's count is cleared and the address gets its attempt back."""
    session.execute(
        delete(SignInThrottle).where(
            SignInThrottle.client == ticket.client, SignInThrottle.name_hash == ticket.name_hash
        )
    )
    session.execute(
        update(SignInThrottle)
        .where(SignInThrottle.client == ticket.client, SignInThrottle.name_hash == EVERY_NAME)
        .values(attempts=func.greatest(SignInThrottle.attempts - 1, 0))
    )
