"""General-information websites' annual reports in the back office: record one (the outlet page's button
opens ``/office/press/annual-reports/new?outlet_code=X``; the missing list's line opens it with the year)
through the API's model and service (AnnualReportCreate, registry.press.service.create_annual_report),
and the reports recorded, as a list. The missing list is a work list: /office/press/work/missing-reports."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep
from api.office import exports
from api.office.forms import Form, attempt, form_values, to_model
from api.office.lists import Column, Filter, Listing, paging
from api.office.pages import Office, OfficeDep, done, in_thread, page
from maps.templating import Link, State, dmy
from registry.clock import today
from registry.errors import FieldError, NotFound, ValidationFailed
from registry.press import service
from registry.press.licence_views import annual_reports, report_due
from registry.press.models import OutletKind
from registry.press.schemas import AnnualReportCreate
from registry.text import fold

router = APIRouter(prefix="/office/press/annual-reports", tags=["Văn phòng"], include_in_schema=False)
HOME = ("/office/press/annual-reports", "Báo cáo năm")
LABELS = {
    "outlet_code": "Mã trang thông tin điện tử tổng hợp",
    "year": "Báo cáo của năm",
    "filed_on": "Ngày Sở nhận báo cáo",
    "notes": "Ghi chú",
}
NOT_WEBSITE = "Chỉ trang thông tin điện tử tổng hợp nộp báo cáo năm"
COLUMNS = (
    Column("outlet", "Trang", "outlet"),
    Column("outlet_code", "Mã", "outlet_code"),
    Column("year", "Năm", "year"),
    Column("filed_on", "Ngày nộp", "filed_on"),
    Column("on_time", "Thời hạn", "on_time"),
    Column("notes", "Ghi chú"),
)


def _outlet(session: Any, code: str | None) -> Any:
    if not code:
        return None
    try:
        return service.get_outlet(session, code[:40])
    except NotFound:
        return None


def _new_page(office: Office, form: Form, outlet: Any, due: tuple[int, Any]) -> Response:
    back = f"/office/press/outlets/{outlet.code}" if outlet is not None else HOME[0]
    crumbs = [HOME] if outlet is None else [("/office/press/outlets", "Báo chí"), (back, outlet.name)]
    not_website = outlet is not None and outlet.kind != OutletKind.general_website.value
    return page(office, "press_report_form.html", title="Ghi nhận báo cáo năm", f=form,
                status=422 if form.refused else 200, back=back, crumbs=crumbs, due_year=due[0], due_on=due[1],
                holder=None if outlet is None else {"code": outlet.code, "name": outlet.name},
                not_website=not_website)  # fmt: skip


@router.get("/new", dependencies=[Depends(require("press_licences", "create"))], summary="Ghi nhận báo cáo năm")
def report_new(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    params = request.query_params
    outlet = _outlet(session, params.get("outlet_code"))
    due = report_due(session, today())
    year = params.get("year") or ""
    values: dict[str, Any] = {"year": year if year.isdigit() and len(year) == 4 else str(due[0]),
                              "filed_on": dmy(today())}  # fmt: skip
    if outlet is not None:
        values["outlet_code"] = outlet.code
    return _new_page(office, Form(labels=LABELS, values=values), outlet, due)


@router.post("/new", dependencies=[Depends(require("press_licences", "create"))], summary="Ghi nhận báo cáo năm")
async def report_create(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    values = form_values(await request.form())
    return await in_thread(_create, office, session, values)


def _create(office: Office, session: Any, values: dict[str, Any]) -> Response:
    form = Form(labels=LABELS, values=values)
    report = None
    with attempt(session, form):
        data = to_model(AnnualReportCreate, values)
        outlet = _outlet(session, data.outlet_code)
        if outlet is not None and outlet.kind != OutletKind.general_website.value:
            # The service refuses it too ("Sai loại"); the page says why.
            raise ValidationFailed("Sai loại cơ quan", [FieldError(NOT_WEBSITE, field="outlet_code")])
        report = service.create_annual_report(session, data)
    if form.refused or report is None:
        return _new_page(office, form, _outlet(session, values.get("outlet_code")), report_due(session, today()))
    return done(f"{HOME[0]}?outlet_code={data.outlet_code}", "created")


# --- the list ------------------------------------------------------------------------------------


def _row(r: dict[str, Any], *, for_page: bool) -> dict[str, Any]:
    return {
        **r,
        "outlet": Link(f"/office/press/outlets/{r['outlet_code']}", r["outlet_name"]) if for_page else r["outlet_name"],
        "filed_on": dmy(r["filed_on"]),
        "on_time": State("đúng hạn", "valid") if r["on_time"] else State(f"muộn (hạn {dmy(r['due_on'])})", "expired"),
    }


def _listing(request: Request, office: Office, session: Any) -> tuple[Listing, list[dict[str, Any]]]:
    pg = paging(request, sorts=[c.sort for c in COLUMNS if c.sort], default_sort=None)
    rows = annual_reports(session, on=today())
    filters = [Filter("year", "Năm", [(str(y), str(y)) for y in sorted({r["year"] for r in rows}, reverse=True)])]
    code = (request.query_params.get("outlet_code") or "").strip()[:40]
    if code:
        filters.append(Filter("outlet_code", "Trang", [(code, code)], many=False))
    listing = Listing(request, "báo cáo", COLUMNS, [], 0, pg, filters=filters, search="Tên hoặc mã trang")
    if years := listing.selected("year"):
        rows = [r for r in rows if str(r["year"]) in years]
    if code:
        rows = [r for r in rows if r["outlet_code"] == code]
    if q := fold(listing.q.strip()[:200]):
        rows = [r for r in rows if q in fold(f"{r['outlet_name']} {r['outlet_code']}")]
    if pg.sort:
        key = pg.sort.lstrip("-")
        field = "outlet_name" if key == "outlet" else key
        rows.sort(key=lambda r: (r[field] is None, r[field] if isinstance(r[field], int) else fold(str(r[field]))),
                  reverse=pg.sort.startswith("-"))  # fmt: skip
    listing.total = len(rows)
    listing.rows = [_row(r, for_page=True) for r in rows[pg.offset : pg.offset + pg.per_page]]
    query = listing.export_query()
    listing.exports = [(fmt.upper(), f"{HOME[0]}.{fmt}" + (f"?{query}" if query else "")) for fmt in ("csv", "xlsx")]
    if office.can("press_licences", "create"):
        new = f"{HOME[0]}/new" + (f"?{urlencode({'outlet_code': code})}" if code else "")
        listing.actions = [
            ("Ghi nhận báo cáo năm", new),
            ("Trang thiếu báo cáo năm", "/office/press/work/missing-reports"),
        ]
    return listing, [_row(r, for_page=False) for r in rows]


@router.get("", dependencies=[Depends(require("press_reports", "read"))], summary="Báo cáo năm")
def report_list(request: Request, office: OfficeDep, session: SessionDep) -> Response:
    listing, _ = _listing(request, office, session)
    return page(office, "list.html", title="Báo cáo năm của trang thông tin điện tử tổng hợp", listing=listing,
                intro="Báo cáo năm đã nhận; trang chưa nộp hoặc nộp muộn ở danh sách «Thiếu báo cáo năm».")  # fmt: skip


@router.get(".{fmt}", dependencies=[Depends(require("press_reports", "read"))], summary="Xuất báo cáo năm")
def report_export(fmt: exports.Format, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    _, rows = _listing(request, office, session)
    return exports.export(fmt, COLUMNS, rows, name="bao-cao-nam", sheet="Báo cáo năm")
