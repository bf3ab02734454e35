"""Sanction decisions in the back office: the list (status, year, unpaid; exports), the unpaid list
(past the payment deadline, days late and the late fee today; Excel), record a decision (from an
inspection's page: ``/office/sanctions/new?inspection=<id>``, or a case's: ``?case=<code>``) with the
fine checked against its bracket (organisations pay double), and its page: delivery, payment (the late
fee when paid after the deadline), the status moves the service allows, the remedial measures' done
days, history in words.

Every page calls what the API route calls (registry.cases.enforcement_service) under the same
permission; the forms carry the API's field names and are checked by the API's own models
(SanctionCreate, SanctionPatch, MeasureIn)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep
from api.office import exports
from api.office.forms import Form, attempt, form_values, posted_version, to_model
from api.office.inspections import (
    case_codes,
    inspection_words,
    matches,
    ordered,
    record_history,
    row_count,
    row_labels,
    year_filter,
)
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page
from maps.templating import Link, State, dmy, number
from registry.cases import enforcement_service as service
from registry.cases import queries
from registry.cases.enforcement_models import SANCTION_STATUS_NAMES, Sanction, SanctionStatus
from registry.cases.schemas import SanctionCreate, SanctionPatch
from registry.clock import today
from registry.errors import StaleVersion, ValidationFailed
from registry.rules.book import RuleBook
from registry.text import grouped

router = APIRouter(prefix="/office/sanctions", tags=["Văn phòng"], include_in_schema=False)
SanctionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Index = Annotated[int, Path(ge=0, le=49)]
HOME = ("/office/sanctions", "Quyết định xử phạt")
MAX_MEASURES = 50  # as SanctionCreate allows
MONEY = ("bracket_min_vnd", "bracket_max_vnd", "fine_vnd")
STATUS_OPTIONS = [(s.value, SANCTION_STATUS_NAMES[s]) for s in SanctionStatus]
KIND_OPTIONS = [("person", "Cá nhân"), ("organisation", "Tổ chức")]
LINK_OPTIONS = [("site", "Vị trí cột ăng ten (mã vị trí)"), ("station", "Trạm gốc (số hiệu trạm)"),
                ("press_outlet", "Cơ quan báo chí (mã cơ quan)")]  # fmt: skip
UNPAID_OPTIONS = [("all", "Chưa nộp phạt"), ("overdue", "Quá hạn nộp phạt")]
# The buttons of the status moves (registry.cases.enforcement_service.status_moves), by the status reached.
MOVE_WORDS = {
    "enforced": ("Ghi cưỡng chế thi hành", "Quyết định quá hạn chưa chấp hành được cưỡng chế thi hành."),
    "complained": ("Ghi bị khiếu nại", "Người vi phạm khiếu nại quyết định; theo dõi ở hồ sơ khiếu nại."),
    "annulled": ("Hủy quyết định", "Quyết định bị hủy (hủy bỏ toàn bộ) và không còn phải thi hành."),
    "delivered": ("Khiếu nại không được chấp nhận", "Quyết định tiếp tục được thi hành như trước khi bị khiếu nại."),
    "issued": ("Khiếu nại không được chấp nhận", "Quyết định tiếp tục được thi hành như trước khi bị khiếu nại."),
}

LABELS = {
    "number": "Số quyết định",
    "decided_on": "Ngày quyết định",
    "issuer": "Người ra quyết định",
    "minutes_number": "Số biên bản vi phạm hành chính",
    "violator_kind": "Đối tượng vi phạm là",
    "violator_name": "Tên cá nhân, tổ chức vi phạm",
    "tax_code": "Mã số thuế (tổ chức)",
    "point": "Điểm",
    "clause": "Khoản",
    "article": "Điều",
    "decree": "Nghị định",
    "violation": "Hành vi vi phạm",
    "bracket_min_vnd": "Khung phạt với cá nhân: từ (đồng)",
    "bracket_max_vnd": "Khung phạt với cá nhân: đến (đồng)",
    "fine_vnd": "Mức phạt tiền (đồng)",
    "additional_penalties": "Hình thức xử phạt bổ sung",
    "measures": "Biện pháp khắc phục hậu quả",
    "linked.entity": "Bản ghi liên quan: loại",
    "linked.code": "Bản ghi liên quan: mã",
    "case_code": "Mã hồ sơ vụ việc",
    "inspection_id": "Cuộc thanh tra",
    "delivered_on": "Ngày giao quyết định",
    "paid_on": "Ngày nộp phạt",
    "status": "Trạng thái",
}
MEASURE_PARTS = {"measure": "biện pháp", "deadline": "thời hạn"}
DAY_LABELS = {"delivered_on": LABELS["delivered_on"], "paid_on": LABELS["paid_on"], "done_on": "Ngày thực hiện xong",
              "status": LABELS["status"]}  # fmt: skip

COLUMNS = (
    Column("number", "Số quyết định", "number"),
    Column("decided_on", "Ngày quyết định", "decided_on"),
    Column("violator", "Đối tượng vi phạm", "violator"),
    Column("citation", "Vi phạm", None),
    Column("fine", "Mức phạt", "fine"),
    Column("status", "Trạng thái", "status"),
    Column("payment_due", "Hạn nộp", "payment_due"),
    Column("paid_on", "Ngày nộp", "paid_on"),
    Column("late_fee", "Tiền chậm nộp đến hôm nay", "late_fee"),
)
UNPAID_COLUMNS = (
    Column("number", "Số quyết định", None),
    Column("violator", "Đối tượng vi phạm", None),
    Column("citation", "Vi phạm", None),
    Column("fine", "Mức phạt", None),
    Column("delivered_on", "Ngày giao", None),
    Column("payment_due", "Hạn nộp", None),
    Column("days_late", "Số ngày quá hạn", None),
    Column("late_fee", "Tiền chậm nộp đến hôm nay", None),
)


def money(vnd: int | None) -> str | None:
    """Money as Vietnamese writes it: 1.000.000 đồng."""
    return None if vnd is None else f"{grouped(vnd)} đồng"


def _status(key: str) -> State:
    return State(SANCTION_STATUS_NAMES[SanctionStatus(key)], f"sanction-{key}")


def _raw(d: dict[str, Any], on: date) -> dict[str, Any]:
    """A decision's row with raw values (dates, đồng) under the sort keys."""
    due = date.fromisoformat(d["payment_due"]) if d["payment_due"] else None
    return {"id": d["id"], "number": d["number"], "decided_on": date.fromisoformat(d["decided_on"]),
            "violator": d["violator_name"], "citation": d["citation"], "fine": d["fine_vnd"], "status": d["status"],
            "payment_due": due, "paid_on": date.fromisoformat(d["paid_on"]) if d["paid_on"] else None,
            "delivered_on": date.fromisoformat(d["delivered_on"]) if d["delivered_on"] else None,
            "days_late": (on - due).days if due and not d["paid_on"] and due < on else None,
            "late_fee": d["late_fee_vnd"]}  # fmt: skip


def _row(r: dict[str, Any], *, for_page: bool) -> dict[str, Any]:
    day: Callable[[Any], Any] = dmy if for_page else (lambda v: v)
    vnd: Callable[[Any], Any] = money if for_page else (lambda v: v)
    return {
        "number": Link(f"/office/sanctions/{r['id']}", r["number"]),
        "decided_on": day(r["decided_on"]),
        "violator": r["violator"],
        "citation": r["citation"],
        "fine": vnd(r["fine"]),
        "status": _status(r["status"]),
        "payment_due": day(r["payment_due"]),
        "paid_on": day(r["paid_on"]),
        "delivered_on": day(r["delivered_on"]),
        "days_late": r["days_late"],
        "late_fee": vnd(r["late_fee"]) if r["late_fee"] or not for_page else None,
    }


# --- the lists -----------------------------------------------------------------------------------


def _listing(request: Request, office: Office, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    pg = paging(request, sorts=[c.sort for c in COLUMNS if c.sort], default_sort=None)
    on, book = today(), RuleBook.load(session)
    records = queries.sanctions(session)
    filters = [Filter("status", "Trạng thái", STATUS_OPTIONS), year_filter(r.decided_on for r in records),
               Filter("unpaid", "Nộp phạt", UNPAID_OPTIONS, many=False)]  # fmt: skip
    listing = Listing(request, "quyết định xử phạt", COLUMNS, [], 0, pg, filters=filters,
                      search="Số quyết định, đối tượng, hành vi vi phạm (có hoặc không dấu)")  # fmt: skip
    states = set(listing.selected("status"))
    years = listing.selected("year")[:1]
    unpaid = listing.selected("unpaid")[:1]
    q = listing.q.strip()[:200]
    raw = []
    for s in records:
        if states and s.status not in states:
            continue
        if years and str(s.decided_on.year) != years[0]:
            continue
        if q and not matches(q, (s.number, s.violator_name, s.tax_code, s.violation, s.minutes_number)):
            continue
        r = _raw(service.sanction_dict(s, on=on, book=book), on)
        owing = r["paid_on"] is None and s.status != SanctionStatus.annulled
        if unpaid and not (owing and (unpaid[0] == "all" or r["days_late"] is not None)):
            continue
        raw.append(r)
    raw = ordered(raw, pg.sort)
    listing.total = len(raw)
    listing.rows = [_row(r, for_page=True) for r in raw[pg.offset : pg.offset + pg.per_page]]
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"/office/sanctions.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    listing.actions = [("Danh sách chưa nộp phạt quá hạn", "/office/sanctions/unpaid")]
    if office.can("cases", "create"):
        listing.actions = [("Ghi quyết định xử phạt", "/office/sanctions/new"), *listing.actions]
    return listing, [_row(r, for_page=False) for r in raw]


CRUMBS = [("/office/cases", "Vụ việc, thanh tra")]


@router.get("", dependencies=[Depends(require("cases", "read"))], summary="Quyết định xử phạt")
def sanction_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _listing(request, office, session)
    return page(office, "list.html", title="Quyết định xử phạt vi phạm hành chính", listing=listing,
                intro="Mức phạt, hạn nộp (10 ngày kể từ ngày giao quyết định) và tiền chậm nộp tính đến hôm nay.",
                crumbs=CRUMBS)  # fmt: skip


@router.get(".{fmt}", dependencies=[Depends(require("cases", "read"))], summary="Xuất danh sách quyết định xử phạt")
def sanction_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows = _listing(request, office, session)
    return exports.export(fmt, COLUMNS, rows, name="xu-phat", sheet="Quyết định xử phạt")


def _unpaid(request: Request, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    pg = paging(request, sorts=[], default_sort=None)
    on, book = today(), RuleBook.load(session)
    listing = Listing(request, "quyết định quá hạn nộp phạt", UNPAID_COLUMNS, [], 0, pg,
                      search="Số quyết định, đối tượng vi phạm (có hoặc không dấu)",
                      exports=[("Excel", "/office/sanctions/unpaid.xlsx")])  # fmt: skip
    q = listing.q.strip()[:200]
    raw = [_raw(service.sanction_dict(s, on=on, book=book), on) for s in service.unpaid_past_deadline(session, on=on)
           if not q or matches(q, (s.number, s.violator_name, s.tax_code))]  # fmt: skip
    if q:
        listing.exports = [("Excel", f"/office/sanctions/unpaid.xlsx?{listing.export_query()}")]
    listing.total = len(raw)
    listing.rows = [_row(r, for_page=True) for r in raw[pg.offset : pg.offset + pg.per_page]]
    return listing, [_row(r, for_page=False) for r in raw]


@router.get("/unpaid", dependencies=[Depends(require("cases", "read"))], summary="Quyết định quá hạn chưa nộp phạt")
def unpaid_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _unpaid(request, session)
    on = today()
    percent = RuleBook.load(session).value("sanction.late_fee_percent_per_day", on)
    return page(office, "list.html", title="Quyết định xử phạt quá hạn chưa nộp", listing=listing,
                intro=f"Đã giao quyết định, quá hạn nộp phạt mà chưa nộp, tính đến hôm nay {dmy(on)}; tiền chậm "
                      f"nộp {number(float(percent))} % mỗi ngày trên số tiền phạt (quy định đang áp dụng).",
                crumbs=[*CRUMBS, HOME])  # fmt: skip


@router.get("/unpaid.xlsx", dependencies=[Depends(require("cases", "read"))], summary="Xuất danh sách chưa nộp phạt")
def unpaid_export(request: Request, session: SessionDep) -> Response:
    _, rows = _unpaid(request, session)
    return exports.export("xlsx", UNPAID_COLUMNS, rows, name="chua-nop-phat", sheet="Chưa nộp phạt")


# --- record a decision -----------------------------------------------------------------------------


def _money_values(values: dict[str, Any]) -> dict[str, Any]:
    """Amounts typed as Vietnamese writes them (30.000.000, 30 000 000 đồng) as the API's whole đồng."""
    out = dict(values)
    for name in MONEY:
        raw = str(out.get(name) or "")
        bare = re.sub(r"\s*(đồng|đ)$", "", raw.strip(), flags=re.IGNORECASE)
        if re.fullmatch(r"[0-9]{1,3}([. ][0-9]{3})+", bare):
            out[name] = re.sub(r"[. ]", "", bare)
    return out


def _range(values: dict[str, Any]) -> dict[str, Any]:
    """The bracket as typed and the range allowed for the chosen violator (the service checks again)."""
    nums = _money_values(values)
    low, high = (int(v) if str(v).isdigit() and len(str(v)) < 14 else None
                 for v in (nums.get("bracket_min_vnd"), nums.get("bracket_max_vnd")))  # fmt: skip
    factor = 2 if values.get("violator_kind") == "organisation" else 1
    words = None
    if low is not None and high is not None:
        who = "tổ chức (gấp đôi cá nhân)" if factor == 2 else "cá nhân"
        words = f"Mức phạt cho {who}: từ {money(low * factor)} đến {money(high * factor)}."
    return {"words": words}


def _new_page(office: Office, session: Any, form: Form, rows: int, origin: dict[str, Any] | None) -> Response:
    return page(office, "sanction_form.html", title="Ghi quyết định xử phạt", status=422 if form.refused else 200,
                f=form, action="/office/sanctions/new", measure_rows=rows, kinds=KIND_OPTIONS, links=LINK_OPTIONS,
                origin=origin, allowed=_range(form.values), back=f"/office/inspections/{origin['id']}" if origin
                else HOME[0], crumbs=[*CRUMBS, HOME])  # fmt: skip


def _form(values: dict[str, Any], rows: int) -> Form:
    return Form(labels=row_labels(LABELS, "measures", MEASURE_PARTS, rows, "Biện pháp"), values=values)


@router.get("/new", dependencies=[Depends(require("cases", "create"))], summary="Ghi quyết định xử phạt")
def sanction_new(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    origin = inspection_words(session, request.query_params.get("inspection"))
    values: dict[str, Any] = {"case_code": (request.query_params.get("case") or "").strip()[:40]}
    if origin is not None:
        values.update(inspection_id=str(origin["id"]), violator_name=origin["subject"][:300],
                      case_code=origin["case_code"] or values["case_code"])  # fmt: skip
    rows = row_count(values, "measures", most=MAX_MEASURES)
    return _new_page(office, session, _form(values, rows), rows, origin)


@router.post("/new", dependencies=[Depends(require("cases", "create"))], summary="Ghi quyết định xử phạt")
async def sanction_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = form_values(await request.form())
    return await in_thread(_create, office, session, values)


def _create(office: Office, session: Any, values: dict[str, Any]) -> Response:
    rows = row_count(values, "measures", most=MAX_MEASURES)
    form = _form(values, rows)
    record = None
    with attempt(session, form):
        record = service.create_sanction(session, to_model(SanctionCreate, _money_values(values)))
    if form.refused or record is None:
        origin = inspection_words(session, values.get("inspection_id"))
        return _new_page(office, session, form, rows, origin)
    return done(f"/office/sanctions/{record.id}", "created")


# --- the record ------------------------------------------------------------------------------------


def _payment_words(rec: dict[str, Any], on: date) -> str | None:
    """How the payment stands: due, paid on time or late (days and the late fee), or overdue today."""
    if rec["payment_due"] is None:
        return "Chưa giao quyết định: hạn nộp tính từ ngày giao."
    due = date.fromisoformat(rec["payment_due"])
    if rec["paid_on"]:
        late = (date.fromisoformat(rec["paid_on"]) - due).days
        if late > 0:
            return (
                f"Đã nộp ngày {dmy(rec['paid_on'])}: nộp chậm {late} ngày, tiền chậm nộp {money(rec['late_fee_vnd'])}."
            )
        return f"Đã nộp ngày {dmy(rec['paid_on'])}, trong hạn."
    if rec["status"] == SanctionStatus.annulled:
        return None
    if due < on:
        return (f"Quá hạn nộp {(on - due).days} ngày (hạn {dmy(due)}); tiền chậm nộp tính đến hôm nay "
                f"{money(rec['late_fee_vnd'])}.")  # fmt: skip
    return f"Hạn nộp phạt: {dmy(due)}."


def _details(rec: dict[str, Any], case_code: str | None, inspection: dict[str, Any] | None) -> list[tuple[str, Any]]:
    low, high = rec["bracket_vnd"]
    factor = 2 if rec["violator_kind"] == "organisation" else 1
    linked = rec["linked"]
    linked_href = {"site": "/office/sites/", "press_outlet": "/office/press/outlets/"}
    return [
        (LABELS["number"], rec["number"]),
        (LABELS["decided_on"], dmy(rec["decided_on"])),
        (LABELS["issuer"], rec["issuer"]),
        (LABELS["minutes_number"], rec["minutes_number"]),
        ("Đối tượng vi phạm", f"{rec['violator_name']} ({dict(KIND_OPTIONS)[rec['violator_kind']].lower()})"),
        (LABELS["tax_code"], rec["tax_code"]),
        ("Căn cứ", rec["citation"]),
        (LABELS["violation"], rec["violation"]),
        ("Khung phạt với cá nhân", f"{money(low)} – {money(high)}"),
        ("Khung áp dụng", f"{money(low * factor)} – {money(high * factor)}" + (" (tổ chức: gấp đôi)" if factor == 2
                                                                              else "")),
        (LABELS["fine_vnd"].removesuffix(" (đồng)"), money(rec["fine_vnd"])),
        (LABELS["additional_penalties"], rec["additional_penalties"]),
        ("Trạng thái", _status(rec["status"])),
        (LABELS["delivered_on"], dmy(rec["delivered_on"]) or "chưa giao"),
        ("Hạn nộp phạt", dmy(rec["payment_due"])),
        (LABELS["paid_on"], dmy(rec["paid_on"])),
        ("Tiền chậm nộp", money(rec["late_fee_vnd"]) if rec["late_fee_vnd"] else None),
        ("Cuộc thanh tra",
         Link(f"/office/inspections/{inspection['id']}", inspection["words"]) if inspection else None),
        ("Hồ sơ vụ việc", Link(f"/office/cases/{case_code}", case_code) if case_code else None),
        ("Bản ghi liên quan", None if linked is None else (
            Link(linked_href[linked["entity"]] + linked["code"], linked["code"]) if linked["entity"] in linked_href
            else f"Trạm số hiệu {linked['code']}")),
        ("Phiên bản", rec["version"]),
    ]  # fmt: skip


def _record_page(
    office: Office, session: Any, record: Sanction, *, forms: dict[str, Form] | None = None, status: int = 200
) -> Response:
    forms = forms or {}
    on = today()
    rec = service.sanction_dict(record, on=on, book=RuleBook.load(session))
    case_code = case_codes(session, [record.case_id]).get(record.case_id) if record.case_id else None  # type: ignore[arg-type]
    inspection = inspection_words(session, str(record.inspection_id)) if record.inspection_id else None
    blank = Form(labels=DAY_LABELS)
    measures = [{**m, "deadline": dmy(m["deadline"]), "done_on": dmy(m["done_on"]),
                 "f": forms.get(f"measure-{i}", blank)} for i, m in enumerate(rec["measures"])]  # fmt: skip
    moves = [(to, *MOVE_WORDS[to]) for to in service.status_moves(record)]
    general = [m for f in forms.values() for m in f.general]
    if "status" in forms:  # a move refused has no field on the page: said at the top
        general += list(forms["status"].errors.values())
    return page(office, "sanction.html", title=f"Quyết định xử phạt số {rec['number']}", status=status, sanction=rec,
                details=_details(rec, case_code, inspection), status_name=_status(rec["status"]).name,
                payment=_payment_words(rec, on), measures=measures, moves=moves, deliver=forms.get("deliver", blank),
                pay=forms.get("pay", blank), general=general,
                history=record_history(office, session, "sanction", record.id), crumbs=[*CRUMBS, HOME])  # fmt: skip


@router.get("/{sanction_id}", dependencies=[Depends(require("cases", "read"))], summary="Một quyết định xử phạt")
def sanction_page(sanction_id: SanctionId, office: OfficeDep, session: SessionDep) -> Response:
    return _record_page(office, session, service.get_sanction(session, sanction_id))


STALE = "Trong lúc bạn xem, quyết định đã được người khác cập nhật; chưa lưu gì. Xem lại rồi ghi lại."


def _change(office: Office, session: Any, sanction_id: int, key: str, form: Form,
            patch: Callable[[Sanction], dict[str, Any]], version: int | None) -> Response:  # fmt: skip
    """One change from the record page as the API's PATCH; a refusal or a stale version comes back on it."""
    record = service.get_sanction(session, sanction_id)
    for name, value in form.values.items():
        if not value and name != "done_on":  # a blank done day clears it; the others need a value
            form.errors[name] = "Chưa nhập" if name == "status" else "Chưa nhập ngày (ngày/tháng/năm)"
    if form.refused:
        return _record_page(office, session, record, forms={key: form}, status=422)
    try:
        with attempt(session, form):
            service.update_sanction(session, sanction_id, to_model(SanctionPatch, patch(record)),
                                    expected_version=version)  # fmt: skip
    except StaleVersion:
        session.refresh(record)
        return _record_page(office, session, record, forms={key: Form(labels=DAY_LABELS, general=[STALE])},
                            status=409)  # fmt: skip
    if form.refused:
        session.refresh(record)
        return _record_page(office, session, record, forms={key: form}, status=422)
    return done(f"/office/sanctions/{sanction_id}", "saved")


def _day_post(key: str, name: str) -> Any:
    async def post(sanction_id: SanctionId, request: Request, office: OfficeDep, session: SessionDep) -> Response:
        posted = await request.form()
        values = {name: form_values(posted).get(name, "")}
        form = Form(labels=DAY_LABELS, values=values)
        return await in_thread(_change, office, session, sanction_id, key, form, lambda _: values,
                               posted_version(posted))  # fmt: skip

    return post


UPDATE = [Depends(require("cases", "update"))]
router.add_api_route("/{sanction_id}/deliver", _day_post("deliver", "delivered_on"), methods=["POST"],
                     dependencies=UPDATE, summary="Ghi ngày giao quyết định")  # fmt: skip
router.add_api_route("/{sanction_id}/pay", _day_post("pay", "paid_on"), methods=["POST"], dependencies=UPDATE,
                     summary="Ghi ngày nộp phạt")  # fmt: skip


@router.post("/{sanction_id}/measures/{index}", dependencies=[Depends(require("cases", "update"))],
             summary="Ghi biện pháp khắc phục đã thực hiện")  # fmt: skip
async def measure_done(sanction_id: SanctionId, index: Index, request: Request, office: OfficeDep,
                       session: SessionDep) -> Response:  # fmt: skip
    posted = await request.form()
    values = {"done_on": form_values(posted).get("done_on", "")}
    form = Form(labels=DAY_LABELS, values=values)

    def patch(record: Sanction) -> dict[str, Any]:
        """Every measure as it is, this one with its done day (the API's PATCH sends the whole list)."""
        if index >= len(record.measures):
            raise ValidationFailed(f"Quyết định không có biện pháp khắc phục thứ {index + 1}")
        rows = [{"measure": m.measure, "deadline": m.deadline.isoformat(), "done_on": m.done_on.isoformat()
                 if m.done_on else ""} for m in record.measures]  # fmt: skip
        rows[index]["done_on"] = values["done_on"]
        return {f"measures.{i}.{k}": v for i, row in enumerate(rows) for k, v in row.items()}

    return await in_thread(_change, office, session, sanction_id, f"measure-{index}", form, patch,
                           posted_version(posted))  # fmt: skip


@router.get("/{sanction_id}/status", dependencies=[Depends(require("cases", "update"))],
            summary="Chuyển trạng thái quyết định xử phạt")  # fmt: skip
def status_confirm(sanction_id: SanctionId, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    record = service.get_sanction(session, sanction_id)
    to = request.query_params.get("to", "")
    if to not in service.status_moves(record):
        form = Form(labels=DAY_LABELS, errors={"status": "Không chuyển được quyết định sang trạng thái này"})
        return _record_page(office, session, record, forms={"status": form}, status=422)
    label, words = MOVE_WORDS[to]
    return page(office, "sanction_status.html", title=f"{label}: quyết định số {record.number}", sanction=record,
                to=to, to_name=SANCTION_STATUS_NAMES[SanctionStatus(to)], words=words, label=label,
                back=f"/office/sanctions/{record.id}", crumbs=[*CRUMBS, HOME,
                (f"/office/sanctions/{record.id}", f"Quyết định số {record.number}")])  # fmt: skip


@router.post("/{sanction_id}/status", dependencies=[Depends(require("cases", "update"))],
             summary="Chuyển trạng thái quyết định xử phạt")  # fmt: skip
async def status_move(sanction_id: SanctionId, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    values = {"status": form_values(posted).get("status", "")}
    form = Form(labels=DAY_LABELS, values=values)
    return await in_thread(_change, office, session, sanction_id, "status", form, lambda _: values,
                           posted_version(posted))  # fmt: skip
