"""Dossiers from a legacy one-stop system (CSV or Excel): every row is checked first and nothing is
written when any row is wrong; the report names each wrong row and column.

Columns (English names or the Vietnamese headers below): ``receipt_code, procedure_code, applicant,
channel, received_at, due_date, status, resolved_at, returned_at``.

* ``received_at``: a time (``2019-03-15 10:20``, ``15/03/2019 10:20``, ISO 8601 with a zone) or a day
  (counted as received at 08:00, before the cut-off); Vietnam time unless a zone is given;
* ``due_date``: the appointment the legacy system printed; empty: computed from the procedure's
  statutory time on the working-day calendar, as the desk does;
* ``resolved_at``: the day the department closed its part — the result (``result_ready``,
  ``returned``, ``refused``), the dossier sent back as incomplete (``sent_back``) or withdrawn
  (``withdrawn``); empty for an open dossier;
* ``returned_at``: the day the result was handed over (status ``returned`` only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.calendar.days import VIETNAM, OutOfCalendar, WorkCalendar
from registry.errors import FieldError, ValidationFailed
from registry.procedures import receipts, service
from registry.procedures.deadlines import OneStopRules
from registry.procedures.models import (
    CHANNEL_NAMES,
    OPEN,
    STATUS_NAMES,
    ApplicantKind,
    Channel,
    Dossier,
    Procedure,
    Status,
)
from registry.rules.book import MissingRule, RuleBook
from registry.tabular import ImportReportDict, Table
from registry.text import fold

COLUMNS = [
    ("Mã hồ sơ", "receipt_code"),
    ("Mã thủ tục", "procedure_code"),
    ("Người nộp", "applicant"),
    ("Hình thức nộp", "channel"),
    ("Thời điểm tiếp nhận", "received_at"),
    ("Ngày hẹn trả", "due_date"),
    ("Trạng thái", "status"),
    ("Ngày có kết quả", "resolved_at"),
    ("Ngày trả kết quả", "returned_at"),
]
REQUIRED = ("receipt_code", "procedure_code", "applicant", "channel", "received_at", "status")
_HEADERS = {fold(h): f for h, f in COLUMNS} | {f: f for _, f in COLUMNS}
_CHANNELS = (
    {fold(n): c for c, n in CHANNEL_NAMES.items()}
    | {c.value: c for c in Channel}
    | {
        "truc tiep": Channel.in_person,
        "truc tuyen": Channel.online,
        "buu chinh": Channel.post,
        "qua buu chinh": Channel.post,
    }
)
_STATUSES = (
    {fold(n): s for s, n in STATUS_NAMES.items()}
    | {s.value: s for s in Status}
    | {
        "da tiep nhan": Status.received,
        "da chuyen": Status.transferred,
        "dang giai quyet": Status.in_progress,
        "dang xu ly": Status.in_progress,
        "cho bo sung": Status.awaiting_supplement,
        "da co ket qua": Status.result_ready,
        "tu choi": Status.refused,
        "da tra ket qua": Status.returned,
        "tra lai ho so": Status.sent_back,
        "rut ho so": Status.withdrawn,
    }
)
CLOSING = frozenset({Status.result_ready, Status.returned, Status.refused, Status.sent_back, Status.withdrawn})
_ORGANISATION_WORDS = (
    "cong ty", "tong cong ty", "chi nhanh", "bao ", "tap chi", "dai ", "truong ", "benh vien", "ubnd", "uy ban",
    "so ", "hoi ", "trung tam", "ngan hang", "hop tac xa", "doanh nghiep", "to chuc", "co quan", "van phong",
    "nha xuat ban", "hiep hoi", "ban quan ly", "vien ", "cuc ", "buu dien",
)  # fmt: skip
_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
MORNING = time(8, 0)  # a legacy receipt with a day and no hour: received in the morning


@dataclass
class DossierImportReport(ImportReportDict):
    rows: int = 0
    created: int = 0
    dry_run: bool = False
    errors: list[FieldError] = field(default_factory=list)


def applicant_kind(name: str) -> ApplicantKind:
    folded = fold(name) + " "
    return (
        ApplicantKind.organisation if any(folded.startswith(w) for w in _ORGANISATION_WORDS) else ApplicantKind.person
    )


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, datetime | date):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def parse_moment(value: Any) -> datetime:
    """A time or a day as legacy systems write it; ValueError when it is neither."""
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=VIETNAM)
    if isinstance(value, date):
        return datetime.combine(value, MORNING, tzinfo=VIETNAM)
    text = str(value).strip()
    m = _DMY.match(text)
    if m:
        d, mo, y, hh, mm, ss = m.groups()
        if hh is None:
            return datetime.combine(date(int(y), int(mo), int(d)), MORNING, tzinfo=VIETNAM)
        return datetime(int(y), int(mo), int(d), int(hh), int(mm), int(ss or 0), tzinfo=VIETNAM)
    if len(text) == 10:
        return datetime.combine(date.fromisoformat(text), MORNING, tzinfo=VIETNAM)
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=VIETNAM)


def parse_day(value: Any) -> date:
    if isinstance(value, datetime):
        return service.vn_date(value)
    if isinstance(value, date):
        return value
    text = str(value).strip()
    m = _DMY.match(text)
    if m:
        return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    if len(text) == 10:
        return date.fromisoformat(text)
    return service.vn_date(datetime.fromisoformat(text))


def import_dossiers(
    session: Session, cal: WorkCalendar, table: Table, *, actor: str, today: date, dry_run: bool = False,
    max_rows: int = 100_000,
) -> DossierImportReport:  # fmt: skip
    """Checks every row on its own, then the receipt codes against the registry and each computed
    appointment against the calendar; writes all rows (in a savepoint undone for ``dry_run``) only
    when nothing is wrong, else raises ValidationFailed listing every error by row."""
    headers, header_of = _read_headers(table, max_rows)
    report = DossierImportReport(rows=len(table.rows), dry_run=dry_run)
    checks = _Checks(cal, today, {p.code: p for p in session.scalars(select(Procedure))}, header_of)
    parsed: list[tuple[int, service.DossierRow]] = []
    for number, cells in table.rows:
        row = _Row(number, {h: _cell(cells[i]) if i < len(cells) else None for i, h in enumerate(headers) if h})
        dossier = checks.row(row)
        if row.errors:
            report.errors += row.errors
        elif dossier is not None:
            parsed.append((number, dossier))
    _check_taken(session, checks, report)
    _check_appointments(session, checks, parsed, report)
    if report.errors:
        report.errors.sort(key=lambda e: (e.row or 0))
        raise ValidationFailed(
            f"{len(report.errors)} lỗi; không dòng nào được ghi", report.errors, report=report.as_dict()
        )
    with session.begin_nested() as savepoint:
        service.bulk_create(session, cal, (r for _, r in parsed), actor=actor)
        report.created = len(parsed)
        if dry_run:
            savepoint.rollback()
    return report


def _read_headers(table: Table, max_rows: int) -> tuple[list[str | None], dict[str, str]]:
    """The column each header means (None: not ours), and each column's header as the file wrote it."""
    headers = [_HEADERS.get(fold(h)) if h else None for h in table.headers]
    header_of = {f: table.headers[i] for i, f in enumerate(headers) if f}
    missing = [h for h, f in COLUMNS if f in REQUIRED and f not in headers]
    if missing:
        raise ValidationFailed(
            "Thiếu cột bắt buộc", [FieldError(f"Thiếu cột «{h}»", row=table.header_row, column=h) for h in missing]
        )
    if len(table.rows) > max_rows:
        raise ValidationFailed("Quá nhiều dòng", [FieldError(f"Tối đa {max_rows} dòng", field="file")])
    return headers, header_of


@dataclass
class _Row:
    """One row's cells by column, and the errors found in them."""

    number: int
    raw: dict[str, Any]
    errors: list[FieldError] = field(default_factory=list)


@dataclass
class _Checks:
    """The checks of one row at a time; ``seen`` remembers each receipt code's first row."""

    cal: WorkCalendar
    today: date
    procs: dict[str, Procedure]
    header_of: dict[str, str]
    seen: dict[str, int] = field(default_factory=dict)

    def bad(self, row: _Row, key: str, message: str) -> None:
        value = row.raw.get(key)
        shown = value.isoformat() if isinstance(value, date | datetime) else value
        row.errors.append(FieldError(message, row=row.number, column=self.header_of.get(key, key), value=shown))

    def row(self, row: _Row) -> service.DossierRow | None:
        code, proc, applicant, channel, status = self.words(row)
        received_at, days = self.moments(row, proc)
        self.order(row, status, received_at, days)
        if row.errors:
            return None
        assert code and proc and channel and status and received_at and applicant
        return service.DossierRow(
            receipt_code=code,
            procedure=proc,
            applicant=str(applicant),
            applicant_kind=applicant_kind(str(applicant)).value,
            channel=channel,
            received_at=received_at,
            status=status,
            due_date=days["due_date"],
            resolved_on=days["resolved_at"],
            returned_on=days["returned_at"],
        )

    def words(self, row: _Row) -> tuple[str | None, Procedure | None, Any, Channel | None, Status | None]:
        """The required cells, the receipt code (unique in the file), procedure, applicant, channel, status."""
        raw = row.raw
        for key in REQUIRED:
            if raw.get(key) is None:
                self.bad(row, key, "Thiếu giá trị bắt buộc")
        code = None
        if raw.get("receipt_code") is not None:
            code = receipts.normalise(str(raw["receipt_code"]))
            if not re.match(receipts.LOOKUP_PATTERN, code):
                self.bad(row, "receipt_code", "Mã hồ sơ chỉ gồm chữ, số và . _ - (tối đa 40 ký tự)")
                code = None
            elif code in self.seen:
                self.bad(row, "receipt_code", f"Mã hồ sơ trùng với dòng {self.seen[code]}")
            else:
                self.seen[code] = row.number
        proc = None
        if raw.get("procedure_code") is not None:
            proc = self.procs.get(str(raw["procedure_code"]))
            if proc is None:
                self.bad(row, "procedure_code", "Không có thủ tục mã này trong danh mục")
        applicant = raw.get("applicant")
        if applicant is not None and (len(str(applicant)) > 300 or "\x00" in str(applicant)):
            self.bad(row, "applicant", "Tên người nộp quá dài (tối đa 300 ký tự)")
        channel = None
        if raw.get("channel") is not None:
            channel = _CHANNELS.get(fold(str(raw["channel"])))
            if channel is None:
                self.bad(
                    row, "channel", "Hình thức nộp phải là: trực tuyến, trực tiếp, bưu chính (online, in_person, post)"
                )
        status = None
        if raw.get("status") is not None:
            status = _STATUSES.get(fold(str(raw["status"])))
            if status is None:
                self.bad(row, "status", "Trạng thái không hợp lệ; cho phép: " + ", ".join(s.value for s in Status))
        return code, proc, applicant, channel, status

    def moments(self, row: _Row, proc: Procedure | None) -> tuple[datetime | None, dict[str, date | None]]:
        """The receipt time (not in the future, the procedure in force that day) and the three days,
        each within the calendar."""
        raw, cal = row.raw, self.cal
        received_at = None
        if raw.get("received_at") is not None:
            try:
                received_at = parse_moment(raw["received_at"])
                received_on = service.vn_date(received_at)
                if not (cal.first <= received_on <= cal.last):
                    raise OutOfCalendar
                if received_on > self.today:
                    self.bad(row, "received_at", "Không được ở tương lai")
                elif proc is not None and not service._in_force(proc, received_on):
                    self.bad(row, "procedure_code", f"Thủ tục không có hiệu lực ngày {received_on:%d/%m/%Y}")
            except (ValueError, OverflowError):
                self.bad(row, "received_at", "Thời điểm không hợp lệ (yyyy-mm-dd hh:mm hoặc dd/mm/yyyy hh:mm)")
                received_at = None
        days: dict[str, date | None] = {}
        for key in ("due_date", "resolved_at", "returned_at"):
            days[key] = None
            if raw.get(key) is not None:
                try:
                    day = parse_day(raw[key])
                    if not (cal.first <= day <= cal.last):
                        raise OutOfCalendar
                    days[key] = day
                except (ValueError, OverflowError):
                    self.bad(
                        row, key, f"Ngày không hợp lệ hoặc ngoài lịch ({cal.first.year}–{cal.last.year}; yyyy-mm-dd)"
                    )
        return received_at, days

    def order(
        self, row: _Row, status: Status | None, received_at: datetime | None, days: dict[str, date | None]
    ) -> None:
        """The days agree with the status and follow each other: received, due, resolved, returned."""
        raw, today = row.raw, self.today
        start = service.vn_date(received_at) if received_at else None
        if start and days["due_date"] and days["due_date"] < start:
            self.bad(row, "due_date", "Ngày hẹn trả không được trước ngày tiếp nhận")
        if status is not None:
            if status in CLOSING and days["resolved_at"] is None and raw.get("resolved_at") is None:
                self.bad(
                    row, "resolved_at", f"Trạng thái «{status.value}» cần ngày có kết quả (hoặc ngày trả lại, rút)"
                )
            if status in OPEN and raw.get("resolved_at") is not None:
                self.bad(row, "resolved_at", "Hồ sơ đang giải quyết không có ngày kết quả")
            if status == Status.returned and days["returned_at"] is None and raw.get("returned_at") is None:
                self.bad(row, "returned_at", "Trạng thái «returned» cần ngày trả kết quả")
            if status != Status.returned and raw.get("returned_at") is not None:
                self.bad(row, "returned_at", "Chỉ hồ sơ đã trả kết quả (returned) có ngày trả kết quả")
        resolved, returned = days["resolved_at"], days["returned_at"]
        if resolved and start and resolved < start:
            self.bad(row, "resolved_at", "Không được trước ngày tiếp nhận")
        if resolved and resolved > today:
            self.bad(row, "resolved_at", "Không được ở tương lai")
        if returned and resolved and returned < resolved:
            self.bad(row, "returned_at", "Không được trước ngày có kết quả")
        if returned and returned > today:
            self.bad(row, "returned_at", "Không được ở tương lai")


def _check_taken(session: Session, checks: _Checks, report: DossierImportReport) -> None:
    """Receipt codes already in the registry (importing the same file twice is refused, not doubled)."""
    seen = checks.seen
    if not seen:
        return
    taken = set(session.scalars(select(Dossier.receipt_code).where(Dossier.receipt_code.in_(list(seen)))))
    for code in sorted(taken, key=seen.__getitem__):
        report.errors.append(
            FieldError("Mã hồ sơ đã có trong sổ", row=seen[code], column=checks.header_of["receipt_code"], value=code)
        )


def _check_appointments(
    session: Session, checks: _Checks, parsed: list[tuple[int, service.DossierRow]], report: DossierImportReport
) -> None:
    """Computed appointments must fit the calendar and follow the start (a legacy due date may be early)."""
    book = RuleBook.load(session)
    column = checks.header_of["received_at"]
    for number, r in parsed:
        try:
            service.deadlines.appointment(
                checks.cal, received_at=r.received_at, channel=r.channel, value=r.procedure.time_value,
                unit=r.procedure.time_unit, rules=OneStopRules.on(book, service.vn_date(r.received_at)),
            )  # fmt: skip
        except MissingRule:
            report.errors.append(
                FieldError("Chưa có quy định một cửa cho ngày tiếp nhận này", row=number, column=column)
            )
        except OutOfCalendar:
            report.errors.append(FieldError("Ngày hẹn trả tính ra ngoài lịch làm việc", row=number, column=column))
