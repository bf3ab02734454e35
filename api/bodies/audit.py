"""What the audit trail's routes answer: GET /api/audit and every record's /history (api.audit.history)."""

from __future__ import annotations

from pydantic import Field

from api.bodies import Body, Change


class Ref(Body):
    """Bản ghi được nêu bằng lời, kèm địa chỉ để đọc."""

    href: str
    label: str


class WordsChange(Body):
    field: str | None
    label: str
    before: Ref | str | None
    after: Ref | str | None
    note: str | None = None


class Words(Body):
    """Sự kiện bằng lời, như các trang hiển thị."""

    what: str
    subject: Ref | str | None
    actor: str
    changes: list[WordsChange]


class Event(Body):
    id: int
    occurred_at: str = Field(description="Thời điểm ISO 8601")
    actor: str
    request_id: str | None
    entity: str
    entity_id: str
    action: str
    changes: dict[str, Change] = Field(description="trường → giá trị trước và sau, như đã ghi")
    words: Words


class History(Body):
    """Một trang sự kiện: lịch sử của bản ghi (cùng các bản ghi con), cũ nhất trước; hoặc nhật ký thay đổi."""

    total: int
    limit: int
    offset: int
    events: list[Event]


class AuditEvents(History):
    """Nhật ký thay đổi, mới nhất trước."""
