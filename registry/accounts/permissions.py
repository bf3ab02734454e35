"""Who may do what: the one permission table, and the checks every endpoint goes through.

Resources are nouns of the API (``sites``, ``stations``, ``audit`` …); actions are ``read``,
``create``, ``update`` and ``delete``. A rule lists the roles allowed (``PUBLIC`` for anyone, signed
in or not) and, for roles allowed only part of a change, the fields they may touch. A registry added
later adds its rows here and declares ``require(resource, action)`` on its endpoints; a test walks
every route against this table.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from registry.accounts.models import ROLE_NAMES, Role
from registry.errors import FieldError, NotAuthenticated, PermissionDenied
from registry.procedures.models import ProcedureField

PUBLIC = "public"


class Action(StrEnum):
    read = "read"
    create = "create"
    update = "update"
    delete = "delete"


STAFF: frozenset[str] = frozenset(r.value for r in Role)
EVERYONE: frozenset[str] = STAFF | {PUBLIC}
ADMIN: frozenset[str] = frozenset({Role.admin.value})
LICENSING: frozenset[str] = frozenset({Role.admin.value, Role.licensing_officer.value})
PRESS: frozenset[str] = frozenset({Role.admin.value, Role.press_manager.value})
ONE_STOP: frozenset[str] = frozenset({Role.admin.value, Role.one_stop_officer.value})


@dataclass(frozen=True)
class Rule:
    roles: frozenset[str]
    # role → the only fields that role may set; a role not named here may set every field.
    limited: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def allows(self, keys: Iterable[str]) -> bool:
        return any(k in self.roles for k in keys)


_INSPECTOR = Role.inspector.value

TABLE: dict[tuple[str, Action], Rule] = {
    # Antenna sites and base stations: the public reads the public fields (below); licensing officers
    # keep the register; inspectors record what they find on the ground (status and notes only).
    ("sites", Action.read): Rule(EVERYONE),
    ("sites", Action.create): Rule(LICENSING),
    ("sites", Action.update): Rule(LICENSING | {_INSPECTOR}, {_INSPECTOR: frozenset({"status", "notes"})}),
    ("sites", Action.delete): Rule(LICENSING),
    ("stations", Action.read): Rule(EVERYONE),
    ("stations", Action.create): Rule(LICENSING),
    ("stations", Action.update): Rule(LICENSING | {_INSPECTOR}, {_INSPECTOR: frozenset({"status"})}),
    ("stations", Action.delete): Rule(LICENSING),
    # Permits, licences and the permit check are internal records: staff read, licensing keeps them.
    ("permits", Action.read): Rule(STAFF),
    ("permits", Action.create): Rule(LICENSING),
    ("permits", Action.update): Rule(LICENSING),
    ("permits", Action.delete): Rule(LICENSING),
    ("frequency_licences", Action.read): Rule(STAFF),
    ("frequency_licences", Action.create): Rule(LICENSING),
    ("frequency_licences", Action.update): Rule(LICENSING),
    ("frequency_licences", Action.delete): Rule(LICENSING),
    ("permit_checks", Action.read): Rule(STAFF),
    ("permit_reports", Action.read): Rule(STAFF),
    # What the law requires is data an admin keeps up to date.
    ("permit_rules", Action.read): Rule(STAFF),
    ("permit_rules", Action.create): Rule(ADMIN),
    ("permit_rules", Action.update): Rule(ADMIN),
    # Planning zones are public planning documents; licensing officers enter and correct them.
    ("zones", Action.read): Rule(EVERYONE),
    ("zones", Action.create): Rule(LICENSING),
    ("zones", Action.update): Rule(LICENSING),
    ("zones", Action.delete): Rule(LICENSING),
    # The press registry: press managers keep it; the public reads the public fields of outlets.
    # Cases: every role reads them (a denouncer's identity only by the handler and admins, see
    # registry/cases/views.py); inspectors keep them. Nothing about cases is public.
    ("cases", Action.read): Rule(STAFF),
    ("cases", Action.create): Rule(frozenset({Role.admin.value, _INSPECTOR})),
    ("cases", Action.update): Rule(frozenset({Role.admin.value, _INSPECTOR})),
    # Administrative procedures: the catalogue is public, an admin keeps it. Dossiers carry the
    # applicant: staff read them; the one-stop desk receives and moves them; licensing officers and
    # press managers move (record results of) the dossiers of their own fields (api/procedures.py).
    # The report is of published aggregate figures, and the lookup by receipt code shows nothing
    # personal: both are public.
    ("procedures", Action.read): Rule(EVERYONE),
    ("procedures", Action.create): Rule(ADMIN),
    ("procedures", Action.update): Rule(ADMIN),
    ("dossiers", Action.read): Rule(STAFF),
    ("dossiers", Action.create): Rule(ONE_STOP),
    ("dossiers", Action.update): Rule(ONE_STOP | {Role.licensing_officer.value, Role.press_manager.value}),
    ("dossier_imports", Action.create): Rule(ONE_STOP),
    ("dossier_reports", Action.read): Rule(EVERYONE),
    ("public_dossiers", Action.read): Rule(EVERYONE),
    # Legal constants (cut-off hours, days to pay a fine …) are public law; an admin enters new values.
    ("rules", Action.read): Rule(EVERYONE),
    ("rules", Action.create): Rule(ADMIN),
    # The working-day calendar is public; only an admin changes it.
    ("calendar", Action.read): Rule(EVERYONE),
    ("calendar", Action.update): Rule(ADMIN),
    ("press_outlets", Action.read): Rule(EVERYONE),
    ("press_outlets", Action.create): Rule(PRESS),
    ("press_outlets", Action.update): Rule(PRESS),
    ("press_licences", Action.read): Rule(STAFF),
    ("press_licences", Action.create): Rule(PRESS),
    ("press_licences", Action.update): Rule(PRESS),
    ("press_notifications", Action.read): Rule(STAFF),
    ("press_notifications", Action.create): Rule(PRESS),
    ("press_reports", Action.read): Rule(STAFF),
    ("press_imports", Action.create): Rule(PRESS),
    ("press_exports", Action.read): Rule(STAFF),
    # Whole-register exports carry every field: staff only.
    ("station_exports", Action.read): Rule(STAFF),
    ("station_imports", Action.create): Rule(LICENSING),
    ("templates", Action.read): Rule(EVERYONE),
    ("reference", Action.read): Rule(EVERYONE),
    # Map tiles carry only public fields of sites.
    ("tiles", Action.read): Rule(EVERYONE),
    ("maps", Action.read): Rule(EVERYONE),
    # Record pages: open to anyone; each section is checked against its own resource above.
    ("records", Action.read): Rule(EVERYONE),
    # The back office (/office/): staff only; each page checks its own resource above as the API does.
    ("office", Action.read): Rule(STAFF),
    ("system", Action.read): Rule(EVERYONE),
    # The audit trail: admins, and the roles that own the entity (AUDIT_READERS).
    ("audit", Action.read): Rule(STAFF),
    ("users", Action.read): Rule(ADMIN),
    ("users", Action.create): Rule(ADMIN),
    ("users", Action.update): Rule(ADMIN),
    # Signing in is open to anyone; one's own account (who am I, sign out, change password) to staff.
    ("sessions", Action.create): Rule(EVERYONE),
    ("account", Action.read): Rule(STAFF),
    ("account", Action.update): Rule(STAFF),
}

# Entity types of the audit trail → roles (besides admin) that may read their history.
AUDIT_READERS: dict[str, frozenset[str]] = {
    "site": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "station": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "sector": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "organisation": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "permit": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "frequency_licence": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "document": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "permit_rule": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "planning_zone": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "spacing_rule": frozenset({Role.licensing_officer.value, _INSPECTOR, Role.viewer.value}),
    "user": frozenset(),
    "calendar_day": STAFF,
    "rule_value": STAFF,
    "deadline_rule": STAFF,
    **{
        e: frozenset({_INSPECTOR, Role.viewer.value})
        for e in (
            "case",
            "case_party",
            "case_link",
            "case_transition",
            "case_attachment",
            "reception_session",
            "inspection",
            "inspection_finding",
            "sanction",
            "remedial_measure",
        )
    },
    "procedure": STAFF,
    "procedure_step": STAFF,
    **{
        e: frozenset(
            {Role.one_stop_officer.value, Role.licensing_officer.value, Role.press_manager.value, Role.viewer.value}
        )
        for e in ("dossier", "dossier_event")
    },
    **{
        entity: frozenset({Role.press_manager.value, Role.viewer.value})
        for entity in (
            "press_outlet",
            "press_outlet_link",
            "press_licence",
            "press_licence_amendment",
            "press_notification",
            "press_notification_rule",
            "press_annual_report",
        )
    },
}

# What the public (no token) sees of each kind of record; staff see every field. Location,
# operator and technology are public; owners (often a household renting out a roof), source
# coordinates, equipment, sector power and tilt, internal notes and permit documents are not. Each
# sector's EMF safety distance is public (what a worried resident asks about), and with it the
# sector's azimuth: the map draws the distance as a wedge along it (issue #18).
PUBLIC_FIELDS: dict[str, frozenset[str]] = {
    # An outlet's public face; not its phone and e-mail (a resident correspondent is a person), notes,
    # licences, notifications or reports.
    "press_outlet": frozenset(
        {
            "code",
            "kind",
            "kind_name",
            "name",
            "short_name",
            "governing_body",
            "head_name",
            "head_title",
            "address",
            "location",
            "commune",
            "domains",
            "periodicity",
            "languages",
            "status",
            "status_name",
            "parent",
            "predecessors",
            "successors",
        }
    ),
    "site": frozenset(
        {
            "code",
            "address",
            "commune",
            "commune_code",
            "pole_class",
            "pole_height_m",
            "status",
            "stations",
            "operators",
            "technologies",
            "station_count",
            "distance_m",
            "max_compliance_distance_m",
        }
    ),
    "station": frozenset(
        {
            "id",
            "operator",
            "operator_code",
            "site_code",
            "technologies",
            "bands",
            "status",
            "commissioning_date",
            "address",
            "commune",
            "pole_class",
            "pole_height_m",
            "distance_m",
            "sectors",
        }
    ),
    "sector": frozenset({"sector_no", "azimuth_deg", "compliance_distance_m"}),
    # A sector's safety-distance wedge on a map (GET /api/safety-distances).
    "safety_distance": frozenset(
        {"site_code", "operator", "sector_no", "azimuth_deg", "compliance_distance_m", "beamwidth_deg"}
    ),
}


@dataclass(frozen=True)
class Principal:
    """Who is asking: a signed-in user with roles, or the anonymous public."""

    username: str | None = None
    roles: frozenset[str] = frozenset()
    user_id: int | None = None
    token_id: int | None = None

    @property
    def authenticated(self) -> bool:
        return self.username is not None

    @property
    def actor(self) -> str:
        return self.username or "anonymous"

    @property
    def keys(self) -> frozenset[str]:
        return (self.roles | {PUBLIC}) if self.authenticated else frozenset({PUBLIC})


ANONYMOUS = Principal()


@dataclass(frozen=True)
class Grant:
    """A permission that was checked: who, on what, and which fields they may change."""

    principal: Principal
    resource: str
    action: Action
    fields: frozenset[str] | None  # None: every field

    def check_fields(self, names: Iterable[str]) -> None:
        if self.fields is None:
            return
        refused = sorted(set(names) - self.fields)
        if refused:
            allowed = ", ".join(sorted(self.fields)) or "không trường nào"
            raise PermissionDenied(
                f"Vai trò của bạn chỉ được sửa: {allowed}",
                errors=[{"field": name, "message": "Vai trò của bạn không được sửa trường này"} for name in refused],
            )


def rule(resource: str, action: Action | str) -> Rule:
    try:
        return TABLE[(resource, Action(action))]
    except (KeyError, ValueError):
        raise LookupError(f"No permission declared for {resource}:{action}") from None


def authorize(principal: Principal, resource: str, action: Action | str) -> Grant:
    """The grant for ``principal`` to do ``action`` on ``resource``, or 401 / 403."""
    r = rule(resource, action)
    if not r.allows(principal.keys):
        if not principal.authenticated:
            raise NotAuthenticated("Cần đăng nhập (Authorization: Bearer <token>) để thực hiện thao tác này")
        roles = ", ".join(ROLE_NAMES[Role(r)] if r in Role.__members__ else r for r in sorted(principal.roles))
        raise PermissionDenied(
            f"Vai trò {roles or '(không có)'} không được {_VERBS[Action(action)]} "
            f"{RESOURCE_NAMES.get(resource, resource)} ({resource})"
        )
    limits = [r.limited[k] for k in principal.keys if k in r.roles and k in r.limited]
    unrestricted = any(k in r.roles and k not in r.limited for k in principal.keys)
    fields = None if unrestricted or not limits else frozenset().union(*limits)
    return Grant(principal, resource, Action(action), fields)


_VERBS = {Action.read: "xem", Action.create: "tạo", Action.update: "sửa", Action.delete: "xóa"}
# The resources in words, for refusals a person reads (the code stays beside it for support).
RESOURCE_NAMES = {
    "account": "tài khoản của mình",
    "audit": "nhật ký thay đổi",
    "calendar": "lịch ngày làm việc",
    "cases": "hồ sơ vụ việc",
    "dossier_imports": "tệp hồ sơ thủ tục cũ",
    "dossier_reports": "báo cáo giải quyết hồ sơ",
    "dossiers": "hồ sơ thủ tục hành chính",
    "frequency_licences": "giấy phép tần số",
    "maps": "bản đồ",
    "office": "trang văn phòng",
    "permit_checks": "kiểm tra giấy phép",
    "permit_reports": "danh sách công việc về giấy phép",
    "permit_rules": "quy định về giấy phép",
    "permits": "giấy phép",
    "press_exports": "tệp xuất báo chí",
    "press_imports": "tệp nhập báo chí",
    "press_licences": "giấy phép báo chí",
    "press_notifications": "thông báo báo chí",
    "press_outlets": "cơ quan báo chí",
    "press_reports": "báo cáo báo chí",
    "procedures": "danh mục thủ tục",
    "public_dossiers": "tra cứu hồ sơ",
    "records": "trang hồ sơ",
    "reference": "danh mục dùng chung",
    "rules": "hằng số pháp lý",
    "sessions": "phiên đăng nhập",
    "sites": "vị trí cột ăng ten",
    "station_exports": "tệp xuất trạm gốc",
    "station_imports": "tệp nhập trạm gốc",
    "stations": "trạm gốc",
    "system": "hệ thống",
    "templates": "mẫu bảng",
    "tiles": "ô bản đồ",
    "users": "tài khoản người dùng",
    "zones": "vùng quy hoạch",
}


def visible_fields(principal: Principal, entity: str) -> frozenset[str] | None:
    """The fields of ``entity`` that ``principal`` may read; None for every field."""
    if principal.authenticated and principal.roles:
        return None
    return PUBLIC_FIELDS.get(entity, frozenset())


def can_read_history(principal: Principal, entity_type: str) -> bool:
    return Role.admin.value in principal.roles or bool(principal.roles & AUDIT_READERS.get(entity_type, frozenset()))


def check_history(principal: Principal, entity_type: str) -> None:
    if not can_read_history(principal, entity_type):
        raise PermissionDenied(
            f"Vai trò của bạn không được xem lịch sử của «{entity_type}»",
            errors=[FieldError("Không có quyền xem lịch sử loại bản ghi này", field="entity").as_dict()],
        )


# Moving a dossier (api/dossiers/{code}/…): besides the one-stop desk and admins (ONE_STOP), the
# officers of the procedure's field.
FIELD_ROLES: dict[str, frozenset[ProcedureField]] = {
    Role.licensing_officer.value: frozenset(
        {ProcedureField.telecom, ProcedureField.radio_frequency, ProcedureField.it, ProcedureField.post}
    ),
    Role.press_manager.value: frozenset({ProcedureField.press, ProcedureField.publishing}),
}


def check_dossier_field(principal: Principal, field: ProcedureField) -> None:
    """403 unless ``principal`` sits at the desk or is an officer of the dossier's ``field``."""
    roles = principal.roles
    if roles & ONE_STOP:
        return
    if not any(field in FIELD_ROLES.get(r, frozenset()) for r in roles):
        raise PermissionDenied(f"Vai trò của bạn chỉ xử lý hồ sơ thuộc lĩnh vực được giao (hồ sơ này: {field.value})")
