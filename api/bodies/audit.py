"""What the audit trail's routes answer: GET /api/audit and every record's /history (api.audit.history)."""

from __future__ import annotations

from pydantic import Field

from api.bodies import Body, Change


class Ref(Body):
    """A record named in words, with where to read it."""

    href: str
    label: str


class WordsChange(Body):
    field: str | None
    label: str
    before: Ref | str | None
    after: Ref | str | None
    note: str | None = None


class Words(Body):
    """The event in Vietnamese, as the pages draw it (registry.audit.words)."""

    what: str
    subject: Ref | str | None
    actor: str
    changes: list[WordsChange]


class Event(Body):
    id: int
    occurred_at: str = Field(description="ISO 8601")
    actor: str
    request_id: str | None
    entity: str
    entity_id: str
    action: str
    changes: dict[str, Change] = Field(description="field → its value before and after, as recorded")
    words: Words


class History(Body):
    """A page of events: a record's history (with its children's), oldest first, or the audit trail."""

    total: int
    limit: int
    offset: int
    events: list[Event]


class AuditEvents(History):
    """The audit trail, newest first."""
