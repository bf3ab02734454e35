"""What concurrency and fault tests need that the rolled-back test transaction cannot give: a scratch
database of their own (real commits, dropped afterwards) and the app served by a real uvicorn on
127.0.0.1 in a thread, so requests run concurrently through the real pool."""

from __future__ import annotations

import contextlib
import itertools
import os
import socket
import threading
import time
from collections.abc import Iterator
from datetime import timedelta

import psycopg
import uvicorn
from fastapi import FastAPI
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from registry.migrations import upgrade
from registry.settings import Settings
from tests.conftest import TEST_SECRET, _recreate, _test_url


@contextlib.contextmanager
def scratch_database(suffix: str, *, migrated: bool = True) -> Iterator[str]:
    """A database next to the test database (``<test db>_<suffix>``), migrated, with the province's
    units (``migrated=False``: empty, for a test of the migrations themselves); dropped at the end."""
    from fixtures.demo import load_admin_units
    from registry.db import make_engine

    base = make_url(_test_url())
    url = base.set(database=f"{base.database}_{suffix}_{os.getpid()}").render_as_string(hide_password=False)
    _recreate(url)
    try:
        if migrated:
            upgrade(url)
            engine = make_engine(url, scratch_settings())
            with Session(engine) as session, session.begin():
                load_admin_units(session)
            engine.dispose()
        yield url
    finally:
        u = make_url(url)
        admin = u.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{u.database}" WITH (FORCE)')


def scratch_settings(**overrides: object) -> Settings:
    return Settings(environment="production", secret_key=TEST_SECRET, map_tiles_url=None, **overrides)  # type: ignore[arg-type]


_serial = itertools.count(1)


def admin_token(session: Session, settings: Settings) -> str:
    from registry.accounts import tokens
    from registry.accounts.models import User

    user = User(
        username=f"admin-{os.getpid()}-{next(_serial)}",
        roles=["admin"],
        active=True,
        password_hash="x",
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return tokens.issue(session, user, secret=settings.secret(), ttl=timedelta(hours=1)).token


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def served(app: FastAPI) -> Iterator[str]:
    """The app on a real uvicorn in a thread (many requests at once, as in production); its base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("uvicorn did not start within 20 s")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=15)
