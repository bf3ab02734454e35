"""Inspectors' cases in the back office: the list and the work lists (mine, overdue, due within N
working days, by unit), a case's page (details, position, parties, deadlines on the working-day
calendar, dated moves, history, inspections and sanctions), its moves through the state machine,
its edit, its reassignment, and its attachments.

Every page calls what the API calls (registry.cases.service and views, api.cases for attachments)
under the same permission. A denouncer's identity reaches only whom ``may_see_identity`` allows (the
handler and admins): the lists and exports carry no party at all.

Deadlines are computed per case in Python (``case_records``: the rules in force and the calendar).
The plain lists filter and page in SQL and compute the deadlines of the page's rows only; the
deadline lists (overdue, due soon, by unit) compute them for the open cases matching the filters,
at most ``TTTT_CASE_DEADLINE_SCAN_MAX`` of them (newest first; the page says so when more were left out)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError

from api import audit
from api import cases as api_cases
from api.access import require
from api.deps import SessionDep, SettingsDep, read_upload
from api.office import exports
from api.office.forms import Form, attempt, changed, form_values, posted_version, to_model, uploaded
from api.office.lists import DAY_CHOICES, Column, Filter, Listing, days_param, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps import assets
from maps.record_pages import ENTITY_NAMES, history_rows
from maps.templating import Link, State, dmy
from registry.accounts.permissions import authorize, can_read_history
from registry.cases import queries, service
from registry.cases.enforcement_models import SANCTION_STATUS_NAMES
from registry.cases.models import Case
from registry.cases.queries import CaseFilter
from registry.cases.schemas import CasePatch, TransitionIn
from registry.cases.views import case_records, deadline_status
from registry.cases.vocabulary import (
    CHANNEL_NAMES,
    KIND_NAMES,
    PARTY_ROLE_NAMES,
    STATE_NAMES,
    STEP_NAMES,
    TRANSITIONS,
    UNIT_NAMES,
    CaseKind,
    CaseState,
    Channel,
)
from registry.clock import today
from registry.errors import FieldError, PermissionDenied, StaleVersion, ValidationFailed
from registry.schemas import Day

router = APIRouter(prefix="/office/cases", tags=["Văn phòng"], include_in_schema=False)
READ = [Depends(require("cases", "read"))]
UPDATE = [Depends(require("cases", "update"))]
HOME = ("/office/cases", "Vụ việc, thanh tra")
CaseCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
AttachmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
HISTORY_ROWS = 200
DAY = TypeAdapter(Day)

# --- the lists -------------------------------------------------------------------------------------

# key: (tab label, intro)
LISTS: dict[str, tuple[str, str]] = {
    "": ("Đang mở", "Các vụ việc chưa kết thúc (chọn trạng thái để xem cả vụ việc đã kết luận, đã đóng)."),
    "mine": ("Việc của tôi", "Vụ việc bạn được giao xử lý, đang mở."),
    "overdue": ("Quá hạn", "Vụ việc đang mở đã quá hạn của bước hiện tại (tính theo lịch làm việc)."),
    "due-soon": ("Sắp đến hạn", "Vụ việc đang mở đến hạn trong số ngày làm việc đã chọn."),
    "by-unit": ("Theo đơn vị", "Số vụ việc đang mở và quá hạn của mỗi đơn vị; bấm tên đơn vị để xem danh sách."),
}
ListKey = Literal["mine", "overdue", "due-soon", "by-unit"]
DUE_SOON_DEFAULT = 7

COLUMNS = (
    Column("code", "Mã hồ sơ", "code"),
    Column("kind", "Loại", "kind"),
    Column("subject", "Nội dung tóm tắt"),
    Column("received", "Ngày nhận", "received"),
    Column("handler", "Người xử lý"),
    Column("unit", "Đơn vị", "unit"),
    Column("state", "Trạng thái", "state"),
    Column("due", "Hạn bước hiện tại"),
    Column("left", "Còn lại"),
)
KIND_OPTIONS = [(k.value, KIND_NAMES[k]) for k in CaseKind]
STATE_OPTIONS = [(s.value, STATE_NAMES[s].capitalize()) for s in CaseState]
CHANNEL_OPTIONS = [(c.value, CHANNEL_NAMES[c].capitalize()) for c in Channel]


def days_left(d: dict[str, Any] | None) -> str | None:
    """The current step's time left in words, on the working-day calendar."""
    if not d or d.get("status") is None:
        return None
    n = d["working_days_left"]
    if d["status"] == "suspended":
        return "tạm đình chỉ (thời gian không tính)"
    if n < 0:
        return f"quá hạn {-n} ngày làm việc"
    return "đến hạn hôm nay" if n == 0 else f"còn {n} ngày làm việc"


def _row(c: dict[str, Any], *, for_page: bool, due_within: int) -> dict[str, Any]:
    d = c["deadlines"]
    status = deadline_status(d, due_within=due_within)
    state = STATE_NAMES[CaseState(c["state"])]
    due = d.get("current_due")
    return {
        "code": Link(f"/office/cases/{c['code']}", c["code"]) if for_page else c["code"],
        "kind": KIND_NAMES[CaseKind(c["kind"])],
        "subject": c["subject"],
        "received": dmy(c["received_on"]) if for_page else date.fromisoformat(c["received_on"]),
        "handler": c["handler"] or ("(chưa giao)" if for_page else None),
        "unit": c["unit"],
        "state": State(state, c["state"]),
        "due": (dmy(due) if for_page else date.fromisoformat(due)) if due else None,
        "left": State(days_left(d), status) if for_page and status else days_left(d),
    }


def _day_param(request: Request, name: str) -> date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        return DAY.validate_python(raw[:20])
    except ValidationError as exc:
        raise ValidationFailed(
            "Tham số không hợp lệ", [FieldError("Ngày không hợp lệ (dd/mm/yyyy)", field=name, value=raw[:20])]
        ) from exc


def _filters(session: Any) -> list[Filter]:
    handlers = [(u, u) for u in service.active_handlers(session)]
    return [
        Filter("kind", "Loại vụ việc", KIND_OPTIONS),
        Filter("state", "Trạng thái", STATE_OPTIONS),
        Filter("channel", "Kênh tiếp nhận", CHANNEL_OPTIONS),
        Filter("handler", "Người xử lý", handlers, many=False),
        Filter("unit", "Đơn vị", [(u, u) for u in queries.units(session)], many=False),
        Filter("received_from", "Nhận từ ngày", (), kind="date"),
        Filter("received_to", "Nhận đến ngày", (), kind="date"),
    ]


def _tabs(key: str, days: int) -> list[tuple[str, str, bool]]:
    out = []
    for k, (label, _) in LISTS.items():
        href = "/office/cases" + (f"/{k}" if k else "")
        if k == "due-soon":
            href, label = f"{href}?days={days}", f"{label} ({days} ngày làm việc)"
        out.append((href, label, k == key))
    return out


def _listing(request: Request, office: Office, session: Any, key: str, *, everything: bool = False
             ) -> tuple[Listing, list[dict[str, Any]], dict[str, Any]]:  # fmt: skip
    """A list's page (or every row for an export): the Listing, the export rows, and extras."""
    deadline_list = key in ("overdue", "due-soon", "by-unit")
    columns = [replace(c, sort=None) for c in COLUMNS] if deadline_list else list(COLUMNS)
    pg = paging(request, sorts=[c.sort for c in columns if c.sort], default_sort=None)
    days = days_param(request, DUE_SOON_DEFAULT) if key == "due-soon" else DUE_SOON_DEFAULT
    filters = _filters(session)
    noun = "vụ việc"
    listing = Listing(request, noun, columns, [], 0, pg, filters=filters, search="Mã hồ sơ hoặc nội dung tóm tắt")
    states = [CaseState(s) for s in listing.selected("state") if s in CaseState.__members__]
    where = CaseFilter(
        units=listing.selected("unit")[:1],
        channels=[Channel(c) for c in listing.selected("channel") if c in Channel.__members__],
        received_from=_day_param(request, "received_from"),
        received_to=_day_param(request, "received_to"),
        q=listing.q.strip()[:200] or None,
        open_only=not states,
    )
    handler = (listing.selected("handler") or [None])[0]
    if key == "mine":
        handler = office.principal.username
    args = {
        "kinds": [CaseKind(k) for k in listing.selected("kind") if k in CaseKind.__members__],
        "states": states,
        "handler": handler,
        "where": where,
    }
    extra: dict[str, Any] = {"days": days, "truncated": False, "units": []}
    principal, settings = office.principal, request.app.state.settings
    if deadline_list:
        scan_max = settings.case_deadline_scan_max
        scanned = queries.cases(session, **args, limit=scan_max + 1)
        extra["truncated"] = scan_max if len(scanned) > scan_max else False
        records = [c for c in case_records(session, scanned[:scan_max], principal) if c["deadlines"]["status"]]
        if key == "overdue":
            records = [c for c in records if c["deadlines"]["status"] == "overdue"]
        elif key == "due-soon":
            records = [c for c in records if deadline_status(c["deadlines"], due_within=days) == "due_soon"]
        else:
            extra["units"] = _by_unit(records)
        records.sort(key=lambda c: c["deadlines"]["current_due"] or "9999")
        listing.total = len(records)
        shown = records if everything else records[pg.offset : pg.offset + pg.per_page]
    else:
        listing.total = queries.count_cases(session, **args)
        limit, offset = (settings.case_export_max, 0) if everything else (pg.per_page, pg.offset)
        shown = case_records(session, queries.cases(session, **args, sort=pg.sort, limit=limit, offset=offset),
                             principal)  # fmt: skip
    listing.rows = [_row(c, for_page=True, due_within=days) for c in shown]
    base = "/office/cases" + (f"/{key}" if key else "")
    query = listing.export_query() + (f"&days={days}" if key == "due-soon" else "")
    listing.exports = [(fmt.upper(), f"{base}.{fmt}?{query.lstrip('&')}") for fmt in ("csv", "xlsx")]
    if office.can("cases", "create"):
        listing.actions = [("Tiếp nhận vụ việc", "/office/cases/new")]
    return listing, [_row(c, for_page=False, due_within=days) for c in shown], extra


def _by_unit(records: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    units: dict[str, dict[str, int]] = {}
    for c in records:
        row = units.setdefault(c["unit"] or "", {"open": 0, "overdue": 0})
        row["open"] += 1
        row["overdue"] += c["deadlines"]["status"] == "overdue"
    return [
        {
            "unit": Link(f"/office/cases?unit={name}", name) if name else "(chưa có đơn vị)",
            "open": n["open"],
            "overdue": State(str(n["overdue"]), "overdue" if n["overdue"] else None),
        }
        for name, n in sorted(units.items())
    ]


def _list_page(request: Request, office: Office, session: Any, key: str) -> Response:
    listing, _, extra = _listing(request, office, session, key)
    label, intro = LISTS[key]
    title = "Vụ việc" + (f": {label.lower()}" if key else "")
    if key == "due-soon":
        title = f"Vụ việc đến hạn trong {extra['days']} ngày làm việc"
    return page(office, "cases.html", title=title, listing=listing, intro=intro, key=key,
                tabs=_tabs(key, extra["days"]), day_choices=DAY_CHOICES, **extra)  # fmt: skip


@router.get("", dependencies=READ, summary="Vụ việc đang mở")
def case_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    return _list_page(request, office, session, "")


@router.get(".{fmt}", dependencies=READ, summary="Xuất danh sách vụ việc")
def case_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows, _ = _listing(request, office, session, "", everything=True)
    return exports.export(fmt, COLUMNS, rows, name="vu-viec", sheet="Vụ việc")


@router.get("/{key}.{fmt}", dependencies=READ, summary="Xuất danh sách công việc vụ việc")
def work_export(key: ListKey, fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep
                ) -> Response:  # fmt: skip
    _, rows, _ = _listing(request, office, session, key, everything=True)
    return exports.export(fmt, COLUMNS, rows, name=f"vu-viec-{key}", sheet="Vụ việc")


def _work_route(key: str) -> Any:
    def show(request: Request, office: OfficeDep, session: SessionDep) -> Response:
        return _list_page(request, office, session, key)

    return show


for _key in ("mine", "overdue", "due-soon", "by-unit"):
    router.add_api_route(f"/{_key}", _work_route(_key), methods=["GET"], dependencies=READ,
                         summary=f"Vụ việc: {LISTS[_key][0].lower()}")  # fmt: skip


# --- a case's page ---------------------------------------------------------------------------------

MOVE_LABELS = {
    CaseState.accepted: "Thụ lý",
    CaseState.refused: "Không thụ lý",
    CaseState.transferred: "Chuyển đơn",
    CaseState.in_progress: "Bắt đầu giải quyết",
    CaseState.suspended: "Tạm đình chỉ",
    CaseState.extended: "Gia hạn",
    CaseState.concluded: "Kết luận",
    CaseState.closed: "Đóng hồ sơ",
}
RESUME = "Tiếp tục giải quyết"


def _move_label(current: CaseState, target: CaseState) -> str:
    return RESUME if current == CaseState.suspended and target == CaseState.in_progress else MOVE_LABELS[target]


def _record(office: Office, session: Any, code: str) -> tuple[Case, dict[str, Any]]:
    case = service.get_case(session, code)
    return case, case_records(session, [case], office.principal)[0]


def _title(rec: dict[str, Any]) -> str:
    return f"{KIND_NAMES[CaseKind(rec['kind'])]} {rec['code']}"


def _flags(rec: dict[str, Any]) -> str | None:
    names = [n for k, n in (("complex", "phức tạp"), ("especially_complex", "đặc biệt phức tạp"),
                            ("remote", "vùng sâu, vùng xa")) if rec[k]]  # fmt: skip
    return ", ".join(names) or None


def _link(entity: str, code: str) -> Any:
    if entity == "site":
        return Link(f"/office/sites/{code}", code)
    if entity == "press_outlet":
        return Link(f"/office/press/outlets/{code}", code)
    return code


def _details(case: Case, rec: dict[str, Any]) -> list[tuple[str, Any]]:
    loc = rec["location"]
    session_id = case.reception_session_id
    return [
        ("Mã hồ sơ", rec["code"]),
        ("Loại", KIND_NAMES[CaseKind(rec["kind"])]),
        ("Kênh tiếp nhận", CHANNEL_NAMES[Channel(rec["channel"])]),
        ("Ngày nhận", dmy(rec["received_on"])),
        ("Buổi tiếp công dân", Link(f"/office/reception/{session_id}", f"Buổi tiếp số {session_id}")
         if session_id else None),
        ("Nội dung tóm tắt", rec["subject"]),
        ("Nội dung", rec["content"]),
        ("Tính chất", _flags(rec)),
        ("Đơn vị", rec["unit"]),
        ("Người xử lý", rec["handler"] or "(chưa giao)"),
        ("Trạng thái", State(rec["state_name"], rec["state"])),
        ("Ngày thụ lý", dmy(rec["accepted_on"])),
        ("Số lần gia hạn", rec["extensions"] or None),
        ("Ngày kết luận", dmy(rec["concluded_on"])),
        ("Kết quả", rec["outcome"]),
        ("Vị trí", None if not loc else f"{loc['lat']:.6f}, {loc['lon']:.6f}"),
        ("Phiên bản", rec["version"]),
    ]  # fmt: skip


def _parties(rec: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in rec["parties"]:
        role = PARTY_ROLE_NAMES.get(p["role"], p["role"])
        if "name" not in p:
            out.append({"role": role, "name": f"{role} (thông tin được giữ bí mật)", "secret": True})
        else:
            contact = ", ".join(x for x in (p.get("phone"), p.get("email")) if x) or None
            out.append({"role": role, "name": p["name"], "id_number": p.get("id_number"),
                        "address": p.get("address"), "contact": contact, "secret": False})  # fmt: skip
    return out


def _steps(case: Case, rec: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    d = rec["deadlines"]
    current = d["current_due"]
    steps = []
    for s in d["steps"]:
        now = s["due"] == current and d["status"] is not None
        steps.append({
            "step": STEP_NAMES.get(s["step"], s["step"]).capitalize(),
            "start": dmy(s["start"]),
            "duration": f"{s['duration']} {UNIT_NAMES.get(s['unit'], s['unit'])}",
            "due": dmy(s["due"]),
            "rule": s["rule"],
            "basis": s["legal_basis"],
            "left": State(days_left(d), deadline_status(d, due_within=DUE_SOON_DEFAULT)) if now else None,
        })  # fmt: skip
    pauses = [{"start": dmy(p.start), "end": dmy(p.end) or "đang tạm đình chỉ"} for p in service.suspensions(case)]
    return steps, pauses


def _moves(rec: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "on": dmy(t["on"]),
            "move": (STATE_NAMES[CaseState(t["from"])] + " → " if t["from"] else "") + STATE_NAMES[CaseState(t["to"])],
            "actor": t["actor"],
            "reason": t["reason"],
        }
        for t in rec["transitions"]
    ]


def _attachments(office: Office, session: Any, code: str) -> list[dict[str, Any]]:
    grant = authorize(office.principal, "cases", "read")
    return [
        dict(a, href=f"/office/cases/{code}/attachments/{a['id']}", added=dmy(a["added_at"]))
        for a in api_cases.list_attachments(code, session, grant)
    ]


def _enforcement(session: Any, case: Case) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    inspections, sanctions = queries.case_enforcement(session, case)
    return (
        [{"decision": Link(f"/office/inspections/{i.id}", i.decision_number), "date": dmy(i.decision_date),
          "subject": i.subject, "concluded": dmy(i.concluded_on)} for i in inspections],
        [{"number": Link(f"/office/sanctions/{s.id}", s.number), "date": dmy(s.decided_on),
          "violator": s.violator_name, "status": SANCTION_STATUS_NAMES.get(s.status, s.status)} for s in sanctions],
    )  # fmt: skip


def _case_page(office: Office, session: Any, settings: Any, case: Case, rec: dict[str, Any], *,
               handler_form: Form | None = None, upload_form: Form | None = None, status: int = 200
               ) -> Response:  # fmt: skip
    code = rec["code"]
    history = None
    if can_read_history(office.principal, "case"):
        grant = authorize(office.principal, "audit", "read")
        history = audit.history(session, grant, "case", case.id, limit=HISTORY_ROWS, offset=0)
    current = CaseState(case.state)
    may_update = office.can("cases", "update")
    moves = [(t.value, _move_label(current, t)) for t in CaseState if t in TRANSITIONS[current]] if may_update else []
    steps, pauses = _steps(case, rec)
    inspections, sanctions = _enforcement(session, case)
    choices = service.reassignable_to(session, case, actor=office.principal.username) if may_update else []
    loc = rec["location"]
    return page(
        office, "case.html", title=_title(rec), status=status, case=rec, details=_details(case, rec),
        parties=_parties(rec), steps=steps, pauses=pauses, moves=moves, transitions=_moves(rec),
        deadline_words=days_left(rec["deadlines"]), deadline_key=deadline_status(rec["deadlines"],
                                                                                 due_within=DUE_SOON_DEFAULT),
        links=[{"entity": ENTITY_NAMES.get(x["entity"], "Trạm" if x["entity"] == "station" else x["entity"]),
                "code": _link(x["entity"], x["code"])} for x in rec["links"]],
        attachments=_attachments(office, session, code), inspections=inspections, sanctions=sanctions,
        handler_options=[(u or "", u or "— không giao ai —") for u in choices],
        # the current handler hands over to someone: nothing is preselected for them (admins start on the current one)
        handler_blank=None if None in choices else "— chọn người nhận hồ sơ —",
        handler_form=handler_form or Form(labels=HANDLER_LABELS, values={"handler": rec["handler"] or ""}),
        upload_form=upload_form or Form(labels=UPLOAD_LABELS, values={"confidential": "1"} if
                                        rec["kind"] == CaseKind.denunciation else {}),
        history=history_rows(history), may_update=may_update,
        map_data={"point": [loc["lon"], loc["lat"]] if loc else None, "tiles": settings.map_tiles_url},
        leaflet_css=assets.LEAFLET_CSS, leaflet_js=assets.LEAFLET_JS, crumbs=[HOME],
    )  # fmt: skip


@router.get("/{code}", dependencies=READ, summary="Hồ sơ vụ việc")
def case_page(code: CaseCode, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    case, rec = _record(office, session, code)
    return _case_page(office, session, settings, case, rec)


# --- moves -----------------------------------------------------------------------------------------

MOVE_FIELDS = {"reason": "Lý do, căn cứ", "on": "Ngày", "outcome": "Kết quả giải quyết"}


def _move_page(office: Office, rec: dict[str, Any], target: CaseState, form: Form, version: int | None, *,
               status: int = 200) -> Response:  # fmt: skip
    current = CaseState(rec["state"])
    allowed = target in TRANSITIONS[current]
    label = _move_label(current, target)
    if not allowed and not form.refused:
        form.general.append(f"Hồ sơ đang «{rec['state_name']}»: không thể «{label.lower()}».")
    return page(office, "case_move.html", title=f"{label}: {_title(rec)}", f=form, case=rec, target=target.value,
                label=label, allowed=allowed, version=version,
                status=status if status != 200 else (422 if form.refused else 200),
                crumbs=[HOME, (f"/office/cases/{rec['code']}", _title(rec))])  # fmt: skip


@router.get("/{code}/move/{to}", dependencies=UPDATE, summary="Chuyển trạng thái hồ sơ vụ việc")
def move_form(code: CaseCode, to: CaseState, office: OfficeDep, session: SessionDep) -> Response:
    case, rec = _record(office, session, code)
    form = Form(labels=MOVE_FIELDS, values={"on": dmy(today()), "outcome": rec["outcome"] or ""})
    allowed = to in TRANSITIONS[CaseState(case.state)]
    return _move_page(office, rec, to, form, case.version, status=200 if allowed else 409)


@router.post("/{code}/move/{to}", dependencies=UPDATE, summary="Chuyển trạng thái hồ sơ vụ việc")
async def move(code: CaseCode, to: CaseState, request: Request, office: OfficeDep, session: SessionDep
               ) -> Response:  # fmt: skip
    posted = await request.form()
    return await in_thread(_move, office, session, code, to, form_values(posted), posted_version(posted))


def _move(office: Office, session: Any, code: str, to: CaseState, values: dict[str, Any], version: int | None
          ) -> Response:  # fmt: skip
    case, rec = _record(office, session, code)
    form = Form(labels=MOVE_FIELDS, values=values)
    actor = office.principal.username
    try:
        with attempt(session, form):
            data = to_model(TransitionIn, {"to": to.value, "reason": values.get("reason", ""),
                                           "on": values.get("on", "")})  # fmt: skip
            moved = service.transition(session, code, data, actor=actor, today=today(), expected_version=version)
            outcome = values.get("outcome", "")
            if to == CaseState.concluded and outcome and outcome != (rec["outcome"] or ""):
                service.update_case(session, code, to_model(CasePatch, {"outcome": outcome}),
                                    expected_version=moved.version, actor=actor)  # fmt: skip
    except StaleVersion:
        form.general.append("Hồ sơ đã được người khác thay đổi trong lúc bạn điền; chưa chuyển. Xem lại rồi gửi lại.")
        return _move_page(office, rec, to, form, case.version, status=409)
    if form.refused:
        return _move_page(office, rec, to, form, version)
    return done(f"/office/cases/{code}", "saved")


# --- edit ------------------------------------------------------------------------------------------

EDIT_LABELS = {
    "subject": "Nội dung tóm tắt",
    "content": "Nội dung",
    "flags": "Tính chất",
    "unit": "Đơn vị",
    "position.lat": "Vĩ độ",
    "position.lon": "Kinh độ",
    "outcome": "Kết quả giải quyết",
}
FLAG_OPTIONS = [("complex", "Phức tạp"), ("especially_complex", "Đặc biệt phức tạp"), ("remote", "Vùng sâu, vùng xa")]
TEXT_FIELDS = ("subject", "content", "unit", "outcome")


def _edit_values(rec: dict[str, Any]) -> dict[str, Any]:
    loc = rec["location"] or {}
    return {
        **{k: rec[k] or "" for k in TEXT_FIELDS},
        "flags": [k for k, _ in FLAG_OPTIONS if rec[k]],
        "position.lat": str(loc.get("lat", "")),
        "position.lon": str(loc.get("lon", "")),
    }


def _edit_page(office: Office, rec: dict[str, Any], form: Form, version: int | None) -> Response:
    return page(office, "cases_edit.html", title=f"Sửa {_title(rec)}", f=form, case=rec, version=version,
                flag_options=FLAG_OPTIONS, status=422 if form.refused else 200,
                crumbs=[HOME, (f"/office/cases/{rec['code']}", _title(rec))])  # fmt: skip


@router.get("/{code}/edit", dependencies=UPDATE, summary="Sửa hồ sơ vụ việc")
def edit_form(code: CaseCode, office: OfficeDep, session: SessionDep) -> Response:
    case, rec = _record(office, session, code)
    return _edit_page(office, rec, Form(labels=EDIT_LABELS, values=_edit_values(rec)), case.version)


@router.post("/{code}/edit", dependencies=UPDATE, summary="Sửa hồ sơ vụ việc")
async def edit(code: CaseCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    values = form_values(posted, lists=frozenset({"flags"}))
    values.setdefault("flags", [])
    return await in_thread(_edit, office, session, code, values, posted_version(posted))


def _edit(office: Office, session: Any, code: str, values: dict[str, Any], version: int | None) -> Response:
    case, rec = _record(office, session, code)
    original = _edit_values(rec)
    form = Form(labels=EDIT_LABELS, values=values)
    edits = changed(values, original)
    if not edits:
        return done(f"/office/cases/{code}", "saved")
    patch: dict[str, Any] = {k: v for k, v in edits.items() if k in TEXT_FIELDS}
    if "flags" in edits:
        patch.update({k: str(k in values["flags"]).lower() for k, _ in FLAG_OPTIONS})
    clear = {k for k, v in patch.items() if v == ""}
    if "position.lat" in edits or "position.lon" in edits:
        lat, lon = values.get("position.lat", ""), values.get("position.lon", "")
        if lat or lon:
            patch.update({"position.lat": lat, "position.lon": lon})
        else:
            clear.add("position")
    try:
        with attempt(session, form):
            service.update_case(session, code, to_model(CasePatch, patch, clear=frozenset(clear)),
                                expected_version=version, actor=office.principal.username)  # fmt: skip
    except StaleVersion:
        labels = {k: v for k, v in EDIT_LABELS.items() if k != "flags"}
        return stale_page(office, action=f"/office/cases/{code}/edit", back=f"/office/cases/{code}", labels=labels,
                          current={k: original.get(k) for k in labels},
                          mine={k: v for k, v in values.items() if k in labels}, current_version=case.version,
                          crumbs=[HOME, (f"/office/cases/{code}", _title(rec))])  # fmt: skip
    if form.refused:
        return _edit_page(office, rec, form, version)
    return done(f"/office/cases/{code}", "saved")


# --- reassignment ----------------------------------------------------------------------------------

HANDLER_LABELS = {"handler": "Người xử lý mới"}


@router.post("/{code}/handler", dependencies=UPDATE, summary="Giao hồ sơ vụ việc cho người xử lý khác")
async def reassign(code: CaseCode, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
                   ) -> Response:  # fmt: skip
    posted = await request.form()
    values = form_values(posted)
    return await in_thread(_reassign, office, session, settings, code, values, posted_version(posted))


def _reassign(office: Office, session: Any, settings: Any, code: str, values: dict[str, Any], version: int | None
              ) -> Response:  # fmt: skip
    case, rec = _record(office, session, code)
    form = Form(labels=HANDLER_LABELS, values=values)
    target = values.get("handler") or None
    if target is None and None not in service.reassignable_to(session, case, actor=office.principal.username):
        form.errors["handler"] = "Chọn thanh tra viên nhận hồ sơ"
        return _case_page(office, session, settings, case, rec, handler_form=form, status=422)
    refused_status = 422
    try:
        with attempt(session, form):
            try:
                service.update_case(session, code, CasePatch(handler=target), expected_version=version,
                                    actor=office.principal.username)  # fmt: skip
            except PermissionDenied:
                refused_status = 403
                raise
    except StaleVersion:
        form.general.append("Hồ sơ đã được người khác thay đổi; chưa giao. Xem người xử lý hiện tại rồi chọn lại.")
        return _case_page(office, session, settings, case, rec, handler_form=form, status=409)
    if form.refused:
        return _case_page(office, session, settings, case, rec, handler_form=form, status=refused_status)
    return done(f"/office/cases/{code}", "saved")


# --- attachments -----------------------------------------------------------------------------------

UPLOAD_LABELS = {"file": "Tệp (PDF, JPEG hoặc PNG)", "description": "Mô tả", "confidential": "Bảo mật"}


@router.post("/{code}/attachments", dependencies=UPDATE, summary="Đính kèm tài liệu vào hồ sơ vụ việc")
async def add_attachment(code: CaseCode, request: Request, office: OfficeDep, session: SessionDep,
                         settings: SettingsDep) -> Response:  # fmt: skip
    posted = await request.form()
    try:
        values = form_values(posted)
        return await in_thread(_attach, office, session, settings, code, values, uploaded(posted))
    finally:
        await posted.close()  # the spooled file


def _attach(office: Office, session: Any, settings: Any, code: str, values: dict[str, Any], file: Any) -> Response:
    case, rec = _record(office, session, code)
    form = Form(labels=UPLOAD_LABELS, values=values)
    if file is None:
        form.errors["file"] = "Chọn tệp PDF, JPEG hoặc PNG"
        return _case_page(office, session, settings, case, rec, upload_form=form, status=422)
    data = read_upload(file, settings)  # too big: the 413 page; nothing kept
    description = values.get("description") or None
    if description is not None and len(description) > 500:
        form.errors["description"] = "Tối đa 500 ký tự"
    else:
        with attempt(session, form):
            secret = values.get("confidential") == "1"
            service.attach(session, code, data, file.filename or "", description=description, confidential=secret,
                           max_bytes=settings.max_upload_bytes)  # fmt: skip
    if form.refused:
        return _case_page(office, session, settings, case, rec, upload_form=form, status=422)
    return done(f"/office/cases/{code}", "created")


@router.get("/{code}/attachments/{attachment_id}", dependencies=READ, summary="Tải tài liệu đính kèm")
def attachment(code: CaseCode, attachment_id: AttachmentId, office: OfficeDep, session: SessionDep) -> Response:
    grant = authorize(office.principal, "cases", "read")
    response = api_cases.get_attachment(code, attachment_id, session, grant)
    response.headers["Content-Disposition"] = "attachment"
    return response
