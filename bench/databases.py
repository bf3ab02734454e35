"""The benchmarks' own databases, beside the registry's: ``<db>_<suffix>`` on the same server."""

from __future__ import annotations

import psycopg
from sqlalchemy.engine import make_url

from registry.cluster import Cluster
from registry.db import database_url
from registry.settings import get_settings


def bench_database(suffix: str, *, keep: bool = False) -> str:
    """The URL of database ``<db>_<suffix>``, made anew (``keep``: reused when it is already there)."""
    settings = get_settings()
    if not settings.database_url:
        Cluster(settings.data_dir).start()
    url = make_url(database_url(settings))
    url = url.set(database=f"{url.database}_{suffix}")
    admin = url.set(drivername="postgresql", database="postgres").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (url.database,)).fetchone()
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{url.database}" WITH (FORCE)')
        if not exists or not keep:
            conn.execute(f'CREATE DATABASE "{url.database}"')
    return url.render_as_string(hide_password=False)
