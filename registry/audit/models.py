from __future__ import annotations

from datetime import datetime
from functools import cache
from typing import Any, NamedTuple

from sqlalchemy import BigInteger, DateTime, Index, String, Text, func
from sqlalchemy.dialects.postgresql import ARRAY, JSONB
from sqlalchemy.orm import Mapped, Mapper, mapped_column

from registry.base import Base, enum_check


class Audited:
    """Mix in to have every change of the class recorded in ``audit_event``."""

    __audit_entity__: str = ""
    # Columns never written to the trail (secrets, bookkeeping).
    __audit_exclude__: frozenset[str] = frozenset()
    # Foreign-key columns naming the record this one belongs to ({"site_id": "site"}): the events
    # are tagged with the parent so that its history shows them.
    __audit_parents__: dict[str, str] = {}
    # A record that is a part of another (a station's sectors): its changes are written into its
    # owner's events as one field listing the parts (registry.audit.parts), never as events of its own.
    __audit_part_of__: PartOf | None = None


class PartOf(NamedTuple):
    """Where a part's changes go: the owner's entity type, the part's column naming its owner, the
    field of the owner's events that lists the parts, and the column that orders them."""

    owner: str
    column: str
    field: str
    order: str


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_entity", "entity_type", "entity_id", "occurred_at"),
        Index("ix_audit_event_actor", "actor", "occurred_at"),
        Index("ix_audit_event_parents", "parents", postgresql_using="gin"),
        enum_check("action", ["create", "update", "delete", "sign_in", "sign_in_refused"]),
    )

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    actor: Mapped[str] = mapped_column(Text)
    request_id: Mapped[str | None] = mapped_column(String(64))
    entity_type: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))
    # {field: [before, after]}; for a create every before is null, for a delete every after.
    changes: Mapped[dict[str, Any]] = mapped_column(JSONB)
    # "site:12", "station:40": the records this one belonged to before or after the change.
    parents: Mapped[list[str]] = mapped_column(ARRAY(String(80)), default=list, server_default="{}")


@cache
def audited_mappers() -> dict[str, Mapper[Any]]:
    """Every audited class's mapper by entity type (asked once every model is imported: it is kept)."""
    found: dict[str, Mapper[Any]] = {}
    for mapper in Base.registry.mappers:
        cls = mapper.class_
        if issubclass(cls, Audited):
            found[cls.__audit_entity__ or mapper.local_table.name] = mapper  # type: ignore[attr-defined]
    return found
