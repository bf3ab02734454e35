"""Inspections in the back office: the list (concluded or not, year, search, exports), record one from
its decision (team and findings as rows; the case page links to ``/office/inspections/new?case=<code>``),
its page (details, team, findings with recommendations and deadlines, each marked done on a day, the
conclusion form, the sanctions issued from it, history in words).

Every page calls what the API route calls (registry.cases.enforcement_service) under the same
permission; the forms carry the API's field names and are checked by the API's own models
(InspectionCreate, InspectionConclude, FindingDone)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import Response
from sqlalchemy import select

from api import audit
from api.access import require
from api.deps import SessionDep
from api.office import exports
from api.office.forms import Form, attempt, form_values, posted_version, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page
from maps.record_pages import history_rows
from maps.templating import Link, dmy
from registry.accounts.permissions import authorize, can_read_history
from registry.cases import enforcement_service as service
from registry.cases import queries
from registry.cases.enforcement_models import Inspection, Sanction
from registry.cases.models import Case
from registry.cases.schemas import FindingDone, InspectionConclude, InspectionCreate
from registry.errors import NotFound, StaleVersion
from registry.text import fold

router = APIRouter(prefix="/office/inspections", tags=["Văn phòng"], include_in_schema=False)
InspectionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
HOME = ("/office/inspections", "Thanh tra")
CASES = ("/office/cases", "Vụ việc, thanh tra")
HISTORY_ROWS = 200
SPARE_ROWS = 2  # empty team and finding rows under the filled ones (no script needed to add one)
MAX_TEAM, MAX_FINDINGS = 30, 200  # as InspectionCreate allows

LABELS = {
    "case_code": "Mã hồ sơ vụ việc",
    "decision_number": "Số quyết định thanh tra",
    "decision_date": "Ngày quyết định",
    "issuer": "Người ra quyết định",
    "subject": "Đối tượng thanh tra",
    "scope": "Phạm vi, nội dung thanh tra",
    "team": "Thành viên đoàn thanh tra",
    "announced_on": "Ngày công bố quyết định",
    "direct_end_on": "Ngày kết thúc thanh tra trực tiếp",
    "findings": "Phát hiện và kiến nghị",
}
FINDING_PARTS = {"finding": "phát hiện", "recommendation": "kiến nghị", "deadline": "thời hạn"}
CONCLUDE_LABELS = {
    "conclusion_number": "Số kết luận thanh tra",
    "concluded_on": "Ngày kết luận",
    "conclusion": "Nội dung kết luận",
    "published": "Đã công khai kết luận",
}
DONE_LABELS = {"done_on": "Ngày thực hiện xong"}
CONCLUDED_OPTIONS = [("yes", "Đã kết luận"), ("no", "Chưa kết luận")]

COLUMNS = (
    Column("decision_number", "Số quyết định", "decision_number"),
    Column("decision_date", "Ngày quyết định", "decision_date"),
    Column("subject", "Đối tượng", "subject"),
    Column("issuer", "Người ra quyết định", None),
    Column("case", "Hồ sơ", None),
    Column("direct_end_on", "Kết thúc trực tiếp", "direct_end_on"),
    Column("concluded", "Đã kết luận", "concluded_on"),
    Column("open_findings", "Kiến nghị chưa thực hiện", "open_findings"),
)


# --- shared with the sanctions' pages ----------------------------------------------------------------


def ordered(rows: list[dict[str, Any]], sort: str | None) -> list[dict[str, Any]]:
    """Rows (raw values under their sort keys) in the order a heading asks; blanks last either way."""
    if not sort:
        return rows
    key = sort.lstrip("-")
    filled = [r for r in rows if r.get(key) is not None]
    blank = [r for r in rows if r.get(key) is None]
    return sorted(filled, key=lambda r: r[key], reverse=sort.startswith("-")) + blank


def matches(q: str, words: Iterable[Any]) -> bool:
    """A search (with or without diacritics) finds a record when every word is in one of its texts."""
    text = fold(" ".join(str(w) for w in words if w))
    return all(part in text for part in fold(q).split())


def year_filter(days: Iterable[date]) -> Filter:
    years = sorted({d.year for d in days}, reverse=True)
    return Filter("year", "Năm quyết định", [(str(y), str(y)) for y in years], many=False)


def case_codes(session: Any, ids: Iterable[int | None]) -> dict[int, str]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return dict(session.execute(select(Case.id, Case.code).where(Case.id.in_(wanted))).tuples().all())


def record_history(office: Office, session: Any, entity: str, record_id: int) -> dict[str, Any] | None:
    """A record's history with its children's, in words (None: the role may not read it)."""
    if not can_read_history(office.principal, entity):
        return None
    grant = authorize(office.principal, "audit", "read")
    return history_rows(audit.history(session, grant, entity, record_id, limit=HISTORY_ROWS, offset=0))


def row_labels(base: dict[str, str], name: str, parts: dict[str, str], rows: int, what: str) -> dict[str, str]:
    """Labels of a form's repeated rows (``findings.0.finding`` → "Dòng 1: phát hiện")."""
    each = {f"{name}.{i}.{p}": f"{what} {i + 1}: {word}" for i in range(rows) for p, word in parts.items()}
    return {**base, **each}


def row_count(values: dict[str, Any], name: str, *, most: int) -> int:
    """Rows a form with repeated rows shows: those posted or filled, and a few empty ones, at most ``most``."""
    used = [int(k.split(".")[1]) + 1 for k in values if k.startswith(f"{name}.") and k.split(".")[1].isdigit()]
    return min(most, max(used, default=0) + SPARE_ROWS)


# --- the list ------------------------------------------------------------------------------------


def _listing(request: Request, office: Office, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    pg = paging(request, sorts=[c.sort for c in COLUMNS if c.sort], default_sort=None)
    records = queries.inspections(session)
    filters = [Filter("concluded", "Kết luận", CONCLUDED_OPTIONS, many=False),
               year_filter(r.decision_date for r in records)]  # fmt: skip
    listing = Listing(request, "cuộc thanh tra", COLUMNS, [], 0, pg, filters=filters,
                      search="Số quyết định, đối tượng, người ra quyết định, mã hồ sơ (có hoặc không dấu)")  # fmt: skip
    codes = case_codes(session, (r.case_id for r in records))
    concluded = listing.selected("concluded")[:1]
    years = listing.selected("year")[:1]
    q = listing.q.strip()[:200]
    raw = []
    for r in records:
        code = codes.get(r.case_id) if r.case_id else None
        if concluded and (r.concluded_on is not None) != (concluded[0] == "yes"):
            continue
        if years and str(r.decision_date.year) != years[0]:
            continue
        if q and not matches(q, (r.decision_number, r.subject, r.issuer, code, *r.team)):
            continue
        raw.append({"id": r.id, "decision_number": r.decision_number, "decision_date": r.decision_date,
                    "subject": r.subject, "issuer": r.issuer, "case": code, "direct_end_on": r.direct_end_on,
                    "concluded_on": r.concluded_on,
                    "open_findings": sum(1 for f in r.findings if f.done_on is None)})  # fmt: skip
    raw = ordered(raw, pg.sort)
    listing.total = len(raw)
    listing.rows = [_row(r, for_page=True) for r in raw[pg.offset : pg.offset + pg.per_page]]
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"/office/inspections.{fmt}?{query}") for fmt in ("csv", "xlsx")]
    if office.can("cases", "create"):
        listing.actions = [("Ghi quyết định thanh tra", "/office/inspections/new")]
    return listing, [_row(r, for_page=False) for r in raw]


def _row(r: dict[str, Any], *, for_page: bool) -> dict[str, Any]:
    day: Callable[[Any], Any] = dmy if for_page else (lambda v: v)
    code = r["case"]
    return {
        "decision_number": Link(f"/office/inspections/{r['id']}", r["decision_number"]),
        "decision_date": day(r["decision_date"]),
        "subject": r["subject"],
        "issuer": r["issuer"],
        "case": Link(f"/office/cases/{code}", code) if code else None,
        "direct_end_on": day(r["direct_end_on"]),
        "concluded": day(r["concluded_on"]) if r["concluded_on"] else "chưa",
        "open_findings": r["open_findings"],
    }


@router.get("", dependencies=[Depends(require("cases", "read"))], summary="Các cuộc thanh tra")
def inspection_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _listing(request, office, session)
    return page(office, "list.html", title="Các cuộc thanh tra", listing=listing,
                intro="Quyết định thanh tra, kết luận và các kiến nghị chưa thực hiện; quyết định xử phạt ở "
                      "trang «Quyết định xử phạt».", crumbs=[CASES])  # fmt: skip


@router.get(".{fmt}", dependencies=[Depends(require("cases", "read"))], summary="Xuất danh sách cuộc thanh tra")
def inspection_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows = _listing(request, office, session)
    return exports.export(fmt, COLUMNS, rows, name="thanh-tra", sheet="Thanh tra")


# --- record an inspection --------------------------------------------------------------------------


def _new_page(office: Office, form: Form, rows: tuple[int, int]) -> Response:
    return page(office, "inspection_form.html", title="Ghi quyết định thanh tra", status=422 if form.refused else 200,
                f=form, action="/office/inspections/new", team_rows=rows[0], finding_rows=rows[1],
                back=HOME[0], crumbs=[CASES, HOME])  # fmt: skip


def _rows(values: dict[str, Any]) -> tuple[int, int]:
    return row_count(values, "team", most=MAX_TEAM), row_count(values, "findings", most=MAX_FINDINGS)


def _form(values: dict[str, Any], rows: tuple[int, int]) -> Form:
    labels = row_labels(LABELS, "findings", FINDING_PARTS, rows[1], "Phát hiện")
    labels.update({f"team.{i}": f"Thành viên {i + 1}" for i in range(rows[0])})
    return Form(labels=labels, values=values)


@router.get("/new", dependencies=[Depends(require("cases", "create"))], summary="Ghi quyết định thanh tra")
def inspection_new(request: Request, office: OfficeDep) -> Response:
    values = {"case_code": (request.query_params.get("case") or "").strip()[:40]}
    rows = _rows(values)
    return _new_page(office, _form(values, rows), rows)


@router.post("/new", dependencies=[Depends(require("cases", "create"))], summary="Ghi quyết định thanh tra")
async def inspection_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = form_values(await request.form())
    return await in_thread(_create, office, session, values)


def _create(office: Office, session: Any, values: dict[str, Any]) -> Response:
    rows = _rows(values)
    form = _form(values, rows)
    record = None
    with attempt(session, form):
        record = service.create_inspection(session, to_model(InspectionCreate, values))
    if form.refused or record is None:
        return _new_page(office, form, rows)
    return done(f"/office/inspections/{record.id}", "created")


# --- the record ------------------------------------------------------------------------------------


def _title(record: Inspection) -> str:
    return f"Thanh tra theo quyết định số {record.decision_number}"


def _details(record: Inspection, code: str | None) -> list[tuple[str, Any]]:
    return [
        (LABELS["decision_number"], record.decision_number),
        (LABELS["decision_date"], dmy(record.decision_date)),
        (LABELS["issuer"], record.issuer),
        (LABELS["subject"], record.subject),
        (LABELS["scope"], record.scope),
        ("Hồ sơ vụ việc", Link(f"/office/cases/{code}", code) if code else None),
        (LABELS["announced_on"], dmy(record.announced_on)),
        (LABELS["direct_end_on"], dmy(record.direct_end_on)),
        ("Số lần gia hạn", record.extensions),
        (CONCLUDE_LABELS["conclusion_number"], record.conclusion_number),
        (CONCLUDE_LABELS["concluded_on"], dmy(record.concluded_on) or "chưa kết luận"),
        (CONCLUDE_LABELS["published"], record.conclusion_published if record.concluded_on else None),
        ("Phiên bản", record.version),
    ]


def _record_page(
    office: Office, session: Any, record: Inspection, *, forms: dict[str, Form] | None = None, status: int = 200
) -> Response:
    forms = forms or {}
    code = case_codes(session, [record.case_id]).get(record.case_id) if record.case_id else None  # type: ignore[arg-type]
    sanctions = session.scalars(select(Sanction).where(Sanction.inspection_id == record.id).order_by(Sanction.id))
    conclude = forms.get("conclude") or Form(labels=CONCLUDE_LABELS, values={
        "conclusion_number": record.conclusion_number or "", "concluded_on": dmy(record.concluded_on) or "",
        "conclusion": record.conclusion or "", "published": "true" if record.conclusion_published else ""})  # fmt: skip
    findings = [
        {"id": f.id, "finding": f.finding, "recommendation": f.recommendation, "deadline": dmy(f.deadline),
         "done_on": dmy(f.done_on), "f": forms.get(f"finding-{f.id}") or Form(labels=DONE_LABELS)}
        for f in record.findings
    ]  # fmt: skip
    general = [m for f in forms.values() for m in f.general]
    return page(office, "inspection.html", title=_title(record), status=status, inspection=record,
                details=_details(record, code), case_code=code, findings=findings, conclude=conclude,
                sanctions=[Link(f"/office/sanctions/{s.id}", f"Quyết định số {s.number} ngày {dmy(s.decided_on)} — "
                                f"{s.violator_name}") for s in sanctions],
                general=general, history=record_history(office, session, "inspection", record.id),
                crumbs=[CASES, HOME])  # fmt: skip


@router.get("/{inspection_id}", dependencies=[Depends(require("cases", "read"))], summary="Một cuộc thanh tra")
def inspection_page(inspection_id: InspectionId, office: OfficeDep, session: SessionDep) -> Response:
    return _record_page(office, session, service.get_inspection(session, inspection_id))


STALE = "Trong lúc bạn xem, cuộc thanh tra đã được người khác cập nhật; chưa lưu gì. Xem lại rồi ghi lại."


def _change(office: Office, session: Any, inspection_id: int, key: str, form: Form,
            work: Callable[[], Any]) -> Response:  # fmt: skip
    """Run one change from the record page; a refusal or a stale version comes back on the page."""
    record = service.get_inspection(session, inspection_id)
    try:
        with attempt(session, form):
            work()
    except StaleVersion:
        session.refresh(record)
        return _record_page(office, session, record, forms={key: Form(labels=form.labels, general=[STALE])},
                            status=409)  # fmt: skip
    if form.refused:
        session.refresh(record)
        return _record_page(office, session, record, forms={key: form}, status=422)
    return done(f"/office/inspections/{inspection_id}", "saved")


@router.post("/{inspection_id}/conclude", dependencies=[Depends(require("cases", "update"))],
             summary="Kết luận thanh tra")  # fmt: skip
async def inspection_conclude(inspection_id: InspectionId, request: Request, office: OfficeDep,
                              session: SessionDep) -> Response:  # fmt: skip
    posted = await request.form()
    values, version = form_values(posted), posted_version(posted)
    values["published"] = "true" if values.get("published") else "false"
    form = Form(labels=CONCLUDE_LABELS, values=values)

    def work() -> None:
        service.conclude_inspection(session, inspection_id, to_model(InspectionConclude, values),
                                    expected_version=version)  # fmt: skip

    return await in_thread(_change, office, session, inspection_id, "conclude", form, work)


@router.post("/{inspection_id}/findings/{finding_id}", dependencies=[Depends(require("cases", "update"))],
             summary="Ghi kiến nghị đã thực hiện")  # fmt: skip
async def finding_done(inspection_id: InspectionId, finding_id: InspectionId, request: Request, office: OfficeDep,
                       session: SessionDep) -> Response:  # fmt: skip
    posted = await request.form()
    values, version = form_values(posted), posted_version(posted)
    form = Form(labels=DONE_LABELS, values=values)

    def work() -> None:
        data = to_model(FindingDone, values, clear=frozenset({"done_on"}))
        service.mark_finding(session, inspection_id, finding_id, data, expected_version=version)

    return await in_thread(_change, office, session, inspection_id, f"finding-{finding_id}", form, work)


def inspection_words(session: Any, inspection_id: str | None) -> dict[str, Any] | None:
    """An inspection a sanction form starts from (``?inspection=<id>``), in words; None when unknown."""
    if not inspection_id or not inspection_id.isdigit() or len(inspection_id) > 9:
        return None
    try:
        record = service.get_inspection(session, int(inspection_id))
    except NotFound:
        return None
    code = case_codes(session, [record.case_id]).get(record.case_id) if record.case_id else None  # type: ignore[arg-type]
    return {"id": record.id, "subject": record.subject, "case_code": code,
            "words": f"Quyết định thanh tra số {record.decision_number} ngày {dmy(record.decision_date)} — "
                     f"{record.subject}"}  # fmt: skip
