"""What the routes of api/audit.py answer (see api.bodies)."""

from __future__ import annotations

from typing import Any

from api.bodies import Body, Change


class AuditEventsEventWordsSubject(Body):
    href: str
    label: str


class AuditEventsEventWordsChange(Body):
    field: str | None
    label: str
    before: str | None
    after: AuditEventsEventWordsSubject | str
    note: Any


class AuditEventsEventWords(Body):
    what: str
    subject: AuditEventsEventWordsSubject | str | None
    actor: str
    changes: list[AuditEventsEventWordsChange]


class AuditEventsEvent(Body):
    id: int
    occurred_at: str
    actor: str
    request_id: str | None
    entity: str
    entity_id: str
    action: str
    changes: dict[str, Change]
    words: AuditEventsEventWords


class AuditEvents(Body):
    total: int
    limit: int
    offset: int
    events: list[AuditEventsEvent]
