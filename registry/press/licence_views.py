"""Press licences, notifications and the press managers' work lists as the API answers them and the
back office shows them (api/press.py and api/office/press_*.py call these, never each other)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from registry.errors import Conflict
from registry.press.models import LICENCE_KIND_NAMES, LicenceKind, PressLicence

# What an amendment may change (registry.press.schemas.AMENDABLE and OUTLET_AMENDABLE), in words.
AMENDMENT_LABELS = {
    "number": "Số giấy phép",
    "issuer": "Cơ quan cấp",
    "valid_until": "Hiệu lực đến hết ngày",
    "conditions": "Điều kiện",
    "notes": "Ghi chú",
    "outlet.name": "Tên cơ quan",
    "outlet.short_name": "Tên viết tắt",
    "outlet.governing_body": "Cơ quan chủ quản",
    "outlet.head_name": "Người đứng đầu",
    "outlet.head_title": "Chức danh người đứng đầu",
    "outlet.address": "Địa chỉ",
    "outlet.periodicity": "Kỳ hạn xuất bản",
}


def press_licence_record(session: Session, licence: PressLicence, *, expiring_days: int, on: date) -> dict[str, Any]:
    """A licence with its amendments, its standing on ``on`` and the one-stop dossier that produced it."""
    from registry.permits.service import status_of
    from registry.press import service
    from registry.press.views import press_licence_dict
    from registry.procedures.service import dossier_for_record
    from registry.procedures.views import dossier_link

    code = service.session_outlet_code(session, licence)
    state = status_of(session, licence, on=on, expiring_days=expiring_days)
    out = press_licence_dict(licence, status=state, on=on, outlet_code=code)
    # The one-stop dossier whose approval produced this licence, if any (the link is kept on the dossier).
    out["dossier"] = dossier_link(dossier_for_record(session, press_licence_id=licence.id))
    return out


def check_renewal(licence: PressLicence, *, valid_until: date | None) -> None:
    """A renewal keeps the licence and moves its last valid day later; a revoked licence is not
    renewed (a new one is recorded). The rest is the permits' rule (registry.permits.service)."""
    from registry.permits.service import check_renewal as check_permit_renewal

    if licence.revoked_on is not None:
        name = LICENCE_KIND_NAMES[LicenceKind(licence.kind)]
        raise Conflict(f"{name} số {licence.number} đã bị thu hồi: không gia hạn được, hãy ghi giấy phép mới")
    check_permit_renewal(licence, valid_until=valid_until)  # type: ignore[arg-type]


# --- work lists ---------------------------------------------------------------------------------------

REPORTS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "expiring-licences": (
        "Giấy phép sắp hết hạn",
        [
            ("Số hiệu", "id"),
            ("Cơ quan", "outlet_name"),
            ("Mã", "outlet_code"),
            ("Loại giấy phép", "kind"),
            ("Số", "number"),
            ("Cơ quan cấp", "issuer"),
            ("Hết hạn", "valid_until"),
            ("Còn (ngày)", "days_left"),
        ],
    ),
    "unlicensed": (
        "Không có giấy phép còn hiệu lực",
        [
            ("Mã", "outlet_code"),
            ("Cơ quan", "outlet_name"),
            ("Loại hình", "outlet_kind"),
            ("Tình trạng", "licence_status"),
            ("Số giấy phép", "licence_number"),
            ("Hết hạn", "licence_valid_until"),
        ],
    ),
    "missing-annual-reports": (
        "Thiếu báo cáo năm",
        [
            ("Mã", "outlet_code"),
            ("Trang", "outlet_name"),
            ("Năm", "year"),
            ("Tình trạng", "state"),
            ("Ngày nộp", "filed_on"),
        ],
    ),
    "late-notifications": (
        "Thông báo nộp muộn",
        [
            ("Số hiệu", "id"),
            ("Loại", "kind"),
            ("Cơ quan", "outlet_name"),
            ("Đơn vị", "organiser"),
            ("Nội dung", "subject"),
            ("Nộp lúc", "filed_at"),
            ("Diễn ra lúc", "event_at"),
            ("Báo trước", "lead"),
            ("Tối thiểu", "min_lead"),
            ("Đơn vị tính", "unit"),
        ],
    ),
}


def report_rows(session: Session, name: str, *, on: date, days: int) -> list[dict[str, Any]]:
    """The rows of a work list on ``on`` (licences expiring within ``days``)."""
    from registry.press import queries

    if name == "expiring-licences":
        return queries.expiring_licences(session, on=on, days=days)
    if name == "unlicensed":
        return queries.unlicensed(session, on=on, days=days)
    if name == "missing-annual-reports":
        return queries.missing_annual_reports(session, on=on)
    if name == "late-notifications":
        return queries.notifications(session, late_only=True, until=on)
    raise KeyError(name)


def report_xlsx(rows: list[dict[str, Any]], name: str, *, on: date) -> tuple[str, bytes]:
    """A work list as the Excel file the API and the page give: (file name, bytes)."""
    from registry.permits.reports import to_xlsx

    title, columns = REPORTS[name]
    return f"bao-chi-{name}-{on:%Y%m%d}.xlsx", to_xlsx(rows, columns, title=title, on=on)


# --- notifications ----------------------------------------------------------------------------------


def shown_moment(iso: str | None) -> str | None:
    """An ISO moment as Vietnam's dd/mm/yyyy hh:mm (as pages show a notification's times)."""
    from datetime import datetime

    from registry.clock import VIETNAM

    if not iso:
        return None
    return f"{datetime.fromisoformat(iso).astimezone(VIETNAM):%d/%m/%Y %H:%M}"


def duration_words(amount: float, unit: str) -> str:
    """``23.5`` hours → "23 giờ 30 phút"; days → "14 ngày"."""
    if unit == "days":
        return f"{round(amount):d} ngày"
    minutes = round(abs(amount) * 60)
    hours, rest = divmod(minutes, 60)
    parts = ([f"{hours} giờ"] if hours else []) + ([f"{rest} phút"] if rest else [])
    return " ".join(parts) or "0 phút"


def lateness(row: dict[str, Any]) -> dict[str, Any]:
    """Whether a notification (a row of registry.press.queries.notifications) was late against the
    lead-time rule in force on the day it was filed, by how much, in words."""
    if row.get("rule") is None:
        return {"late": None, "short_by": None,
                "words": "Không có quy định thời hạn báo trước cho loại thông báo này vào ngày nộp."}  # fmt: skip
    unit, lead, minimum = row["unit"], float(row["lead"]), float(row["min_lead"])
    given = (
        f"báo trước {duration_words(lead, unit)}"
        if lead >= 0
        else f"nộp sau thời điểm diễn ra {duration_words(-lead, unit)}"
    )
    rule = f"quy định tối thiểu {duration_words(minimum, unit)} ({row['legal_basis']})"
    if not row["late"]:
        return {"late": False, "short_by": None, "words": f"Đúng hạn: {given}; {rule}."}
    short = duration_words(minimum - lead, unit)
    return {"late": True, "short_by": short, "words": f"Nộp muộn {short}: {given}; {rule}."}


# --- annual reports ---------------------------------------------------------------------------------


def report_due(session: Session, on: date) -> tuple[int, date]:
    """The last year whose annual report is due by ``on`` and the day it was due (rule
    press.annual_report_due), as the missing list counts them."""
    from registry.press.queries import report_year_due
    from registry.rules.book import RuleBook

    due = RuleBook.load(session).value("press.annual_report_due", on)
    year = report_year_due(on, due)
    return year, date(year + 1, *due)


def annual_reports(session: Session, *, on: date) -> list[dict[str, Any]]:
    """Every annual report recorded, the latest year first, each with whether it came in before the
    day it was due."""
    from sqlalchemy import select

    from registry.press.models import AnnualReport, PressOutlet
    from registry.rules.book import RuleBook

    book = RuleBook.load(session)
    stmt = (
        select(AnnualReport, PressOutlet.code, PressOutlet.name)
        .join(PressOutlet, PressOutlet.id == AnnualReport.outlet_id)
        .order_by(AnnualReport.year.desc(), PressOutlet.name, AnnualReport.id)
    )
    out = []
    for report, code, name in session.execute(stmt):
        due = date(report.year + 1, *_due_rule(book, date(report.year + 1, 1, 1), on))
        out.append(
            {
                "id": report.id,
                "outlet_code": code,
                "outlet_name": name,
                "year": report.year,
                "filed_on": report.filed_on.isoformat(),
                "due_on": due.isoformat(),
                "on_time": report.filed_on < due,
                "notes": report.notes,
            }
        )
    return out


def _due_rule(book: Any, day: date, on: date) -> tuple[int, int]:
    """(month, day) an annual report is due, as the rule said at the start of the year it was due (or,
    for a year before the rule's first entry, as it says on ``on``)."""
    from registry.rules.book import MissingRule

    try:
        return tuple(book.value("press.annual_report_due", day))  # type: ignore[return-value]
    except MissingRule:
        return tuple(book.value("press.annual_report_due", on))  # type: ignore[return-value]
