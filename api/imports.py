"""Uploading station spreadsheets, and the template to fill in."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile

from api.access import require
from api.bodies.imports import ImportPressOutlets, ImportStations
from api.deps import SessionDep, SettingsDep, read_upload
from api.responses import bodies
from registry.stations.exporter import FORMATS, template_bytes
from registry.stations.importer import import_file
from registry.tabular import read_table

router = APIRouter(prefix="/api/imports", tags=["Nhập dữ liệu"])


@router.post(
    "/stations",
    summary="Nhập bảng trạm (.xlsx/.csv): kiểm tra toàn bộ, có lỗi thì không ghi gì",
    dependencies=[Depends(require("station_imports", "create"))],
    response_model=ImportStations,
)
def import_stations(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="Tệp .xlsx hoặc .csv theo mẫu")],
    dry_run: Annotated[bool, Query(description="Chỉ kiểm tra, không ghi")] = False,
) -> dict[str, Any]:
    # A plain def: FastAPI runs it in the thread pool, so a long import never blocks the event loop.
    data = read_upload(file, settings)
    report = import_file(session, data=data, filename=file.filename or "", dry_run=dry_run, settings=settings)
    return report.as_dict()


@router.post(
    "/press-outlets",
    summary="Nhập bảng cơ quan báo chí (.xlsx/.csv, tiêu đề tiếng Việt): có lỗi thì không ghi gì; theo mã",
    dependencies=[Depends(require("press_imports", "create"))],
    response_model=ImportPressOutlets,
)
def import_press_outlets(
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="Tệp .xlsx hoặc .csv")],
    dry_run: Annotated[bool, Query(description="Chỉ kiểm tra, không ghi")] = False,
) -> dict[str, Any]:
    from registry.press.tabular import import_outlets

    data = read_upload(file, settings)
    table = read_table(data, file.filename or "", settings=settings)
    return import_outlets(session, table, dry_run=dry_run, settings=settings).as_dict()


@router.get(
    "/stations/template.{fmt}",
    summary="Tải mẫu bảng trạm (tiêu đề tiếng Việt)",
    response_class=Response,
    responses=bodies(FORMATS["xlsx"].media_type, FORMATS["csv"].media_type),
    dependencies=[Depends(require("templates", "read"))],
)
def template(fmt: Literal["xlsx", "csv"]) -> Response:
    return Response(
        template_bytes(fmt),
        media_type=FORMATS[fmt].media_type,
        headers={"Content-Disposition": f'attachment; filename="mau-tram-goc.{fmt}"'},
    )
