"""HTTP face of the press registry: outlets (search, GeoJSON, history, mergers), licences and their
amendments, notifications, annual reports and the press managers' work lists."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status
from fastapi.responses import StreamingResponse

from api.access import require
from api.audit import history
from api.bodies.audit import History
from api.bodies.press import (
    AnnualReport,
    Licence,
    LicenceItem,
    ListOutlets,
    Notification,
    Outlet,
    Report,
    StaffOutlet,
)
from api.deps import VERSION_RESPONSES, IfMatch, PageDep, SessionDep, SettingsDep, StreamSessionDep
from api.exports import ExportCrs, download, responses
from api.responses import bodies, created, versioned
from registry.accounts.permissions import Grant, visible_fields
from registry.clock import today
from registry.geofiles import MEDIA_TYPES
from registry.press import queries, service
from registry.press.licence_views import press_licence_record, report_rows, report_xlsx
from registry.press.models import OutletKind, OutletStatus
from registry.press.schemas import (
    AmendmentCreate,
    AnnualReportCreate,
    LicenceCreate,
    LicencePatch,
    MergeCreate,
    NotificationCreate,
    OutletCreate,
    OutletPatch,
)
from registry.press.views import (
    licence_records,
    outlet_collection,
    outlet_items,
    outlet_record,
)
from registry.schemas import Day

router = APIRouter(prefix="/api/press", tags=["Báo chí"])
OutletCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
LicenceId = Annotated[int, Path(ge=1, le=2**31 - 1)]
On = Annotated[Day | None, Query(description="Ngày xét (mặc định hôm nay, giờ Việt Nam)")]
Days = Annotated[int, Query(ge=0, le=3650, description="Sắp hết hạn trong số ngày này")]
Format = Annotated[Literal["json", "xlsx"], Query(description="json hoặc xlsx")]
LicenceStatus = Literal["valid", "expiring", "expired", "suspended", "revoked", "not_yet_valid", "none", "not_required"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
GEOJSON = "application/geo+json"
OutletRead = Annotated[Grant, Depends(require("press_outlets", "read"))]


def _filter(
    q: Annotated[
        str | None,
        Query(
            max_length=200,
            description="Tên, viết tắt, cơ quan chủ quản, tên miền, số giấy phép; có hoặc không dấu, chịu lỗi gõ",
        ),
    ] = None,
    kind: Annotated[list[OutletKind] | None, Query(description="Loại hình")] = None,
    status: Annotated[list[OutletStatus] | None, Query(description="Trạng thái")] = None,  # noqa: A002
    admin_unit: Annotated[str | None, Query(max_length=200, description="Mã hoặc tên xã/phường")] = None,
    licence_status: Annotated[list[LicenceStatus] | None, Query(description="Tình trạng giấy phép vào ngày on")] = None,
) -> queries.PressFilter:
    if q is not None and any(ord(ch) < 32 for ch in q):
        from registry.errors import FieldError, ValidationFailed

        raise ValidationFailed("Tham số không hợp lệ", [FieldError("Không được chứa ký tự điều khiển", field="q")])
    return queries.PressFilter(
        q=q or None,
        kinds=[k.value for k in kind or []],
        statuses=[s.value for s in status or []],
        admin_unit=admin_unit or None,
        licence_statuses=list(licence_status or []),
    )


FilterDep = Annotated[queries.PressFilter, Depends(_filter)]


def _outlet(session: Any, outlet: Any, grant: Grant, settings: Any) -> dict[str, Any]:
    return outlet_record(session, outlet, grant, expiring_days=settings.permit_expiring_days)


@router.get(
    "/outlets",
    summary="Tìm và lọc cơ quan báo chí (kèm tình trạng giấy phép cho cán bộ)",
    response_model=ListOutlets,
)
def list_outlets(
    session: SessionDep,
    settings: SettingsDep,
    grant: OutletRead,
    filters: FilterDep,
    pg: PageDep,
    on: On = None,
    days: Days = 60,
) -> dict[str, Any]:
    items, total = outlet_items(session, grant, filters, on=on or today(), days=days, limit=pg.limit, offset=pg.offset)
    return {"total": total, "limit": pg.limit, "offset": pg.offset, "items": items}


@router.get(
    "/outlets.geojson",
    summary="Cơ quan báo chí, VPĐD, PVTT có vị trí (GeoJSON cho bản đồ), cùng bộ lọc",
    response_class=Response,
    responses={200: {"content": {GEOJSON: {}}}},
)
def outlets_geojson(
    session: SessionDep, grant: OutletRead, filters: FilterDep, on: On = None, days: Days = 60
) -> Response:
    import json

    collection = outlet_collection(session, grant, filters, on=on or today(), days=days)
    return Response(json.dumps(collection, ensure_ascii=False), media_type=GEOJSON)


def _outlet_file(fmt: str, session: Any, settings: Any, grant: Grant, crs: str | None) -> StreamingResponse:
    from registry.press.exporter import stream_outlets

    fields = visible_fields(grant.principal, "press_outlet")
    chunks = stream_outlets(session, fmt=fmt, fields=fields, settings=settings, crs=crs)
    return download(chunks, media_type=MEDIA_TYPES[fmt], stem="co-quan-bao-chi", extension=fmt)


@router.get(
    "/outlets.kml",
    summary="Cơ quan báo chí (KML: các cột của bảng xuất, có kiểu; thư mục theo loại hình); công chúng: "
    "trường công khai",
    response_class=Response,
    responses=responses("kml"),
)
def outlets_kml(session: StreamSessionDep, settings: SettingsDep, grant: OutletRead) -> StreamingResponse:
    return _outlet_file("kml", session, settings, grant, None)


@router.get(
    "/outlets.gpkg",
    summary="Cơ quan báo chí (GeoPackage: các cột của bảng xuất, có kiểu; WGS 84 hoặc VN-2000); công chúng: "
    "trường công khai",
    response_class=Response,
    responses=responses("gpkg"),
)
def outlets_gpkg(
    session: StreamSessionDep, settings: SettingsDep, grant: OutletRead, crs: ExportCrs = None
) -> StreamingResponse:
    return _outlet_file("gpkg", session, settings, grant, crs)


@router.get(
    "/outlets.{fmt}",
    summary="Xuất toàn bộ cơ quan báo chí (csv, xlsx; tiêu đề tiếng Việt, nhập lại được)",
    response_class=Response,
    dependencies=[Depends(require("press_exports", "read"))],
)
def export_outlets(fmt: Literal["csv", "xlsx"], session: SessionDep) -> Response:
    from registry.press.tabular import export_outlets as export

    return Response(
        export(session, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="co-quan-bao-chi-{today():%Y%m%d}.{fmt}"'},
    )


@router.post(
    "/outlets",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm cơ quan báo chí, VPĐD hoặc PVTT",
    response_model=StaffOutlet,
)
def create_outlet(
    data: OutletCreate,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("press_outlets", "create"))],
) -> dict[str, Any]:
    outlet = service.create_outlet(session, data, settings)
    return created(
        response, _outlet(session, outlet, grant, settings), location=f"/api/press/outlets/{outlet.code}", record=outlet
    )


@router.post(
    "/mergers",
    status_code=status.HTTP_201_CREATED,
    summary="Sáp nhập (hoặc đổi tên) cơ quan vào cơ quan kế tục",
    response_model=StaffOutlet,
)
def create_merger(
    data: MergeCreate,
    session: SessionDep,
    settings: SettingsDep,
    grant: Annotated[Grant, Depends(require("press_outlets", "update"))],
) -> dict[str, Any]:
    successor = service.merge(session, data, settings)
    return _outlet(session, successor, grant, settings)


@router.get("/outlets/{code}", summary="Một cơ quan báo chí (ETag = phiên bản)", response_model=Outlet)
def get_outlet(
    code: OutletCode, session: SessionDep, settings: SettingsDep, response: Response, grant: OutletRead
) -> dict[str, Any]:
    outlet = service.get_outlet(session, code)
    return versioned(response, _outlet(session, outlet, grant, settings), outlet)


@router.patch(
    "/outlets/{code}",
    summary="Sửa cơ quan báo chí (cần If-Match)",
    responses=VERSION_RESPONSES,
    response_model=StaffOutlet,
)
def update_outlet(
    code: OutletCode,
    data: OutletPatch,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("press_outlets", "update"))],
    if_match: IfMatch,
) -> dict[str, Any]:
    outlet = service.update_outlet(session, code, data, expected_version=if_match, settings=settings)
    return versioned(response, _outlet(session, outlet, grant, settings), outlet)


@router.get(
    "/outlets/{code}/history",
    summary="Lịch sử thay đổi của cơ quan, giấy phép, sửa đổi, thông báo",
    response_model=History,
)
def outlet_history(
    code: OutletCode, session: SessionDep, pg: PageDep, grant: Annotated[Grant, Depends(require("audit", "read"))]
) -> dict[str, Any]:
    outlet = service.get_outlet(session, code)
    return history(session, grant, "press_outlet", outlet.id, limit=pg.limit, offset=pg.offset)


@router.get(
    "/outlets/{code}/licences",
    summary="Giấy phép của cơ quan",
    dependencies=[Depends(require("press_licences", "read"))],
    response_model=list[LicenceItem],
)
def outlet_licences(
    code: OutletCode, session: SessionDep, settings: SettingsDep, on: On = None
) -> list[dict[str, Any]]:
    outlet = service.get_outlet(session, code)
    return licence_records(session, outlet, expiring_days=settings.permit_expiring_days, on=on or today())


def _licence(session: Any, licence: Any, settings: Any, on: date | None = None) -> dict[str, Any]:
    return press_licence_record(session, licence, expiring_days=settings.permit_expiring_days, on=on or today())


@router.post(
    "/licences",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm giấy phép",
    dependencies=[Depends(require("press_licences", "create"))],
    response_model=Licence,
)
def create_licence(
    data: LicenceCreate, session: SessionDep, settings: SettingsDep, response: Response
) -> dict[str, Any]:
    licence = service.create_licence(session, data)
    return created(
        response, _licence(session, licence, settings), location=f"/api/press/licences/{licence.id}", record=licence
    )


@router.get(
    "/licences/{licence_id}",
    summary="Một giấy phép với các lần sửa đổi",
    dependencies=[Depends(require("press_licences", "read"))],
    response_model=Licence,
)
def get_licence(
    licence_id: LicenceId, session: SessionDep, settings: SettingsDep, response: Response, on: On = None
) -> dict[str, Any]:
    licence = service.get_licence(session, licence_id)
    return versioned(response, _licence(session, licence, settings, on), licence)


@router.patch(
    "/licences/{licence_id}",
    summary="Đính chính giấy phép nhập sai (cần If-Match); thay đổi do cơ quan cấp quyết định là sửa đổi",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("press_licences", "update"))],
    response_model=Licence,
)
def update_licence(
    licence_id: LicenceId,
    data: LicencePatch,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch,
) -> dict[str, Any]:
    licence = service.update_licence(session, licence_id, data, expected_version=if_match)
    return versioned(response, _licence(session, licence, settings), licence)


@router.post(
    "/licences/{licence_id}/amendments",
    status_code=status.HTTP_201_CREATED,
    summary="Ghi giấy phép sửa đổi, bổ sung: áp dụng thay đổi và lưu lại giá trị trước/sau (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("press_licences", "update"))],
    response_model=Licence,
)
def amend_licence(
    licence_id: LicenceId,
    data: AmendmentCreate,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch,
) -> dict[str, Any]:
    licence = service.amend_licence(session, licence_id, data, expected_version=if_match)
    return versioned(response, _licence(session, licence, settings), licence)


@router.get(
    "/notifications",
    summary="Thông báo (mới nhất trước), kèm thời gian báo trước và cờ nộp muộn",
    dependencies=[Depends(require("press_notifications", "read"))],
    response_model=list[Notification],
)
def list_notifications(
    session: SessionDep,
    late: Annotated[bool, Query(description="Chỉ thông báo nộp muộn")] = False,
    since: Annotated[Day | None, Query(description="Nộp từ ngày")] = None,
    until: Annotated[Day | None, Query(description="Nộp đến ngày")] = None,
) -> list[dict[str, Any]]:
    return queries.notifications(session, late_only=late, since=since, until=until)


@router.post(
    "/notifications",
    status_code=status.HTTP_201_CREATED,
    summary="Ghi nhận thông báo",
    dependencies=[Depends(require("press_notifications", "create"))],
    response_model=Notification,
)
def create_notification(data: NotificationCreate, session: SessionDep) -> dict[str, Any]:
    note = service.create_notification(session, data)
    (row,) = queries.notifications(session, notification_id=note.id)
    return row


@router.post(
    "/annual-reports",
    status_code=status.HTTP_201_CREATED,
    summary="Ghi nhận báo cáo năm của trang tổng hợp",
    dependencies=[Depends(require("press_licences", "create"))],
    response_model=AnnualReport,
)
def create_annual_report(data: AnnualReportCreate, session: SessionDep) -> dict[str, Any]:
    report = service.create_annual_report(session, data)
    return {"outlet_code": data.outlet_code, "year": report.year, "filed_on": report.filed_on.isoformat()}


@router.get(
    "/reports/{name}",
    summary="Danh sách công việc: expiring-licences, unlicensed, missing-annual-reports, late-notifications",
    dependencies=[Depends(require("press_reports", "read"))],
    response_model=Report,
    responses=bodies(XLSX),
)
def report(
    name: Literal["expiring-licences", "unlicensed", "missing-annual-reports", "late-notifications"],
    session: SessionDep,
    on: On = None,
    days: Days = 60,
    format: Format = "json",  # noqa: A002
) -> Any:
    day = on or today()
    rows = report_rows(session, name, on=day, days=days)
    if format == "xlsx":
        filename, body = report_xlsx(rows, name, on=day)
        return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return {"on": day.isoformat(), "count": len(rows), "items": rows}
