"""Who is acting and for which request: set at the edge (API middleware, CLI), read by the hook."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

actor: ContextVar[str] = ContextVar("audit_actor", default="anonymous")
request_id: ContextVar[str | None] = ContextVar("audit_request_id", default=None)


@contextmanager
def acting_as(name: str, request: str | None = None) -> Iterator[None]:
    a, r = actor.set(name), request_id.set(request)
    try:
        yield
    finally:
        actor.reset(a)
        request_id.reset(r)
