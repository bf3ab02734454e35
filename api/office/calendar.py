"""The working-day calendar in the back office: a year as a grid of months (every day's state in words,
not in colour alone), and one day's page where an admin marks it off or worked (with the reason and
the legal basis) or returns it to the ordinary week — the same services as ``PUT/DELETE
/api/calendar/days/{day}`` under the same permission, with the effect on the month's working days."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request
from fastapi.responses import Response

from api.access import require
from api.audit import history
from api.deps import SessionDep
from api.office.forms import Form, attempt, form_values, posted_version, to_model
from api.office.pages import Office, OfficeDep, done, in_thread, page, stale_page
from maps.record_pages import history_rows
from registry.accounts.permissions import authorize
from registry.calendar import service
from registry.calendar.schemas import DayIn
from registry.calendar.views import STATES, WEEKDAY_SHORT, WEEKDAYS, day_view, parse_day, year_grid
from registry.clock import today
from registry.errors import StaleVersion, VersionRequired

router = APIRouter(prefix="/office/admin/calendar", tags=["Văn phòng"], include_in_schema=False)
HOME = "/office/admin/calendar"
DayText = Annotated[str, Path(max_length=10, pattern=r"^[0-9-]{8,10}$", description="dd-mm-yyyy hoặc yyyy-mm-dd")]

LABELS = {
    "kind": "Loại ngày",
    "name": "Tên ngày",
    "reason": "Lý do thay đổi",
    "legal_basis": "Căn cứ pháp lý",
}
KINDS = [("off", "Ngày nghỉ (lễ, Tết, nghỉ bù)"), ("working", "Ngày làm việc (làm bù vào cuối tuần)")]


@router.get("", dependencies=[Depends(require("office", "read"))], summary="Lịch ngày làm việc của một năm")
def calendar_year(
    office: OfficeDep, session: SessionDep, year: Annotated[int | None, Query(ge=1900, le=2100)] = None
) -> Response:
    y = year or today().year
    grid = year_grid(session, y)
    return page(
        office,
        "calendar.html",
        title=f"Lịch ngày làm việc năm {y}",
        grid=grid,
        states=STATES,
        weekdays=list(zip(WEEKDAY_SHORT, WEEKDAYS, strict=True)),
        can_edit=office.can("calendar", "update"),
    )


def _values(record: dict[str, Any] | None) -> dict[str, Any]:
    if record is None:
        return {"kind": "off"}
    return {name: record.get(name) for name in LABELS}


def _day_page(office: Office, session: Any, day: date, form: Form, *, status: int = 200,
              general: list[str] | None = None) -> Response:  # fmt: skip
    view = day_view(session, day)
    grant = authorize(office.principal, "audit", "read")
    said = history_rows(history(session, grant, "calendar_day", day.isoformat(), limit=200, offset=0))  # type: ignore[arg-type]
    form.general.extend(general or [])
    return page(
        office,
        "calendar_day.html",
        title=f"{view['weekday']}, ngày {day:%d/%m/%Y}",
        status=422 if form.refused and status == 200 else status,
        view=view,
        states=STATES,
        f=form,
        kinds=KINDS,
        action=f"{HOME}/{day.isoformat()}",
        version=view["record"]["version"] if view["record"] else None,
        history=said,
        crumbs=[(f"{HOME}?year={day.year}", f"Lịch năm {day.year}")],
    )


@router.get("/{day}", dependencies=[Depends(require("calendar", "update"))], summary="Sửa một ngày của lịch")
def calendar_day(day: DayText, office: OfficeDep, session: SessionDep) -> Response:
    d = parse_day(day)
    view = day_view(session, d)
    return _day_page(office, session, d, Form(labels=LABELS, values=_values(view["record"])))


@router.post("/{day}", dependencies=[Depends(require("calendar", "update"))], summary="Sửa một ngày của lịch")
async def calendar_day_save(day: DayText, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    return await in_thread(_save, office, session, parse_day(day), form_values(posted), posted_version(posted))


def _save(office: Office, session: Any, day: date, values: dict[str, Any], version: int | None) -> Response:
    form = Form(labels=LABELS, values=values)
    current = day_view(session, day)["record"]
    try:
        with attempt(session, form):
            data = to_model(DayIn, {k: v for k, v in values.items() if k in LABELS})
            service.set_day(
                session,
                day,
                kind=data.kind,
                name=data.name,
                reason=data.reason,
                legal_basis=data.legal_basis,
                expected_version=version if current is not None else None,
            )
    except (StaleVersion, VersionRequired):
        return stale_page(
            office,
            action=f"{HOME}/{day.isoformat()}",
            back=f"{HOME}/{day.isoformat()}",
            labels=LABELS,
            current=_values(current),
            mine=values,
            current_version=current["version"] if current else 0,
            crumbs=[(f"{HOME}?year={day.year}", f"Lịch năm {day.year}")],
        )
    if form.refused:
        return _day_page(office, session, day, form)
    return done(f"{HOME}/{day.isoformat()}", "saved")


@router.post(
    "/{day}/delete", dependencies=[Depends(require("calendar", "update"))], summary="Trả một ngày về tuần thường"
)
async def calendar_day_clear(day: DayText, request: Request, office: OfficeDep, session: SessionDep) -> Response:
    posted = await request.form()
    return await in_thread(_clear, office, session, parse_day(day), posted_version(posted))


def _clear(office: Office, session: Any, day: date, version: int | None) -> Response:
    form = Form(labels=LABELS)
    try:
        with attempt(session, form):
            service.clear_day(session, day, expected_version=version)
    except (StaleVersion, VersionRequired):
        view = day_view(session, day)
        return _day_page(office, session, day, Form(labels=LABELS, values=_values(view["record"])), status=409,
                         general=["Ngày này đã được sửa trong lúc bạn xem; xem lại rồi xóa nếu vẫn cần."])  # fmt: skip
    if form.refused:
        return _day_page(office, session, day, Form(labels=LABELS, values={"kind": "off"}), status=404,
                         general=form.general + list(form.errors.values()))  # fmt: skip
    return done(f"{HOME}/{day.isoformat()}", "deleted")
