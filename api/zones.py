"""HTTP face of planning zones (GeoJSON) and the spacing rules between bulky poles."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from api.access import require
from api.bodies.zones import CreateZone, ImportFile, ListSpacingItem
from api.deps import VERSION_RESPONSES, IfMatch, SessionDep, SettingsDep, StreamSessionDep, read_upload
from api.errors import message_for
from api.exports import ALL_FORMATS, ExportCrs, download, responses
from api.responses import created, deleted, versioned
from registry.geofiles import MEDIA_TYPES
from registry.schemas import Day
from registry.zones import service
from registry.zones.exporter import stream_zones
from registry.zones.importer import import_zones
from registry.zones.models import ZoneKind
from registry.zones.schemas import SpacingRuleCreate, SpacingRulePatch, ZoneCreate, ZonePatch
from registry.zones.views import spacing_record

router = APIRouter(prefix="/api/zones", tags=["Quy hoạch hạ tầng viễn thông"])
spacing_router = APIRouter(prefix="/api/spacing-rules", tags=["Quy hoạch hạ tầng viễn thông"])
ZoneCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
GEOJSON = "application/geo+json"


@router.get(
    "",
    summary="Vùng quy hoạch (GeoJSON)",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
    dependencies=[Depends(require("zones", "read"))],
)
def list_zones(
    session: SessionDep,
    on: Annotated[Day | None, Query(description="Chỉ vùng có hiệu lực vào ngày này")] = None,
    kind: ZoneKind | None = None,
) -> Response:
    body = service.zone_collection(session, on=on, kind=kind.value if kind else None)
    return Response(body, media_type=GEOJSON)


@router.get(
    ".{fmt}",
    summary="Xuất vùng quy hoạch: csv, xlsx, geojson, kml, gpkg (cùng các trường; gpkg chọn được hệ VN-2000)",
    response_class=Response,
    responses=responses(*ALL_FORMATS),
    dependencies=[Depends(require("zones", "read"))],
)
def export_zones(
    fmt: Literal["csv", "xlsx", "geojson", "kml", "gpkg"],
    session: StreamSessionDep,
    settings: SettingsDep,
    on: Annotated[Day | None, Query(description="Chỉ vùng có hiệu lực vào ngày này")] = None,
    kind: ZoneKind | None = None,
    crs: ExportCrs = None,
) -> StreamingResponse:
    chunks = stream_zones(session, fmt=fmt, on=on, kind=kind.value if kind else None, settings=settings, crs=crs)
    return download(chunks, media_type=MEDIA_TYPES[fmt], stem="vung-quy-hoach", extension=fmt)


@router.post(
    "/import",
    summary="Nhập vùng quy hoạch từ GeoJSON hoặc KML: kiểm tra tất cả, có lỗi thì không ghi gì; theo mã",
    dependencies=[Depends(require("zones", "create"))],
    response_model=ImportFile,
)
def import_file(
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description=".geojson hoặc .kml")],
    dry_run: Annotated[bool, Query(description="Chỉ kiểm tra")] = False,
) -> dict[str, Any]:
    data = read_upload(file, settings)
    report = import_zones(session, data, file.filename or "", dry_run=dry_run, settings=settings, explain=message_for)
    return report.as_dict()


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm vùng quy hoạch",
    dependencies=[Depends(require("zones", "create"))],
    response_model=CreateZone,
)
def create_zone(data: ZoneCreate, session: SessionDep, response: Response) -> dict[str, Any]:
    zone = service.create_zone(session, data)
    return created(response, service.zone_feature(session, zone), location=f"/api/zones/{zone.code}", record=zone)


@router.get(
    "/{code}",
    summary="Một vùng quy hoạch với quy tắc khoảng cách riêng",
    dependencies=[Depends(require("zones", "read"))],
    response_model=CreateZone,
)
def get_zone(code: ZoneCode, session: SessionDep, response: Response) -> dict[str, Any]:
    zone = service.get_zone(session, code)
    return versioned(response, service.zone_feature(session, zone), zone)


@router.patch(
    "/{code}",
    summary="Sửa vùng quy hoạch (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("zones", "update"))],
    response_model=CreateZone,
)
def update_zone(
    code: ZoneCode, data: ZonePatch, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    zone = service.update_zone(session, code, data, expected_version=if_match)
    return versioned(response, service.zone_feature(session, zone), zone)


@router.delete(
    "/{code}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Xóa vùng quy hoạch (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("zones", "delete"))],
)
def delete_zone(code: ZoneCode, session: SessionDep, if_match: IfMatch) -> Response:
    service.delete_zone(session, code, expected_version=if_match)
    return deleted()


# --- spacing rules ---------------------------------------------------------------------------------

RuleId = Annotated[int, Path(ge=1, le=2**31 - 1)]


@spacing_router.get(
    "",
    summary="Khoảng cách tối thiểu giữa cột cồng kềnh",
    dependencies=[Depends(require("zones", "read"))],
    response_model=list[ListSpacingItem],
)
def list_spacing(session: SessionDep) -> list[dict[str, Any]]:
    return [spacing_record(session, r) for r in service.spacing_rules(session)]


@spacing_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm quy tắc khoảng cách",
    dependencies=[Depends(require("zones", "create"))],
    response_model=ListSpacingItem,
)
def create_spacing(data: SpacingRuleCreate, session: SessionDep, response: Response) -> dict[str, Any]:
    rule = service.create_spacing_rule(session, data)
    return versioned(response, spacing_record(session, rule), rule)


@spacing_router.patch(
    "/{rule_id}",
    summary="Sửa quy tắc khoảng cách (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("zones", "update"))],
    response_model=ListSpacingItem,
)
def update_spacing(
    rule_id: RuleId, data: SpacingRulePatch, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    rule = service.update_spacing_rule(session, rule_id, data, expected_version=if_match)
    return versioned(response, spacing_record(session, rule), rule)


@spacing_router.post(
    "/{rule_id}/versions",
    status_code=status.HTTP_201_CREATED,
    summary="Giá trị mới của quy tắc khoảng cách từ một ngày (quy tắc cũ hết hiệu lực ngày đó; cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("zones", "create"))],
    response_model=ListSpacingItem,
)
def new_spacing_version(
    rule_id: RuleId, data: SpacingRuleCreate, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    rule = service.new_spacing_rule_version(session, rule_id, data, expected_version=if_match)
    return versioned(response, spacing_record(session, rule), rule)


@spacing_router.delete(
    "/{rule_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Xóa quy tắc khoảng cách (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("zones", "delete"))],
)
def delete_spacing(rule_id: RuleId, session: SessionDep, if_match: IfMatch) -> Response:
    service.delete_spacing_rule(session, rule_id, expected_version=if_match)
    return deleted()
