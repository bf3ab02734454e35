"""The engine's connections open with the bounds of one kind of transaction, so a transaction of that
kind sends nothing to bound itself, and any other kind is bounded per transaction; a connection idle
in the pool is pinged before use and replaced when dead, one used a moment ago is not pinged.

On the test database with engines of their own (only reads: nothing is written)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

import registry.db
from registry.db import WAITS, as_unavailable, bound_waits, make_engine, session_scope
from registry.settings import Settings
from tests.conftest import _test_url
from tests.scratch import scratch_settings

SETTINGS = scratch_settings(
    db_statement_timeout_ms=4_321, db_lock_timeout_ms=1_234, db_long_statement_timeout_ms=98_765, db_pool_size=1
)


@pytest.fixture
def ordinary() -> Iterator[tuple[Engine, list[str]]]:
    """An engine whose (one) connection opens with the ordinary bounds, and the statements it sends."""
    engine = make_engine(_test_url(), SETTINGS, waits="ordinary")
    sent: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, statement, *a: sent.append(statement))
    yield engine, sent
    engine.dispose()


def bounds(session: Session) -> tuple[str, str]:
    row = session.execute(text("SELECT current_setting('statement_timeout'), current_setting('lock_timeout')")).one()
    return row[0], row[1]


def sets_bounds(sent: list[str]) -> int:
    return sum("set_config('statement_timeout'" in s for s in sent)


def session(engine: Engine, kind: str | None, settings: Settings = SETTINGS) -> Session:
    return Session(engine, info={WAITS: (kind, settings)} if kind else {})


def test_a_transaction_of_the_kind_the_connection_opened_with_sends_nothing(ordinary: Any) -> None:
    engine, sent = ordinary
    with session(engine, "ordinary") as s:
        assert bounds(s) == ("4321ms", "1234ms")
        bound_waits(s, "ordinary", SETTINGS)
    assert sets_bounds(sent) == 0
    with session(engine, None) as s:  # a session that asks for nothing has the connection's bounds
        assert bounds(s) == ("4321ms", "1234ms")


def test_other_kinds_are_bounded_per_transaction_and_do_not_leak(ordinary: Any) -> None:
    engine, sent = ordinary
    with session(engine, "long") as s:
        assert bounds(s)[0] == "98765ms"
        s.commit()
        assert bounds(s)[0] == "98765ms", "every transaction of the session, not only the first"
        with s.begin_nested():
            assert bounds(s)[0] == "98765ms"
    assert sets_bounds(sent) == 2
    with session(engine, "unbounded") as s:
        assert bounds(s) == ("0", "0")
    # The same pooled connection, the next transaction: back to what it opened with.
    with session(engine, "ordinary") as s:
        assert bounds(s) == ("4321ms", "1234ms")
    # Settings other than the engine's are applied, not assumed.
    other = scratch_settings(db_statement_timeout_ms=5_555)
    with session(engine, "ordinary", other) as s:
        assert bounds(s)[0] == "5555ms"


def test_the_command_line_is_unbounded_on_the_ordinary_engine(ordinary: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, _ = ordinary
    monkeypatch.setattr(registry.db, "get_sessionmaker", lambda: sessionmaker(bind=engine))
    with session_scope() as s:
        assert bounds(s) == ("0", "0")


def backend(s: Session) -> int:
    return int(s.execute(text("SELECT pg_backend_pid()")).scalar_one())


def kill(pid: int) -> None:
    side = make_engine(_test_url(), SETTINGS)
    try:
        with side.connect() as c:
            assert c.execute(text("SELECT pg_terminate_backend(:p)"), {"p": pid}).scalar_one()
    finally:
        side.dispose()


def test_an_idle_connection_found_dead_is_replaced_before_use(ordinary: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    engine, _ = ordinary
    with session(engine, "ordinary") as s:
        first = backend(s)
    kill(first)
    monkeypatch.setattr(registry.db, "PING_AFTER_IDLE_S", 0.0)  # idle long enough for a ping
    with session(engine, "ordinary") as s:
        assert backend(s) != first  # without the ping this fails (the next test)


def test_a_connection_used_a_moment_ago_is_not_pinged_and_a_dead_one_fails_once(
    ordinary: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    engine, _ = ordinary
    monkeypatch.setattr(registry.db, "PING_AFTER_IDLE_S", 3600.0)
    with session(engine, "ordinary") as s:
        first = backend(s)
    with session(engine, "ordinary") as s:
        assert backend(s) == first
    kill(first)  # not pinged (a ping would find it dead and replace it): the next use fails
    with pytest.raises(DBAPIError) as failed, session(engine, "ordinary") as s:
        backend(s)
    unavailable = as_unavailable(failed.value, SETTINGS)
    assert unavailable is not None and unavailable.status == 503  # the API answers 503 with Retry-After
    with session(engine, "ordinary") as s:  # the pool replaced it
        assert backend(s) != first
