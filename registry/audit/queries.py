"""Reading the trail: events by entity, actor and period, and one record's whole history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from registry.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditFilter:
    entity_type: str | None = None
    entity_id: str | None = None
    actor: str | None = None
    action: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    entity_types: frozenset[str] | None = None  # those the reader may see; None: every type


def _where(stmt: Select[Any], f: AuditFilter) -> Select[Any]:
    if f.entity_type is not None:
        stmt = stmt.where(AuditEvent.entity_type == f.entity_type)
    if f.entity_id is not None:
        stmt = stmt.where(AuditEvent.entity_id == f.entity_id)
    if f.actor is not None:
        stmt = stmt.where(AuditEvent.actor == f.actor)
    if f.action is not None:
        stmt = stmt.where(AuditEvent.action == f.action)
    if f.since is not None:
        stmt = stmt.where(AuditEvent.occurred_at >= f.since)
    if f.until is not None:
        stmt = stmt.where(AuditEvent.occurred_at < f.until)
    if f.entity_types is not None:
        stmt = stmt.where(AuditEvent.entity_type.in_(sorted(f.entity_types)))
    return stmt


def events(session: Session, f: AuditFilter, *, limit: int, offset: int = 0) -> tuple[list[AuditEvent], int]:
    """A page of events, newest first, and how many match."""
    total = session.scalar(_where(select(func.count()).select_from(AuditEvent), f)) or 0
    rows = session.scalars(
        _where(select(AuditEvent), f)
        .order_by(AuditEvent.occurred_at.desc(), AuditEvent.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows), int(total)


def record_history(
    session: Session, entity_type: str, entity_id: int | str, *, limit: int, offset: int = 0
) -> tuple[list[AuditEvent], int]:
    """Every event of one record and of the records that belonged to it (a site's stations and their
    sectors in older trails, even those since moved or deleted), oldest first."""
    tag = f"{entity_type}:{entity_id}"
    # @> (contains) and && (overlap) use the GIN index on parents; "= ANY(parents)" would not.
    children = select(func.concat(AuditEvent.entity_type, ":", AuditEvent.entity_id)).where(
        AuditEvent.parents.contains([tag])
    )
    child_tags = [t for t in session.scalars(children.distinct())]
    condition = or_(
        and_(AuditEvent.entity_type == entity_type, AuditEvent.entity_id == str(entity_id)),
        AuditEvent.parents.overlap([tag, *child_tags]),
    )
    total = session.scalar(select(func.count()).select_from(AuditEvent).where(condition)) or 0
    rows = session.scalars(
        select(AuditEvent).where(condition).order_by(AuditEvent.occurred_at, AuditEvent.id).limit(limit).offset(offset)
    )
    return list(rows), int(total)


def event_dict(event: AuditEvent) -> dict[str, Any]:
    return {
        "id": event.id,
        "occurred_at": event.occurred_at.isoformat(),
        "actor": event.actor,
        "request_id": event.request_id,
        "entity": event.entity_type,
        "entity_id": event.entity_id,
        "action": event.action,
        "changes": {k: {"before": v[0], "after": v[1]} for k, v in sorted(event.changes.items())},
    }


def latest_event_id(session: Session) -> int:
    """The id of the newest audit event (0 when none): it changes with every change of the registry."""
    return int(session.execute(select(func.coalesce(func.max(AuditEvent.id), 0))).scalar_one())


def acted_since(session: Session, actor: str, seconds: float) -> bool:
    """Whether ``actor`` changed anything in the last ``seconds`` by the database's clock (an event's
    time is its transaction's start). The read replicas ask it of a bearer-token client that carries
    no mark of its last write (api.reads): such a reader stays on the primary for that long."""
    since = func.now() - func.make_interval(0, 0, 0, 0, 0, 0, seconds)
    found = select(AuditEvent.id).where(AuditEvent.actor == actor, AuditEvent.occurred_at > since).limit(1)
    return session.execute(found).first() is not None
