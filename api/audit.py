"""Reading the audit trail: by entity, actor and period (admins and the roles owning the entity)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from api.access import require
from api.bodies.audit import AuditEvents
from api.deps import PageDep, SessionDep
from registry.accounts.permissions import Grant, check_history
from registry.audit.queries import event_dict, record_history
from registry.audit.views import audit_page
from registry.audit.words import describe, line_dict
from registry.schemas import Moment

router = APIRouter(prefix="/api/audit", tags=["Nhật ký thay đổi"])
AuditRead = Annotated[Grant, Depends(require("audit", "read"))]


@router.get(
    "",
    summary="Nhật ký thay đổi, mới nhất trước (lọc theo loại bản ghi, mã, người sửa, thời gian)",
    response_model=AuditEvents,
)
def audit_events(
    session: SessionDep,
    grant: AuditRead,
    pg: PageDep,
    entity: Annotated[str | None, Query(max_length=40, description="site, station, sector, user …")] = None,
    id: Annotated[str | None, Query(max_length=64, description="Số hiệu bản ghi (cần entity)")] = None,  # noqa: A002
    actor: Annotated[str | None, Query(max_length=100, description="Tên đăng nhập, hoặc cli:<người dùng>")] = None,
    action: Literal["create", "update", "delete", "sign_in", "sign_in_refused"] | None = None,
    since: Annotated[Moment | None, Query(description="Từ thời điểm (ISO 8601)")] = None,
    until: Annotated[Moment | None, Query(description="Trước thời điểm (ISO 8601)")] = None,
) -> dict[str, Any]:
    # The same page of events the back office's audit page shows, each also in words.
    return audit_page(
        session, grant.principal, entity=entity, id=id, actor=actor, action=action, since=since, until=until,
        limit=pg.limit, offset=pg.offset,
    )  # fmt: skip


def history(
    session: Session, grant: Grant, entity_type: str, entity_id: int, *, limit: int, offset: int
) -> dict[str, Any]:
    """One record's history with its children's, for the per-record endpoints and the record pages.

    Each event keeps the trail as recorded (``changes``: field → before, after) and gains ``words``:
    the same event in Vietnamese (registry.audit.words), which the pages draw."""
    check_history(grant.principal, entity_type)
    rows, total = record_history(session, entity_type, entity_id, limit=limit, offset=offset)
    said = describe(session, rows)
    return {
        "total": total,
        "limit": limit,
        "offset": offset,
        "events": [{**event_dict(e), "words": line_dict(w)} for e, w in zip(rows, said, strict=True)],
    }
