"""HTTP face of administrative procedures: the catalogue, the one-stop desk's dossiers (receipt,
moves, apology, the licence an approval produced), the legacy import and the on-time report."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Path, Query, Response, UploadFile, status

from api.access import require
from api.audit import history
from api.bodies.audit import History
from api.bodies.procedures import (
    ApologisedDossier,
    DossierReport,
    DossierReportMonthly,
    ImportDossiers,
    ListDossiers,
    ListProcedures,
    Procedure,
    Receipt,
)
from api.bodies.procedures import Dossier as DossierBody
from api.deps import VERSION_RESPONSES, IfMatch, PageDep, SessionDep, SettingsDep, read_upload
from api.responses import answers, bodies, created, versioned
from registry.accounts.permissions import Grant, check_dossier_field
from registry.calendar import service as calendar
from registry.calendar.days import VIETNAM
from registry.errors import FieldError, ValidationFailed
from registry.procedures import queries, reports, service
from registry.procedures.models import (
    CHANNEL_NAMES,
    Channel,
    Dossier,
    ProcedureField,
    Status,
)
from registry.procedures.receipts import LOOKUP_PATTERN
from registry.procedures.schemas import (
    ApologyIn,
    DossierCreate,
    DossierMove,
    ProcedureCreate,
    ProcedurePatch,
    RecordLink,
)
from registry.procedures.views import dossier_dict, procedure_dict
from registry.schemas import Day
from registry.tabular import read_table

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ProcedureCode = Annotated[str, Path(max_length=40, pattern=r"^[0-9A-Za-z][0-9A-Za-z._-]*$")]
ReceiptCode = Annotated[str, Path(max_length=40, pattern=LOOKUP_PATTERN, description="Mã hồ sơ (mã biên nhận)")]

router = APIRouter(prefix="/api/procedures", tags=["Thủ tục hành chính"])
dossiers_router = APIRouter(prefix="/api/dossiers", tags=["Thủ tục hành chính"])
reports_router = APIRouter(prefix="/api/reports/dossiers", tags=["Thủ tục hành chính"])
imports_router = APIRouter(prefix="/api/imports", tags=["Thủ tục hành chính"])

ReadDossiers = Annotated[Grant, Depends(require("dossiers", "read"))]
UpdateDossiers = Annotated[Grant, Depends(require("dossiers", "update"))]


def _now() -> datetime:
    return datetime.now(VIETNAM)


def _today() -> date:
    return _now().date()


def _check_field(grant: Grant, d: Dossier) -> None:
    check_dossier_field(grant.principal, ProcedureField(d.procedure.field))


# --- the catalogue -------------------------------------------------------------------------------------


@router.get(
    "",
    summary="Danh mục thủ tục hành chính (lọc lĩnh vực, mức độ, ngày hiệu lực)",
    response_model=ListProcedures,
)
def list_procedures(
    session: SessionDep,
    _: Annotated[Grant, Depends(require("procedures", "read"))],
    field: Annotated[ProcedureField | None, Query(description="Lĩnh vực")] = None,
    online_level: Annotated[int | None, Query(ge=1, le=4, description="Mức độ dịch vụ công trực tuyến")] = None,
    on: Annotated[Day | None, Query(description="Chỉ thủ tục có hiệu lực ngày này")] = None,
) -> dict[str, Any]:
    rows = queries.procedures(session, field=field, online_level=online_level, on=on)
    items = [procedure_dict(p) for p in rows]
    return {"total": len(items), "items": items}


@router.get("/{code}", summary="Một thủ tục với quy trình nội bộ (ETag = phiên bản)", response_model=Procedure)
def get_procedure(
    code: ProcedureCode,
    session: SessionDep,
    response: Response,
    _: Annotated[Grant, Depends(require("procedures", "read"))],
) -> dict[str, Any]:
    p = service.get_procedure(session, code)
    return versioned(response, procedure_dict(p), p)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm thủ tục (tổng thời gian các bước = thời hạn)",
    response_model=Procedure,
)
def create_procedure(
    data: ProcedureCreate,
    session: SessionDep,
    response: Response,
    _: Annotated[Grant, Depends(require("procedures", "create"))],
) -> dict[str, Any]:
    p = service.create_procedure(session, data)
    return created(response, procedure_dict(p), location=f"/api/procedures/{p.code}", record=p)


@router.patch(
    "/{code}",
    summary="Sửa thủ tục (cần If-Match)",
    responses=VERSION_RESPONSES,
    response_model=Procedure,
)
def update_procedure(
    code: ProcedureCode,
    data: ProcedurePatch,
    session: SessionDep,
    response: Response,
    _: Annotated[Grant, Depends(require("procedures", "update"))],
    if_match: IfMatch,
) -> dict[str, Any]:
    p = service.update_procedure(session, code, data, expected_version=if_match)
    return versioned(response, procedure_dict(p), p)


# --- dossiers ------------------------------------------------------------------------------------------


@dossiers_router.get(
    "",
    summary="Hồ sơ: lọc trạng thái, thủ tục, kênh, ngày nhận, tình trạng hạn hôm nay",
    response_model=ListDossiers,
)
def list_dossiers(
    session: SessionDep,
    _: ReadDossiers,
    pg: PageDep,
    status_: Annotated[list[Status] | None, Query(alias="status")] = None,
    procedure: Annotated[str | None, Query(max_length=40, description="Mã thủ tục")] = None,
    channel: Annotated[Channel | None, Query()] = None,
    received_from: Annotated[Day | None, Query()] = None,
    received_to: Annotated[Day | None, Query()] = None,
    overdue: Annotated[bool | None, Query(description="Chỉ hồ sơ đang giải quyết quá hạn hôm nay")] = None,
    field: Annotated[list[ProcedureField] | None, Query(description="Lĩnh vực của thủ tục")] = None,
    actor: Annotated[str | None, Query(max_length=200, description="Cán bộ đã chuyển bước hồ sơ")] = None,
    q: Annotated[str | None, Query(max_length=200, description="Mã hồ sơ hoặc tên người nộp (có/không dấu)")] = None,
    figure: Annotated[
        Literal[queries.FIGURE_KEYS] | None,  # type: ignore[valid-type]
        Query(description="Hồ sơ mà một chỉ tiêu của báo cáo kỳ (period_from–period_to) đếm"),
    ] = None,
    period_from: Annotated[Day | None, Query()] = None,
    period_to: Annotated[Day | None, Query()] = None,
) -> dict[str, Any]:
    if received_from and received_to and received_from > received_to:
        raise ValidationFailed(
            "Khoảng ngày không hợp lệ", [FieldError("Phải không sau received_to", field="received_from")]
        )
    if figure and not (period_from and period_to):
        raise ValidationFailed("Thiếu kỳ báo cáo", [FieldError("Cần period_from và period_to", field="figure")])
    if period_from and period_to:
        reports.check_period(period_from, period_to)
    day = _today()
    total, rows = queries.dossier_page(
        session,
        queries.DossierFilter(
            statuses=status_ or (),
            procedure=procedure,
            channel=channel,
            received_from=received_from,
            received_to=received_to,
            overdue_on=day if overdue else None,
            fields=field or (),
            actor=actor,
            q=q,
            figure=figure,
            period=(period_from, period_to) if figure and period_from and period_to else None,
        ),
        limit=pg.limit,
        offset=pg.offset,
    )
    return {
        "total": total,
        "limit": pg.limit,
        "offset": pg.offset,
        "items": [dossier_dict(d, today=day) for d in rows],
    }


@dossiers_router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Tiếp nhận hồ sơ: mã biên nhận, ngày hẹn trả",
    response_model=DossierBody,
)
def create_dossier(
    data: DossierCreate,
    session: SessionDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("dossiers", "create"))],
) -> dict[str, Any]:
    d = service.create_dossier(session, calendar.load(session), data, actor=grant.principal.actor, now=_now())
    return created(response, dossier_dict(d, today=_today()), location=f"/api/dossiers/{d.receipt_code}", record=d)


@dossiers_router.get(
    "/{code}",
    summary="Một hồ sơ với lịch sử các bước (ETag = phiên bản)",
    response_model=DossierBody,
)
def get_dossier(code: ReceiptCode, session: SessionDep, response: Response, _: ReadDossiers) -> dict[str, Any]:
    d = service.get_dossier(session, code)
    return versioned(response, dossier_dict(d, today=_today()), d)


@dossiers_router.post(
    "/{code}/transitions",
    summary="Chuyển bước: chuyển phòng, đang giải quyết, chờ bổ sung, có kết quả, từ chối, trả kết quả, "
    "trả lại hồ sơ, rút (cần If-Match)",
    responses=VERSION_RESPONSES,
    response_model=DossierBody,
)
def move(
    code: ReceiptCode,
    data: DossierMove,
    session: SessionDep,
    response: Response,
    grant: UpdateDossiers,
    if_match: IfMatch,
) -> dict[str, Any]:
    _check_field(grant, service.get_dossier(session, code))
    d = service.move(
        session, calendar.load(session), code, data, actor=grant.principal.actor, now=_now(),
        expected_version=if_match,
    )  # fmt: skip
    return versioned(response, dossier_dict(d, today=_today()), d)


@dossiers_router.post(
    "/{code}/apology",
    summary="Phiếu xin lỗi và hẹn lại ngày trả (một lần, chậm nhất 1 ngày trước hạn; cần If-Match)",
    responses=VERSION_RESPONSES,
    response_model=ApologisedDossier,
)
def apology(
    code: ReceiptCode,
    data: ApologyIn,
    session: SessionDep,
    response: Response,
    grant: UpdateDossiers,
    if_match: IfMatch,
) -> dict[str, Any]:
    _check_field(grant, service.get_dossier(session, code))
    d = service.apologise(
        session, calendar.load(session), code, data, actor=grant.principal.actor, now=_now(),
        expected_version=if_match,
    )  # fmt: skip
    return versioned(response, dossier_dict(d, today=_today()), d)


@dossiers_router.put(
    "/{code}/record",
    summary="Gắn giấy phép (permit_id) hoặc giấy phép báo chí (press_licence_id) mà hồ sơ đã cấp (cần If-Match)",
    responses=VERSION_RESPONSES,
    response_model=DossierBody,
)
def attach_record(
    code: ReceiptCode,
    data: RecordLink,
    session: SessionDep,
    response: Response,
    grant: UpdateDossiers,
    if_match: IfMatch,
) -> dict[str, Any]:
    _check_field(grant, service.get_dossier(session, code))
    d = service.attach_record(
        session, code, permit_id=data.permit_id, press_licence_id=data.press_licence_id,
        expected_version=if_match,
    )  # fmt: skip
    return versioned(response, dossier_dict(d, today=_today()), d)


@dossiers_router.get(
    "/{code}/history",
    summary="Lịch sử thay đổi của hồ sơ (nhật ký kiểm tra)",
    response_model=History,
)
def dossier_history(
    code: ReceiptCode, session: SessionDep, pg: PageDep, grant: Annotated[Grant, Depends(require("audit", "read"))]
) -> dict[str, Any]:
    d = service.get_dossier(session, code)
    return history(session, grant, "dossier", d.id, limit=pg.limit, offset=pg.offset)


@dossiers_router.get(
    "/{code}/receipt",
    summary="Giấy tiếp nhận hồ sơ và hẹn trả kết quả (HTML để in, hoặc format=json)",
    response_class=Response,
    responses=answers({200: {"model": Receipt}}, {200: {"content": {"text/html": {"schema": {"type": "string"}}}}}),
)
def receipt(
    code: ReceiptCode,
    session: SessionDep,
    settings: SettingsDep,
    grant: ReadDossiers,
    format: Annotated[Literal["html", "json"], Query()] = "html",  # noqa: A002
) -> Response:
    import json
    from urllib.parse import quote

    d = service.get_dossier(session, code)
    p = d.procedure
    local = d.received_at.astimezone(VIETNAM)
    lookup = f"/pages/dossiers/lookup?code={quote(d.receipt_code, safe='')}"
    fields = {
        "department": settings.department_name,
        "receipt_code": d.receipt_code,
        "procedure_code": p.code,
        "procedure_name": p.name,
        "applicant": d.applicant_name,
        "applicant_id_number": d.applicant_id_number,
        "applicant_address": d.applicant_address,
        "applicant_phone": d.applicant_phone,
        "channel": CHANNEL_NAMES[Channel(d.channel)],
        "fees": p.fees,
        "fee_vnd": p.fee_vnd,
        "received_at": local.isoformat(),
        "received_by": d.events[0].actor if d.events else None,
        "due_date": d.due_date.isoformat(),
        "documents": list(d.documents_received or []),
        "lookup": lookup,
        "lookup_url": settings.public_base_url.rstrip("/") + lookup,
    }
    if format == "json":
        return Response(json.dumps(fields, ensure_ascii=False), media_type="application/json")
    from maps.dossier_pages import receipt_page

    page = receipt_page(
        fields, received_at=local, due=d.due_date, username=grant.principal.username,
        here=f"/api/dossiers/{quote(d.receipt_code, safe='')}/receipt",
    )  # fmt: skip
    return Response(page, media_type="text/html; charset=utf-8")


# --- import ---------------------------------------------------------------------------------------------


@imports_router.post(
    "/dossiers",
    summary="Nhập hồ sơ từ hệ thống một cửa cũ (.csv/.xlsx): có lỗi thì không ghi gì, báo lỗi theo dòng và cột",
    response_model=ImportDossiers,
)
def import_dossiers(
    session: SessionDep,
    settings: SettingsDep,
    grant: Annotated[Grant, Depends(require("dossier_imports", "create"))],
    file: Annotated[UploadFile, File(description="Tệp .csv hoặc .xlsx")],
    dry_run: Annotated[bool, Query(description="Chỉ kiểm tra, không ghi")] = False,
) -> dict[str, Any]:
    from registry.procedures.tabular import import_dossiers as run

    data = read_upload(file, settings)
    table = read_table(data, file.filename or "", settings=settings)
    return run(
        session, calendar.load(session), table, actor=grant.principal.actor, today=_today(), dry_run=dry_run,
        max_rows=settings.max_import_rows,
    ).as_dict()  # fmt: skip


# --- reports ---------------------------------------------------------------------------------------------

From = Annotated[Day, Query(alias="from", description="Từ ngày (yyyy-mm-dd)")]
To = Annotated[Day, Query(alias="to", description="Đến ngày (yyyy-mm-dd), tính cả ngày này")]


@reports_router.get(
    "",
    summary="Kết quả giải quyết hồ sơ của một kỳ: tiếp nhận (kỳ trước chuyển sang, mới), trước hạn, đúng hạn, "
    "quá hạn, đang giải quyết trong hạn/quá hạn, trả lại, rút, từ chối; theo thủ tục, lĩnh vực, kênh, mức độ",
    response_model=DossierReport,
    responses=bodies(XLSX),
)
def dossier_report(
    session: SessionDep,
    settings: SettingsDep,
    _: Annotated[Grant, Depends(require("dossier_reports", "read"))],
    since: From,
    until: To,
    format: Annotated[Literal["json", "xlsx"], Query()] = "json",  # noqa: A002
) -> Any:
    report = reports.dossier_report(session, since, until)
    if format == "xlsx":
        return Response(
            reports.to_xlsx(report, department=settings.department_name),
            media_type=XLSX,
            headers={"Content-Disposition": f'attachment; filename="ket-qua-{since:%Y%m%d}-{until:%Y%m%d}.xlsx"'},
        )
    return report


@reports_router.get(
    "/monthly",
    summary="Các chỉ tiêu theo từng tháng của kỳ (xu hướng), tối đa 120 tháng",
    response_model=DossierReportMonthly,
)
def dossier_report_monthly(
    session: SessionDep,
    _: Annotated[Grant, Depends(require("dossier_reports", "read"))],
    since: From,
    until: To,
) -> dict[str, Any]:
    return reports.monthly(session, since, until)
