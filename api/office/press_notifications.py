"""Press notifications in the back office: record one (a press conference, a representative office or a
resident correspondent starting, a change …; the outlet page's button opens
``/office/press/notifications/new?outlet_code=X``) and see at once, on its page, whether it was late
against the lead-time rule in force and by how much, as the API computes it
(registry.press.queries.notifications); the list with a "late" filter (the late list), CSV and Excel.

Times are typed dd/mm/yyyy hh:mm in Vietnam's time; the API's model (NotificationCreate) and service
check them as for the API."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api import audit
from api.access import require
from api.deps import SessionDep
from api.office import exports
from api.office.forms import Form, attempt, form_values, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page
from maps.record_pages import history_rows
from maps.templating import Link, State
from registry.accounts.permissions import authorize, can_read_history
from registry.clock import VIETNAM, today
from registry.errors import FieldError, NotFound, ValidationFailed
from registry.press import queries, service
from registry.press.licence_views import duration_words, lateness, shown_moment
from registry.press.models import NOTIFICATION_KIND_NAMES, NotificationKind
from registry.press.schemas import NotificationCreate
from registry.text import fold

router = APIRouter(prefix="/office/press/notifications", tags=["Văn phòng"], include_in_schema=False)
NotificationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
HOME = ("/office/press/notifications", "Thông báo báo chí")
HISTORY_ROWS = 200

LABELS = {
    "outlet_code": "Mã cơ quan báo chí",
    "organiser": "Đơn vị thông báo (khi không phải cơ quan báo chí trong sổ)",
    "kind": "Loại thông báo",
    "subject": "Nội dung",
    "filed_at": "Sở nhận thông báo lúc",
    "event_at": "Thời điểm diễn ra (họp báo, bắt đầu hoạt động, thay đổi)",
    "location": "Địa điểm",
    "notes": "Ghi chú",
}
KIND_OPTIONS = [(k.value, NOTIFICATION_KIND_NAMES[k]) for k in NotificationKind]
MOMENT = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T,]+(\d{1,2})[:hg](\d{2}))?$")

COLUMNS = (
    Column("subject", "Nội dung", "subject"),
    Column("kind", "Loại", "kind"),
    Column("who", "Cơ quan / đơn vị", "who"),
    Column("filed_at", "Nộp lúc", "filed_at"),
    Column("event_at", "Diễn ra lúc", "event_at"),
    Column("lead", "Báo trước", "lead"),
    Column("late", "Thời hạn", "late"),
)


def _rules_today(session: Any) -> dict[str, Any]:
    """The lead-time rule in force today for each kind."""
    day = today()
    return {
        r.kind: r
        for r in service.notification_rules(session)
        if r.effective_from <= day and (r.effective_to is None or r.effective_to > day)
    }


def _moments(values: dict[str, Any], rules: dict[str, Any]) -> dict[str, Any]:
    """The form's dd/mm/yyyy hh:mm into the API's ISO moments (Vietnam time); a day alone is 00:00,
    accepted where the rule counts days, refused where it counts hours."""
    out, errors = dict(values), []
    rule = rules.get(values.get("kind") or "")
    for name in ("filed_at", "event_at"):
        raw = (values.get(name) or "").strip()
        if not raw:
            continue
        match = MOMENT.match(raw)
        if not match:
            errors.append(FieldError("Nhập ngày/tháng/năm giờ:phút, ví dụ 28/11/2026 09:00", field=name))
            continue
        d, m, y, hh, mm = match.groups()
        if hh is None and rule is not None and rule.unit == "hours":
            errors.append(FieldError("Nhập cả giờ:phút: thời hạn báo trước của loại này tính theo giờ", field=name))
            continue
        try:
            moment = datetime(int(y), int(m), int(d), int(hh or 0), int(mm or 0))
        except ValueError:
            errors.append(FieldError("Ngày giờ không có thật", field=name))
            continue
        out[name] = moment.isoformat()
    if errors:
        raise ValidationFailed("Thời điểm không hợp lệ", errors)
    return out


def _rule_hints(rules: dict[str, Any]) -> list[tuple[str, str, str]]:
    return [
        (NOTIFICATION_KIND_NAMES[NotificationKind(kind)], duration_words(r.min_lead, r.unit), r.legal_basis)
        for kind, r in sorted(rules.items(), key=lambda kv: list(NotificationKind).index(NotificationKind(kv[0])))
    ]


# --- record one ------------------------------------------------------------------------------------


def _outlet(session: Any, code: str | None) -> Any:
    if not code:
        return None
    try:
        return service.get_outlet(session, code[:40])
    except NotFound:
        return None


def _new_page(office: Office, session: Any, form: Form, outlet: Any) -> Response:
    back = f"/office/press/outlets/{outlet.code}" if outlet is not None else HOME[0]
    crumbs = [HOME] if outlet is None else [("/office/press/outlets", "Báo chí"), (back, outlet.name)]
    return page(office, "press_notification_form.html", title="Ghi nhận thông báo", f=form, kinds=KIND_OPTIONS,
                status=422 if form.refused else 200, rules=_rule_hints(_rules_today(session)),
                holder=None if outlet is None else {"code": outlet.code, "name": outlet.name},
                back=back, crumbs=crumbs)  # fmt: skip


@router.get("/new", dependencies=[Depends(require("press_notifications", "create"))], summary="Ghi nhận thông báo")
def notification_new(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    params = request.query_params
    outlet = _outlet(session, params.get("outlet_code"))
    values: dict[str, Any] = {"filed_at": f"{datetime.now(VIETNAM):%d/%m/%Y %H:%M}"}
    if outlet is not None:
        values["outlet_code"] = outlet.code
    if params.get("kind") in NotificationKind.__members__:
        values["kind"] = params["kind"]
    return _new_page(office, session, Form(labels=LABELS, values=values), outlet)


@router.post("/new", dependencies=[Depends(require("press_notifications", "create"))], summary="Ghi nhận thông báo")
async def notification_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = form_values(await request.form())
    return await in_thread(_create, office, session, values)


def _create(office: Office, session: Any, values: dict[str, Any]) -> Response:
    form = Form(labels=LABELS, values=values)
    note = None
    with attempt(session, form):
        note = service.create_notification(
            session, to_model(NotificationCreate, _moments(values, _rules_today(session)))
        )
    if form.refused or note is None:
        return _new_page(office, session, form, _outlet(session, values.get("outlet_code")))
    return done(f"/office/press/notifications/{note.id}", "created")


# --- its page --------------------------------------------------------------------------------------


def _details(row: dict[str, Any]) -> list[tuple[str, Any]]:
    who: Any = row["organiser"]
    if row["outlet_code"]:
        who = Link(f"/office/press/outlets/{row['outlet_code']}", f"{row['outlet_name']} ({row['outlet_code']})")
    return [
        (LABELS["kind"], NOTIFICATION_KIND_NAMES[NotificationKind(row["kind"])]),
        ("Cơ quan / đơn vị", who),
        (LABELS["subject"], row["subject"]),
        (LABELS["filed_at"], shown_moment(row["filed_at"])),
        (LABELS["event_at"], shown_moment(row["event_at"])),
        (LABELS["location"], row["location"]),
        ("Quy định áp dụng", row["legal_basis"]),
        (LABELS["notes"], row["notes"]),
        ("Phiên bản", row["version"]),
    ]


@router.get("/{notification_id}", dependencies=[Depends(require("press_notifications", "read"))],
            summary="Thông báo báo chí")  # fmt: skip
def notification_page(notification_id: NotificationId, office: OfficeDep, session: SessionDep) -> Response:
    rows = queries.notifications(session, notification_id=notification_id)
    if not rows:
        raise NotFound(f"Không có thông báo số hiệu {notification_id}")
    row = rows[0]
    history = None
    if can_read_history(office.principal, "press_notification"):
        grant = authorize(office.principal, "audit", "read")
        history = audit.history(session, grant, "press_notification", notification_id, limit=HISTORY_ROWS, offset=0)
    kind = NOTIFICATION_KIND_NAMES[NotificationKind(row["kind"])]
    return page(office, "press_notification.html", title=f"{kind} số hiệu {notification_id}", note=row,
                verdict=lateness(row), details=_details(row), history=history_rows(history),
                crumbs=[HOME])  # fmt: skip


# --- the list --------------------------------------------------------------------------------------


def _row(r: dict[str, Any], *, for_page: bool) -> dict[str, Any]:
    verdict = lateness(r)
    late = verdict["late"]
    who: Any = r["outlet_name"] or r["organiser"]
    if r["outlet_code"] and for_page:
        who = Link(f"/office/press/outlets/{r['outlet_code']}", r["outlet_name"])
    lead = None if r["lead"] is None or r["unit"] is None else duration_words(r["lead"], r["unit"])
    return {
        "subject": Link(f"/office/press/notifications/{r['id']}", r["subject"]) if for_page else r["subject"],
        "kind": NOTIFICATION_KIND_NAMES[NotificationKind(r["kind"])],
        "who": who,
        "filed_at": shown_moment(r["filed_at"]),
        "event_at": shown_moment(r["event_at"]),
        "lead": lead,
        "late": None
        if late is None
        else State(f"muộn {verdict['short_by']}" if late else "đúng hạn", "expired" if late else "valid"),  # fmt: skip
    }


SORTS = {
    "subject": lambda r: fold(r["subject"]),
    "kind": lambda r: r["kind"],
    "who": lambda r: fold(r["outlet_name"] or r["organiser"] or ""),
    "filed_at": lambda r: r["filed_at"],
    "event_at": lambda r: r["event_at"],
    "lead": lambda r: (r["unit"] or "", r["lead"] if r["lead"] is not None else 0.0),
    "late": lambda r: (r["late"] is None, bool(r["late"])),
}


def _listing(request: Request, office: Office, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    pg = paging(request, sorts=list(SORTS), default_sort="-filed_at")
    filters = [
        Filter("late", "Thời hạn báo trước", [("1", "Chỉ thông báo nộp muộn")], many=False),
        Filter("kind", "Loại", KIND_OPTIONS),
    ]
    listing = Listing(request, "thông báo", COLUMNS, [], 0, pg, filters=filters,
                      search="Nội dung, cơ quan, đơn vị (có hoặc không dấu)")  # fmt: skip
    rows = queries.notifications(session, late_only=listing.selected("late") == ["1"])
    if kinds := listing.selected("kind"):
        rows = [r for r in rows if r["kind"] in kinds]
    if q := fold(listing.q.strip()[:200]):
        rows = [r for r in rows if q in fold(" ".join(str(r[k] or "") for k in (
            "subject", "outlet_name", "outlet_code", "organiser", "location")))]  # fmt: skip
    key = (pg.sort or "-filed_at").lstrip("-")
    rows.sort(key=SORTS[key], reverse=(pg.sort or "-filed_at").startswith("-"))
    listing.total = len(rows)
    listing.rows = [_row(r, for_page=True) for r in rows[pg.offset : pg.offset + pg.per_page]]
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"/office/press/notifications.{fmt}" + (f"?{query}" if query else ""))
                       for fmt in ("csv", "xlsx")]  # fmt: skip
    if office.can("press_notifications", "create"):
        listing.actions = [("Ghi nhận thông báo", "/office/press/notifications/new")]
    return listing, [_row(r, for_page=False) for r in rows]


@router.get("", dependencies=[Depends(require("press_notifications", "read"))], summary="Thông báo báo chí")
def notification_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _listing(request, office, session)
    late = listing.selected("late") == ["1"]
    return page(office, "list.html", title="Thông báo nộp muộn" if late else "Thông báo báo chí", listing=listing,
                intro="Thông báo họp báo, mở văn phòng đại diện, phóng viên thường trú, thay đổi; mỗi thông báo được "
                      "so với thời hạn báo trước của quy định có hiệu lực vào ngày nộp.")  # fmt: skip


@router.get(".{fmt}", dependencies=[Depends(require("press_notifications", "read"))], summary="Xuất thông báo")
def notification_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows = _listing(request, office, session)
    return exports.export(fmt, COLUMNS, rows, name="thong-bao-bao-chi", sheet="Thông báo")
