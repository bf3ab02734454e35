"""The licensing officers' work lists as pages: permits expiring within N days, required permits missing
(or expired, suspended, revoked: the whole registry, the national unmet list), stations whose inspection
has expired. Each with the API's station filters (api.deps.parse_station_filter), the count, paging, and
an Excel button giving exactly the filtered rows in the API's own Excel (registry.permits.views)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Literal
from urllib.parse import parse_qsl, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep, SettingsDep, parse_station_filter
from api.office.lists import DAY_CHOICES, Column, Filter, Listing, days_param, paging, work_card
from api.office.pages import Office, OfficeDep, page
from maps.templating import Link, State, dmy
from registry.clock import today
from registry.organisations.queries import operator_names
from registry.permits import reports
from registry.permits.views import WORK_LISTS, work_list_xlsx
from registry.stations.models import PoleClass, Technology
from registry.stations.queries import StationFilter

router = APIRouter(prefix="/office/work", tags=["Văn phòng"], include_in_schema=False)
HOME = ("/office/work", "Danh sách công việc")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
Key = Literal["expiring", "missing", "expired-inspections"]

TITLES = {
    "expiring": "Giấy phép sắp hết hạn",
    "missing": "Thiếu giấy phép bắt buộc (cả nước)",
    "expired-inspections": "Trạm có kiểm định đã hết hạn",
}
INTROS = {
    "expiring": "Giấy phép đang có hiệu lực, hết hạn trong số ngày đã chọn (tính cả hôm nay).",
    "missing": "Mọi yêu cầu giấy phép chưa đáp ứng hôm nay: chưa có, đã hết hạn, bị đình chỉ hoặc bị thu hồi — "
    "của các vị trí đang hoạt động hoặc đang xây dựng và các trạm đang phát sóng.",
    "expired-inspections": "Trạm mà giấy chứng nhận kiểm định (câu trả lời tốt nhất cho quy tắc kiểm định) đã hết hạn.",
}
EXPIRING_COLUMNS = (
    Column("number", "Số giấy phép", "number"),
    Column("kind_name", "Loại", "kind_name"),
    Column("valid_until", "Hết hạn", "valid_until"),
    Column("days_left", "Còn (ngày)", "days_left"),
    Column("site_code", "Vị trí", "site_code"),
    Column("address", "Địa chỉ"),
    Column("commune", "Xã/phường", "commune"),
    Column("station_code", "Trạm", "station_code"),
    Column("operator", "Doanh nghiệp", "operator"),
)
NEED_COLUMNS = (
    Column("site_code", "Vị trí", "site_code"),
    Column("station_code", "Trạm", "station_code"),
    Column("operator", "Doanh nghiệp", "operator"),
    Column("required", "Cần có", "required"),
    Column("state", "Tình trạng", "state"),
    Column("permit_number", "Giấy phép", "permit_number"),
    Column("valid_until", "Hết hạn", "valid_until"),
    Column("action", "Việc cần làm"),
)


def _days(request: Request, settings: Any) -> int:
    return days_param(request, settings.permit_expiring_days)


def _filters(request: Request, settings: Any) -> StationFilter:
    """The API's station filters from this page's URL (operator, technology, pole class, commune, q)."""
    params = request.query_params

    def many(name: str) -> list[str] | None:
        values = [v for raw in params.getlist(name) for v in raw.split(",") if v]
        return values or None

    return parse_station_filter(
        settings,
        operator=many("operator"),
        technology=many("technology"),
        pole_class=many("pole_class"),
        admin_unit=params.get("admin_unit") or None,
        q=(params.get("q") or "")[:200] or None,
    )


def _rows(key: str, session: Any, settings: Any, on: date, days: int, filters: StationFilter) -> list[dict[str, Any]]:
    """The same rows the API's list answers (registry.permits.reports)."""
    if key == "expiring":
        return reports.expiring_permits(session, on=on, days=days, filters=filters)
    if key == "missing":
        return reports.missing_permits(session, on=on, expiring_days=settings.permit_expiring_days, filters=filters)
    return reports.expired_inspections(session, on=on, filters=filters)


def _new_permit(row: dict[str, Any]) -> str:
    holder = {"site_code": row["site_code"]} if row["holder"] == "site" else {"station_id": row["station_id"]}
    return "/office/permits/new?" + urlencode({**holder, "kind": row["accepted_kinds"][0]})


def _cells(key: str, office: Office) -> Callable[[dict[str, Any]], dict[str, Any]]:
    may_record = office.can("permits", "create")

    def expiring(r: dict[str, Any]) -> dict[str, Any]:
        return {
            **r,
            "number": Link(f"/office/permits/{r['id']}", r["number"]),
            "valid_until": dmy(r["valid_until"]),
            "site_code": Link(f"/office/sites/{r['site_code']}", r["site_code"]),
        }

    def need(r: dict[str, Any]) -> dict[str, Any]:
        return {
            **r,
            "site_code": Link(f"/office/sites/{r['site_code']}", r["site_code"]),
            "state": State(r["state_name"], r["state"]),
            "permit_number": Link(f"/office/permits/{r['permit_id']}", r["permit_number"]) if r["permit_id"] else None,
            "valid_until": dmy(r["valid_until"]),
            "action": Link(_new_permit(r), "Ghi giấy phép") if may_record else None,
        }

    return expiring if key == "expiring" else need


def _sort_key(column: str) -> Callable[[dict[str, Any]], tuple[bool, Any]]:
    def key(r: dict[str, Any]) -> tuple[bool, Any]:
        v = r.get(column)
        return (v is None, v if isinstance(v, int | float) else str(v or ""))

    return key


def _listing(key: str, request: Request, office: Office, session: Any, settings: Any
             ) -> tuple[Listing, list[dict[str, Any]], date]:  # fmt: skip
    """The page's list and every filtered row (sorted as the page is) for the Excel button."""
    columns = EXPIRING_COLUMNS if key == "expiring" else NEED_COLUMNS
    default = "valid_until" if key == "expiring" else "site_code"
    pg = paging(request, sorts=[c.sort for c in columns if c.sort], default_sort=default)
    on = today()
    days = _days(request, settings)
    filters = [
        Filter("operator", "Doanh nghiệp", operator_names(session)),
        Filter("technology", "Công nghệ (trạm có tất cả)", [(t.value, t.value) for t in Technology]),
        Filter("pole_class", "Loại cột", [(p.value, p.value) for p in PoleClass]),
        Filter("admin_unit", "Xã/phường", reports.communes_with_sites(session), many=False),
    ]
    if key == "expiring":
        choices = sorted({*DAY_CHOICES, days})
        filters.insert(0, Filter("days", "Hết hạn trong", [(str(n), f"{n} ngày tới") for n in choices], many=False))
    listing = Listing(request, "dòng", columns, [], 0, pg, filters=filters, search="Mã vị trí, mã trạm, địa chỉ")
    rows = _rows(key, session, settings, on, days, _filters(request, settings))
    column = (pg.sort or default).lstrip("-")
    rows.sort(key=_sort_key(column), reverse=(pg.sort or "").startswith("-"))
    listing.total = len(rows)
    cells = _cells(key, office)
    listing.rows = [cells(r) for r in rows[pg.offset : pg.offset + pg.per_page]]
    # Exactly this list's rows: its filters (not its paging), and for the expiring list the days shown.
    params = [(k, v) for k, v in parse_qsl(listing.export_query()) if k != "days"]
    if key == "expiring":
        params.insert(0, ("days", str(days)))
    listing.exports = [("Excel", f"/office/work/{key}.xlsx" + (f"?{urlencode(params)}" if params else ""))]
    listing.extra = {"days": days, "on": on}
    return listing, rows, on


@router.get("", dependencies=[Depends(require("permit_reports", "read"))], summary="Danh sách công việc")
def work_index(office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    on, days, everything = today(), settings.permit_expiring_days, StationFilter()
    lists = []
    for key in WORK_LISTS:
        if key == "missing":  # counted by the database: the national list has 350,000 rows
            count = reports.missing_count(session, on=on, expiring_days=days, filters=everything)
        else:
            count = len(_rows(key, session, settings, on, days, everything))
        lists.append(work_card("/office/work", key, title=TITLES[key], intro=INTROS[key], count=count, days=days))
    return page(office, "work.html", title="Danh sách công việc", lists=lists, on=on)


@router.get("/{key}.xlsx", dependencies=[Depends(require("permit_reports", "read"))], summary="Xuất Excel")
def work_xlsx(key: Key, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    _, rows, on = _listing(key, request, office, session, settings)
    filename, body = work_list_xlsx(rows, WORK_LISTS[key], on=on)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@router.get("/{key}", dependencies=[Depends(require("permit_reports", "read"))], summary="Danh sách công việc")
def work_list(key: Key, request: Request, office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    listing, _, on = _listing(key, request, office, session, settings)
    title = TITLES[key] if key != "expiring" else f"{TITLES[key]} trong {listing.extra['days']} ngày tới"
    return page(office, "work_list.html", title=title, listing=listing, intro=INTROS[key], on=on, key=key,
                crumbs=[HOME])  # fmt: skip
