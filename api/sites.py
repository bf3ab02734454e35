"""HTTP face of antenna sites: list and search (GeoJSON by PostGIS), nearest, one site, changes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Request, Response, status
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field

from api.access import require
from api.audit import history
from api.bodies.audit import History
from api.bodies.sites import SiteFeature
from api.deps import (
    GEOJSON_RESPONSE,
    VERSION_RESPONSES,
    FilterDep,
    IfMatch,
    PageDep,
    SessionDep,
    SettingsDep,
    StreamSessionDep,
    finish,
    geojson_answer,
    geojson_page,
)
from api.exports import ALL_FORMATS, ExportCrs, download, responses
from api.query_strings import read, reading
from api.responses import created, deleted, versioned
from registry.accounts.permissions import Grant, visible_fields
from registry.errors import FieldError, LimitExceeded, ValidationFailed
from registry.stations import service
from registry.stations.exporter import FORMATS, stream_sites
from registry.stations.queries import nearest_sites, site_page
from registry.stations.schemas import SiteCreate, SitePatch
from registry.stations.views import site_feature_for, site_record

router = APIRouter(prefix="/api/sites", tags=["Vị trí cột ăng ten"])

Read = Annotated[Grant, Depends(require("sites", "read"))]


def _feature(session: Any, site: Any, grant: Grant) -> dict[str, Any]:
    return site_feature_for(session, site, grant.principal)


@router.get(
    "",
    summary="Danh sách vị trí (GeoJSON), lọc và tìm theo không gian",
    response_class=Response,
    responses=GEOJSON_RESPONSE,
)
def list_sites(request: Request, session: SessionDep, filters: FilterDep, pg: PageDep, grant: Read) -> Response:
    answer = geojson_page(request, session, filters, pg, page=site_page, fields=visible_fields(grant.principal, "site"))
    finish(session)
    return answer


@router.get(
    ".{fmt}",
    summary="Xuất danh sách vị trí: csv, xlsx, geojson, kml, gpkg (cùng bộ lọc; trường theo vai trò)",
    response_class=Response,
    responses=responses(*ALL_FORMATS),
)
def export_sites(
    fmt: Literal["csv", "xlsx", "geojson", "kml", "gpkg"],
    session: StreamSessionDep,
    settings: SettingsDep,
    filters: FilterDep,
    grant: Read,
    crs: ExportCrs = None,
) -> StreamingResponse:
    fields = visible_fields(grant.principal, "site")
    chunks = stream_sites(session, filters=filters, fmt=fmt, settings=settings, fields=fields, crs=crs)
    spec = FORMATS[fmt]
    return download(chunks, media_type=spec.media_type, stem="vi-tri", extension=spec.extension)


class NearestQuery(BaseModel):
    """The point nearest-N is asked about, and N."""

    lon: float = Field(ge=-180, le=180, description="Kinh độ WGS 84")
    lat: float = Field(ge=-90, le=90, description="Vĩ độ WGS 84")
    n: int = Field(10, ge=1, description="Số vị trí (mặc định 10, tối đa TTTT_MAX_NEAREST = 100)")


@reading(NearestQuery)
async def nearest_point(request: Request) -> NearestQuery:
    asked = read(request, NearestQuery)
    limit = request.app.state.settings.max_nearest
    if asked.n > limit:
        raise LimitExceeded(f"n tối đa {limit}", field="n", limit=limit)
    return asked


@router.get(
    "/nearest",
    summary="N vị trí gần nhất một điểm (khoảng cách trắc địa, mét)",
    response_class=Response,
    responses=GEOJSON_RESPONSE,
)
def nearest(
    request: Request,
    grant: Read,
    session: SessionDep,
    point: Annotated[NearestQuery, Depends(nearest_point)],
    filters: FilterDep,
) -> Response:
    if filters.near is not None or filters.radius_m is not None:
        raise ValidationFailed(
            "Tham số không hợp lệ", [FieldError("Dùng lon, lat thay cho near/radius_m", field="near")]
        )
    fields = visible_fields(grant.principal, "site")
    body = nearest_sites(session, filters, lon=point.lon, lat=point.lat, n=point.n, fields=fields)
    finish(session)
    return geojson_answer(request, body)


@router.get("/{code}", summary="Một vị trí với các trạm gốc và sector (ETag = phiên bản)", response_model=SiteFeature)
def get_site(code: str, session: SessionDep, response: Response, grant: Read) -> dict[str, Any]:
    site = service.get_site(session, code=code)
    return versioned(response, site_record(session, site, grant.principal), site)


@router.get(
    "/{code}/history",
    summary="Lịch sử thay đổi của vị trí, các trạm và sector trên đó (cũ nhất trước)",
    response_model=History,
)
def site_history(
    code: str, session: SessionDep, pg: PageDep, grant: Annotated[Grant, Depends(require("audit", "read"))]
) -> dict[str, Any]:
    site = service.get_site(session, code=code)
    return history(session, grant, "site", site.id, limit=pg.limit, offset=pg.offset)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm vị trí (tọa độ ở hệ bất kỳ được hỗ trợ)",
    response_model=SiteFeature,
)
def create_site(
    data: SiteCreate,
    session: SessionDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("sites", "create"))],
) -> dict[str, Any]:
    site = service.create_site(session, data=data)
    return created(
        response,
        _feature(session, service.get_site(session, code=site.code), grant),
        location=f"/api/sites/{site.code}",
        record=site,
    )


@router.patch("/{code}", summary="Sửa vị trí (cần If-Match)", responses=VERSION_RESPONSES, response_model=SiteFeature)
def update_site(
    code: str,
    data: SitePatch,
    session: SessionDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("sites", "update"))],
    if_match: IfMatch,
) -> dict[str, Any]:
    grant.check_fields(data.model_fields_set)
    site = service.update_site(session, code=code, data=data, expected_version=if_match)
    session.expire(site)
    site = service.get_site(session, code=code)
    return versioned(response, _feature(session, site, grant), site)


@router.delete(
    "/{code}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Xóa vị trí không còn trạm (cần If-Match)",
    responses=VERSION_RESPONSES,
)
def delete_site(
    code: str,
    session: SessionDep,
    _: Annotated[Grant, Depends(require("sites", "delete"))],
    if_match: IfMatch,
) -> Response:
    service.delete_site(session, code=code, expected_version=if_match)
    return deleted()
