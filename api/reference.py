"""Reference lists the filters need: operators and other organisations, administrative units."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response
from sqlalchemy import text

from api.access import require
from api.deps import SessionDep
from registry.schemas import Day

router = APIRouter(prefix="/api", tags=["Danh mục"], dependencies=[Depends(require("reference", "read"))])


@router.get("/organisations", summary="Tổ chức: doanh nghiệp viễn thông và chủ sở hữu cột")
def organisations(
    session: SessionDep, operator: Annotated[bool | None, Query(description="Chỉ doanh nghiệp viễn thông")] = None
) -> list[dict[str, Any]]:
    rows = session.execute(
        text(
            "SELECT code, name, short_name, is_operator, aliases FROM organisation "
            "WHERE CAST(:op AS boolean) IS NULL OR is_operator = :op ORDER BY is_operator DESC, short_name"
        ),
        {"op": operator},
    ).mappings()
    return [dict(r) for r in rows]


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
) -> Response:
    body = session.execute(
        text(
            """
        SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(
            json_build_object('type', 'Feature', 'id', code,
                'geometry', CASE WHEN :geometry THEN CAST(ST_AsGeoJSON(geom, 6) AS json) END,
                'properties', json_build_object('code', code, 'name', name, 'kind', kind, 'urban', urban,
                    'approximate', approximate, 'former_district', former_district,
                    'valid_from', valid_from, 'valid_to', valid_to))
            ORDER BY name), '[]'::json))::text
        FROM admin_unit WHERE level = :level
          AND (valid_from IS NULL OR valid_from <= :on) AND (valid_to IS NULL OR valid_to > :on)
        """
        ),
        {"level": level, "geometry": geometry, "on": on or date.today()},
    ).scalar_one()
    return Response(body, media_type="application/geo+json")
