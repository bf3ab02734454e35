"""HTTP face of the requirement rules: which permits a site or station needs, with validity dates."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.access import require
from api.bodies.permit_rules import PermitRule
from api.deps import VERSION_RESPONSES, IfMatch, SessionDep
from api.responses import created, versioned
from registry.permits import service
from registry.permits.schemas import PermitRuleCreate, PermitRulePatch
from registry.permits.views import rule_dict
from registry.rules.permit_rules import new_permit_rule_version
from registry.schemas import Day

router = APIRouter(prefix="/api/permit-rules", tags=["Giấy phép"])
RuleCode = Annotated[str, Path(max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9_-]*$")]


@router.get(
    "",
    summary="Quy tắc giấy phép bắt buộc (chỉ các quy tắc còn hiệu lực vào ngày on, nếu có)",
    dependencies=[Depends(require("permit_rules", "read"))],
    response_model=list[PermitRule],
)
def list_rules(
    session: SessionDep, on: Annotated[Day | None, Query(description="Chỉ quy tắc có hiệu lực ngày này")] = None
) -> list[dict[str, Any]]:
    return [rule_dict(r) for r in service.list_rules(session, on=on)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Thêm quy tắc (quản trị)",
    dependencies=[Depends(require("permit_rules", "create"))],
    response_model=PermitRule,
)
def create_rule(data: PermitRuleCreate, session: SessionDep, response: Response) -> dict[str, Any]:
    rule = service.create_rule(session, data)
    return created(response, rule_dict(rule), location=f"/api/permit-rules/{rule.code}", record=rule)


@router.get(
    "/{code}",
    summary="Một quy tắc",
    dependencies=[Depends(require("permit_rules", "read"))],
    response_model=PermitRule,
)
def get_rule(code: RuleCode, session: SessionDep, response: Response) -> dict[str, Any]:
    rule = service.get_rule(session, code)
    return versioned(response, rule_dict(rule), rule)


@router.patch(
    "/{code}",
    summary="Sửa quy tắc, ví dụ đặt effective_to khi văn bản mới thay thế (quản trị; cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("permit_rules", "update"))],
    response_model=PermitRule,
)
def update_rule(
    code: RuleCode, data: PermitRulePatch, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    rule = service.update_rule(session, code, data, expected_version=if_match)
    return versioned(response, rule_dict(rule), rule)


@router.post(
    "/{code}/versions",
    status_code=status.HTTP_201_CREATED,
    summary="Quy tắc mới thay quy tắc này từ một ngày (effective_from); quy tắc cũ hết hiệu lực ngày đó "
    "(quản trị; cần If-Match của quy tắc cũ)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("permit_rules", "create"))],
    response_model=PermitRule,
)
def new_rule_version(
    code: RuleCode, data: PermitRuleCreate, session: SessionDep, response: Response, if_match: IfMatch
) -> dict[str, Any]:
    rule = new_permit_rule_version(session, code, data, expected_version=if_match)
    return created(response, rule_dict(rule), location=f"/api/permit-rules/{rule.code}", record=rule)
