"""HTTP face of cases: list and work lists, one case, create, change, move through the state
machine, history, Excel export. A denouncer's identity reaches only the assigned handler and admins."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile, status

from api.access import require
from api.audit import history
from api.bodies.audit import History
from api.bodies.cases import AddAttachment, Counts, DeadlineRule, ListCases
from api.bodies.cases import Case as CaseBody
from api.deps import VERSION_RESPONSES, IfMatch, PageDep, SessionDep, SettingsDep, read_upload
from api.responses import bodies, created, versioned
from registry.accounts.permissions import Grant
from registry.calendar import service as calendar
from registry.cases import queries, service
from registry.cases.models import Case
from registry.cases.schemas import CaseCreate, CasePatch, TransitionIn
from registry.cases.views import EXPORT_COLUMNS, case_records
from registry.cases.vocabulary import CaseKind, CaseState
from registry.clock import today
from registry.errors import FieldError, ValidationFailed
from registry.permits.reports import to_xlsx
from registry.rules.deadline_rules import deadline_rule_dict, new_deadline_version
from registry.rules.schemas import DeadlineRuleVersion
from registry.schemas import Day

router = APIRouter(prefix="/api/cases", tags=["Thanh tra, khiếu nại, tố cáo"])
CaseCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]
Read = Annotated[Grant, Depends(require("cases", "read"))]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _render(session: Any, cases: list[Case], grant: Grant) -> list[dict[str, Any]]:
    return case_records(session, cases, grant.principal)


@router.get(
    "",
    summary="Hồ sơ vụ việc với hạn xử lý; lọc loại, trạng thái, người xử lý, quá hạn, sắp đến hạn",
    response_model=ListCases,
)
def list_cases(
    session: SessionDep,
    grant: Read,
    pg: PageDep,
    kind: Annotated[list[CaseKind] | None, Query()] = None,
    state: Annotated[list[CaseState] | None, Query()] = None,
    handler: Annotated[str | None, Query(max_length=64)] = None,
    deadline: Annotated[
        Literal["overdue", "due_soon"] | None, Query(description="Quá hạn, hoặc đến hạn trong due_within ngày làm việc")
    ] = None,
    due_within: Annotated[int, Query(ge=0, le=365, description="Số ngày làm việc")] = 5,
) -> dict[str, Any]:
    items = _render(session, queries.cases(session, kinds=kind, states=state, handler=handler), grant)
    if deadline == "overdue":
        items = [c for c in items if c["deadlines"]["status"] == "overdue"]
    elif deadline == "due_soon":
        items = [
            c for c in items
            if c["deadlines"]["status"] == "within_deadline" and c["deadlines"]["working_days_left"] <= due_within
        ]  # fmt: skip
    return {
        "total": len(items),
        "limit": pg.limit,
        "offset": pg.offset,
        "items": items[pg.offset : pg.offset + pg.limit],
    }


@router.get(
    ".geojson",
    summary="Hồ sơ vụ việc có vị trí (GeoJSON cho bản đồ): loại, trạng thái, tình trạng hạn; không có đương sự",
    response_class=Response,
    responses={200: {"content": {"application/geo+json": {}}}},
)
def cases_geojson(
    session: SessionDep,
    settings: SettingsDep,
    grant: Read,
    kind: Annotated[list[CaseKind] | None, Query()] = None,
    state: Annotated[list[CaseState] | None, Query()] = None,
    open_only: Annotated[bool, Query(alias="open", description="Chỉ hồ sơ đang mở (mặc định)")] = True,
    deadline: Annotated[
        list[Literal["overdue", "due_soon", "within_deadline", "suspended"]] | None,
        Query(description="Tình trạng hạn (chỉ hồ sơ đang mở)"),
    ] = None,
    due_within: Annotated[int, Query(ge=0, le=365, description="Số ngày làm việc coi là sắp đến hạn")] = 5,
    received_from: Annotated[Day | None, Query(description="Nhận từ ngày")] = None,
    received_to: Annotated[Day | None, Query(description="Nhận đến ngày")] = None,
) -> Response:
    import json

    from registry.cases.views import case_feature

    if received_from and received_to and received_from > received_to:
        raise ValidationFailed(
            "Khoảng ngày không hợp lệ", [FieldError("Phải không sau received_to", field="received_from")]
        )
    cases = queries.mapped_cases(
        session,
        kinds=kind,
        states=state,
        open_only=open_only,
        received_from=received_from,
        received_to=received_to,
        limit=settings.map_cases_max + 1,
    )
    cal, day = calendar.load(session), today()
    features = []
    for c in cases[: settings.map_cases_max]:
        running = CaseState(c.state) in service.OPEN_STATES
        f = case_feature(c, service.deadlines(session, cal, c, today=day) if running else None, due_within=due_within)
        if not deadline or f["properties"]["deadline_status"] in deadline:
            features.append(f)
    body = {"type": "FeatureCollection", "features": features, "truncated": len(cases) > settings.map_cases_max}
    return Response(json.dumps(body, ensure_ascii=False), media_type="application/geo+json")


@router.get(
    ".xlsx",
    summary="Xuất hồ sơ vụ việc ra Excel (không có thông tin bảo mật)",
    response_class=Response,
    responses=bodies(XLSX),
)
def export(
    session: SessionDep,
    grant: Read,
    kind: Annotated[list[CaseKind] | None, Query()] = None,
    state: Annotated[list[CaseState] | None, Query()] = None,
) -> Response:
    rows = []
    for c in _render(session, queries.cases(session, kinds=kind, states=state), grant):
        rows.append({**c, "current_due": c["deadlines"]["current_due"], "deadline_status": c["deadlines"]["status"]})
    day = today()
    return Response(
        to_xlsx(rows, EXPORT_COLUMNS, title="Hồ sơ vụ việc", on=day),
        media_type=XLSX,
        headers={"Content-Disposition": f'attachment; filename="ho-so-vu-viec-{day:%Y%m%d}.xlsx"'},
    )


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Tiếp nhận vụ việc",
    description="Người tiếp nhận chỉ được tự nhận xử lý (handler là chính mình) hoặc để trống; giao cho người "
    "khác ngay khi tiếp nhận là việc của quản trị viên (403).",
    response_model=CaseBody,
)
def create_case(
    data: CaseCreate,
    session: SessionDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("cases", "create"))],
) -> dict[str, Any]:
    case = service.create_case(session, data, actor=grant.principal.actor)
    return created(response, _render(session, [case], grant)[0], location=f"/api/cases/{case.code}", record=case)


@router.get("/{code}", summary="Một hồ sơ vụ việc (ETag = phiên bản)", response_model=CaseBody)
def get_case(code: CaseCode, session: SessionDep, response: Response, grant: Read) -> dict[str, Any]:
    case = service.get_case(session, code)
    return versioned(response, _render(session, [case], grant)[0], case)


@router.patch(
    "/{code}",
    summary="Sửa hồ sơ: người xử lý, cờ phức tạp/vùng xa, kết quả … (cần If-Match)",
    description="Đổi người xử lý (người được xem danh tính người tố cáo): chỉ quản trị viên, hoặc người đang "
    "xử lý giao cho thanh tra viên khác; người khác nhận 403. Thay đổi được ghi vào lịch sử hồ sơ.",
    responses={**VERSION_RESPONSES, 403: {"description": "Không được đổi người xử lý"}},
    response_model=CaseBody,
)
def update_case(
    code: CaseCode,
    data: CasePatch,
    session: SessionDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("cases", "update"))],
    if_match: IfMatch,
) -> dict[str, Any]:
    case = service.update_case(session, code, data, expected_version=if_match, actor=grant.principal.actor)
    return versioned(response, _render(session, [case], grant)[0], case)


@router.post(
    "/{code}/transitions",
    summary="Chuyển trạng thái (thụ lý, giải quyết, tạm đình chỉ, gia hạn, kết luận, đóng …) có lý do (cần If-Match)",
    responses=VERSION_RESPONSES,
    response_model=CaseBody,
)
def move(
    code: CaseCode,
    data: TransitionIn,
    session: SessionDep,
    response: Response,
    grant: Annotated[Grant, Depends(require("cases", "update"))],
    if_match: IfMatch,
) -> dict[str, Any]:
    case = service.transition(
        session, code, data, actor=grant.principal.actor, today=today(), expected_version=if_match
    )
    return versioned(response, _render(session, [case], grant)[0], case)


@router.get(
    "/{code}/history",
    summary="Lịch sử thay đổi của hồ sơ (không chứa danh tính người tố cáo)",
    response_model=History,
)
def case_history(
    code: CaseCode, session: SessionDep, pg: PageDep, grant: Annotated[Grant, Depends(require("audit", "read"))]
) -> dict[str, Any]:
    case = service.get_case(session, code)
    return history(session, grant, "case", case.id, limit=pg.limit, offset=pg.offset)


@router.get(
    "/reports/counts",
    summary="Số vụ việc nhận trong kỳ theo loại và trạng thái; theo người xử lý, đơn vị: đang mở, quá hạn",
    response_model=Counts,
)
def counts(
    session: SessionDep,
    _: Read,
    since: Annotated[Day, Query(alias="from", description="Từ ngày")],
    until: Annotated[Day, Query(alias="to", description="Đến ngày")],
) -> dict[str, Any]:
    if until < since:
        raise ValidationFailed("Kỳ không hợp lệ", [FieldError("to phải sau from", field="to")])
    return service.counts(session, since=since, until=until, cal=calendar.load(session), today=today())


def _attachment_dict(code: str, a: Any) -> dict[str, Any]:
    return {
        "id": a.id,
        "description": a.description,
        "confidential": a.confidential,
        "added_at": a.added_at.isoformat() if a.added_at else None,
        "href": f"/api/cases/{code}/attachments/{a.id}",
    }


@router.post(
    "/{code}/attachments",
    status_code=status.HTTP_201_CREATED,
    summary="Đính kèm tài liệu, ảnh (PDF, JPEG, PNG; lưu SHA-256). Của vụ tố cáo: mặc định bảo mật",
    response_model=AddAttachment,
)
def add_attachment(
    code: CaseCode,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="PDF, JPEG hoặc PNG")],
    _: Annotated[Grant, Depends(require("cases", "update"))],
    description: Annotated[str | None, Form(max_length=500)] = None,
    confidential: Annotated[bool | None, Form(description="Bỏ trống: bảo mật nếu là vụ tố cáo")] = None,
) -> dict[str, Any]:
    data = read_upload(file, settings)
    a = service.attach(
        session,
        code,
        data,
        file.filename or "",
        description=description,
        confidential=confidential,
        max_bytes=settings.max_upload_bytes,
    )
    return _attachment_dict(code, a)


@router.get(
    "/{code}/attachments",
    summary="Tài liệu đính kèm (tài liệu bảo mật chỉ người xử lý và quản trị thấy)",
    response_model=list[AddAttachment],
)
def list_attachments(code: CaseCode, session: SessionDep, grant: Read) -> list[dict[str, Any]]:
    from registry.cases.views import may_see_identity

    case = service.get_case(session, code)
    visible = may_see_identity(grant.principal, case)
    return [_attachment_dict(code, a) for a in queries.attachments(session, case) if visible or not a.confidential]


@router.get(
    "/{code}/attachments/{attachment_id}",
    summary="Tải tài liệu đính kèm",
    response_class=Response,
    responses=bodies("application/pdf", "image/jpeg", "image/png"),
)
def get_attachment(
    code: CaseCode, attachment_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: SessionDep, grant: Read
) -> Response:
    from registry.cases.views import may_see_identity
    from registry.errors import NotFound, PermissionDenied

    case = service.get_case(session, code)
    a = queries.attachment(session, case, attachment_id)
    if a is None:
        raise NotFound(f"Hồ sơ {code} không có tài liệu số {attachment_id}")
    if a.confidential and not may_see_identity(grant.principal, case):
        raise PermissionDenied("Tài liệu bảo mật: chỉ người được giao xử lý và quản trị được xem")
    doc = queries.attachment_document(session, a)
    return Response(
        doc.content, media_type=doc.media_type, headers={"ETag": f'"{doc.sha256}"', "X-Content-SHA256": doc.sha256}
    )


deadline_rules_router = APIRouter(prefix="/api/deadline-rules", tags=["Thanh tra, khiếu nại, tố cáo"])
RuleCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


@deadline_rules_router.get(
    "",
    summary="Quy tắc thời hạn giải quyết (đang hoặc từng có hiệu lực)",
    dependencies=[Depends(require("cases", "read"))],
    response_model=list[DeadlineRule],
)
def deadline_rules(
    session: SessionDep, on: Annotated[Day | None, Query(description="Chỉ quy tắc có hiệu lực ngày này")] = None
) -> list[dict[str, Any]]:
    return [deadline_rule_dict(r) for r in queries.deadline_rules(session, on=on)]


@deadline_rules_router.post(
    "/{code}/versions",
    status_code=status.HTTP_201_CREATED,
    summary="Phiên bản mới của một quy tắc thời hạn từ một ngày; phiên bản trước hết hiệu lực ngày đó "
    "(quản trị; cần If-Match của quy tắc cũ)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("rules", "create"))],
    response_model=DeadlineRule,
)
def new_deadline_rule_version(
    code: RuleCode, data: DeadlineRuleVersion, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    rule = new_deadline_version(session, code, data, expected_version=if_match)
    return created(response, deadline_rule_dict(rule), location=f"/api/deadline-rules?on={rule.effective_from}",
                   record=rule)  # fmt: skip
