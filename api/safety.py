"""HTTP face of EMF safety distances: one wedge per sector with an EIRP (GeoJSON, built by PostGIS), for
one site or the sites in a map's view. The distances are public; the EIRP only staff see (the
``safety_distance`` fields of registry/accounts/permissions)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.access import require
from api.deps import GEOJSON, GEOJSON_RESPONSE, SessionDep, SettingsDep, parse_station_filter
from registry.accounts.permissions import Grant, visible_fields
from registry.errors import LimitExceeded
from registry.settings import Settings
from registry.stations import emf, service
from registry.stations.queries import StationFilter, safety_distance_count, safety_distances
from registry.stations.views import emf_limit

router = APIRouter(tags=["Khoảng cách an toàn (trường điện từ)"])

Read = Annotated[Grant, Depends(require("sites", "read"))]
_ABOUT = (
    "Mỗi sector có EIRP là một hình quạt theo phương vị, rộng emf_beamwidth_deg (mặc định 65°), bán kính là "
    "khoảng cách an toàn r = sqrt(EIRP / (4·π·S)), S là giới hạn mật độ công suất cho công chúng "
    f"(quy định {emf.LIMIT_CODE}, QCVN 8:2022/BTTTT: 2 W/m²). Ngoài khoảng cách này, mức phơi nhiễm dưới "
    "giới hạn (ước tính vùng xa, thận trọng). EIRP chỉ cán bộ xem được."
)


def _answer(
    session: Any, settings: Settings, grant: Grant, *, code: str | None = None, f: StationFilter | None = None
) -> Response:
    count = safety_distance_count(session, code=code, f=f)
    if count > settings.emf_max_sectors:
        raise LimitExceeded(
            f"Vùng có {count} sector, tối đa {settings.emf_max_sectors}: thu nhỏ vùng (bbox)",
            field="bbox",
            limit=settings.emf_max_sectors,
        )
    limit_w_m2 = emf_limit(session)
    body = safety_distances(
        session,
        limit_w_m2=limit_w_m2,
        beamwidth_deg=settings.emf_beamwidth_deg,
        code=code,
        f=f,
        fields=visible_fields(grant.principal, "safety_distance"),
        extra={"limit_w_m2": limit_w_m2, "rule": emf.LIMIT_CODE, "beamwidth_deg": settings.emf_beamwidth_deg},
    )
    return Response(body, media_type=GEOJSON)


@router.get(
    "/api/sites/{code}/safety-distances",
    summary="Khoảng cách an toàn trường điện từ quanh một vị trí (GeoJSON, mỗi sector một hình quạt)",
    description=_ABOUT,
    response_class=Response,
    responses=GEOJSON_RESPONSE,
)
def site_safety_distances(code: str, session: SessionDep, settings: SettingsDep, grant: Read) -> Response:
    site = service.get_site(session, code=code)
    return _answer(session, settings, grant, code=site.code)


@router.get(
    "/api/safety-distances",
    summary="Khoảng cách an toàn trường điện từ của các vị trí trong một vùng (GeoJSON, cho lớp bản đồ)",
    description=_ABOUT,
    response_class=Response,
    responses=GEOJSON_RESPONSE,
)
def area_safety_distances(
    session: SessionDep,
    settings: SettingsDep,
    grant: Read,
    bbox: Annotated[
        str,
        Query(
            max_length=200,
            description="minLon,minLat,maxLon,maxLat (WGS 84); diện tích tối đa TTTT_EMF_MAX_BBOX_AREA_KM2 "
            "(mặc định 100 km²), tối đa TTTT_EMF_MAX_SECTORS (mặc định 3000) sector",
        ),
    ],
) -> Response:
    bounded = settings.model_copy(update={"max_bbox_area_km2": settings.emf_max_bbox_area_km2})
    return _answer(session, settings, grant, f=parse_station_filter(bounded, bbox=bbox))
