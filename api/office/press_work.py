"""The press managers' work lists as pages: licences expiring within N days, outlets without a licence
that lets them work, websites missing their annual report, late notifications. The rows are the API's
(GET /api/press/reports/{name}, registry.press.licence_views.report_rows); each links to the outlet's
office page; the Excel button gives the API's own Excel of exactly the rows listed (the same file as
the API's when nothing is filtered)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep, SettingsDep
from api.office.lists import DAY_CHOICES, Column, Filter, Listing, days_param, paging, work_card
from api.office.pages import Office, OfficeDep, page
from maps.templating import Link, State, dmy
from registry.clock import today
from registry.press.licence_views import lateness, report_rows, report_xlsx, shown_moment
from registry.press.models import LICENCE_KIND_NAMES, NOTIFICATION_KIND_NAMES, OUTLET_KIND_NAMES
from registry.press.views import LICENCE_STATUS_NAMES
from registry.text import fold

router = APIRouter(prefix="/office/press/work", tags=["Văn phòng"], include_in_schema=False)
HOME = ("/office/press/work", "Việc báo chí")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Key = Literal["expiring", "unlicensed", "missing-reports", "late-notifications"]
# The page's key → the API's report name (GET /api/press/reports/{name}).
REPORT = {
    "expiring": "expiring-licences",
    "unlicensed": "unlicensed",
    "missing-reports": "missing-annual-reports",
    "late-notifications": "late-notifications",
}
TITLES = {
    "expiring": "Giấy phép báo chí sắp hết hạn",
    "unlicensed": "Cơ quan không có giấy phép còn hiệu lực",
    "missing-reports": "Trang tổng hợp thiếu báo cáo năm",
    "late-notifications": "Thông báo nộp muộn",
}
INTROS = {
    "expiring": "Giấy phép đang có hiệu lực của cơ quan đang hoạt động hoặc tạm dừng, hết hạn trong số ngày đã chọn.",
    "unlicensed": "Cơ quan đang hoạt động thuộc loại hình phải có giấy phép mà giấy phép tốt nhất hôm nay chưa có, "
    "đã hết hạn, bị đình chỉ, bị thu hồi hoặc chưa có hiệu lực.",
    "missing-reports": "Trang thông tin điện tử tổng hợp đang hoạt động, đã có giấy phép trong năm, chưa nộp hoặc nộp "
    "muộn báo cáo năm đã đến hạn.",
    "late-notifications": "Thông báo nộp sau thời hạn báo trước của quy định có hiệu lực vào ngày nộp.",
}
COLUMNS = {
    "expiring": (
        Column("number", "Số giấy phép", "number"),
        Column("kind", "Loại giấy phép", "kind"),
        Column("outlet_name", "Cơ quan", "outlet_name"),
        Column("issuer", "Cơ quan cấp", "issuer"),
        Column("valid_until", "Hết hạn", "valid_until"),
        Column("days_left", "Còn (ngày)", "days_left"),
        Column("action", "Việc cần làm"),
    ),
    "unlicensed": (
        Column("outlet_name", "Cơ quan", "outlet_name"),
        Column("outlet_code", "Mã", "outlet_code"),
        Column("outlet_kind", "Loại hình", "outlet_kind"),
        Column("licence_status", "Tình trạng giấy phép", "licence_status"),
        Column("licence_number", "Số giấy phép", "licence_number"),
        Column("licence_valid_until", "Hết hạn", "licence_valid_until"),
        Column("action", "Việc cần làm"),
    ),
    "missing-reports": (
        Column("outlet_name", "Trang", "outlet_name"),
        Column("outlet_code", "Mã", "outlet_code"),
        Column("year", "Năm", "year"),
        Column("state", "Tình trạng", "state"),
        Column("filed_on", "Ngày nộp", "filed_on"),
        Column("action", "Việc cần làm"),
    ),
    "late-notifications": (
        Column("subject", "Nội dung", "subject"),
        Column("kind", "Loại", "kind"),
        Column("outlet_name", "Cơ quan / đơn vị", "outlet_name"),
        Column("filed_at", "Nộp lúc", "filed_at"),
        Column("event_at", "Diễn ra lúc", "event_at"),
        Column("late", "Muộn", "lead"),
    ),
}
REPORT_STATES = {"missing": State("chưa nộp", "none"), "late": State("nộp muộn", "expired")}


def _days(request: Request, settings: Any) -> int:
    return days_param(request, settings.permit_expiring_days)


def _outlet(r: dict[str, Any]) -> Any:
    if not r.get("outlet_code"):
        return r.get("organiser")
    return Link(f"/office/press/outlets/{r['outlet_code']}", r["outlet_name"])


def _cells(key: str, office: Office) -> Callable[[dict[str, Any]], dict[str, Any]]:
    may_update = office.can("press_licences", "update")
    may_create = office.can("press_licences", "create")

    def expiring(r: dict[str, Any]) -> dict[str, Any]:
        return {
            **r,
            "number": Link(f"/office/press/licences/{r['id']}", r["number"]),
            "kind": LICENCE_KIND_NAMES.get(r["kind"], r["kind"]),  # type: ignore[call-overload]
            "outlet_name": _outlet(r),
            "valid_until": dmy(r["valid_until"]),
            "action": Link(f"/office/press/licences/{r['id']}/renew", "Gia hạn") if may_update else None,
        }

    def unlicensed(r: dict[str, Any]) -> dict[str, Any]:
        number = r["licence_number"]
        new = "/office/press/licences/new?" + urlencode({"outlet_code": r["outlet_code"]})
        return {
            **r,
            "outlet_name": _outlet(r),
            "outlet_kind": OUTLET_KIND_NAMES.get(r["outlet_kind"], r["outlet_kind"]),  # type: ignore[call-overload]
            "licence_status": State(LICENCE_STATUS_NAMES[r["licence_status"]], r["licence_status"]),
            "licence_number": Link(f"/office/press/licences/{r['licence_id']}", number) if number else None,
            "licence_valid_until": dmy(r["licence_valid_until"]),
            "action": Link(new, "Ghi giấy phép") if may_create else None,
        }

    def missing(r: dict[str, Any]) -> dict[str, Any]:
        new = "/office/press/annual-reports/new?" + urlencode({"outlet_code": r["outlet_code"], "year": r["year"]})
        return {
            **r,
            "outlet_name": _outlet(r),
            "state": REPORT_STATES.get(r["state"], r["state"]),
            "filed_on": dmy(r["filed_on"]),
            "action": Link(new, "Ghi báo cáo năm") if may_create and r["state"] == "missing" else None,
        }

    def late(r: dict[str, Any]) -> dict[str, Any]:
        verdict = lateness(r)
        return {
            **r,
            "subject": Link(f"/office/press/notifications/{r['id']}", r["subject"]),
            "kind": NOTIFICATION_KIND_NAMES.get(r["kind"], r["kind"]),  # type: ignore[call-overload]
            "outlet_name": _outlet(r),
            "filed_at": shown_moment(r["filed_at"]),
            "event_at": shown_moment(r["event_at"]),
            "late": State(f"muộn {verdict['short_by']}", "expired") if verdict["late"] else None,
        }

    return {"expiring": expiring, "unlicensed": unlicensed, "missing-reports": missing, "late-notifications": late}[key]


def _sort_key(column: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def key(r: dict[str, Any]) -> tuple[bool, Any]:
        v = r.get(column)
        if column == "lead" and v is not None:  # how late: the shortfall against the rule
            v = -(float(r["min_lead"]) - float(v)) * (24 if r["unit"] == "days" else 1)
        return (v is None, v if isinstance(v, int | float) else fold(str(v or "")))

    return key


def _search(key: str, rows: list[dict[str, Any]], q: str) -> list[dict[str, Any]]:
    folded = fold(q.strip()[:200])
    if not folded:
        return rows
    fields = ("outlet_name", "outlet_code", "number", "subject", "organiser")
    return [r for r in rows if folded in fold(" ".join(str(r.get(f) or "") for f in fields))]


def _listing(key: str, request: Request, office: Office, session: Any, settings: Any
             ) -> tuple[Listing, list[dict[str, Any]], date]:  # fmt: skip
    """The page's list and every row it lists (sorted as the page is) for the Excel button."""
    columns = COLUMNS[key]
    pg = paging(request, sorts=[c.sort for c in columns if c.sort], default_sort=None)
    on = today()
    days = _days(request, settings)
    filters: list[Filter] = []
    if key == "expiring":
        choices = sorted({*DAY_CHOICES, days})
        filters.append(Filter("days", "Hết hạn trong", [(str(n), f"{n} ngày tới") for n in choices], many=False))
    listing = Listing(request, "dòng", columns, [], 0, pg, filters=filters, search="Tên hoặc mã cơ quan, số, nội dung")
    rows = _search(key, report_rows(session, REPORT[key], on=on, days=days), listing.q)
    if pg.sort:  # else the API's order
        rows.sort(key=_sort_key(pg.sort.lstrip("-")), reverse=pg.sort.startswith("-"))
    listing.total = len(rows)
    cells = _cells(key, office)
    listing.rows = [cells(r) for r in rows[pg.offset : pg.offset + pg.per_page]]
    params = [(k, v) for k, v in request.query_params.multi_items() if k in ("q", "sort") and v]
    if key == "expiring":
        params.insert(0, ("days", str(days)))
    listing.exports = [("Excel", f"{HOME[0]}/{key}.xlsx" + (f"?{urlencode(params)}" if params else ""))]
    listing.extra = {"days": days, "on": on}
    return listing, rows, on


@router.get("", dependencies=[Depends(require("press_reports", "read"))], summary="Việc báo chí")
def work_index(office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    on, days = today(), settings.permit_expiring_days
    lists = []
    for key in REPORT:
        count = len(report_rows(session, REPORT[key], on=on, days=days))
        lists.append(work_card(HOME[0], key, title=TITLES[key], intro=INTROS[key], count=count, days=days))
    return page(office, "press_work.html", title="Việc báo chí", lists=lists, on=on)


@router.get("/{key}.xlsx", dependencies=[Depends(require("press_reports", "read"))], summary="Xuất Excel")
def work_xlsx(key: Key, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    _, rows, on = _listing(key, request, office, session, settings)
    filename, body = report_xlsx(rows, REPORT[key], on=on)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/{key}", dependencies=[Depends(require("press_reports", "read"))], summary="Việc báo chí")
def work_list(key: Key, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    listing, _, on = _listing(key, request, office, session, settings)
    title = TITLES[key] if key != "expiring" else f"{TITLES[key]} trong {listing.extra['days']} ngày tới"
    return page(office, "work_list.html", title=title, listing=listing, intro=INTROS[key], on=on, key=key,
                crumbs=[HOME])  # fmt: skip
