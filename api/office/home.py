"""The back office's home: the signed-in user's own work, by role, each figure a link to its list."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.access import require
from api.deps import SessionDep, SettingsDep
from api.office.pages import Office, OfficeDep, page
from registry.accounts.permissions import FIELD_ROLES, ONE_STOP
from registry.clock import today
from registry.permits import reports
from registry.procedures.models import ProcedureField
from registry.procedures.queries import waiting_in_fields
from registry.stations.queries import StationFilter

router = APIRouter(prefix="/office", tags=["Văn phòng"], include_in_schema=False)

Card = tuple[str, int | None, str, str | None]  # label, figure (None: a link only), href, tone


def _licensing(office: Office, session: Any, settings: Any) -> list[Card]:
    days = settings.permit_expiring_days
    expiring = len(reports.expiring_permits(session, on=today(), days=days, filters=StationFilter()))
    cards: list[Card] = [
        (f"giấy phép hết hạn trong {days} ngày tới", expiring, f"/office/work/expiring?days={days}",
         "warn" if expiring else None),
        ("Vị trí và trạm thiếu giấy phép bắt buộc", None, "/office/work/missing", None),
        ("Trạm có kiểm định đã hết hạn", None, "/office/work/expired-inspections", None),
    ]  # fmt: skip
    if office.can("sites", "create"):
        cards += [
            ("Thêm vị trí cột ăng ten", None, "/office/sites/new", None),
            ("Nhập tệp trạm của doanh nghiệp", None, "/office/sites/import", None),
        ]
    cards.append(("Kiểm tra giấy phép cho vị trí dự kiến", None, "/office/check", None))
    return cards


def _dossiers(office: Office, session: Any) -> list[Card]:
    """The one-stop dossiers waiting on this user: the desk sees every field, officers their own."""
    if not office.can("dossiers", "update"):
        return []
    roles = office.principal.roles
    fields = {f.value for f in ProcedureField} if roles & ONE_STOP else {
        f.value for r in roles for f in FIELD_ROLES.get(r, frozenset())}  # fmt: skip
    if not fields:
        return []
    total, overdue = waiting_in_fields(session, fields, on=today())
    # The desk's queue (api/office/dossiers.py): its default is the open dossiers of the user's fields.
    cards: list[Card] = [
        ("hồ sơ đang giải quyết trong lĩnh vực của bạn", total, "/office/dossiers", None),
        ("hồ sơ quá hạn hẹn trả", overdue, "/office/dossiers?overdue=1", "bad" if overdue else None),
    ]
    if office.can("dossiers", "create"):  # the desk receives (api/office/dossier_receive.py)
        cards.insert(0, ("Tiếp nhận hồ sơ", None, "/office/dossiers/new", None))
    return cards


def _press(office: Office, session: Any, settings: Any) -> list[Card]:
    """The press managers' lists (registry.press.licence_views.report_rows, as /office/press/work counts them)."""
    from registry.press.licence_views import report_rows

    on, days = today(), settings.permit_expiring_days
    expiring = len(report_rows(session, "expiring-licences", on=on, days=days))
    late = len(report_rows(session, "late-notifications", on=on, days=days))
    missing = len(report_rows(session, "missing-annual-reports", on=on, days=days))
    cards: list[Card] = [
        (f"giấy phép báo chí hết hạn trong {days} ngày tới", expiring, f"/office/press/work/expiring?days={days}",
         "warn" if expiring else None),
        ("thông báo nộp muộn", late, "/office/press/work/late-notifications", "bad" if late else None),
        ("trang tổng hợp thiếu báo cáo năm", missing, "/office/press/work/missing-reports", "bad" if missing else None),
    ]  # fmt: skip
    if office.can("press_notifications", "create"):
        cards.append(("Ghi nhận thông báo", None, "/office/press/notifications/new", None))
    return cards


def _cases(session: Any) -> list[Card]:
    from registry.calendar import service as calendar
    from registry.cases import queries, service
    from registry.cases.vocabulary import CaseState

    cal, day = calendar.load(session), today()
    open_cases = [c for c in queries.cases(session, kinds=None, states=None, handler=None)
                  if c.state not in (CaseState.closed.value,)]  # fmt: skip
    overdue = sum(1 for c in open_cases if service.deadlines(session, cal, c, today=day)["status"] == "overdue")
    return [
        ("vụ việc quá hạn giải quyết", overdue, "/office/cases/overdue", "bad" if overdue else None),
        ("Vụ việc tôi được giao", None, "/office/cases/mine", None),
        ("Vụ việc sắp đến hạn", None, "/office/cases/due-soon", None),
        ("Tất cả vụ việc đang mở", None, "/office/cases", None),
    ]


def _enforcement(session: Any) -> list[Card]:
    """Inspections and sanctions: the decisions unpaid past their deadline (as /office/sanctions/unpaid lists them)."""
    from registry.cases.enforcement_service import unpaid_past_deadline

    unpaid = len(unpaid_past_deadline(session, on=today()))
    return [
        ("quyết định xử phạt quá hạn chưa nộp phạt", unpaid, "/office/sanctions/unpaid", "bad" if unpaid else None),
        ("Các cuộc thanh tra", None, "/office/inspections", None),
        ("Quyết định xử phạt", None, "/office/sanctions", None),
    ]


@router.get("/", dependencies=[Depends(require("office", "read"))], summary="Trang làm việc của cán bộ")
def office_home(office: OfficeDep, session: SessionDep, settings: SettingsDep) -> Response:
    sections: list[tuple[str, list[Card]]] = []
    if office.can("permit_reports", "read"):
        sections.append(("Giấy phép trạm gốc", _licensing(office, session, settings)))
    if office.can("press_licences", "update") and office.can("press_reports", "read"):
        press = ("Báo chí", _press(office, session, settings))
        # A press manager's own work comes first.
        sections.insert(0 if "press_manager" in office.principal.roles else len(sections), press)
    dossiers = _dossiers(office, session)
    if dossiers:
        sections.append(("Hồ sơ thủ tục hành chính", dossiers))
    if office.can("cases", "update"):
        sections.append(("Vụ việc", _cases(session) + _enforcement(session)))
    maps: list[Card] = [("Bản đồ trạm gốc", None, "/maps/stations", None)]
    if office.can("cases", "read"):
        maps.append(("Bản đồ vụ việc", None, "/maps/cases", None))
    maps += [
        ("Bản đồ báo chí", None, "/maps/press", None),
        ("Kết quả giải quyết thủ tục hành chính", None, "/pages/dossiers/dashboard", None),
    ]
    sections.append(("Bản đồ và báo cáo", maps))
    return page(office, "home.html", title="Việc của tôi", sections=sections)
