"""The permit check: one existing site on a day, or a proposed structure before it is built."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from api.access import require
from api.bodies.permit_check import ProposedPermitCheck, SitePermitCheck
from api.deps import SessionDep, SettingsDep
from registry.clock import today
from registry.permits.check import check_site
from registry.permits.schemas import ProposedSite
from registry.permits.views import proposal_check
from registry.schemas import Day
from registry.stations import service as stations

router = APIRouter(tags=["Kiểm tra giấy phép"])


@router.get(
    "/api/sites/{code}/permit-check",
    summary="Vị trí này có hợp lệ không, thiếu gì: giấy phép, quy hoạch, khoảng cách, dùng chung hạ tầng",
    dependencies=[Depends(require("permit_checks", "read"))],
    response_model=SitePermitCheck,
)
def site_permit_check(
    code: str,
    session: SessionDep,
    settings: SettingsDep,
    on: Annotated[Day | None, Query(description="Ngày xét (mặc định hôm nay, giờ Việt Nam)")] = None,
) -> dict[str, Any]:
    site = stations.get_site(session, code=code)
    return check_site(session, site, on=on or today(), settings=settings)


@router.post(
    "/api/permit-check",
    summary="Kiểm tra một cột dự kiến (tọa độ ở hệ bất kỳ được hỗ trợ) trước khi xây; không lưu gì",
    dependencies=[Depends(require("permit_checks", "read"))],
    response_model=ProposedPermitCheck,
)
def proposed_permit_check(data: ProposedSite, session: SessionDep, settings: SettingsDep) -> dict[str, Any]:
    return proposal_check(session, data, settings=settings)
