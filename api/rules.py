"""HTTP face of the legal constants: what is in force (and was), and a new value from a day on (admin)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response, status

from api.access import require
from api.bodies.rules import ListValue
from api.deps import SessionDep
from api.responses import created, problems
from registry.rules import service
from registry.rules.schemas import RuleValueCreate
from registry.schemas import Day

router = APIRouter(prefix="/api/rules", tags=["Quy định"])


@router.get(
    "",
    summary="Các giá trị quy định (giờ nhận hồ sơ, hạn nộp phạt …) với căn cứ và thời gian hiệu lực",
    dependencies=[Depends(require("rules", "read"))],
    response_model=list[ListValue],
)
def list_values(
    session: SessionDep,
    on: Annotated[Day | None, Query(description="Chỉ các giá trị có hiệu lực ngày này")] = None,
    code: Annotated[str | None, Query(max_length=60, pattern=r"^[a-z][a-z0-9_.]*$")] = None,
) -> list[dict[str, Any]]:
    return [service.value_dict(r) for r in service.list_values(session, on=on, code=code)]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Giá trị mới của một quy định từ một ngày (văn bản mới); giá trị trước hết hiệu lực ngày đó (quản trị)",
    dependencies=[Depends(require("rules", "create"))],
    response_model=ListValue,
    responses=problems(404),  # no rule by that code
)
def add_value(data: RuleValueCreate, session: SessionDep, response: Response) -> dict[str, Any]:
    row = service.add_value(session, data)
    return created(response, service.value_dict(row), location=f"/api/rules?code={row.code}")
