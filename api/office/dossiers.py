"""The one-stop desk's queue in the back office: the dossiers waiting (overdue first, then by
appointment), a dossier's page with its dated steps, and its moves as small forms.

Every page calls what the API routes call (api/procedures.py: registry.procedures.queries for the list,
service.move / apologise for the moves, views.dossier_dict for the record) under the same permissions;
a field officer moves only the dossiers of their own fields (check_dossier_field, as the API does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from pydantic import TypeAdapter, ValidationError
from sqlalchemy import func, select

from api import audit
from api.access import require
from api.deps import SessionDep, SettingsDep
from api.office import exports
from api.office.forms import Form, attempt, form_values, posted_version, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page
from maps.record_pages import history_rows
from maps.templating import Link, State, dmy
from registry.accounts.permissions import FIELD_ROLES, ONE_STOP, authorize, can_read_history, check_dossier_field
from registry.calendar import service as calendar
from registry.calendar.days import VIETNAM, OutOfCalendar
from registry.errors import FieldError, StaleVersion, ValidationFailed
from registry.procedures import deadlines, queries, service
from registry.procedures.models import (
    APPLICANT_KIND_NAMES,
    CHANNEL_NAMES,
    FIELD_NAMES,
    OPEN,
    RESULT_NAMES,
    STATUS_NAMES,
    TRANSITIONS,
    ApplicantKind,
    Channel,
    Dossier,
    ProcedureField,
    Result,
    Status,
)
from registry.procedures.receipts import LOOKUP_PATTERN
from registry.procedures.reports import FIGURE_NAMES
from registry.procedures.schemas import ApologyIn, DossierMove
from registry.procedures.views import dossier_dict, public_steps
from registry.schemas import Day

router = APIRouter(prefix="/office/dossiers", tags=["Văn phòng"], include_in_schema=False)
ReceiptCode = Annotated[str, Path(max_length=40, pattern=LOOKUP_PATTERN)]
READ = [Depends(require("dossiers", "read"))]
UPDATE = [Depends(require("dossiers", "update"))]
HOME = ("/office/dossiers", "Hồ sơ một cửa")
HISTORY_ROWS = 200
ALL = "all"

COLUMNS = (
    Column("code", "Mã hồ sơ", "code"),
    Column("procedure", "Thủ tục"),
    Column("applicant", "Người nộp"),
    Column("channel", "Hình thức nộp"),
    Column("status", "Trạng thái"),
    Column("received", "Ngày nhận", "received"),
    Column("due", "Ngày hẹn trả", "due"),
    Column("standing", "Thời hạn"),
    Column("officer", "Cán bộ chuyển bước gần nhất"),
)
STATUS_OPTIONS = [(s.value, STATUS_NAMES[s]) for s in Status] + [(ALL, "Mọi trạng thái (kể cả đã kết thúc)")]
FIELD_OPTIONS = [(f.value, FIELD_NAMES[f]) for f in ProcedureField] + [(ALL, "Mọi lĩnh vực")]
CHANNEL_OPTIONS = [(c.value, CHANNEL_NAMES[c]) for c in Channel]
DAY = TypeAdapter(Day)


def _day(raw: str, name: str) -> date | None:
    """A day of the URL or a form (dd/mm/yyyy or yyyy-mm-dd); a bad one is a 422 page naming it."""
    if not raw:
        return None
    try:
        return DAY.validate_python(raw[:20])
    except ValidationError as exc:
        raise ValidationFailed("Tham số không hợp lệ", [FieldError("Ngày không hợp lệ", field=name, value=raw[:20])]
                               ) from exc  # fmt: skip


def my_fields(office: Office) -> list[str]:
    """The fields whose dossiers a user works on: the desk and admins every field, officers their own."""
    roles = office.principal.roles
    if roles & ONE_STOP:
        return [f.value for f in ProcedureField]
    return sorted({f.value for r in roles for f in FIELD_ROLES.get(r, frozenset())})


def may_move(office: Office, d: Dossier) -> bool:
    if not office.can("dossiers", "update"):
        return False
    try:
        check_dossier_field(office.principal, ProcedureField(d.procedure.field))
    except Exception:  # noqa: BLE001 - PermissionDenied: not this user's field
        return False
    return True


# --- the queue ---------------------------------------------------------------------------------------


def standing_text(d: Dossier, today: date, cal: Any) -> str | None:
    """The appointment as the desk reads it: overdue by N days, N working days left, or clock stopped."""
    if Status(d.status) not in OPEN:
        return None
    if d.status == Status.awaiting_supplement.value and d.supplement_since is not None:
        return f"dừng tính thời gian từ {d.supplement_since:%d/%m/%Y}"
    if d.due_date < today:  # late as the law counts time: in working days (calendar days past the calendar's years)
        try:
            late = cal.count_working_days(d.due_date, today)
        except OutOfCalendar:
            return f"quá hạn {(today - d.due_date).days} ngày"
        return f"quá hạn {late} ngày làm việc" if late else f"quá hạn (hẹn trả {d.due_date:%d/%m/%Y})"
    if d.due_date == today:
        return "hạn trả là hôm nay"
    try:
        left = cal.count_working_days(today, d.due_date)
    except OutOfCalendar:
        return f"còn {(d.due_date - today).days} ngày"
    return f"còn {left} ngày làm việc"


def _row(d: Dossier, today: date, cal: Any, *, for_page: bool) -> dict[str, Any]:
    day = dmy if for_page else (lambda v: v)
    standing = standing_text(d, today, cal)
    tone = "expired" if standing and standing.startswith("quá hạn") else None
    return {
        "code": Link(f"/office/dossiers/{d.receipt_code}", d.receipt_code) if for_page else d.receipt_code,
        "procedure": d.procedure.name,
        "applicant": d.applicant_name,
        "channel": CHANNEL_NAMES[Channel(d.channel)],
        "status": State(STATUS_NAMES[Status(d.status)], d.status) if for_page else STATUS_NAMES[Status(d.status)],
        "received": day(d.received_on),
        "due": day(d.due_date),
        "standing": State(standing, tone) if for_page and standing else standing,
        "officer": d.events[-1].actor if d.events else None,
    }


def _filter(listing: Listing, office: Office, today: date) -> queries.DossierFilter:
    params = listing.request.query_params
    statuses = listing.selected("status")
    fields = listing.selected("field")
    if "field" not in params:
        fields = my_fields(office) if not office.principal.roles & ONE_STOP else []
    period = None
    figure = params.get("figure")
    if figure:
        if figure not in queries.FIGURE_KEYS:
            raise ValidationFailed("Tham số không hợp lệ", [FieldError("Chỉ tiêu không có", field="figure")])
        since, until = (
            _day(params.get("period_from", ""), "period_from"),
            _day(params.get("period_to", ""), "period_to"),
        )
        if since is None or until is None or since > until:
            raise ValidationFailed("Tham số không hợp lệ", [FieldError("Cần kỳ báo cáo hợp lệ", field="period_from")])
        period = (since, until)
    received_from = _day(params.get("received_from", ""), "received_from")
    received_to = _day(params.get("received_to", ""), "received_to")
    if received_from and received_to and received_from > received_to:
        raise ValidationFailed(
            "Tham số không hợp lệ", [FieldError("«Nhận từ ngày» sau «đến ngày»", field="received_from")]
        )
    # By default the open dossiers; "all" (or a dashboard figure) shows the closed ones too.
    if ALL in statuses or (figure and "status" not in params):
        chosen: list[Status] = []
    else:
        chosen = [Status(s) for s in statuses if s in Status.__members__] or sorted(OPEN, key=list(Status).index)
    channel = params.get("channel")
    return queries.DossierFilter(
        statuses=chosen,
        procedure=(params.get("procedure") or "")[:40] or None,
        channel=Channel(channel) if channel in Channel.__members__ else None,
        received_from=received_from,
        received_to=received_to,
        overdue_on=today if "1" in listing.selected("overdue") else None,
        fields=[] if ALL in fields else [ProcedureField(f) for f in fields if f in ProcedureField.__members__],
        actor=(params.get("actor") or "")[:200] or None,
        q=listing.q.strip()[:200] or None,
        figure=figure,
        period=period,
    )


def _listing(request: Request, office: Office, session: Any, settings: Any, *, everything: bool = False
             ) -> tuple[Listing, list[dict[str, Any]]]:  # fmt: skip
    pg = paging(request, sorts=list(queries.SORTS), default_sort="queue")
    params = request.query_params
    procedures = [(p.code, f"{p.code} — {p.name[:80]}") for p in queries.procedures(session)]
    filters = [
        Filter("status", "Trạng thái (mặc định: đang giải quyết)", STATUS_OPTIONS),
        Filter("field", "Lĩnh vực", FIELD_OPTIONS),
        Filter("procedure", "Thủ tục", procedures, many=False),
        Filter("channel", "Hình thức nộp", CHANNEL_OPTIONS, many=False),
        Filter("actor", "Cán bộ đã chuyển bước", [(a, a) for a in queries.actors(session)], many=False),
        Filter("overdue", "Thời hạn", [("1", "Chỉ hồ sơ quá hạn hôm nay")]),
        Filter("received_from", "Nhận từ ngày", (), many=False, kind="date"),
        Filter("received_to", "Nhận đến ngày", (), many=False, kind="date"),
    ]
    figure = params.get("figure")
    if figure:  # a dashboard figure: shown as filters of one choice, so in the chips, the exports, clearable
        filters += [
            Filter("figure", "Chỉ tiêu", [(figure, FIGURE_NAMES.get(figure, figure))], many=False),
            Filter("period_from", "Kỳ từ ngày", (), many=False, kind="date"),
            Filter("period_to", "Kỳ đến ngày", (), many=False, kind="date"),
        ]
    listing = Listing(request, "hồ sơ", COLUMNS, [], 0, pg, filters=filters,
                      search="Mã hồ sơ hoặc tên người nộp (có hoặc không dấu)")  # fmt: skip
    day = _today()
    f = _filter(listing, office, day)
    total, rows = queries.dossier_page(
        session, f, limit=settings.max_export_rows if everything else pg.per_page,
        offset=0 if everything else pg.offset, sort=pg.sort or "queue", today=day,
    )  # fmt: skip
    cal = calendar.load(session)
    listing.total = total
    listing.rows = [_row(d, day, cal, for_page=True) for d in rows]
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"/office/dossiers.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    actions = []
    if office.can("dossiers", "create"):
        actions.append(("Tiếp nhận hồ sơ", "/office/dossiers/new"))
    if office.can("dossier_imports", "create"):
        actions.append(("Nhập hồ sơ từ hệ thống cũ", "/office/dossiers/import"))
    listing.actions = actions
    return listing, [_row(d, day, cal, for_page=False) for d in rows]


def _today() -> date:
    return datetime.now(VIETNAM).date()


@router.get("", dependencies=READ, summary="Hồ sơ một cửa: danh sách chờ giải quyết")
def dossier_list(request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    listing, _ = _listing(request, office, session, settings)
    return page(office, "list.html", title="Hồ sơ một cửa", listing=listing,
                intro="Mặc định: hồ sơ đang giải quyết, hồ sơ quá hạn lên đầu, rồi theo ngày hẹn trả. "
                      "Cán bộ chuyên môn mặc định thấy hồ sơ thuộc lĩnh vực của mình.")  # fmt: skip


@router.get(".{fmt}", dependencies=READ, summary="Xuất danh sách hồ sơ một cửa")
def dossier_export(
    fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep
) -> Response:
    _, rows = _listing(request, office, session, settings, everything=True)
    return exports.export(fmt, COLUMNS, rows, name="ho-so-mot-cua", sheet="Hồ sơ")


# --- a dossier ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Move:
    to: Status
    label: str  # the button
    intro: str
    fields: tuple[str, ...]


MOVES = {
    "transfer": Move(Status.transferred, "Chuyển phòng chuyên môn",
                     "Chuyển hồ sơ cho phòng chuyên môn giải quyết, ở bước của quy trình nội bộ.", ("step_no", "note")),
    "step": Move(Status.in_progress, "Chuyển bước xử lý",
                 "Bắt đầu một bước của quy trình nội bộ.", ("step_no", "note")),
    "supplement": Move(Status.awaiting_supplement, "Yêu cầu bổ sung hồ sơ",
                       "Đánh dấu giấy tờ còn thiếu; thời hạn giải quyết tạm dừng từ hôm nay đến khi nhận đủ.",
                       ("missing", "note")),
    "resume": Move(Status.in_progress, "Đã nhận hồ sơ bổ sung",
                   "Người nộp đã bổ sung đủ: tiếp tục tính thời hạn; ngày hẹn trả lùi thêm số ngày làm việc đã dừng.",
                   ("step_no", "note")),
    "result": Move(Status.result_ready, "Có kết quả (chấp thuận)",
                   "Ghi kết quả chấp thuận và giấy phép đã cấp (số giấy phép); kết quả chờ trả cho người nộp.",
                   ("licence", "note")),
    "refuse": Move(Status.refused, "Từ chối giải quyết",
                   "Từ chối giải quyết, có văn bản nêu rõ lý do.", ("note",)),
    "send_back": Move(Status.sent_back, "Trả lại hồ sơ",
                      "Trả lại hồ sơ chưa đầy đủ, hợp lệ: chỉ trong 3 ngày làm việc kể từ ngày tiếp nhận; nêu lý do.",
                      ("note",)),
    "withdraw": Move(Status.withdrawn, "Người nộp rút hồ sơ", "Người nộp xin rút hồ sơ; ghi lý do.", ("note",)),
    "handover": Move(Status.returned, "Trả kết quả", "Kết quả đã trao cho người nộp vào ngày này.", ("at", "note")),
}  # fmt: skip
REASONED = frozenset({"refuse", "send_back", "withdraw"})
LABELS = {
    "step_no": "Bước của quy trình",
    "missing": "Giấy tờ còn thiếu",
    "licence": "Số giấy phép đã cấp",
    "at": "Ngày trả kết quả",
    "note": "Ghi chú",
    "new_due_date": "Ngày hẹn trả mới",
    "reason": "Lý do xin lỗi, hẹn lại",
    "on": "Ngày phát hành phiếu xin lỗi",
}


def moves_now(d: Dossier) -> list[str]:
    """The moves the rules allow from the dossier's state (TRANSITIONS), as the page's buttons."""
    current = Status(d.status)
    allowed = TRANSITIONS[current]
    out = []
    for key, m in MOVES.items():
        if m.to not in allowed:
            continue
        if key == "step" and current == Status.awaiting_supplement:
            continue
        if key == "resume" and current != Status.awaiting_supplement:
            continue
        out.append(key)
    return out


def apology_refusal(session: Any, d: Dossier, today: date) -> str | None:
    """Why the apology cannot be issued today (None: it can); the service checks it again."""
    if Status(d.status) not in OPEN:
        return "Hồ sơ đã kết thúc: không hẹn lại được."
    if d.apology_on is not None:
        return f"Đã xin lỗi, hẹn lại ngày {d.apology_on:%d/%m/%Y}; chỉ được hẹn lại một lần."
    lead = deadlines.rules_on(session, d.received_on).apology_lead_days
    if (d.due_date - today).days < lead:
        return (f"Phiếu xin lỗi phải phát hành chậm nhất {lead} ngày trước ngày hẹn ({d.due_date:%d/%m/%Y}): "
                "đã quá thời điểm đó.")  # fmt: skip
    return None


def _title(d: Dossier) -> str:
    return f"Hồ sơ {d.receipt_code}"


def _record_link(rec: dict[str, Any], session: Any) -> Link | None:
    from registry.permits.models import Permit
    from registry.press.models import PressLicence

    if rec["permit"]:
        p = session.get(Permit, rec["permit"]["id"])
        return Link(f"/office/permits/{p.id}", f"Giấy phép số {p.number}")
    if rec["press_licence"]:
        p = session.get(PressLicence, rec["press_licence"]["id"])
        return Link(f"/office/press/licences/{p.id}", f"Giấy phép báo chí số {p.number}")
    return None


def _details(d: Dossier, rec: dict[str, Any], session: Any, today: date, cal: Any) -> list[tuple[str, Any]]:
    a = rec["applicant"]
    p = d.procedure
    fee = p.fees or (f"{p.fee_vnd:,} đồng".replace(",", ".") if p.fee_vnd else None)
    step = rec["step"]
    rows: list[tuple[str, Any]] = [
        ("Mã hồ sơ", d.receipt_code),
        ("Trạng thái", State(rec["status_name"], d.status)),
        ("Bước đang xử lý", None if step is None else f"Bước {step['step_no']}/{step['of']}: {step['name']} "
                                                      f"({step['unit']})"),
        ("Thủ tục", f"{p.name} ({p.code})"),
        ("Lĩnh vực", FIELD_NAMES[ProcedureField(p.field)]),
        ("Người nộp", f"{a['name']} ({APPLICANT_KIND_NAMES[ApplicantKind(a['kind'])]})"),
        ("Số định danh / mã số thuế", a["id_number"]),
        ("Địa chỉ", a["address"]),
        ("Điện thoại", a["phone"]),
        ("Thư điện tử", a["email"]),
        ("Hình thức nộp", rec["channel_name"]),
        ("Phí, lệ phí", fee),
        ("Thời điểm tiếp nhận", f"{d.received_at.astimezone(VIETNAM):%H:%M} ngày {d.received_on:%d/%m/%Y}"),
        ("Ngày hẹn trả ghi trên giấy biên nhận", dmy(d.first_due_date)),
        ("Ngày hẹn trả hiện tại", dmy(d.due_date)),
        ("Thời hạn", standing_text(d, today, cal)),
    ]  # fmt: skip
    if d.paused_working_days:
        rows.append(("Đã dừng tính thời gian", f"{d.paused_working_days} ngày làm việc (chờ bổ sung)"))
    if d.apology_on:
        moved = f"hẹn lại từ {dmy(d.pre_apology_due_date)} sang {d.due_date:%d/%m/%Y}"
        rows.append(("Phiếu xin lỗi", f"Phát hành {d.apology_on:%d/%m/%Y}, {moved}: {d.apology_reason}"))
    if d.result:
        rows.append(("Kết quả", f"{RESULT_NAMES[Result(d.result)].capitalize()} ngày {dmy(d.resolved_on)}"))
    rows += [
        ("Giấy phép đã cấp", _record_link(rec, session)),
        ("Ngày trả kết quả", dmy(d.returned_on)),
        ("Ngày trả lại hồ sơ", dmy(d.sent_back_on)),
        ("Ngày rút hồ sơ", dmy(d.withdrawn_on)),
        ("Nguồn", "Nhập từ hệ thống một cửa cũ" if d.source == "import" else "Tiếp nhận tại Bộ phận Một cửa"),
        ("Ghi chú", d.notes),
    ]
    return [(label, v) for label, v in rows if v is not None or label in ("Mã hồ sơ", "Ngày hẹn trả hiện tại")]


def _steps(d: Dossier) -> list[dict[str, Any]]:
    """The dated steps in words (the public's words, views.public_steps) with who did it and the note."""
    return [
        {"at": s["at_text"], "name": s["name"], "step": s["step"], "actor": e.actor, "note": e.note}
        for s, e in zip(public_steps(d), d.events, strict=True)
    ]


def _documents(d: Dossier) -> list[dict[str, Any]]:
    return [x for x in d.documents_received or [] if isinstance(x, dict)]


@router.get("/{code}", dependencies=READ, summary="Một hồ sơ một cửa")
def dossier_page(code: ReceiptCode, office: OfficeDep, session: SessionDep) -> Response:
    d = service.get_dossier(session, code)
    day = _today()
    cal = calendar.load(session)
    rec = dossier_dict(d, today=day)
    history = None
    if can_read_history(office.principal, "dossier"):
        grant = authorize(office.principal, "audit", "read")
        history = audit.history(session, grant, "dossier", d.id, limit=HISTORY_ROWS, offset=0)
    movable = may_move(office, d)
    buttons = [(k, MOVES[k].label) for k in moves_now(d)] if movable else []
    apology_why = apology_refusal(session, d, day)
    return page(office, "dossier.html", title=_title(d), d=d, rec=rec, details=_details(d, rec, session, day, cal),
                steps=_steps(d), documents=_documents(d), buttons=buttons, movable=movable,
                apology_why=apology_why, history=history_rows(history), crumbs=[HOME])  # fmt: skip


# --- moves ---------------------------------------------------------------------------------------------


def _labels(kind: str) -> dict[str, str]:
    note = "Lý do" if kind in REASONED else ("Nội dung cần bổ sung khác" if kind == "supplement" else "Ghi chú")
    return {**LABELS, "note": note}


def _move_page(office: Office, d: Dossier, kind: str, form: Form, version: int | None) -> Response:
    form.labels = _labels(kind)
    if kind == "apology":
        title, intro, fields = (
            "Phiếu xin lỗi và hẹn lại ngày trả",
            (
                "Chỉ một lần, chậm nhất 1 ngày trước ngày hẹn; ngày hẹn mới phải sau ngày hẹn hiện tại "
                f"({d.due_date:%d/%m/%Y}). Hồ sơ đã xin lỗi được tính là giải quyết quá hạn."
            ),
            ("new_due_date", "reason", "on"),
        )
    else:
        m = MOVES[kind]
        title, intro, fields = m.label, m.intro, m.fields
    steps = [(str(s.step_no), f"Bước {s.step_no}: {s.name} ({s.unit})") for s in d.procedure.steps]
    required = [x for x in d.procedure.required_documents or [] if isinstance(x, dict) and x.get("name")]
    documents = [(str(x["name"]), str(x["name"]) + ("" if x.get("required", True) else " (nếu có)")) for x in required]
    press = ProcedureField(d.procedure.field) in service.PRESS_FIELDS
    return page(office, "dossier_move.html", title=f"{title}: {d.receipt_code}", status=422 if form.refused else 200,
                f=form, d=d, kind=kind, intro=intro, fields=fields, steps=steps, documents=documents, press=press,
                version=version, action=f"/office/dossiers/{d.receipt_code}/{kind}", save=title,
                back=f"/office/dossiers/{d.receipt_code}",
                crumbs=[HOME, (f"/office/dossiers/{d.receipt_code}", _title(d))])  # fmt: skip


def _start(d: Dossier, kind: str) -> dict[str, Any]:
    if kind == "transfer":
        return {"step_no": str(min(2, len(d.procedure.steps) or 1))}
    if kind in ("step", "resume"):
        nxt = (d.step_no or 1) + (0 if kind == "resume" else 1)
        return {"step_no": str(min(max(nxt, 2), len(d.procedure.steps) or 1))}
    if kind in ("handover", "apology"):
        return {"at": dmy(_today()), "on": dmy(_today())}
    return {}


def _licence_id(session: Any, d: Dossier, number: str) -> tuple[str, int | None]:
    """The permit or press licence an officer names by its number (None: no such licence)."""
    from registry.permits.models import Permit
    from registry.press.models import PressLicence

    model, name = (PressLicence, "press_licence_id") if ProcedureField(d.procedure.field) in service.PRESS_FIELDS else (
        Permit, "permit_id")  # fmt: skip
    ids = list(session.scalars(select(model.id).where(func.lower(model.number) == number.lower()).limit(2)))
    if len(ids) == 1:
        return name, ids[0]
    if number.startswith("#") and number[1:].isdigit() and len(number) < 11:  # several of that number: by its id
        return name, int(number[1:])
    return name, None


def _payload(session: Any, d: Dossier, kind: str, values: dict[str, Any], form: Form) -> dict[str, Any] | None:
    """The API's move (DossierMove's fields) from the form; None when the form itself is incomplete."""
    m = MOVES[kind]
    out: dict[str, Any] = {"to": m.to.value}
    note = values.get("note", "")
    if kind == "supplement":
        missing = [x for x in values.get("missing", []) if x][:50]
        if not missing and not note:
            form.errors["missing"] = "Đánh dấu giấy tờ còn thiếu hoặc ghi rõ nội dung cần bổ sung"
            return None
        note = "; ".join(x for x in ("Cần bổ sung: " + ", ".join(missing) if missing else "", note) if x)
    if note:
        out["note"] = note[:2000] if kind == "supplement" else note
    if "step_no" in m.fields and values.get("step_no"):
        out["step_no"] = values["step_no"]
    if kind == "result" and values.get("licence"):
        name, record_id = _licence_id(session, d, values["licence"][:60])
        if record_id is None:
            form.errors["licence"] = f"Không có giấy phép số «{values['licence'][:60]}»"
            return None
        out[name] = record_id
    if kind == "handover" and values.get("at"):
        try:
            on = DAY.validate_python(values["at"][:20])
        except ValidationError:
            form.errors["at"] = "Ngày không hợp lệ (dd/mm/yyyy)"
            return None
        out["at"] = None if on == _today() else service.end_of(on)
    return out


def _apply(office: Office, session: Any, code: str, kind: str, values: dict[str, Any], version: int | None) -> Response:
    d = service.get_dossier(session, code)
    check_dossier_field(office.principal, ProcedureField(d.procedure.field))  # another field's dossier: 403 page
    form = Form(values=values, labels=_labels(kind))
    actor, now = office.principal.actor, datetime.now(VIETNAM)
    try:
        with attempt(session, form):
            if kind == "apology":
                service.apologise(session, calendar.load(session), code, to_model(ApologyIn, values), actor=actor,
                                  now=now, expected_version=version)  # fmt: skip
            else:
                data = _payload(session, d, kind, values, form)
                if data is not None:
                    at = data.pop("at", None)
                    move = to_model(DossierMove, {k: v for k, v in data.items() if v is not None})
                    if at is not None:
                        move = move.model_copy(update={"at": at})
                    service.move(session, calendar.load(session), code, move, actor=actor, now=now,
                                 expected_version=version)  # fmt: skip
    except StaleVersion:
        session.expire_all()
        d = service.get_dossier(session, code)
        form.general.append("Hồ sơ vừa được người khác chuyển bước trong lúc bạn điền; chưa lưu gì. "
                            "Xem trạng thái hiện tại rồi thử lại.")  # fmt: skip
        return _move_page(office, d, kind, form, d.version)
    for api_name in ("permit_id", "press_licence_id"):  # the licence is typed by its number here
        if api_name in form.errors:
            form.errors["licence"] = form.errors.pop(api_name)
    if form.refused:
        session.expire_all()
        return _move_page(office, service.get_dossier(session, code), kind, form, version)
    return done(f"/office/dossiers/{code}", "moved")


def _move_get(kind: str) -> Any:
    def show(code: ReceiptCode, office: OfficeDep, session: SessionDep) -> Response:
        d = service.get_dossier(session, code)
        check_dossier_field(office.principal, ProcedureField(d.procedure.field))
        return _move_page(office, d, kind, Form(values=_start(d, kind)), d.version)

    return show


def _move_post(kind: str) -> Any:
    async def post(code: ReceiptCode, request: Request, office: OfficeDep, session: SessionDep) -> Response:
        posted = await request.form()
        values = form_values(posted, lists=frozenset({"missing"}))
        return await in_thread(_apply, office, session, code, kind, values, posted_version(posted))

    return post


for _kind, _summary in [*((k, m.label) for k, m in MOVES.items()), ("apology", "Phiếu xin lỗi, hẹn lại")]:
    router.add_api_route(f"/{{code}}/{_kind}", _move_get(_kind), methods=["GET"], summary=_summary,
                         dependencies=UPDATE)  # fmt: skip
    router.add_api_route(f"/{{code}}/{_kind}", _move_post(_kind), methods=["POST"], summary=_summary,
                         dependencies=UPDATE)  # fmt: skip
