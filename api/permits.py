"""HTTP face of permits and certificates, their documents, and the officers' lists."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Request, Response, UploadFile, status

from api.access import require
from api.bodies.permits import ListPermits, Permit, PermitWithDocument, WorkListPage
from api.deps import VERSION_RESPONSES, FilterDep, IfMatch, Page, PageDep, SessionDep, SettingsDep, read_upload
from api.responses import answers, bodies, created, deleted, versioned
from registry.clock import today
from registry.permits import reports, service
from registry.permits.models import PermitKind, PermitStatus
from registry.permits.schemas import PermitCreate, PermitPatch
from registry.permits.views import WORK_LISTS, WorkList, permit_page, permit_record, work_list_json, work_list_xlsx
from registry.schemas import Day

router = APIRouter(prefix="/api/permits", tags=["Giấy phép"])
PermitId = Annotated[int, Path(ge=1, le=2**31 - 1, description="Số hiệu giấy phép")]
On = Annotated[Day | None, Query(description="Ngày xét (mặc định hôm nay, giờ Việt Nam)")]
Format = Annotated[Literal["json", "xlsx"], Query(description="json hoặc xlsx (Excel)")]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _dict(session: Any, permit: Any, settings: Any, on: date | None = None) -> dict[str, Any]:
    return permit_record(session, permit, expiring_days=settings.permit_expiring_days, on=on or today())


def _list_response(rows: list[dict[str, Any]], fmt: str, work: WorkList, on: date, pg: Page) -> Any:
    """Excel: every row. JSON: one page of them (``limit``, ``offset``), with ``count`` of all."""
    if fmt == "xlsx":
        filename, body = work_list_xlsx(rows, work, on=on)
        return Response(body, media_type=XLSX, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
    return Response(work_list_json(rows, on=on, limit=pg.limit, offset=pg.offset), media_type="application/json")


@router.get(
    "/expiring",
    summary="Giấy phép sắp hết hạn trong N ngày (tính cả hôm nay), lọc như trạm; xuất Excel",
    dependencies=[Depends(require("permit_reports", "read"))],
    response_class=Response,
    responses=answers({200: {"model": WorkListPage}}, bodies(XLSX)),
)
def expiring(
    session: SessionDep,
    filters: FilterDep,
    pg: PageDep,
    days: Annotated[int, Query(ge=0, le=3650, description="Số ngày tới")] = 60,
    on: On = None,
    format: Format = "json",  # noqa: A002
) -> Any:
    day = on or today()
    rows = reports.expiring_permits(session, on=day, days=days, filters=filters)
    return _list_response(rows, format, WORK_LISTS["expiring"], day, pg)


@router.get(
    "/missing",
    summary="Vị trí và trạm thiếu giấy phép bắt buộc (hoặc giấy phép hết hạn, bị đình chỉ, thu hồi) vào một ngày",
    dependencies=[Depends(require("permit_reports", "read"))],
    response_class=Response,
    responses=answers({200: {"model": WorkListPage}}, bodies(XLSX)),
)
def missing(
    session: SessionDep,
    settings: SettingsDep,
    filters: FilterDep,
    pg: PageDep,
    on: On = None,
    format: Format = "json",  # noqa: A002
) -> Any:
    day = on or today()
    rows = reports.missing_permits(session, on=day, expiring_days=settings.permit_expiring_days, filters=filters)
    return _list_response(rows, format, WORK_LISTS["missing"], day, pg)


@router.get(
    "/expired-inspections",
    summary="Trạm có giấy chứng nhận kiểm định đã hết hạn vào một ngày",
    dependencies=[Depends(require("permit_reports", "read"))],
    response_class=Response,
    responses=answers({200: {"model": WorkListPage}}, bodies(XLSX)),
)
def expired_inspections(
    session: SessionDep,
    filters: FilterDep,
    pg: PageDep,
    on: On = None,
    format: Format = "json",  # noqa: A002
) -> Any:
    day = on or today()
    rows = reports.expired_inspections(session, on=day, filters=filters)
    return _list_response(rows, format, WORK_LISTS["expired-inspections"], day, pg)


@router.get(
    "",
    summary="Danh sách giấy phép với trạng thái vào một ngày",
    dependencies=[Depends(require("permits", "read"))],
    response_model=ListPermits,
)
def list_permits(
    session: SessionDep,
    settings: SettingsDep,
    pg: PageDep,
    site_code: Annotated[str | None, Query(max_length=40)] = None,
    station_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    kind: PermitKind | None = None,
    status: PermitStatus | None = None,  # noqa: A002
    on: On = None,
) -> dict[str, Any]:
    return permit_page(
        session,
        on=on or today(),
        expiring_days=settings.permit_expiring_days,
        limit=pg.limit,
        offset=pg.offset,
        site_code=site_code,
        station_id=station_id,
        kind=kind.value if kind else None,
        status=status.value if status else None,
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm giấy phép cho vị trí hoặc trạm",
    response_model=Permit,
)
def create_permit(
    data: PermitCreate,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    _: Annotated[Any, Depends(require("permits", "create"))],
) -> dict[str, Any]:
    permit = service.create_permit(session, data)
    return created(response, _dict(session, permit, settings), location=f"/api/permits/{permit.id}", record=permit)


@router.get(
    "/{permit_id}",
    summary="Một giấy phép (ETag = phiên bản)",
    dependencies=[Depends(require("permits", "read"))],
    response_model=Permit,
)
def get_permit(
    permit_id: PermitId, session: SessionDep, settings: SettingsDep, response: Response, on: On = None
) -> dict[str, Any]:
    permit = service.get_permit(session, permit_id)
    return versioned(response, _dict(session, permit, settings, on), permit)


@router.patch(
    "/{permit_id}",
    summary="Sửa giấy phép: gia hạn, đình chỉ, thu hồi … (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("permits", "update"))],
    response_model=Permit,
)
def update_permit(
    permit_id: PermitId,
    data: PermitPatch,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    if_match: IfMatch,
) -> dict[str, Any]:
    permit = service.update_permit(session, permit_id, data, expected_version=if_match)
    return versioned(response, _dict(session, permit, settings), permit)


@router.delete(
    "/{permit_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Xóa giấy phép nhập nhầm (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("permits", "delete"))],
)
def delete_permit(permit_id: PermitId, session: SessionDep, if_match: IfMatch) -> Response:
    service.delete_permit(session, permit_id, expected_version=if_match)
    return deleted()


@router.put(
    "/{permit_id}/document",
    summary="Gắn bản scan (PDF, JPEG, PNG) vào giấy phép; lưu kèm SHA-256 (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("permits", "update"))],
    response_model=PermitWithDocument,
)
def put_document(
    permit_id: PermitId,
    session: SessionDep,
    settings: SettingsDep,
    response: Response,
    file: Annotated[UploadFile, File(description="PDF, JPEG hoặc PNG")],
    if_match: IfMatch,
) -> dict[str, Any]:
    data = read_upload(file, settings)
    permit = service.attach_document(
        session,
        permit_id,
        data,
        file.filename or "",
        expected_version=if_match,
        max_bytes=settings.max_upload_bytes,
    )
    return versioned(response, _dict(session, permit, settings), permit)


@router.get(
    "/{permit_id}/document",
    summary="Tải bản scan của giấy phép",
    response_class=Response,
    responses=bodies("application/pdf", "image/jpeg", "image/png"),
    dependencies=[Depends(require("permits", "read"))],
)
def get_document(permit_id: PermitId, session: SessionDep, request: Request) -> Response:
    from registry.errors import NotFound

    permit = service.get_permit(session, permit_id)
    doc = permit.document
    if doc is None:
        raise NotFound(f"Giấy phép số hiệu {permit_id} chưa có bản scan")
    tag = f'"{doc.sha256}"'
    if request.headers.get("if-none-match") == tag:
        return Response(status_code=304, headers={"ETag": tag})
    ascii_name = "".join(ch if ch.isascii() and ch not in '"\\' else "_" for ch in doc.filename)
    return Response(
        doc.content,
        media_type=doc.media_type,
        headers={
            "ETag": tag,
            "Content-Disposition": f'inline; filename="{ascii_name}"',
            "X-Content-SHA256": doc.sha256,
        },
    )
