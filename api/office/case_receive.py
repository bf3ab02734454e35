"""Inspectors receive a case in the back office (/office/cases/new): kind, channel, day, subject and
content, the flags that lengthen its deadlines, unit and handler, the parties as rows, links to
registry records found as one types (api/office/record_search.py), and a position clicked on a small
map. The form's fields are the API's (``CaseCreate``: ``parties.0.name``, ``links.0.code``,
``position.lon``), checked by the same model and saved by the same service (registry.cases.service
.create_case) with the signed-in user as actor: taking a case oneself or leaving it un-assigned, and
naming another handler (an admin's act), follow the service's ``_assign`` rule.

Citizen reception sessions (/office/reception): the sessions with their cases and the year's schedule,
a new session, a session's page, and from it a case received at that session (the channel and the
link to the session set). A denouncer's identity is shown on none of these pages."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.access import require
from api.deps import SessionDep, SettingsDep
from api.office.forms import Form, attempt, form_values, to_model
from api.office.pages import Office, OfficeDep, done, in_thread, page
from maps.assets import LEAFLET_CSS, LEAFLET_JS
from maps.templating import Link, dmy
from maps.widgets import CENTRE
from registry.accounts.models import Role, User
from registry.calendar import service as calendar
from registry.calendar.days import OutOfCalendar
from registry.cases import queries, reception, service
from registry.cases.models import ReceptionSession
from registry.cases.schemas import CaseCreate, ReceptionSessionCreate
from registry.cases.vocabulary import (
    CHANNEL_NAMES,
    CONFIDENTIAL_ROLES,
    KIND_NAMES,
    PARTY_ROLE_NAMES,
    STATE_NAMES,
    CaseKind,
    CaseState,
    Channel,
)
from registry.clock import today

router = APIRouter(prefix="/office", tags=["Văn phòng"], include_in_schema=False)
CASES = ("/office/cases", "Vụ việc, thanh tra")
RECEPTION = ("/office/reception", "Tiếp công dân")
SessionId = Annotated[int, Path(ge=1, le=2**31 - 1)]

LABELS = {
    "kind": "Loại vụ việc",
    "channel": "Kênh tiếp nhận",
    "received_on": "Ngày tiếp nhận",
    "subject": "Nội dung tóm tắt",
    "content": "Nội dung đơn, sự việc",
    "complex": "Vụ việc phức tạp",
    "especially_complex": "Vụ việc đặc biệt phức tạp",
    "remote": "Ở vùng sâu, vùng xa, đi lại khó khăn",
    "unit": "Đơn vị xử lý",
    "handler": "Người xử lý",
    "position.lon": "Kinh độ",
    "position.lat": "Vĩ độ",
    "reception_session_id": "Buổi tiếp công dân",
}
PARTY_PARTS = {
    "role": "vai trò",
    "name": "họ tên, tên cơ quan",
    "id_number": "số định danh, CCCD",
    "address": "địa chỉ",
    "phone": "điện thoại",
    "email": "thư điện tử",
}
LINK_PARTS = {"entity": "loại bản ghi", "code": "mã"}
LINK_ENTITIES = [
    ("site", "Vị trí cột ăng ten (mã vị trí)"),
    ("station", "Trạm gốc (số hiệu)"),
    ("press_outlet", "Cơ quan báo chí (mã)"),
    ("organisation", "Tổ chức, doanh nghiệp (mã)"),
]
MAX_ROWS = 50  # as CaseCreate allows
PARTY_ROWS = 3  # rows a new form shows
LINK_ROWS = 2
SPARE_ROWS = 2  # empty rows under the filled ones; "Thêm dòng" adds more without a script

SESSION_LABELS = {"held_on": "Ngày tiếp", "host": "Người chủ trì", "place": "Địa điểm", "notes": "Ghi chú"}


def _labels(parties: int, links: int) -> dict[str, str]:
    out = dict(LABELS)
    for i in range(parties):
        out |= {f"parties.{i}.{p}": f"Bên {i + 1}: {w}" for p, w in PARTY_PARTS.items()}
    for i in range(links):
        out |= {f"links.{i}.{p}": f"Liên kết {i + 1}: {w}" for p, w in LINK_PARTS.items()}
    return out


def _compact(values: dict[str, Any], group: str, parts: dict[str, str]) -> tuple[dict[str, Any], int]:
    """The rows of ``group`` as typed, blank rows left out and the rest numbered from 0 (so an error
    on ``parties.1.email`` is about the second row the form shows), with how many there are."""
    rows = []
    for i in range(MAX_ROWS + 20):
        row = {p: str(values.get(f"{group}.{i}.{p}") or "").strip() for p in parts}
        if any(row.values()):
            rows.append(row)
    out = {k: v for k, v in values.items() if not k.startswith(group + ".")}
    for i, row in enumerate(rows):
        out |= {f"{group}.{i}.{p}": v for p, v in row.items()}
    return out, len(rows)


def _handlers(session: Session) -> list[tuple[str, str]]:
    """The active users who may handle a case (the service's HANDLER_ROLES), for an admin's choice."""
    users = session.scalars(select(User).where(User.active).order_by(User.username))
    return [
        (u.username, f"{u.full_name} ({u.username})" if u.full_name else u.username)
        for u in users
        if set(u.roles) & service.HANDLER_ROLES
    ]


def _map_data(settings: Any, values: dict[str, Any]) -> dict[str, Any]:
    return {
        "tiles": settings.map_tiles_url,
        "centre": list(CENTRE),
        "zoom": 11,
        "search": "/office/search/records",
        "text": {
            "here": "Vị trí vụ việc",
            "picked": "Đã lấy tọa độ {lat}, {lon} từ bản đồ.",
            "none": "Không tìm thấy bản ghi nào.",
            "count": "{n} kết quả; dùng phím mũi tên lên, xuống và Enter để chọn.",
            "use_site": "Dùng vị trí của {code}",
            "failed": "Không tìm được lúc này; gõ mã rồi lưu, mã sai sẽ được báo.",
        },
    }


def _form_page(
    office: Office, session: Session, settings: Any, form: Form, *, parties: int, links: int,
    received_at: Any = None,
) -> Response:  # fmt: skip
    party_rows = min(MAX_ROWS, max(parties + SPARE_ROWS, PARTY_ROWS))
    link_rows = min(MAX_ROWS, max(links + SPARE_ROWS, LINK_ROWS))
    form.labels = _labels(party_rows, link_rows)
    is_admin = Role.admin.value in office.principal.roles
    return page(
        office,
        "case_form.html",
        title="Tiếp nhận vụ việc" + (f" tại buổi tiếp công dân {dmy(received_at.held_on)}" if received_at else ""),
        status=422 if form.refused else 200,
        f=form,
        party_rows=party_rows,
        link_rows=link_rows,
        kinds=[(k.value, name) for k, name in KIND_NAMES.items()],
        channels=[(c.value, name[:1].upper() + name[1:]) for c, name in CHANNEL_NAMES.items()],
        roles=[(r.value, name) for r, name in PARTY_ROLE_NAMES.items()],
        confidential_roles=[r.value for r in CONFIDENTIAL_ROLES],
        entities=LINK_ENTITIES,
        handlers=_handlers(session) if is_admin else None,
        me=office.principal.username,
        received_at=received_at,
        back=f"/office/reception/{received_at.id}" if received_at else "/office/cases",
        data=_map_data(settings, form.values),
        leaflet_js=LEAFLET_JS,
        leaflet_css=LEAFLET_CSS,
        crumbs=[CASES, (f"/office/reception/{received_at.id}", dmy(received_at.held_on))] if received_at else [CASES],
    )


@router.get("/cases/new", dependencies=[Depends(require("cases", "create"))], summary="Tiếp nhận vụ việc")
def case_new(
    office: OfficeDep,
    session: SessionDep,
    settings: SettingsDep,
    kind: Annotated[CaseKind | None, Query()] = None,
    reception_id: Annotated[int | None, Query(alias="reception", ge=1, le=2**31 - 1)] = None,
) -> Response:
    values: dict[str, Any] = {"received_on": dmy(today()), "channel": Channel.in_person.value}
    if kind is not None:
        values["kind"] = kind.value
    at = None
    if reception_id is not None:
        at = reception.get_session(session, reception_id)
        values |= {"channel": Channel.reception_session.value, "received_on": dmy(at.held_on),
                   "reception_session_id": str(at.id)}  # fmt: skip
    return _form_page(office, session, settings, Form(values=values), parties=0, links=0, received_at=at)


@router.post("/cases/new", dependencies=[Depends(require("cases", "create"))], summary="Tiếp nhận vụ việc")
async def case_create(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    posted = await request.form()
    more = posted.get("action") == "more"
    return await in_thread(_create, office, session, settings, form_values(posted), more)


def _create(office: Office, session: Session, settings: Any, values: dict[str, Any], more: bool) -> Response:
    values = {k: v for k, v in values.items() if k in LABELS or k.startswith(("parties.", "links."))}
    values, parties = _compact(values, "parties", PARTY_PARTS)
    values, links = _compact(values, "links", LINK_PARTS)
    at = None
    raw = str(values.get("reception_session_id") or "")
    if raw.isdigit() and len(raw) < 10:
        at = session.get(ReceptionSession, int(raw))  # unknown: the service refuses it on the field
    form = Form(values=values, labels=_labels(parties, links))
    if more:  # "Thêm dòng": the same form with more empty rows, nothing saved
        return _form_page(office, session, settings, form, parties=parties + 2, links=links + 1, received_at=at)
    case = None
    with attempt(session, form):
        case = service.create_case(session, to_model(CaseCreate, values), actor=office.principal.actor)
    if form.refused or case is None:
        return _form_page(office, session, settings, form, parties=parties, links=links, received_at=at)
    return done(f"/office/cases/{case.code}", "created")


# --- Citizen reception sessions ----------------------------------------------------------------


def _case_rows(office: Office, cases: list[Any]) -> list[dict[str, Any]]:
    """A session's cases: code, kind, subject, state, day — what every case list shows staff (the
    subject is the officer's summary: the form asks for no denouncer's name in it; identities live in
    the parties, shown only to the handler and admins)."""
    rows = []
    for c in cases:
        rows.append({
            "code": Link(f"/office/cases/{c.code}", c.code),
            "kind": KIND_NAMES[CaseKind(c.kind)],
            "subject": c.subject,
            "state": STATE_NAMES[CaseState(c.state)],
            "received_on": dmy(c.received_on),
        })  # fmt: skip
    return rows


CASE_COLUMNS = [
    ("Mã hồ sơ", "code"),
    ("Loại", "kind"),
    ("Nội dung tóm tắt", "subject"),
    ("Trạng thái", "state"),
    ("Ngày nhận", "received_on"),
]


@router.get("/reception", dependencies=[Depends(require("cases", "read"))], summary="Tiếp công dân")
def reception_list(
    office: OfficeDep,
    session: SessionDep,
    settings: SettingsDep,
    year: Annotated[int | None, Query(ge=2015, le=2035)] = None,
) -> Response:
    year = year or today().year
    schedule: list[date] | None
    try:
        schedule = reception.schedule(calendar.load(session), year, settings.reception_day_of_month)
    except OutOfCalendar:
        schedule = None
    sessions = [
        {"record": s, "held_on": dmy(s.held_on), "cases": _case_rows(office, reception.session_cases(session, s))}
        for s in queries.reception_sessions(session)
    ]
    held = {s["record"].held_on for s in sessions}
    return page(
        office,
        "reception.html",
        title="Tiếp công dân",
        year=year,
        schedule=[(dmy(d), d in held, d < today()) for d in schedule] if schedule is not None else None,
        day_of_month=settings.reception_day_of_month,
        sessions=sessions,
        columns=CASE_COLUMNS,
        can_create=office.can("cases", "create"),
        crumbs=[CASES],
    )


def _session_form(office: Office, form: Form) -> Response:
    form.labels = SESSION_LABELS
    return page(office, "reception_form.html", title="Ghi buổi tiếp công dân", status=422 if form.refused else 200,
                f=form, crumbs=[CASES, RECEPTION])  # fmt: skip


@router.get("/reception/new", dependencies=[Depends(require("cases", "create"))], summary="Ghi buổi tiếp công dân")
def reception_new(office: OfficeDep) -> Response:
    return _session_form(office, Form(values={"held_on": dmy(today())}))


@router.post("/reception/new", dependencies=[Depends(require("cases", "create"))], summary="Ghi buổi tiếp công dân")
async def reception_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    return await in_thread(_create_session, office, session, form_values(posted))


def _create_session(office: Office, session: Session, values: dict[str, Any]) -> Response:
    values = {k: v for k, v in values.items() if k in SESSION_LABELS}
    form = Form(values=values, labels=SESSION_LABELS)
    record = None
    with attempt(session, form):
        data = to_model(ReceptionSessionCreate, values)
        record, _ = reception.create_session(session, data, actor=office.principal.actor)
    if form.refused or record is None:
        return _session_form(office, form)
    return done(f"/office/reception/{record.id}", "created")


@router.get("/reception/{session_id}", dependencies=[Depends(require("cases", "read"))], summary="Buổi tiếp công dân")
def reception_page(session_id: SessionId, office: OfficeDep, session: SessionDep) -> Response:
    record = reception.get_session(session, session_id)
    details = [
        ("Ngày tiếp", dmy(record.held_on)),
        ("Người chủ trì", record.host),
        ("Địa điểm", record.place),
        ("Ghi chú", record.notes),
    ]
    return page(
        office,
        "reception_session.html",
        title=f"Buổi tiếp công dân ngày {dmy(record.held_on)}",
        record=record,
        details=details,
        cases=_case_rows(office, reception.session_cases(session, record)),
        columns=CASE_COLUMNS,
        can_create=office.can("cases", "create"),
        crumbs=[CASES, RECEPTION],
    )
