"""Citizen reception: the published monthly schedule and the sessions, whose cases enter the register."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, status

from api.access import require
from api.bodies.reception import CreateSession, Schedule
from api.deps import SessionDep, SettingsDep
from registry.accounts.permissions import Grant
from registry.calendar import service as calendar
from registry.calendar.days import OutOfCalendar
from registry.cases import queries, reception
from registry.cases.schemas import ReceptionSessionCreate
from registry.errors import FieldError, ValidationFailed

router = APIRouter(prefix="/api/reception-sessions", tags=["Tiếp công dân"])


@router.get(
    "/schedule",
    summary="Lịch tiếp công dân định kỳ của năm (ngày cố định, gặp ngày nghỉ thì ngày làm việc kế tiếp)",
    dependencies=[Depends(require("calendar", "read"))],
    response_model=Schedule,
)
def schedule(
    session: SessionDep, settings: SettingsDep, year: Annotated[int, Query(ge=2015, le=2035)]
) -> dict[str, Any]:
    try:
        days = reception.schedule(calendar.load(session), year, settings.reception_day_of_month)
    except OutOfCalendar as exc:
        raise ValidationFailed("Ngoài phạm vi lịch", [FieldError(str(exc), field="year")]) from exc
    return {"year": year, "rule_day_of_month": settings.reception_day_of_month, "dates": [d.isoformat() for d in days]}


@router.get(
    "",
    summary="Các buổi tiếp công dân và vụ việc tiếp nhận",
    dependencies=[Depends(require("cases", "read"))],
    response_model=list[CreateSession],
)
def list_sessions(session: SessionDep) -> list[dict[str, Any]]:
    rows = queries.reception_sessions(session)
    return [reception.session_dict(session, r) for r in rows]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    summary="Ghi buổi tiếp công dân và các vụ việc tiếp nhận tại buổi đó",
    response_model=CreateSession,
)
def create_session(
    data: ReceptionSessionCreate, session: SessionDep, grant: Annotated[Grant, Depends(require("cases", "create"))]
) -> dict[str, Any]:
    record, _ = reception.create_session(session, data, actor=grant.principal.actor)
    return reception.session_dict(session, record)
