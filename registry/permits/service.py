"""Permits, frequency licences and permit rules: create, change, delete, attach a document."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from registry.documents.store import store
from registry.errors import Conflict, FieldError, ValidationFailed
from registry.lookup import one
from registry.organisations.service import OrganisationIndex
from registry.permits.models import KIND_NAMES, FrequencyLicence, Permit, PermitKind, PermitRule, status_sql
from registry.permits.schemas import (
    FrequencyLicenceCreate,
    FrequencyLicencePatch,
    PermitCreate,
    PermitPatch,
    PermitRuleCreate,
    PermitRulePatch,
)
from registry.stations.models import Site, Station
from registry.text import fold
from registry.validity import VALIDITY, apply_fields, check_dates
from registry.versions import check_version

# --- permits ---------------------------------------------------------------------------------------


def get_permit(session: Session, permit_id: int, *, for_update: bool = False) -> Permit:
    return one(
        session,
        Permit,
        Permit.id == permit_id,
        missing=f"Không có giấy phép số hiệu {permit_id}",
        for_update=for_update,
    )


def create_permit(session: Session, data: PermitCreate) -> Permit:
    permit = Permit(kind=data.kind.value, number=data.number)
    if data.site_code is not None:
        site_id = session.scalar(select(Site.id).where(Site.code == data.site_code))
        if site_id is None:
            raise ValidationFailed(
                "Vị trí không tồn tại", [FieldError(f"Không có vị trí {data.site_code}", field="site_code")]
            )
        permit.site_id = site_id
    else:
        if session.get(Station, data.station_id) is None:
            raise ValidationFailed(
                "Trạm không tồn tại", [FieldError(f"Không có trạm số {data.station_id}", field="station_id")]
            )
        permit.station_id = data.station_id
    apply_fields(permit, data.model_dump(exclude_unset=True), VALIDITY)
    check_dates(permit)
    duplicate = session.scalar(
        select(Permit.id).where(
            Permit.kind == permit.kind,
            Permit.number == permit.number,
            Permit.site_id.is_not_distinct_from(permit.site_id),
            Permit.station_id.is_not_distinct_from(permit.station_id),
        )
    )
    if duplicate is not None:
        raise Conflict(f"{KIND_NAMES[PermitKind(permit.kind)]} số {permit.number} đã có (số hiệu {duplicate})")
    session.add(permit)
    session.flush()
    return permit


def update_permit(session: Session, permit_id: int, data: PermitPatch, *, expected_version: int | None) -> Permit:
    permit = get_permit(session, permit_id, for_update=True)
    check_version(permit, expected_version, what=f"Giấy phép số hiệu {permit_id}")
    apply_fields(permit, data.model_dump(exclude_unset=True), ("number", *VALIDITY))
    check_dates(permit)
    session.flush()
    return permit


def delete_permit(session: Session, permit_id: int, *, expected_version: int | None) -> None:
    permit = get_permit(session, permit_id, for_update=True)
    check_version(permit, expected_version, what=f"Giấy phép số hiệu {permit_id}")
    session.delete(permit)
    session.flush()


def attach_document(
    session: Session, permit_id: int, data: bytes, filename: str, *, expected_version: int | None, max_bytes: int
) -> Permit:
    permit = get_permit(session, permit_id, for_update=True)
    check_version(permit, expected_version, what=f"Giấy phép số hiệu {permit_id}")
    doc = store(session, data, filename, max_bytes=max_bytes)
    permit.document_id = doc.id
    session.flush()
    session.refresh(permit)
    return permit


def permits_of(session: Session, *, site_id: int | None = None, station_ids: list[int] | None = None) -> list[Permit]:
    stmt = select(Permit)
    if site_id is not None and station_ids:
        stmt = stmt.where((Permit.site_id == site_id) | Permit.station_id.in_(station_ids))
    elif site_id is not None:
        stmt = stmt.where(Permit.site_id == site_id)
    elif station_ids is not None:
        stmt = stmt.where(Permit.station_id.in_(station_ids))
    return list(session.scalars(stmt.order_by(Permit.kind, Permit.id)))


def status_of(session: Session, record: Permit | FrequencyLicence | Any, *, on: date, expiring_days: int) -> str:
    """The status of a stored permit or licence (any table with the validity columns) on ``on``."""
    table = type(record).__tablename__
    return str(
        session.execute(
            text(f"SELECT {status_sql('r')} FROM {table} r WHERE r.id = :id"),
            {"id": record.id, "on": on, "days": expiring_days},
        ).scalar_one()
    )


# --- frequency licences ----------------------------------------------------------------------------


def get_licence(session: Session, licence_id: int, *, for_update: bool = False) -> FrequencyLicence:
    return one(
        session,
        FrequencyLicence,
        FrequencyLicence.id == licence_id,
        missing=f"Không có giấy phép tần số số hiệu {licence_id}",
        for_update=for_update,
    )


def create_licence(session: Session, data: FrequencyLicenceCreate) -> FrequencyLicence:
    index = OrganisationIndex(session)
    operator = index.find_operator(data.operator)
    if operator is None:
        raise ValidationFailed(
            "Doanh nghiệp không hợp lệ",
            [
                FieldError(
                    f"Không biết doanh nghiệp viễn thông «{data.operator}»", field="operator", value=data.operator
                )
            ],
        )
    licence = FrequencyLicence(operator_id=operator.id, band=data.band, number=data.number)
    apply_fields(licence, data.model_dump(exclude_unset=True), VALIDITY)
    check_dates(licence)
    session.add(licence)
    session.flush()
    return licence


def update_licence(
    session: Session, licence_id: int, data: FrequencyLicencePatch, *, expected_version: int | None
) -> FrequencyLicence:
    licence = get_licence(session, licence_id, for_update=True)
    check_version(licence, expected_version, what=f"Giấy phép tần số số hiệu {licence_id}")
    apply_fields(licence, data.model_dump(exclude_unset=True), ("number", "band", *VALIDITY))
    check_dates(licence)
    session.flush()
    return licence


def delete_licence(session: Session, licence_id: int, *, expected_version: int | None) -> None:
    licence = get_licence(session, licence_id, for_update=True)
    check_version(licence, expected_version, what=f"Giấy phép tần số số hiệu {licence_id}")
    session.delete(licence)
    session.flush()


# --- permit rules ----------------------------------------------------------------------------------

_RULE_FIELDS = (
    "pole_classes",
    "min_height_m",
    "max_height_m",
    "zone_kinds",
    "description",
    "legal_basis",
    "certainty",
    "effective_from",
    "effective_to",
)


def _enum_list(values: list[Any] | None) -> list[str] | None:
    return None if values is None else [v.value if hasattr(v, "value") else v for v in values]


def _apply_rule(rule: PermitRule, fields: dict[str, Any]) -> None:
    for key in _RULE_FIELDS:
        if key in fields:
            value = fields[key]
            setattr(rule, key, _enum_list(value) if isinstance(value, list) else value)
    if "permit_kinds" in fields:
        rule.permit_kinds = _enum_list(fields["permit_kinds"]) or []
    errors = []
    if rule.effective_to is not None and rule.effective_to <= rule.effective_from:
        errors.append(FieldError("effective_to phải sau effective_from", field="effective_to"))
    if rule.min_height_m is not None and rule.max_height_m is not None and rule.max_height_m <= rule.min_height_m:
        errors.append(FieldError("max_height_m phải lớn hơn min_height_m", field="max_height_m"))
    station_kinds = {PermitKind.inspection_certificate.value, PermitKind.self_declaration.value}
    if rule.applies_to == "station" and not set(rule.permit_kinds) <= station_kinds:
        errors.append(FieldError("Quy tắc cho trạm chỉ nhận giấy tờ của trạm", field="permit_kinds"))
    if rule.applies_to == "site" and set(rule.permit_kinds) & station_kinds:
        errors.append(FieldError("Quy tắc cho vị trí không nhận giấy tờ của trạm", field="permit_kinds"))
    if errors:
        raise ValidationFailed("Quy tắc không hợp lệ", errors)


def list_rules(session: Session, *, on: date | None = None) -> list[PermitRule]:
    stmt = select(PermitRule).order_by(PermitRule.applies_to, PermitRule.code, PermitRule.effective_from)
    if on is not None:
        stmt = stmt.where(PermitRule.in_force_on(on))
    return list(session.scalars(stmt))


def get_rule(session: Session, code: str, *, for_update: bool = False) -> PermitRule:
    return one(session, PermitRule, PermitRule.code == code, missing=f"Không có quy tắc {code}", for_update=for_update)


def create_rule(session: Session, data: PermitRuleCreate) -> PermitRule:
    if session.scalar(select(func.count()).select_from(PermitRule).where(PermitRule.code == data.code)):
        raise Conflict(f"Quy tắc {data.code} đã có", field="code")
    rule = PermitRule(code=data.code, applies_to=data.applies_to, certainty="check")
    _apply_rule(
        rule,
        data.model_dump(exclude_unset=True, exclude={"code", "applies_to"})
        | {"permit_kinds": data.permit_kinds, "effective_from": data.effective_from},
    )
    session.add(rule)
    session.flush()
    return rule


def update_rule(session: Session, code: str, data: PermitRulePatch, *, expected_version: int | None) -> PermitRule:
    rule = get_rule(session, code, for_update=True)
    check_version(rule, expected_version, what=f"Quy tắc {code}")
    _apply_rule(rule, data.model_dump(exclude_unset=True))
    session.flush()
    return rule


# The sort keys of the permits list: a key, or "-key" for the reverse; ties by number of the record.
PERMIT_SORTS = {
    "number": "p.number",
    "kind": "p.kind",
    "site": "s.code",
    "station": "st.station_code",
    "issuer": "p.issuer",
    "issue_date": "p.issue_date",
    "valid_until": "p.valid_until",
    "status": "status",
}


def list_permits(
    session: Session,
    *,
    on: date,
    expiring_days: int,
    site_code: str | None,
    station_id: int | None,
    kind: str | None,
    status: str | None,
    limit: int,
    offset: int,
    kinds: Sequence[str] = (),
    statuses: Sequence[str] = (),
    q: str | None = None,
    sort: str | None = None,
) -> tuple[list[tuple[Permit, str, str | None, str | None]], int]:
    """Permits with their status on ``on``, their site code and station code; and how many match.

    ``kinds``/``statuses`` match any of several; ``q`` finds the permit's number, its site's or its
    station's code (with or without diacritics); ``sort`` is a key of PERMIT_SORTS, "-" first to reverse
    (default: by site, kind)."""
    state_sql = status_sql("p")
    where = ["true"]
    params: dict[str, Any] = {"on": on, "days": expiring_days}
    if site_code is not None:
        where.append("s.code = :site_code")
        params["site_code"] = site_code
    if station_id is not None:
        where.append("p.station_id = :station_id")
        params["station_id"] = station_id
    if kind is not None:
        where.append("p.kind = :kind")
        params["kind"] = kind
    if status is not None:
        where.append(f"{state_sql} = :status")
        params["status"] = status
    if kinds:
        where.append("p.kind = ANY(:kinds)")
        params["kinds"] = list(kinds)
    if statuses:
        where.append(f"{state_sql} = ANY(:statuses)")
        params["statuses"] = list(statuses)
    if q:
        where.append(
            "f_unaccent(lower(p.number || ' ' || s.code || ' ' || coalesce(st.station_code, ''))) LIKE :q ESCAPE '\\'"
        )
        params["q"] = "%" + fold(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    order = "s.code, p.kind, p.id"
    if sort:
        key = sort.lstrip("-")
        if key not in PERMIT_SORTS:
            raise ValidationFailed(
                "Tham số không hợp lệ", [FieldError(f"Không sắp xếp được theo «{key[:40]}»", field="sort")]
            )
        direction = "DESC" if sort.startswith("-") else "ASC"
        order = f"{PERMIT_SORTS[key]} {direction} NULLS LAST, p.id {direction}"
    base = f"""
        FROM permit p LEFT JOIN station st ON st.id = p.station_id
        JOIN site s ON s.id = coalesce(p.site_id, st.site_id)
        WHERE {" AND ".join(where)}"""
    total = int(session.execute(text(f"SELECT count(*) {base}"), params).scalar_one())
    rows = session.execute(
        text(
            f"SELECT p.id, {state_sql} AS status, s.code, st.station_code {base} ORDER BY {order} "
            "LIMIT :limit OFFSET :offset"
        ),
        dict(params, limit=limit, offset=offset),
    ).all()
    permits = {p.id: p for p in session.scalars(select(Permit).where(Permit.id.in_([r[0] for r in rows])))}
    return [(permits[r[0]], r[1], r[2], r[3]) for r in rows], total


def holder_codes(session: Session, permit: Permit) -> tuple[str | None, str | None]:
    row = session.execute(
        text(
            "SELECT s.code, st.station_code FROM permit p LEFT JOIN station st ON st.id = p.station_id "
            "JOIN site s ON s.id = coalesce(p.site_id, st.site_id) WHERE p.id = :id"
        ),
        {"id": permit.id},
    ).one()
    return row[0], row[1]


def check_renewal(permit: Permit, *, valid_until: date | None) -> None:
    """A renewal (gia hạn) keeps the permit and moves its last valid day later; a revoked permit is not
    renewed (a new one is recorded), and a renewal needs the new last day, after the current one."""
    if permit.revoked_on is not None:
        raise Conflict(
            f"{KIND_NAMES[PermitKind(permit.kind)]} số {permit.number} đã bị thu hồi: không gia hạn được, "
            "hãy ghi giấy phép mới"
        )
    if valid_until is None:
        raise ValidationFailed(
            "Gia hạn cần ngày hết hiệu lực mới", [FieldError("Nhập ngày hết hiệu lực mới", field="valid_until")]
        )
    if permit.valid_until is not None and valid_until <= permit.valid_until:
        raise ValidationFailed(
            "Ngày gia hạn không hợp lệ",
            [FieldError(f"Phải sau ngày hết hiệu lực hiện tại ({permit.valid_until:%d/%m/%Y})", field="valid_until")],
        )


def check_status_change(*, day: date | None, day_field: str, reason: str | None) -> None:
    """A suspension or a revocation names its first day and says why (the reason is shown wherever the
    permit's status is)."""
    errors = []
    if day is None:
        errors.append(FieldError("Nhập ngày", field=day_field))
    if not (reason or "").strip():
        errors.append(FieldError("Nhập lý do", field="status_reason"))
    if errors:
        raise ValidationFailed("Thiếu thông tin", errors)
