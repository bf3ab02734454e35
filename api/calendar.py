"""HTTP face of the working-day calendar: a year's days off and swapped working days, deadlines
counted on it, and an admin's changes."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.access import require
from api.bodies.calendar import Deadline, Year, YearDay
from api.deps import VERSION_RESPONSES, IfMatch, SessionDep
from api.responses import deleted, versioned
from registry.calendar import service
from registry.calendar.days import VIETNAM, OutOfCalendar
from registry.calendar.schemas import DayIn
from registry.errors import FieldError, ValidationFailed
from registry.rules.book import RuleBook
from registry.schemas import Day, Moment

router = APIRouter(prefix="/api/calendar", tags=["Lịch ngày làm việc"])


@router.get(
    "/deadline",
    summary="Tính hạn: N ngày làm việc hoặc N ngày (lùi sang ngày làm việc) kể từ một ngày",
    dependencies=[Depends(require("calendar", "read"))],
    response_model=Deadline,
)
def deadline(
    session: SessionDep,
    start: Annotated[Day | None, Query(description="Ngày của sự kiện (không tính)")] = None,
    received_at: Annotated[
        Moment | None,
        Query(
            description="Hoặc: thời điểm nhận hồ sơ giấy (từ giờ one_stop.paper_cutoff, 15:00, "
            "tính từ ngày làm việc sau)"
        ),
    ] = None,
    working_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    calendar_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
) -> dict[str, Any]:
    if (start is None) == (received_at is None):
        raise ValidationFailed(
            "Tham số không hợp lệ", [FieldError("Cần đúng một trong start hoặc received_at", field="start")]
        )
    if (working_days is None) == (calendar_days is None):
        raise ValidationFailed(
            "Tham số không hợp lệ",
            [FieldError("Cần đúng một trong working_days hoặc calendar_days", field="working_days")],
        )
    cal = service.load(session)
    try:
        if received_at is not None:
            local = received_at.astimezone(VIETNAM) if received_at.tzinfo else received_at
            cutoff = RuleBook.load(session).value("one_stop.paper_cutoff", local.date())
            day = cal.counting_day(received_at, cutoff)
        else:
            day = start  # type: ignore[assignment]
        due = (
            cal.add_working_days(day, working_days)
            if working_days is not None
            else cal.add_calendar_days(day, calendar_days or 0)
        )
    except OutOfCalendar as exc:
        raise ValidationFailed("Ngoài phạm vi lịch", [FieldError(str(exc), field="start")]) from exc
    return {
        "counted_from": day.isoformat(),
        "due": due.isoformat(),
        "working_days": working_days,
        "calendar_days": calendar_days,
    }


@router.get(
    "/{year}",
    summary="Ngày nghỉ lễ, Tết và ngày làm việc bù của một năm; ngày Tết âm lịch",
    dependencies=[Depends(require("calendar", "read"))],
    response_model=Year,
)
def year(year: Annotated[int, Path(ge=1900, le=2100)], session: SessionDep) -> dict[str, Any]:
    return service.year(session, year)


@router.put(
    "/days/{day}",
    summary="Đặt một ngày là ngày nghỉ hoặc ngày làm việc bù (quản trị; có lý do; If-Match khi sửa)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("calendar", "update"))],
    response_model=YearDay,
)
def put_day(day: Day, data: DayIn, session: SessionDep, response: Response, if_match: IfMatch) -> dict[str, Any]:
    record = service.set_day(
        session,
        day,
        kind=data.kind,
        name=data.name,
        reason=data.reason,
        legal_basis=data.legal_basis,
        expected_version=if_match,
    )
    return versioned(response, service.day_dict(record), record)


@router.delete(
    "/days/{day}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Trả một ngày về tuần làm việc thường (quản trị; cần If-Match)",
    responses=VERSION_RESPONSES,
    dependencies=[Depends(require("calendar", "update"))],
)
def delete_day(day: Day, session: SessionDep, if_match: IfMatch) -> Response:
    service.clear_day(session, day, expected_version=if_match)
    return deleted()
