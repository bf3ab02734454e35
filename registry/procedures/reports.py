"""The one-stop report of a period: counted from the dossier records every time, never stored.

For a period [from, to] (both days included, Vietnam dates):

* ``new`` — dossiers received in the period; ``carried_over`` — received before it and still open at
  the start of ``from`` (no result, not sent back, not withdrawn before that day);
  ``received`` = ``carried_over`` + ``new``;
* ``resolved_early`` / ``resolved_on_time`` / ``resolved_late`` — dossiers whose result (approval or
  refusal) came in the period, against their appointment date (registry/procedures/outcomes.py: a
  dossier that had an apology is late); ``resolved_on_time_or_early`` is the published figure;
* ``refused`` — of those resolved, how many were refusals (they are resolutions too);
* ``returned`` — dossiers **returned to the applicant as incomplete or invalid** (trả lại hồ sơ,
  status ``sent_back``) in the period; a result handed over is not counted here;
* ``withdrawn`` — withdrawn by the applicant in the period;
* ``pending_within_deadline`` / ``pending_overdue`` — as of the end of ``to``, dossiers received by
  then and still open, by whether their appointment day (the one in force then) has passed; a
  dossier waiting for a supplement requested no later than its appointment day is within deadline.

So ``received`` = resolved (early + on time + late) + ``returned`` + ``withdrawn`` + pending
(within + overdue), always. Breakdowns by procedure, field, channel and online level carry the same
figures; the catalogue's split by online level is of the procedures in force on ``to``.
"""

from __future__ import annotations

import io
from calendar import monthrange
from collections import defaultdict
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from registry.errors import FieldError, ValidationFailed
from registry.procedures.models import (
    CHANNEL_NAMES,
    FIELD_NAMES,
    ONLINE_SERVICE_NAMES,
    Channel,
    OnlineService,
    Procedure,
    ProcedureField,
)

FIGURES = (
    "received",
    "carried_over",
    "new",
    "resolved",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "resolved_on_time_or_early",
    "refused",
    "returned",
    "withdrawn",
    "pending_within_deadline",
    "pending_overdue",
)
FIGURE_NAMES = {
    "received": "Tổng số hồ sơ tiếp nhận",
    "carried_over": "Kỳ trước chuyển sang",
    "new": "Mới tiếp nhận trong kỳ",
    "resolved": "Đã giải quyết",
    "resolved_early": "Giải quyết trước hạn",
    "resolved_on_time": "Giải quyết đúng hạn",
    "resolved_late": "Giải quyết quá hạn",
    "resolved_on_time_or_early": "Giải quyết đúng hạn và trước hạn",
    "refused": "Trong đó: từ chối giải quyết",
    "returned": "Trả lại hồ sơ (chưa đầy đủ, hợp lệ)",
    "withdrawn": "Người nộp rút hồ sơ",
    "pending_within_deadline": "Đang giải quyết, trong hạn (cuối kỳ)",
    "pending_overdue": "Đang giải quyết, quá hạn (cuối kỳ)",
}
_COUNTED = (
    "carried_over",
    "new",
    "resolved_early",
    "resolved_on_time",
    "resolved_late",
    "refused",
    "returned",
    "withdrawn",
    "pending_within_deadline",
    "pending_overdue",
)
MAX_MONTHS = 120

# One pass over the dossiers that were open at some moment of the period, grouped by procedure and
# channel (the finest grain of every breakdown). ``due_then``: the appointment in force at the end of
# the period (an apology issued later does not count yet).
_SQL = text(
    """
WITH d AS (
  SELECT procedure_id, channel, received_on, resolved_on, result, sent_back_on, withdrawn_on, apology_on, due_date,
         supplement_since,
         CASE WHEN apology_on > :until AND pre_apology_due_date IS NOT NULL THEN pre_apology_due_date
              ELSE due_date END AS due_then,
         coalesce(resolved_on, sent_back_on, withdrawn_on) AS closed_on
  FROM dossier
  WHERE received_on <= :until
    AND (coalesce(resolved_on, sent_back_on, withdrawn_on) IS NULL
         OR coalesce(resolved_on, sent_back_on, withdrawn_on) >= :since)
), p AS (
  SELECT *, (closed_on IS NULL OR closed_on > :until) AS open_at_end,
         (:until <= due_then OR coalesce(supplement_since <= :until AND supplement_since <= due_then, false))
           AS within
  FROM d
)
SELECT procedure_id, channel,
  count(*) FILTER (WHERE received_on < :since) AS carried_over,
  count(*) FILTER (WHERE received_on >= :since) AS new,
  count(*) FILTER (WHERE resolved_on <= :until AND apology_on IS NULL AND resolved_on < due_date) AS resolved_early,
  count(*) FILTER (WHERE resolved_on <= :until AND apology_on IS NULL AND resolved_on = due_date) AS resolved_on_time,
  count(*) FILTER (WHERE resolved_on <= :until AND (apology_on IS NOT NULL OR resolved_on > due_date))
    AS resolved_late,
  count(*) FILTER (WHERE resolved_on <= :until AND result = 'refused') AS refused,
  count(*) FILTER (WHERE sent_back_on <= :until) AS returned,
  count(*) FILTER (WHERE withdrawn_on <= :until) AS withdrawn,
  count(*) FILTER (WHERE open_at_end AND within) AS pending_within_deadline,
  count(*) FILTER (WHERE open_at_end AND NOT within) AS pending_overdue
FROM p
GROUP BY procedure_id, channel
"""
)


def check_period(since: date, until: date) -> None:
    if until < since:
        raise ValidationFailed("Kỳ báo cáo không hợp lệ", [FieldError("«to» phải không trước «from»", field="to")])


def _complete(c: dict[str, int]) -> dict[str, int]:
    c["received"] = c["carried_over"] + c["new"]
    c["resolved"] = c["resolved_early"] + c["resolved_on_time"] + c["resolved_late"]
    c["resolved_on_time_or_early"] = c["resolved_early"] + c["resolved_on_time"]
    return {k: c[k] for k in FIGURES}


def _zero() -> dict[str, int]:
    return dict.fromkeys(_COUNTED, 0)


def _rows(session: Session, since: date, until: date) -> list[Any]:
    return list(session.execute(_SQL, {"since": since, "until": until}).mappings())


def totals(session: Session, since: date, until: date) -> dict[str, int]:
    check_period(since, until)
    total = _zero()
    for r in _rows(session, since, until):
        for k in _COUNTED:
            total[k] += r[k]
    return _complete(total)


def _pct(n: int, total: int) -> float:
    return round(100 * n / total, 2) if total else 0.0


def catalogue_split(session: Session, on: date) -> dict[str, Any]:
    """The procedures in force on ``on``: how many at each online level (both vocabularies)."""
    rows = session.execute(
        select(Procedure.online_level, Procedure.online_service).where(Procedure.in_force_on(on))
    ).all()
    total = len(rows)
    levels: dict[int, int] = defaultdict(int)
    services: dict[str, int] = defaultdict(int)
    for level, service in rows:
        levels[level] += 1
        services[service] += 1
    return {
        "on": on.isoformat(),
        "total": total,
        "by_online_level": [
            {"online_level": lv, "count": levels[lv], "share_percent": _pct(levels[lv], total)} for lv in sorted(levels)
        ],
        "by_online_service": [
            {
                "online_service": s.value,
                "online_service_name": ONLINE_SERVICE_NAMES[s],
                "count": services[s.value],
                "share_percent": _pct(services[s.value], total),
            }
            for s in OnlineService
            if services[s.value]
        ],
    }


def dossier_report(session: Session, since: date, until: date) -> dict[str, Any]:
    """The figures of the period, in total and by procedure, field, channel and online level."""
    check_period(since, until)
    rows = _rows(session, since, until)
    procs = {p.id: p for p in session.scalars(select(Procedure))}
    total = _zero()
    by_proc: dict[int, dict[str, int]] = defaultdict(_zero)
    by_field: dict[str, dict[str, int]] = defaultdict(_zero)
    by_channel: dict[str, dict[str, int]] = defaultdict(_zero)
    by_level: dict[int, dict[str, int]] = defaultdict(_zero)
    for r in rows:
        p = procs[r["procedure_id"]]
        for bucket in (total, by_proc[p.id], by_field[p.field], by_channel[r["channel"]], by_level[p.online_level]):
            for k in _COUNTED:
                bucket[k] += r[k]
    return {
        "from": since.isoformat(),
        "to": until.isoformat(),
        "figures": _complete(total),
        "by_procedure": [
            {
                "procedure_code": procs[pid].code,
                "procedure_name": procs[pid].name,
                "field": procs[pid].field,
                "online_level": procs[pid].online_level,
                **_complete(c),
            }
            for pid, c in sorted(by_proc.items(), key=lambda kv: (procs[kv[0]].field, procs[kv[0]].code))
        ],
        "by_field": [
            {"field": f.value, "field_name": FIELD_NAMES[f], **_complete(by_field[f.value])}
            for f in ProcedureField
            if f.value in by_field
        ],
        "by_channel": [
            {"channel": c.value, "channel_name": CHANNEL_NAMES[c], **_complete(by_channel[c.value])}
            for c in Channel
            if c.value in by_channel
        ],
        "by_online_level": [{"online_level": lv, **_complete(by_level[lv])} for lv in sorted(by_level)],
        "catalogue": catalogue_split(session, until),
        "figure_names": FIGURE_NAMES,
    }


def months(since: date, until: date) -> list[tuple[date, date]]:
    """The calendar months of the period, the first and last cut to it."""
    check_period(since, until)
    out = []
    y, m = since.year, since.month
    while date(y, m, 1) <= until:
        first = max(date(y, m, 1), since)
        last = min(date(y, m, monthrange(y, m)[1]), until)
        out.append((first, last))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    if len(out) > MAX_MONTHS:
        raise ValidationFailed(
            "Kỳ quá dài", [FieldError(f"Xu hướng theo tháng tối đa {MAX_MONTHS} tháng", field="from")]
        )
    return out


def monthly(session: Session, since: date, until: date) -> dict[str, Any]:
    """The figures of each month of the period (its trend)."""
    return {
        "from": since.isoformat(),
        "to": until.isoformat(),
        "months": [
            {
                "month": f"{first:%Y-%m}",
                "from": first.isoformat(),
                "to": last.isoformat(),
                **totals(session, first, last),
            }
            for first, last in months(since, until)
        ],
    }


def _sheet(book: Any, title: str, headers: list[str], rows: Iterable[list[Any]]) -> None:
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from registry.tabular import xlsx_cells

    ws = book.create_sheet(title[:31])
    ws.append(xlsx_cells(ws, headers))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for row in rows:
        ws.append(xlsx_cells(ws, row))  # names entered by staff are text, never formulas
    ws.freeze_panes = "A2"
    for i, h in enumerate(headers, start=1):
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(60, len(h) + 4))


def to_xlsx(report: dict[str, Any], *, department: str) -> bytes:
    """The report as an Excel workbook with Vietnamese headers: the totals, then one sheet per breakdown."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    period = (
        f"Từ ngày {date.fromisoformat(report['from']):%d/%m/%Y} đến ngày {date.fromisoformat(report['to']):%d/%m/%Y}"
    )
    _sheet(
        book,
        "Tổng hợp",
        ["Chỉ tiêu", "Số hồ sơ"],
        [[department, None], ["Kết quả giải quyết thủ tục hành chính", period]]
        + [[FIGURE_NAMES[k], report["figures"][k]] for k in FIGURES],
    )
    figure_headers = [FIGURE_NAMES[k] for k in FIGURES]
    _sheet(
        book,
        "Theo thủ tục",
        ["Mã thủ tục", "Tên thủ tục", "Lĩnh vực", "Mức độ", *figure_headers],
        [
            [r["procedure_code"], r["procedure_name"], FIELD_NAMES[ProcedureField(r["field"])], r["online_level"]]
            + [r[k] for k in FIGURES]
            for r in report["by_procedure"]
        ],
    )
    _sheet(
        book,
        "Theo lĩnh vực",
        ["Lĩnh vực", *figure_headers],
        [[r["field_name"], *(r[k] for k in FIGURES)] for r in report["by_field"]],
    )
    _sheet(
        book,
        "Theo kênh",
        ["Hình thức nộp", *figure_headers],
        [[r["channel_name"], *(r[k] for k in FIGURES)] for r in report["by_channel"]],
    )
    _sheet(
        book,
        "Theo mức độ DVC",
        ["Mức độ dịch vụ công trực tuyến", *figure_headers],
        [[f"Mức độ {r['online_level']}", *(r[k] for k in FIGURES)] for r in report["by_online_level"]],
    )
    cat = report["catalogue"]
    _sheet(
        book,
        "Danh mục theo mức độ",
        ["Mức độ / hình thức", "Số thủ tục", "Tỷ lệ (%)"],
        [[f"Mức độ {r['online_level']}", r["count"], r["share_percent"]] for r in cat["by_online_level"]]
        + [[r["online_service_name"], r["count"], r["share_percent"]] for r in cat["by_online_service"]]
        + [["Tổng số thủ tục", cat["total"], 100.0 if cat["total"] else 0.0]],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
