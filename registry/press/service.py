"""Press outlets, their licences and amendments, mergers, notifications and annual reports."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from registry.admin_units.service import place_points
from registry.errors import Conflict, FieldError, NotFound, ValidationFailed
from registry.lookup import one
from registry.positions import point, position_from_input
from registry.press.models import (
    BRANCH_KINDS,
    LicenceAmendment,
    NotificationRule,
    OutletKind,
    OutletLink,
    OutletStatus,
    PressLicence,
    PressNotification,
    PressOutlet,
)
from registry.press.schemas import (
    AMENDABLE,
    OUTLET_AMENDABLE,
    AmendmentCreate,
    AnnualReportCreate,
    LicenceCreate,
    LicencePatch,
    MergeCreate,
    NotificationCreate,
    OutletCreate,
    OutletPatch,
)
from registry.press.search import search_text
from registry.settings import Settings, get_settings
from registry.validity import VALIDITY, apply_fields, check_dates
from registry.versions import check_version, touch

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
_PLAIN = (
    "name",
    "short_name",
    "governing_body",
    "head_name",
    "head_title",
    "address",
    "phone",
    "email",
    "periodicity",
    "notes",
)


def get_outlet(session: Session, code: str, *, for_update: bool = False) -> PressOutlet:
    return one(
        session,
        PressOutlet,
        PressOutlet.code == code,
        missing=f"Không có cơ quan báo chí mã {code}",
        for_update=for_update,
    )


def _by_code(session: Session, code: str, field: str) -> PressOutlet:
    try:
        return get_outlet(session, code)
    except NotFound as exc:
        raise ValidationFailed(exc.detail, [FieldError(exc.detail, field=field, value=code)]) from exc


# The code scheme of each kind, as the register (and the demo data) writes codes: a prefix of the
# kind, the province's letters (settings.site_code_prefix, "HP"), a number: PV-HP-021. Outlets based
# elsewhere (BC-TW-…) are recorded with the code they are given.
CODE_PREFIXES = {
    OutletKind.print_newspaper: "BC",
    OutletKind.e_newspaper: "BC",
    OutletKind.radio: "BC",
    OutletKind.television: "BC",
    OutletKind.magazine: "TC",
    OutletKind.newsletter: "BT",
    OutletKind.special_issue: "DS",
    OutletKind.general_website: "TT",
    OutletKind.representative_office: "VP",
    OutletKind.resident_correspondent: "PV",
}


def code_prefix(kind: OutletKind | str, settings: Settings | None = None) -> str:
    """``PV-HP`` for a resident correspondent: what a new code of ``kind`` starts with."""
    return f"{CODE_PREFIXES[OutletKind(kind)]}-{(settings or get_settings()).site_code_prefix}"


def next_outlet_code(session: Session, kind: OutletKind | str, settings: Settings | None = None) -> str:
    """The next free code of ``kind``'s scheme (PV-HP-021 after PV-HP-020). Two writers asking at once
    take turns (a lock per prefix held until their transactions end), so they get different numbers."""
    prefix = code_prefix(kind, settings)
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('press_outlet_code:' || :p))"), {"p": prefix})
    last = session.execute(
        text(
            "SELECT coalesce(max(CAST(substring(code FROM '^' || :p || '-([0-9]{1,9})$') AS bigint)), 0) "
            "FROM press_outlet WHERE code LIKE :p || '-%'"
        ),
        {"p": prefix},
    ).scalar_one()
    return f"{prefix}-{int(last) + 1:03d}"


def _check_domains(session: Session, outlet: PressOutlet) -> None:
    """Domains belong to one active outlet at a time."""
    if not outlet.domains or outlet.status != OutletStatus.active:
        return
    session.execute(text("SELECT pg_advisory_xact_lock(hashtext('press_outlet_domains'))"))
    clash = session.execute(
        select(PressOutlet.code, PressOutlet.domains).where(
            PressOutlet.domains.overlap(outlet.domains),
            PressOutlet.status == OutletStatus.active.value,
            PressOutlet.id != (outlet.id or -1),
        )
    ).first()
    if clash is not None:
        shared = sorted(set(clash[1]) & set(outlet.domains))
        raise Conflict(f"Tên miền {', '.join(shared)} đã thuộc cơ quan {clash[0]} đang hoạt động", field="domains")


def _apply_outlet(session: Session, outlet: PressOutlet, fields: dict[str, Any], data: Any, settings: Settings) -> None:
    for key in _PLAIN:
        if key in fields:
            setattr(outlet, key, fields[key])
    if "kind" in fields:
        outlet.kind = OutletKind(fields["kind"]).value
    if "status" in fields:
        outlet.status = OutletStatus(fields["status"]).value
    if "domains" in fields:
        outlet.domains = list(fields["domains"] or [])
    if "languages" in fields:
        outlet.languages = list(fields["languages"] or [])
    if "parent_code" in fields:
        code = fields["parent_code"]
        outlet.parent_id = None if code is None else _by_code(session, code, "parent_code").id
    if "position" in fields:
        if data.position is None:
            outlet.geom, outlet.admin_unit_id = None, None
        else:
            pos = position_from_input(data.position)
            # Re-entering the same position is no change.
            if outlet.geom is None or not _same_point(outlet.geom, pos.lon, pos.lat):
                outlet.geom = point(pos.lon, pos.lat)
                placed = place_points(session, [(pos.lon, pos.lat)], province_code=settings.province_code)
                outlet.admin_unit_id = placed[0].commune_id
    errors = []
    if OutletKind(outlet.kind) in BRANCH_KINDS and outlet.parent_id is None:
        errors.append(
            FieldError(
                "Văn phòng đại diện, phóng viên thường trú cần cơ quan chủ quản (parent_code)", field="parent_code"
            )
        )
    if outlet.parent_id is not None and outlet.parent_id == outlet.id:
        errors.append(FieldError("Không thể là cơ quan chủ quản của chính mình", field="parent_code"))
    if errors:
        raise ValidationFailed("Dữ liệu không hợp lệ", errors)
    outlet.search_text = search_text(outlet.name, outlet.short_name, outlet.governing_body, outlet.domains)


def _same_point(geom: Any, lon: float, lat: float) -> bool:
    from geoalchemy2.shape import to_shape

    try:
        p = to_shape(geom)
    except Exception:  # noqa: BLE001 - a pending WKT element: compare as text below
        return False
    return abs(p.x - lon) < 1e-9 and abs(p.y - lat) < 1e-9


def create_outlet(session: Session, data: OutletCreate, settings: Settings | None = None) -> PressOutlet:
    settings = settings or get_settings()
    code = data.code or next_outlet_code(session, data.kind, settings)
    if session.scalar(select(PressOutlet.id).where(PressOutlet.code == code)) is not None:
        raise Conflict(f"Mã {code} đã có", field="code")
    outlet = PressOutlet(
        code=code, kind=data.kind.value, name=data.name, status=OutletStatus.active.value, domains=[], languages=["vi"]
    )
    _apply_outlet(session, outlet, data.model_dump(exclude_unset=True, exclude={"code"}), data, settings)
    _check_domains(session, outlet)
    session.add(outlet)
    session.flush()
    return outlet


def update_outlet(
    session: Session, code: str, data: OutletPatch, *, expected_version: int | None, settings: Settings | None = None
) -> PressOutlet:
    settings = settings or get_settings()
    outlet = get_outlet(session, code, for_update=True)
    check_version(outlet, expected_version, what=f"Cơ quan báo chí {code}")
    _apply_outlet(session, outlet, data.model_dump(exclude_unset=True), data, settings)
    _check_domains(session, outlet)
    session.flush()
    return outlet


def cease_outlet(
    session: Session,
    code: str,
    *,
    on: date,
    reason: str,
    expected_version: int | None,
    settings: Settings | None = None,
) -> PressOutlet:
    """An outlet stops operating from ``on`` for ``reason``: what a PATCH of ``status`` to ``ceased``
    does through the API, the reason and the day kept in its notes (and so in its history) as
    "Chấm dứt hoạt động từ dd/mm/yyyy: …". A merged or already ceased outlet cannot cease again."""
    reason = (reason or "").strip()
    errors = []
    if not reason:
        errors.append(FieldError("Cần ghi lý do chấm dứt hoạt động", field="reason"))
    elif len(reason) > 1000:
        errors.append(FieldError("Lý do tối đa 1000 ký tự", field="reason"))
    if errors:
        raise ValidationFailed("Dữ liệu không hợp lệ", errors)
    outlet = get_outlet(session, code, for_update=True)
    if outlet.status in (OutletStatus.ceased.value, OutletStatus.merged.value):
        raise Conflict(f"Cơ quan {code} đã {'chấm dứt hoạt động' if outlet.status == 'ceased' else 'sáp nhập'}")
    line = f"Chấm dứt hoạt động từ {on:%d/%m/%Y}: {reason}"
    notes = f"{outlet.notes}\n{line}" if outlet.notes else line
    if len(notes) > 4000:
        raise ValidationFailed(
            "Dữ liệu không hợp lệ", [FieldError("Ghi chú của cơ quan và lý do vượt 4000 ký tự", field="reason")]
        )
    patch = OutletPatch(status=OutletStatus.ceased, notes=notes)
    return update_outlet(session, code, patch, expected_version=expected_version, settings=settings)


def merge(session: Session, data: MergeCreate, settings: Settings | None = None) -> PressOutlet:
    """Predecessors become ``merged`` and point to the successor; links keep who came from whom."""
    predecessors = [_by_code(session, c, "predecessors") for c in data.predecessors]
    if data.successor is not None:
        successor = create_outlet(session, data.successor, settings)
    else:
        successor = _by_code(session, data.successor_code or "", "successor_code")
    for p in predecessors:
        if p.id == successor.id:
            raise ValidationFailed(
                "Sáp nhập không hợp lệ", [FieldError("Cơ quan không thể sáp nhập vào chính mình", field="predecessors")]
            )
        if p.status == OutletStatus.merged.value:
            raise Conflict(f"{p.code} đã sáp nhập trước đó", field="predecessors")
    for p in predecessors:
        p.status = OutletStatus.merged.value
        session.add(
            OutletLink(
                predecessor_id=p.id,
                successor_id=successor.id,
                kind=data.kind,
                effective_date=data.effective_date,
                decision=data.decision,
            )
        )
    session.flush()
    return successor


def succession(session: Session, outlet: PressOutlet) -> dict[str, list[dict[str, Any]]]:
    rows = session.execute(
        text(
            """
            SELECT 'predecessor' AS side, o.code, o.name, l.kind, l.effective_date, l.decision
            FROM press_outlet_link l JOIN press_outlet o ON o.id = l.predecessor_id WHERE l.successor_id = :id
            UNION ALL
            SELECT 'successor', o.code, o.name, l.kind, l.effective_date, l.decision
            FROM press_outlet_link l JOIN press_outlet o ON o.id = l.successor_id WHERE l.predecessor_id = :id
            ORDER BY 5, 2"""
        ),
        {"id": outlet.id},
    ).mappings()
    out: dict[str, list[dict[str, Any]]] = {"predecessors": [], "successors": []}
    for r in rows:
        item = {
            "code": r["code"],
            "name": r["name"],
            "kind": r["kind"],
            "effective_date": r["effective_date"].isoformat(),
            "decision": r["decision"],
        }
        out[r["side"] + "s"].append(item)
    return out


# --- licences --------------------------------------------------------------------------------------


def get_licence(session: Session, licence_id: int, *, for_update: bool = False) -> PressLicence:
    return one(
        session,
        PressLicence,
        PressLicence.id == licence_id,
        missing=f"Không có giấy phép báo chí số hiệu {licence_id}",
        for_update=for_update,
    )


def create_licence(session: Session, data: LicenceCreate) -> PressLicence:
    outlet = _by_code(session, data.outlet_code, "outlet_code")
    licence = PressLicence(outlet_id=outlet.id, kind=data.kind.value, number=data.number)
    apply_fields(licence, data.model_dump(exclude_unset=True), VALIDITY)
    check_dates(licence)
    session.add(licence)
    session.flush()
    return licence


def update_licence(
    session: Session, licence_id: int, data: LicencePatch, *, expected_version: int | None
) -> PressLicence:
    licence = get_licence(session, licence_id, for_update=True)
    check_version(licence, expected_version, what=f"Giấy phép số hiệu {licence_id}")
    apply_fields(licence, data.model_dump(exclude_unset=True), ("number", *VALIDITY))
    check_dates(licence)
    session.flush()
    return licence


def amend_licence(
    session: Session, licence_id: int, data: AmendmentCreate, *, expected_version: int | None
) -> PressLicence:
    """Apply an amendment decided by the issuer and keep it, with every value before and after."""
    licence = get_licence(session, licence_id, for_update=True)
    check_version(licence, expected_version, what=f"Giấy phép số hiệu {licence_id}")
    outlet = session.scalars(
        select(PressOutlet).where(PressOutlet.id == licence.outlet_id).with_for_update(of=PressOutlet)
    ).one()
    changes: dict[str, list[Any]] = {}
    for key, value in data.changes.items():
        if key.startswith("outlet."):
            field = key.removeprefix("outlet.")
            assert field in OUTLET_AMENDABLE
            before = getattr(outlet, field)
            if value is not None and not isinstance(value, str):
                raise ValidationFailed("Giá trị không hợp lệ", [FieldError("Phải là chuỗi", field=f"changes.{key}")])
            if field == "name" and (value is None or not value.strip()):  # an outlet always has a name
                raise ValidationFailed(
                    "Giá trị không hợp lệ", [FieldError("Tên cơ quan không được để trống", field=f"changes.{key}")]
                )
            setattr(outlet, field, value)
        else:
            assert key in AMENDABLE
            before = getattr(licence, key)
            if key == "valid_until" and value is not None:
                try:
                    value = date.fromisoformat(str(value))
                except ValueError as exc:
                    raise ValidationFailed(
                        "Ngày không hợp lệ", [FieldError("yyyy-mm-dd", field="changes.valid_until")]
                    ) from exc
            elif key == "number" and (not isinstance(value, str) or not value.strip() or len(value) > 60):
                raise ValidationFailed("Số giấy phép không hợp lệ", [FieldError("1–60 ký tự", field="changes.number")])
            elif value is not None and not isinstance(value, str):
                raise ValidationFailed("Giá trị không hợp lệ", [FieldError("Phải là chuỗi", field=f"changes.{key}")])
            setattr(licence, key, value)
        if before != value:
            changes[key] = [
                before.isoformat() if isinstance(before, date) else before,
                value.isoformat() if isinstance(value, date) else value,
            ]
    if not changes:
        raise ValidationFailed(
            "Không có gì thay đổi", [FieldError("Các giá trị mới trùng giá trị hiện có", field="changes")]
        )
    check_dates(licence)
    outlet.search_text = search_text(outlet.name, outlet.short_name, outlet.governing_body, outlet.domains)
    number = (
        session.scalar(select(func.max(LicenceAmendment.amendment_no)).where(LicenceAmendment.licence_id == licence.id))
        or 0
    ) + 1
    session.add(
        LicenceAmendment(
            licence_id=licence.id,
            amendment_no=number,
            decision_number=data.decision_number,
            decided_on=data.decided_on,
            reason=data.reason,
            changes=changes,
        )
    )
    touch(licence)  # an amendment of the outlet's fields only is still a version of the licence
    session.flush()
    session.refresh(licence)
    return licence


# --- notifications and annual reports --------------------------------------------------------------


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=VIETNAM)


def create_notification(session: Session, data: NotificationCreate) -> PressNotification:
    outlet = _by_code(session, data.outlet_code, "outlet_code") if data.outlet_code else None
    note = PressNotification(
        outlet_id=outlet.id if outlet else None,
        kind=data.kind.value,
        organiser=data.organiser,
        subject=data.subject,
        filed_at=_aware(data.filed_at),
        event_at=_aware(data.event_at),
        location=data.location,
        notes=data.notes,
    )
    session.add(note)
    session.flush()
    return note


def create_annual_report(session: Session, data: AnnualReportCreate) -> Any:
    from registry.press.models import AnnualReport

    outlet = _by_code(session, data.outlet_code, "outlet_code")
    if outlet.kind != OutletKind.general_website.value:
        raise ValidationFailed(
            "Chỉ trang thông tin điện tử tổng hợp nộp báo cáo năm", [FieldError("Sai loại", field="outlet_code")]
        )
    if session.scalar(
        select(AnnualReport.id).where(AnnualReport.outlet_id == outlet.id, AnnualReport.year == data.year)
    ):
        raise Conflict(f"{outlet.code} đã có báo cáo năm {data.year}", field="year")
    report = AnnualReport(outlet_id=outlet.id, year=data.year, filed_on=data.filed_on, notes=data.notes)
    session.add(report)
    session.flush()
    return report


def notification_rules(session: Session) -> list[NotificationRule]:
    return list(
        session.scalars(select(NotificationRule).order_by(NotificationRule.kind, NotificationRule.effective_from))
    )


def session_outlet_code(session: Session, licence: PressLicence) -> str:
    return str(session.execute(select(PressOutlet.code).where(PressOutlet.id == licence.outlet_id)).scalar_one())
