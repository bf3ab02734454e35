"""The audit trail as ``GET /api/audit`` and the back office's audit page read it: who may see which
kinds of record, a record named by its code (or number, or a day), and a page of events, newest
first, each with the trail as recorded and the same event in words (registry.audit.words)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Integer, select
from sqlalchemy.orm import Session

from registry.accounts.models import Role
from registry.accounts.permissions import AUDIT_READERS, Principal, can_read_history, check_history
from registry.audit.models import audited_mappers
from registry.audit.queries import AuditFilter, event_dict, events
from registry.audit.words import ENTITY_NAMES, describe, line_dict
from registry.errors import FieldError, ValidationFailed
from registry.schemas import vietnamese_day

# Columns a record is known by to people, tried in this order when a record is searched by its code.
CODE_COLUMNS = ("code", "receipt_code", "number", "username", "station_code", "decision_number")


def readable_entities(principal: Principal) -> list[tuple[str, str]]:
    """(entity type, its name) of the kinds of record whose history ``principal`` may read."""
    return sorted(
        ((e, ENTITY_NAMES.get(e, e)) for e in AUDIT_READERS if can_read_history(principal, e)), key=lambda kv: kv[1]
    )


def record_id(session: Session, entity_type: str, text: str) -> str:
    """The id the trail keeps for a record typed as its number, its code (a site's code, a dossier's
    receipt code, a user's name …) or, for a calendar day, dd/mm/yyyy. A code nobody has is refused."""
    text = text.strip()
    mapper = audited_mappers().get(entity_type)
    if mapper is None:
        raise ValidationFailed("Tham số không hợp lệ", [FieldError("Không có loại bản ghi này", field="entity")])
    pk = mapper.primary_key[0]
    if not isinstance(pk.type, Integer):
        day = vietnamese_day(text)
        try:
            return date.fromisoformat(day).isoformat() if isinstance(day, str) else text
        except ValueError:
            return text
    if text.isdigit() and len(text) < 12:
        return text
    for name in CODE_COLUMNS:
        if name in mapper.columns:
            found = session.scalars(select(pk).where(mapper.columns[name] == text).limit(2)).all()
            if len(found) == 1:
                return str(found[0])
    raise ValidationFailed(
        "Không tìm thấy bản ghi",
        [FieldError(f"Không có {ENTITY_NAMES.get(entity_type, entity_type)} mã hoặc số «{text[:60]}»", field="id")],
    )


def audit_page(
    session: Session,
    principal: Principal,
    *,
    entity: str | None = None,
    id: str | None = None,  # noqa: A002  (the API's parameter)
    actor: str | None = None,
    action: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    limit: int,
    offset: int,
) -> dict[str, Any]:
    """A page of events newest first, with the total; without an entity a non-admin sees the kinds of
    record their roles own. Each event as recorded and in words."""
    if id is not None and entity is None:
        raise ValidationFailed("Tham số không hợp lệ", [FieldError("id cần đi cùng entity", field="id")])
    if since is not None and until is not None and since >= until:
        raise ValidationFailed("Khoảng thời gian không hợp lệ", [FieldError("Phải trước «đến»", field="since")])
    if entity is not None:
        check_history(principal, entity)
        types = None
    elif Role.admin.value in principal.roles:
        types = None
    else:
        types = frozenset(t for t, roles in AUDIT_READERS.items() if roles & principal.roles)
    f = AuditFilter(entity, id, actor, action, since, until, types)
    rows, total = events(session, f, limit=limit, offset=offset)
    said = describe(session, rows)
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "events": [{**event_dict(e), "words": line_dict(w)} for e, w in zip(rows, said, strict=True)],
    }
