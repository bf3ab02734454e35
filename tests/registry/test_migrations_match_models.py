"""The schema built by the Alembic migrations is the schema the models describe."""

from __future__ import annotations

import warnings

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

import registry.models
from registry.base import Base


def _ignored(diff: tuple) -> bool:  # type: ignore[type-arg]
    kind = diff[0]
    # PostGIS's own tables (spatial_ref_sys, topology, tiger …) are not ours to describe.
    return bool(kind == "remove_table")


def test_no_difference_between_migrations_and_models(engine: Engine) -> None:
    assert registry.models.__all__
    with engine.connect() as conn, warnings.catch_warnings():
        # Expression indexes with operator classes (trigram search) cannot be compared by Alembic.
        warnings.filterwarnings("ignore", message=".*operator clause.*", category=UserWarning)
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        diffs = [d for d in compare_metadata(context, Base.metadata) if not _ignored(d)]
    assert diffs == [], diffs
