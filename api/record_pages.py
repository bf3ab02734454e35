"""Printable record pages of a site, a press outlet and a case (HTML, Vietnamese).

Each page is built from the same route functions the JSON API answers with, called with the
permission the same user would be granted there, so a page never shows what the API would hide:
the public sees a site's or an outlet's public fields; staff see permits, licences and history
as far as their roles allow; cases are for staff, and a denouncer's identity only for the handler
and admins."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Request, Response
from fastapi.responses import HTMLResponse

from api import audit
from api.access import PrincipalDep, require
from api.deps import SessionDep, SettingsDep
from api.maps import Lang, here, staff_only
from maps import record_pages
from registry.accounts.permissions import Grant, Principal, authorize, can_read_history, rule, visible_fields
from registry.cases.views import case_records
from registry.cases.vocabulary import KIND_NAMES, CaseKind
from registry.clock import today
from registry.permits.views import permit_page
from registry.press import views as press_views
from registry.stations import views as station_views

router = APIRouter(prefix="/records", tags=["Hồ sơ (trang in)"], dependencies=[Depends(require("records", "read"))])
Code = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
HISTORY_ROWS = 200


def _grant(principal: Principal, resource: str) -> Grant:
    return authorize(principal, resource, "read")


def _history(session: Any, principal: Principal, entity: str, entity_id: int) -> dict[str, Any] | None:
    if not principal.authenticated or not can_read_history(principal, entity):
        return None
    return audit.history(session, _grant(principal, "audit"), entity, entity_id, limit=HISTORY_ROWS, offset=0)


@router.get("/sites/{code}", response_class=HTMLResponse, summary="Hồ sơ vị trí cột: chi tiết, giấy phép, lịch sử")
def site_record(
    code: Code, request: Request, session: SessionDep, settings: SettingsDep, principal: PrincipalDep, lang: Lang = "vi"
) -> HTMLResponse:
    from registry.stations import service

    site = service.get_site(session, code=code)
    feature = station_views.site_record(session, site, _grant(principal, "sites").principal)
    permit_rows = None
    if rule("permits", "read").allows(principal.keys):
        days = settings.permit_expiring_days
        permit_rows = permit_page(session, on=today(), expiring_days=days, limit=500, offset=0, site_code=code)["items"]
    return HTMLResponse(
        record_pages.site_page(
            feature,
            permits=permit_rows,
            history=_history(session, principal, "site", site.id),
            staff=visible_fields(principal, "site") is None,
            lang=lang,
            username=principal.username,
            here=here(request),
        )
    )


@router.get(
    "/outlets/{code}", response_class=HTMLResponse, summary="Hồ sơ cơ quan báo chí: chi tiết, giấy phép, lịch sử"
)
def outlet_record(
    code: Code, request: Request, session: SessionDep, settings: SettingsDep, principal: PrincipalDep, lang: Lang = "vi"
) -> HTMLResponse:
    from registry.press import service

    record = service.get_outlet(session, code)
    days = settings.permit_expiring_days
    outlet = press_views.outlet_record(session, record, _grant(principal, "press_outlets"), expiring_days=days)
    licences = None
    if rule("press_licences", "read").allows(principal.keys):
        licences = press_views.licence_records(session, record, expiring_days=days, on=today())
    return HTMLResponse(
        record_pages.outlet_page(
            outlet,
            licences=licences,
            history=_history(session, principal, "press_outlet", record.id),
            staff=visible_fields(principal, "press_outlet") is None,
            lang=lang,
            username=principal.username,
            here=here(request),
        )
    )


@router.get("/cases/{code}", response_class=HTMLResponse, summary="Hồ sơ vụ việc: chi tiết, thời hạn, lịch sử (cán bộ)")
def case_record(
    code: Code, request: Request, session: SessionDep, principal: PrincipalDep, lang: Lang = "vi"
) -> Response:
    from registry.cases import service

    if (redirect := staff_only(request, principal, "cases")) is not None:
        return redirect
    record = service.get_case(session, code)
    case = case_records(session, [record], _grant(principal, "cases").principal)[0]
    return HTMLResponse(
        record_pages.case_page(
            case,
            kind_name=KIND_NAMES[CaseKind(case["kind"])],
            history=_history(session, principal, "case", record.id),
            lang=lang,
            username=principal.username,
            here=here(request),
        )
    )
