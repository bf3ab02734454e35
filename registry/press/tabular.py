"""Press outlets to and from spreadsheets (Excel or CSV, Vietnamese headers): the import checks every
row first and writes nothing when any row is wrong; rows are matched by code, so importing the same
file twice changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.errors import FieldError, ValidationFailed
from registry.press.models import (
    BRANCH_KINDS,
    OUTLET_KIND_NAMES,
    OUTLET_STATUS_NAMES,
    OutletKind,
    OutletStatus,
    PressOutlet,
)
from registry.press.schemas import OutletCreate, OutletPatch
from registry.settings import Settings, get_settings
from registry.tabular import ImportReportDict, Table, write_csv, write_xlsx
from registry.text import fold

# (Vietnamese header, field); English field names are accepted as headers too.
COLUMNS = [
    ("Mã", "code"),
    ("Loại hình", "kind"),
    ("Tên", "name"),
    ("Tên viết tắt", "short_name"),
    ("Cơ quan chủ quản", "governing_body"),
    ("Người đứng đầu", "head_name"),
    ("Chức danh", "head_title"),
    ("Địa chỉ", "address"),
    ("Kinh độ", "lon"),
    ("Vĩ độ", "lat"),
    ("Điện thoại", "phone"),
    ("Thư điện tử", "email"),
    ("Tên miền", "domains"),
    ("Định kỳ", "periodicity"),
    ("Ngôn ngữ", "languages"),
    ("Trạng thái", "status"),
    ("Mã cơ quan chủ quản", "parent_code"),
    ("Ghi chú", "notes"),
]
_HEADERS = {fold(h): f for h, f in COLUMNS} | {f: f for _, f in COLUMNS}
_KINDS = {fold(n): k.value for k, n in OUTLET_KIND_NAMES.items()} | {k.value: k.value for k in OutletKind}
_STATUSES = {fold(n): s.value for s, n in OUTLET_STATUS_NAMES.items()} | {s.value: s.value for s in OutletStatus}
MAX_ROWS = 20_000


@dataclass
class PressImportReport(ImportReportDict):
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = False
    errors: list[FieldError] = field(default_factory=list)


def _cell(value: Any) -> Any:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _list(value: Any) -> list[str] | None:
    text = _cell(value)
    return None if text is None else [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]


def _row_fields(headers: list[str | None], cells: list[Any]) -> dict[str, Any]:
    raw = {h: _cell(cells[i]) if i < len(cells) else None for i, h in enumerate(headers) if h}
    # A blank code asks for a new one; a blank status keeps the current one (or "active").
    for key in ("code", "status"):
        if raw.get(key) is None:
            raw.pop(key, None)
    out: dict[str, Any] = {
        k: v for k, v in raw.items() if k not in ("lon", "lat", "domains", "languages", "kind", "status")
    }
    if raw.get("kind") is not None:
        out["kind"] = _KINDS.get(fold(raw["kind"]), raw["kind"])
    if raw.get("status") is not None:
        out["status"] = _STATUSES.get(fold(raw["status"]), raw["status"])
    for key in ("domains", "languages"):
        if raw.get(key) is not None:
            out[key] = _list(raw[key])
    if raw.get("lon") is not None or raw.get("lat") is not None:
        out["position"] = {"lon": raw.get("lon"), "lat": raw.get("lat")}
    return out


def import_outlets(
    session: Session,
    table: Table,
    *,
    dry_run: bool = False,
    settings: Settings | None = None,
    explain: Callable[[Any], str] | None = None,
) -> PressImportReport:
    """``explain`` words a pydantic error (the API's Vietnamese messages, api.errors.message_for)."""
    from registry.press import service

    settings = settings or get_settings()
    headers = [_HEADERS.get(fold(h)) if h else None for h in table.headers]
    missing = [h for h, f in COLUMNS if f in ("kind", "name") and f not in headers]
    if missing:
        raise ValidationFailed(
            "Thiếu cột bắt buộc", [FieldError(f"Thiếu cột «{h}»", row=table.header_row, column=h) for h in missing]
        )
    if len(table.rows) > MAX_ROWS:
        raise ValidationFailed("Quá nhiều dòng", [FieldError(f"Tối đa {MAX_ROWS} dòng", field="file")])
    report = PressImportReport(rows=len(table.rows), dry_run=dry_run)
    header_of = {f: h for h, f in COLUMNS}
    parsed: list[tuple[int, OutletCreate]] = []
    codes: dict[str, int] = {}
    for number, cells in table.rows:
        fields = _row_fields(headers, cells)
        try:
            data = OutletCreate.model_validate(fields)
        except ValidationError as exc:
            for e in exc.errors():
                key = str(e["loc"][0]) if e["loc"] else ""
                column = header_of.get(key, "Kinh độ/Vĩ độ" if key == "position" else key)
                message = explain(e) if explain else str(e["msg"])
                report.errors.append(FieldError(message, row=number, column=column, value=fields.get(key)))
            continue
        if data.position is not None:
            from registry.positions import position_from_input

            try:
                position_from_input(data.position)
            except ValidationFailed as exc:
                report.errors += [FieldError(e.message, row=number, column="Kinh độ/Vĩ độ") for e in exc.errors]
                continue
        if data.code:
            if data.code in codes:
                report.errors.append(
                    FieldError(f"Mã trùng với dòng {codes[data.code]}", row=number, column="Mã", value=data.code)
                )
                continue
            codes[data.code] = number
        parsed.append((number, data))
    known = {o.code for o in session.scalars(select(PressOutlet).where(PressOutlet.code.in_(list(codes))))}
    for number, data in parsed:
        if (
            data.parent_code
            and data.parent_code not in codes
            and data.parent_code not in known
            and session.scalar(select(PressOutlet.id).where(PressOutlet.code == data.parent_code)) is None
        ):
            report.errors.append(
                FieldError(f"Không có cơ quan chủ quản mã {data.parent_code}", row=number, column="Mã cơ quan chủ quản")
            )
    if report.errors:
        raise ValidationFailed(
            f"{len(report.errors)} lỗi; không dòng nào được ghi", report.errors, report=report.as_dict()
        )
    # Parents before their offices and correspondents, so codes in the same file resolve.
    parsed.sort(key=lambda item: OutletKind(item[1].kind) in BRANCH_KINDS)
    with session.begin_nested() as savepoint:
        for number, data in parsed:
            try:
                existing = service.get_outlet(session, data.code) if data.code and data.code in known else None
                if existing is None:
                    service.create_outlet(session, data, settings)
                    report.created += 1
                    continue
                patch = OutletPatch.model_validate(data.model_dump(exclude={"code"}, exclude_unset=True))
                before = existing.version
                service.update_outlet(
                    session, existing.code, patch, expected_version=existing.version, settings=settings
                )
                if existing.version == before:
                    report.unchanged += 1
                else:
                    report.updated += 1
            except ValidationFailed as exc:
                report.errors += [
                    FieldError(e.message, row=number, column=header_of.get(e.field or "", e.field)) for e in exc.errors
                ]
            except Exception as exc:  # noqa: BLE001 - a conflict on one row is reported with its row
                from registry.errors import RegistryError

                if not isinstance(exc, RegistryError):
                    raise
                report.errors.append(
                    FieldError(exc.detail, row=number, column=header_of.get(str(exc.extra.get("field", "")), None))
                )
        if report.errors:
            savepoint.rollback()
            raise ValidationFailed(
                f"{len(report.errors)} lỗi; không dòng nào được ghi", report.errors, report=report.as_dict()
            )
        if dry_run:
            savepoint.rollback()
    return report


def _export_rows(session: Session) -> list[list[Any]]:
    from geoalchemy2.shape import to_shape

    rows = []
    for o in session.scalars(select(PressOutlet).order_by(PressOutlet.code)):
        p = to_shape(o.geom) if o.geom is not None else None
        rows.append(
            [
                o.code,
                OUTLET_KIND_NAMES[OutletKind(o.kind)],
                o.name,
                o.short_name,
                o.governing_body,
                o.head_name,
                o.head_title,
                o.address,
                None if p is None else round(p.x, 7),
                None if p is None else round(p.y, 7),
                o.phone,
                o.email,
                "; ".join(o.domains) or None,
                o.periodicity,
                ", ".join(o.languages) or None,
                OUTLET_STATUS_NAMES[OutletStatus(o.status)],
                o.parent.code if o.parent else None,
                o.notes,
            ]
        )
    return rows


def export_outlets(session: Session, fmt: str) -> bytes:
    headers = [h for h, _ in COLUMNS]
    rows = _export_rows(session)
    if fmt == "csv":
        return write_csv(headers, rows)
    return write_xlsx(headers, rows, sheet="Cơ quan báo chí")
