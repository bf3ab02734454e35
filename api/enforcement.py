"""HTTP face of inspections (with findings and conclusions) and sanction decisions (with remedial
measures and payment), and the list of sanctions unpaid past their deadline."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.access import require
from api.bodies.enforcement import Inspection, Sanction, Unpaid
from api.deps import VERSION_RESPONSES, IfMatch, SessionDep
from api.responses import bodies, created, versioned
from registry.cases import enforcement_service as service
from registry.cases import queries
from registry.cases.schemas import FindingDone, InspectionConclude, InspectionCreate, SanctionCreate, SanctionPatch
from registry.clock import today
from registry.permits.reports import to_xlsx
from registry.rules.book import RuleBook
from registry.schemas import Day

router = APIRouter(tags=["Thanh tra, khiếu nại, tố cáo"])
Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
READ = [Depends(require("cases", "read"))]
CREATE = [Depends(require("cases", "create"))]
UPDATE = [Depends(require("cases", "update"))]


@router.get("/api/inspections", summary="Các cuộc thanh tra", dependencies=READ, response_model=list[Inspection])
def list_inspections(session: SessionDep) -> list[dict[str, Any]]:
    rows = queries.inspections(session)
    return [service.inspection_dict(r) for r in rows]


@router.post(
    "/api/inspections",
    status_code=status.HTTP_201_CREATED,
    summary="Quyết định thanh tra",
    dependencies=CREATE,
    response_model=Inspection,
)
def create_inspection(data: InspectionCreate, session: SessionDep, response: Response) -> dict[str, Any]:
    record = service.create_inspection(session, data)
    return created(response, service.inspection_dict(record), location=f"/api/inspections/{record.id}", record=record)


@router.get(
    "/api/inspections/{inspection_id}",
    summary="Một cuộc thanh tra",
    dependencies=READ,
    response_model=Inspection,
)
def get_inspection(inspection_id: Id, session: SessionDep, response: Response) -> dict[str, Any]:
    record = service.get_inspection(session, inspection_id)
    return versioned(response, service.inspection_dict(record), record)


@router.post(
    "/api/inspections/{inspection_id}/conclusion",
    summary="Kết luận thanh tra, kiến nghị có thời hạn (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=UPDATE,
    response_model=Inspection,
)
def conclude(
    inspection_id: Id, data: InspectionConclude, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    record = service.conclude_inspection(session, inspection_id, data, expected_version=if_match)
    return versioned(response, service.inspection_dict(record), record)


@router.patch(
    "/api/inspections/{inspection_id}/findings/{finding_id}",
    summary="Ghi kiến nghị của một phát hiện đã thực hiện (cần If-Match của cuộc thanh tra)",
    responses=VERSION_RESPONSES,
    dependencies=UPDATE,
    response_model=Inspection,
)
def mark_finding(
    inspection_id: Id, finding_id: Id, data: FindingDone, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    record = service.mark_finding(session, inspection_id, finding_id, data, expected_version=if_match)
    return versioned(response, service.inspection_dict(record), record)


@router.get("/api/sanctions", summary="Quyết định xử phạt", dependencies=READ, response_model=list[Sanction])
def list_sanctions(session: SessionDep) -> list[dict[str, Any]]:
    day = today()
    rows = queries.sanctions(session)
    book = RuleBook.load(session)
    return [service.sanction_dict(r, on=day, book=book) for r in rows]


@router.get(
    "/api/sanctions/unpaid",
    summary="Quyết định xử phạt chưa nộp quá hạn (10 ngày từ khi giao), kèm tiền chậm nộp",
    dependencies=READ,
    response_model=Unpaid,
    responses=bodies(XLSX),
)
def unpaid(
    session: SessionDep,
    on: Annotated[Day | None, Query(description="Ngày xét")] = None,
    format: Annotated[Literal["json", "xlsx"], Query()] = "json",  # noqa: A002
) -> Any:
    day = on or today()
    rows = [
        service.sanction_dict(s, on=day, book=RuleBook.load(session))
        for s in service.unpaid_past_deadline(session, on=day)
    ]
    if format == "xlsx":
        columns = [
            ("Số quyết định", "number"),
            ("Đối tượng", "violator_name"),
            ("Vi phạm", "citation"),
            ("Tiền phạt", "fine_vnd"),
            ("Hạn nộp", "payment_due"),
            ("Tiền chậm nộp", "late_fee_vnd"),
        ]
        return Response(to_xlsx(rows, columns, title="Chưa nộp phạt", on=day), media_type=XLSX)
    return {"on": day.isoformat(), "count": len(rows), "items": rows}


@router.post(
    "/api/sanctions",
    status_code=status.HTTP_201_CREATED,
    summary="Quyết định xử phạt vi phạm hành chính",
    dependencies=CREATE,
    response_model=Sanction,
)
def create_sanction(data: SanctionCreate, session: SessionDep, response: Response) -> dict[str, Any]:
    record = service.create_sanction(session, data)
    body = service.sanction_dict(record, on=today(), book=RuleBook.load(session))
    return created(response, body, location=f"/api/sanctions/{record.id}", record=record)


@router.get(
    "/api/sanctions/{sanction_id}",
    summary="Một quyết định xử phạt",
    dependencies=READ,
    response_model=Sanction,
)
def get_sanction(
    sanction_id: Id, session: SessionDep, response: Response, on: Annotated[Day | None, Query()] = None
) -> dict[str, Any]:
    record = service.get_sanction(session, sanction_id)
    return versioned(response, service.sanction_dict(record, on=on or today(), book=RuleBook.load(session)), record)


@router.patch(
    "/api/sanctions/{sanction_id}",
    summary="Giao quyết định, ghi nộp phạt, trạng thái, biện pháp khắc phục (cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=UPDATE,
    response_model=Sanction,
)
def update_sanction(
    sanction_id: Id, data: SanctionPatch, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    record = service.update_sanction(session, sanction_id, data, expected_version=if_match)
    return versioned(response, service.sanction_dict(record, on=today(), book=RuleBook.load(session)), record)
