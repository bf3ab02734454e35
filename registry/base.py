"""Declarative base shared by every registry area: naming convention, timestamps, versions, the
CHECK of a column against its allowed values, and rows in force over a span of days."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import CheckConstraint, ColumnElement, Date, DateTime, Integer, MetaData, and_, func, or_
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Tracked:
    """Creation and update times plus a version that every change increments.

    The increment is SQLAlchemy's version counter (``version_id_col``): every UPDATE of the row sets
    ``version = version + 1`` and names the version it read (``WHERE version = …``), so a change can
    neither forget the bump nor overwrite a change flushed in between (``StaleDataError``, answered as
    a stale version). A flush that changes no column writes nothing and keeps the version. A change
    kept in other rows only (a station's sectors) calls ``registry.versions.touch``. A model whose rows
    also take bookkeeping writes that must not change its ETag sets ``__versions_by_hand__ = True``
    and bumps in its service.
    """

    __versions_by_hand__ = False

    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), server_default=func.now(), onupdate=func.now()
    )
    version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        if cls.__versions_by_hand__:
            return {}
        return {"version_id_col": cls.__table__.c.version}  # type: ignore[attr-defined]


def enum_check(
    column: str, values: Iterable[str | Enum], *, name: str | None = None, or_null: bool = False
) -> CheckConstraint:
    """CHECK (column IN ('a', 'b', …)) over an enum's values; named after the column unless ``name``."""
    listed = ", ".join(repr(v.value if isinstance(v, Enum) else v) for v in values)
    sql = f"{column} IN ({listed})" + (f" OR {column} IS NULL" if or_null else "")
    return CheckConstraint(sql, name=name or column)


class InForce:
    """A rule row in force from ``effective_from`` (inclusive) until ``effective_to`` (exclusive; null: no end).

    ``in_force_on(day)`` is the one filter every query over such rows uses; ``IN_FORCE_SQL`` is the
    same condition for the queries written in SQL.
    """

    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)  # exclusive

    @classmethod
    def in_force_on(cls, day: date | ColumnElement[Any]) -> ColumnElement[bool]:
        return and_(cls.effective_from <= day, or_(cls.effective_to.is_(None), cls.effective_to > day))

    def is_in_force(self, day: date) -> bool:
        return self.effective_from <= day and (self.effective_to is None or day < self.effective_to)


def in_force_sql(on: str = ":on", alias: str = "") -> str:
    """The ``InForce`` condition as SQL text: ``alias`` is a table alias (``"r"``), ``on`` an SQL date."""
    a = f"{alias}." if alias else ""
    return f"{a}effective_from <= {on} AND ({a}effective_to IS NULL OR {a}effective_to > {on})"
