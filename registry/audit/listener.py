"""One session hook that writes an audit event for every flushed change of an ``Audited`` record."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from geoalchemy2 import WKBElement, WKTElement
from geoalchemy2.shape import to_shape
from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session, UOWTransaction
from sqlalchemy.orm.attributes import get_history

from registry.audit import context, parts
from registry.audit.models import Audited, AuditEvent, audited_mappers

# Bookkeeping columns change on every write and say nothing an auditor needs.
SKIPPED = frozenset({"created_at", "updated_at"})


def _plain(value: Any) -> Any:
    if isinstance(value, WKBElement):
        return to_shape(value).wkt
    if isinstance(value, WKTElement):
        return value.data
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _columns(obj: Any) -> list[str]:
    skipped = SKIPPED | getattr(obj, "__audit_exclude__", frozenset())
    return [a.key for a in inspect(obj).mapper.column_attrs if a.key not in skipped]


def _snapshot(obj: Any) -> dict[str, Any]:
    # The loaded state only: a deleted row can no longer be refreshed from the database.
    loaded = inspect(obj).dict
    return {key: _plain(loaded.get(key)) for key in _columns(obj)}


def _diff(obj: Any) -> dict[str, list[Any]]:
    changes: dict[str, list[Any]] = {}
    for key in _columns(obj):
        history = get_history(obj, key)
        if not history.has_changes():
            continue
        before = history.deleted[0] if history.deleted else None
        after = history.added[0] if history.added else None
        if _plain(before) != _plain(after):
            changes[key] = [_plain(before), _plain(after)]
    return changes


def _version_key(obj: Any) -> str | None:
    mapper = inspect(obj).mapper
    if mapper.version_id_col is None:
        return None
    return str(mapper.get_property_by_column(mapper.version_id_col).key)


@event.listens_for(Session, "before_flush")
def _versions_read(session: Session, flush_context: UOWTransaction, instances: Any) -> None:
    # SQLAlchemy counts versions inside the flush (version_id_col), out of the attribute history:
    # the version each changed record was read at is kept here to show the step in its event.
    read = flush_context.attributes.setdefault("audit_versions", {})
    for obj in session.dirty:
        key = _version_key(obj)
        if key is not None:
            read[id(obj)] = inspect(obj).dict.get(key)


def _parents(obj: Any, changes: dict[str, list[Any]]) -> list[str]:
    tags = []
    for column, entity_type in obj.__audit_parents__.items():
        values = changes.get(column) or [getattr(obj, column, None)]
        tags += [f"{entity_type}:{v}" for v in values if v is not None]
    return sorted(set(tags))


def _entity(obj: Any) -> tuple[str, str]:
    state = inspect(obj)
    # A row inserted by this flush has its key in the object but no identity until the flush ends.
    key = state.identity or tuple(state.dict.get(c.key) for c in state.mapper.primary_key)
    return obj.__audit_entity__ or obj.__tablename__, ",".join(str(v) for v in key)


@event.listens_for(Session, "after_flush")
def _record(session: Session, flush_context: UOWTransaction) -> None:
    rows: list[dict[str, Any]] = []
    # Deletes come from the flush itself: orphans removed from a collection (a station's sectors)
    # and cascades are not in ``session.deleted``.
    deleted = [
        state.obj() for state, (is_delete, list_only) in flush_context.states.items() if is_delete and not list_only
    ]
    dirty = [o for o in session.dirty if all(o is not d for d in deleted)]
    changed = [
        (o, action)
        for o, action in [(o, "create") for o in session.new]
        + [(o, "update") for o in dirty]
        + [(o, "delete") for o in deleted]
        if isinstance(o, Audited)
    ]
    # Parts (a station's sectors) go into their owner's event: what they were and are, per owner.
    folded = parts.fold(session, [(o, a) for o, a in changed if o.__audit_part_of__ is not None], SKIPPED, _plain)
    for obj, action in changed:
        if obj.__audit_part_of__ is not None:
            continue
        entity_type, entity_id = _entity(obj)
        field, parts_before, parts_after = folded.pop((entity_type, entity_id), (None, [], []))
        if action == "create":
            # Empty fields of a new (or deleted) record say nothing: only values are kept.
            changes = {k: [None, v] for k, v in _snapshot(obj).items() if v not in (None, [])}
            if field and parts_after:
                changes[field] = [None, parts_after]
        elif action == "delete":
            changes = {k: [v, None] for k, v in _snapshot(obj).items() if v not in (None, [])}
            if field and parts_before:
                changes[field] = [parts_before, None]
        else:
            changes = _diff(obj)
            key = _version_key(obj)
            before = flush_context.attributes.get("audit_versions", {}).get(id(obj))
            after = getattr(obj, key) if key is not None else None
            if key is not None and key not in changes and before is not None and before != after:
                changes[key] = [before, after]
            if field and parts_before != parts_after:
                changes[field] = [parts_before, parts_after]
            if not changes:
                continue
        rows.append(_row(entity_type, entity_id, action, changes, _parents(obj, changes)))
    # Owners whose parts alone changed: an update of that one field.
    for (entity_type, entity_id), (field, parts_before, parts_after) in folded.items():
        if parts_before != parts_after:
            parents = _untouched_owner_parents(session, entity_type, entity_id)
            rows.append(_row(entity_type, entity_id, "update", {field: [parts_before, parts_after]}, parents))
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def _row(entity_type: str, entity_id: str, action: str, changes: dict[str, Any], parents: list[str]) -> dict[str, Any]:
    return {
        "actor": context.actor.get(),
        "request_id": context.request_id.get(),
        "entity_type": entity_type,
        "entity_id": entity_id,
        "action": action,
        "changes": changes,
        "parents": parents,
    }


def _untouched_owner_parents(session: Session, entity_type: str, entity_id: str) -> list[str]:
    """The parent tags of an owner the flush did not touch (its parent columns read from the database)."""
    mapper = audited_mappers()[entity_type]
    parents = mapper.class_.__audit_parents__
    if not parents:
        return []
    (pk,) = mapper.primary_key
    columns = [mapper.local_table.c[c] for c in parents]
    row = session.connection().execute(select(*columns).where(pk == int(entity_id))).one()
    return sorted({f"{parents[c.name]}:{v}" for c, v in zip(columns, row, strict=True) if v is not None})
