"""Reference lists the filters need: operators and other organisations, administrative units."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.access import require
from api.bodies.reference import Organisation
from api.deps import SessionDep
from registry.admin_units.queries import admin_unit_collection
from registry.organisations import queries
from registry.schemas import Day

router = APIRouter(prefix="/api", tags=["Danh mục"], dependencies=[Depends(require("reference", "read"))])


@router.get(
    "/organisations",
    summary="Tổ chức: doanh nghiệp viễn thông và chủ sở hữu cột",
    response_model=list[Organisation],
)
def organisations(
    session: SessionDep, operator: Annotated[bool | None, Query(description="Chỉ doanh nghiệp viễn thông")] = None
) -> list[dict[str, Any]]:
    return queries.organisations(session, operator=operator)


@router.get(
    "/admin-units",
    summary="Đơn vị hành chính còn hiệu lực vào một ngày (GeoJSON); ranh giới có thể gần đúng",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def admin_units(
    session: SessionDep,
    level: Annotated[str, Query(pattern="^(province|district|commune)$")] = "commune",
    geometry: Annotated[bool, Query(description="Kèm ranh giới")] = False,
    on: Annotated[Day | None, Query(description="Các đơn vị còn hiệu lực vào ngày này (mặc định hôm nay)")] = None,
    simplify: Annotated[
        float, Query(ge=0, le=5000, description="Đơn giản hoá ranh giới trong phạm vi bấy nhiêu mét (0: giữ nguyên)")
    ] = 0,
) -> Response:
    body = admin_unit_collection(session, level=level, geometry=geometry, on=on or date.today(), simplify_m=simplify)
    return Response(body, media_type="application/geo+json")
