"""The audit trail in the back office: search by record (its kind and its code or number), user, action
and days (dd/mm/yyyy), newest first, with paging and the total; each event in words with links to the
records. The same page of events as ``GET /api/audit`` (registry.audit.views.audit_page) under the same
permission: admins see every kind of record, other staff the kinds their roles own."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError

from api.access import require
from api.deps import SessionDep
from api.office.forms import Form
from api.office.lists import Column, Listing, paging
from api.office.pages import OfficeDep, page
from maps.record_pages import history_rows
from registry.audit.views import audit_page, readable_entities, record_id
from registry.audit.words import ACTIONS
from registry.clock import VIETNAM
from registry.errors import RegistryError
from registry.schemas import Day

router = APIRouter(prefix="/office/admin/audit", tags=["Văn phòng"], include_in_schema=False)
PER_PAGE = 50
LABELS = {
    "entity": "Loại bản ghi",
    "id": "Mã hoặc số hiệu bản ghi",
    "actor": "Người thực hiện (tên đăng nhập)",
    "action": "Thao tác",
    "since": "Từ ngày",
    "until": "Đến hết ngày",
}
FIELDS = tuple(LABELS)
_DAY: TypeAdapter[Any] = TypeAdapter(Day)


def _moment(text: str, *, end: bool) -> datetime:
    """A day typed dd/mm/yyyy as the moment it starts (Vietnam time), or, for "until", the next day's start."""
    day = _DAY.validate_python(text)
    return datetime.combine(day + timedelta(days=1) if end else day, time(0), tzinfo=VIETNAM)


@router.get("", dependencies=[Depends(require("audit", "read"))], summary="Nhật ký thay đổi")
def audit_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    q = request.query_params
    values = {name: q.get(name, "").strip()[:100] for name in FIELDS}
    form = Form(labels=LABELS, values=values)
    entities = readable_entities(office.principal)
    pg = paging(request, sorts=[], default_sort=None, per_page=PER_PAGE)
    criteria: dict[str, Any] = {}
    if values["entity"]:
        if values["entity"] not in dict(entities):
            form.errors["entity"] = "Vai trò của bạn không được xem lịch sử loại bản ghi này, hoặc không có loại này"
        else:
            criteria["entity"] = values["entity"]
    if values["id"]:
        if "entity" not in criteria:
            form.errors.setdefault("id", "Chọn loại bản ghi trước khi nhập mã")
        else:
            try:
                criteria["id"] = record_id(session, criteria["entity"], values["id"])
            except RegistryError as exc:
                form.refuse(exc)
    if values["actor"]:
        criteria["actor"] = values["actor"]
    if values["action"]:
        if values["action"] not in ACTIONS:
            form.errors["action"] = "Không có thao tác này"
        else:
            criteria["action"] = values["action"]
    for name in ("since", "until"):
        if values[name]:
            try:
                criteria[name] = _moment(values[name], end=name == "until")
            except ValidationError:
                form.errors[name] = "Ngày không hợp lệ (dd/mm/yyyy)"
    listing = Listing(request, "thay đổi", (Column("when", "Thời điểm"),), [], 0, pg, search=None)
    said = None
    if not form.refused:
        try:
            answer = audit_page(session, office.principal, **criteria, limit=pg.per_page, offset=pg.offset)
        except RegistryError as exc:
            form.refuse(exc)
        else:
            listing.total = answer["total"]
            said = history_rows(answer)  # each row keeps its event's entity and id
    return page(
        office,
        "audit.html",
        title="Nhật ký thay đổi",
        status=422 if form.refused else 200,
        f=form,
        listing=listing,
        said=said,
        entities=entities,
        actions=list(ACTIONS.items()),
        filtered=any(values.values()),
    )
