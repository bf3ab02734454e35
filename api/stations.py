"""HTTP face of base stations: list (GeoJSON), exports in five formats, one station, changes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Request, Response, status
from fastapi.responses import StreamingResponse

from api.access import require
from api.audit import history
from api.bodies.audit import History
from api.bodies.stations import Station
from api.deps import (
    GEOJSON_RESPONSE,
    VERSION_RESPONSES,
    FilterDep,
    IfMatch,
    PageDep,
    SessionDep,
    SettingsDep,
    StreamSessionDep,
    geojson_page,
)
from api.exports import ALL_FORMATS, ExportCrs, download, responses
from api.responses import created, deleted, versioned
from registry.accounts.permissions import Grant, visible_fields
from registry.stations import service
from registry.stations.exporter import FORMATS, stream_stations
from registry.stations.queries import station_page
from registry.stations.schemas import StationCreate, StationPatch
from registry.stations.views import station_dict

router = APIRouter(prefix="/api/stations", tags=["Trạm gốc"])
StationId = Annotated[int, Path(description="Số hiệu trạm")]
Read = Annotated[Grant, Depends(require("stations", "read"))]


def _dict(station: Any, grant: Grant) -> dict[str, Any]:
    return station_dict(station, fields=visible_fields(grant.principal, "station"))


@router.get(
    "",
    summary="Danh sách trạm gốc (GeoJSON), cùng bộ lọc với vị trí",
    response_class=Response,
    responses=GEOJSON_RESPONSE,
)
def list_stations(request: Request, session: SessionDep, filters: FilterDep, pg: PageDep, grant: Read) -> Response:
    return geojson_page(
        request,
        session,
        filters,
        pg,
        page=station_page,
        fields=visible_fields(grant.principal, "station"),
    )


@router.get(
    ".{fmt}",
    summary="Xuất danh sách trạm: csv, xlsx, geojson, kml, gpkg (cùng bộ lọc, cùng các trường)",
    response_class=Response,
    responses=responses(*ALL_FORMATS),
)
def export(
    fmt: Literal["csv", "xlsx", "geojson", "kml", "gpkg"],
    session: StreamSessionDep,
    settings: SettingsDep,
    filters: FilterDep,
    grant: Annotated[Grant, Depends(require("station_exports", "read"))],
    crs: ExportCrs = None,
) -> StreamingResponse:
    chunks = stream_stations(
        session,
        filters=filters,
        fmt=fmt,
        settings=settings,
        fields=visible_fields(grant.principal, "station"),
        crs=crs,
    )
    spec = FORMATS[fmt]
    return download(chunks, media_type=spec.media_type, stem="tram-goc", extension=spec.extension)


@router.get("/{station_id}", summary="Một trạm gốc với sector (ETag = phiên bản)", response_model=Station)
def get_station(station_id: StationId, session: SessionDep, response: Response, grant: Read) -> dict[str, Any]:
    station = service.get_station(session, station_id=station_id)
    return versioned(response, _dict(station, grant), station)


@router.get(
    "/{station_id}/history",
    summary="Lịch sử thay đổi của trạm và các sector (cũ nhất trước)",
    response_model=History,
)
def station_history(
    station_id: StationId, session: SessionDep, pg: PageDep, grant: Annotated[Grant, Depends(require("audit", "read"))]
) -> dict[str, Any]:
    station = service.get_station(session, station_id=station_id)
    return history(session, grant, "station", station.id, limit=pg.limit, offset=pg.offset)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm trạm gốc vào một vị trí",
    response_model=Station,
)
def create_station(
    data: StationCreate,
    session: SessionDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("stations", "create"))],
) -> dict[str, Any]:
    station = service.create_station(session, data=data)
    session.refresh(station)
    body = _dict(service.get_station(session, station_id=station.id), grant)
    return created(response, body, location=f"/api/stations/{station.id}", record=station)


@router.patch(
    "/{station_id}",
    summary="Sửa trạm gốc (cần If-Match)",
    responses=VERSION_RESPONSES,
    response_model=Station,
)
def update_station(
    station_id: StationId,
    data: StationPatch,
    session: SessionDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("stations", "update"))],
    if_match: IfMatch,
) -> dict[str, Any]:
    grant.check_fields(data.model_fields_set)
    station = service.update_station(session, station_id=station_id, data=data, expected_version=if_match)
    session.refresh(station)
    return versioned(response, _dict(station, grant), station)


@router.delete(
    "/{station_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Xóa trạm gốc (cần If-Match)",
    responses=VERSION_RESPONSES,
)
def delete_station(
    station_id: StationId,
    session: SessionDep,
    _: Annotated[Grant, Depends(require("stations", "delete"))],
    if_match: IfMatch,
) -> Response:
    service.delete_station(session, station_id=station_id, expected_version=if_match)
    return deleted()
