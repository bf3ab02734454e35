"""The one-stop shop's pages: the results dashboard and the public lookup (maps/dossier_pages.py)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import HTMLResponse

from api.access import require
from registry.accounts.permissions import Grant
from registry.clock import today
from registry.procedures.reports import check_period
from registry.schemas import Day

router = APIRouter(prefix="/pages/dossiers", tags=["Trang"], include_in_schema=False)
Lang = Annotated[Literal["vi", "en"], Query(description="vi (mặc định) hoặc en")]


@router.get("/dashboard", response_class=HTMLResponse, summary="Bảng số liệu giải quyết hồ sơ (biểu đồ)")
def dashboard(
    grant: Annotated[Grant, Depends(require("dossier_reports", "read"))],
    since: Annotated[Day | None, Query(alias="from")] = None,
    until: Annotated[Day | None, Query(alias="to")] = None,
    lang: Lang = "vi",
) -> HTMLResponse:
    from maps.dossier_pages import dashboard_page

    day = today()
    until = until or day
    since = since or date(until.year, 1, 1)
    check_period(since, until)
    return HTMLResponse(dashboard_page(lang, since, until, username=grant.principal.username))


@router.get("/lookup", response_class=HTMLResponse, summary="Tra cứu hồ sơ theo mã biên nhận")
def lookup(
    grant: Annotated[Grant, Depends(require("public_dossiers", "read"))],
    code: Annotated[str | None, Query(max_length=40)] = None,
    lang: Lang = "vi",
) -> HTMLResponse:
    from maps.dossier_pages import lookup_page

    return HTMLResponse(lookup_page(lang, code, username=grant.principal.username))
