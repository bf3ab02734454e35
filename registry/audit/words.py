"""A record's history in Vietnamese words: what was done to which record, each field by its label and
each value as a reader says it ("Trạng thái: quy hoạch → đang hoạt động", a position in degrees and
the distance it moved, a commune by its name, a permit by its number with a link to it).

The trail itself stays as recorded (``changes`` of ``audit_event``: column → [before, after], what
machines read); this module only reads it. Ids are turned into names in bulk: one query per kind of
record named on a page of events, never one per event. Nothing here widens what an event shows: a
field the trail never recorded (a denouncer's name, a document's filename) is never looked up, and
ids are named only by what the reader of that history can read anyway (codes, numbers, names of
communes, organisations and outlets, a case handler's user name).

Plain data out: ``Line`` (when, actor, what, subject, changes) with ``Change`` (field, label,
before, after, note), where a value is a text, ``Href`` (a link) or None (nothing). No HTML: the
pages' templates draw and escape it; the API gives it as JSON (``line_dict``) beside the raw trail.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from typing import Any, NamedTuple

import shapely.wkt
from pyproj import CRS, Geod
from shapely.geometry import MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry
from sqlalchemy import ARRAY, Boolean, Date, DateTime, Float, Integer, Numeric, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Session

import registry.models  # noqa: F401  (every mapped class, so every audited one is known)
from registry.accounts.models import ROLE_NAMES
from registry.audit.listener import SKIPPED
from registry.audit.models import AuditEvent, audited_mappers
from registry.cases.enforcement_models import SANCTION_STATUS_NAMES
from registry.cases.vocabulary import CHANNEL_NAMES as CASE_CHANNEL_NAMES
from registry.cases.vocabulary import KIND_NAMES as CASE_KIND_NAMES
from registry.cases.vocabulary import PARTY_ROLE_NAMES, STATE_NAMES, STEP_NAMES
from registry.cases.vocabulary import UNIT_NAMES as CASE_UNIT_NAMES
from registry.clock import VIETNAM
from registry.permits.models import KIND_NAMES as PERMIT_KIND_NAMES
from registry.positions import PROVENANCE_NAMES
from registry.press.models import (
    LICENCE_KIND_NAMES,
    NOTIFICATION_KIND_NAMES,
    OUTLET_KIND_NAMES,
    OUTLET_STATUS_NAMES,
)
from registry.procedures.models import APPLICANT_KIND_NAMES, FIELD_NAMES, ONLINE_SERVICE_NAMES, RESULT_NAMES
from registry.procedures.models import CHANNEL_NAMES as DOSSIER_CHANNEL_NAMES
from registry.procedures.models import STATUS_NAMES as DOSSIER_STATUS_NAMES
from registry.procedures.models import UNIT_NAMES as PROCEDURE_UNIT_NAMES
from registry.procedures.views import document_text
from registry.stations.template import STATUS_LABELS as STATION_STATUS_NAMES
from registry.zones.models import KIND_NAMES as ZONE_KIND_NAMES

_GEOD = Geod(ellps="WGS84")
# Long texts are cut in a history line; the record page shows them whole.
TEXT_LIMIT = 120
# Fields never listed: the row's own number and the version counter (the step is in the raw trail).
HIDDEN = frozenset({"id", "version"})


class Href(NamedTuple):
    """A value that is a link to the record it names (``href`` is a path on this site)."""

    href: str
    label: str


Value = str | Href | None


class Change(NamedTuple):
    field: str
    label: str
    before: Value
    after: Value
    note: str | None = None  # what the two values say together ("dời 12 m")


class Line(NamedTuple):
    """One event: ``what`` is the action and the kind of record ("Thêm giấy phép xây dựng"),
    ``subject`` the record itself (its code or number, a link where it has a page)."""

    when: datetime
    actor: str
    action: str
    what: str
    subject: Value
    changes: tuple[Change, ...]


ACTIONS = {
    "create": "Thêm",
    "update": "Sửa",
    "delete": "Xóa",
    "sign_in": "Đăng nhập",
    "sign_in_refused": "Đăng nhập bị từ chối",
}

# The kind of record, as the sentence names it ("Thêm trạm gốc …").
ENTITY_NAMES: dict[str, str] = {
    "site": "vị trí",
    "station": "trạm gốc",
    "sector": "sector",
    "permit": "giấy phép",
    "frequency_licence": "giấy phép tần số",
    "permit_rule": "quy định về giấy phép",
    "document": "tệp",
    "planning_zone": "vùng quy hoạch",
    "spacing_rule": "quy định khoảng cách cột",
    "organisation": "tổ chức",
    "admin_unit": "đơn vị hành chính",
    "user": "tài khoản",
    "calendar_day": "ngày trong lịch làm việc",
    "rule_value": "giá trị quy định",
    "press_outlet": "cơ quan báo chí",
    "press_outlet_link": "liên kết cơ quan báo chí",
    "press_licence": "giấy phép báo chí",
    "press_licence_amendment": "sửa đổi giấy phép báo chí",
    "press_notification": "thông báo báo chí",
    "press_notification_rule": "quy định thông báo báo chí",
    "press_annual_report": "báo cáo năm",
    "case": "hồ sơ vụ việc",
    "case_party": "người liên quan",
    "case_link": "bản ghi liên quan",
    "case_transition": "bước xử lý",
    "case_attachment": "tài liệu đính kèm",
    "reception_session": "buổi tiếp công dân",
    "deadline_rule": "quy định thời hạn",
    "inspection": "cuộc thanh tra",
    "inspection_finding": "phát hiện thanh tra",
    "sanction": "quyết định xử phạt",
    "remedial_measure": "biện pháp khắc phục",
    "procedure": "thủ tục hành chính",
    "procedure_step": "bước thủ tục",
    "dossier": "hồ sơ thủ tục",
    "dossier_event": "bước xử lý hồ sơ",
}

# Labels shared by every kind of record that has the column; LABELS below says otherwise where needed.
COMMON_LABELS: dict[str, str] = {
    "id": "Số hiệu",
    "version": "Phiên bản",
    # A sign-in's event (registry.accounts.service._sign_in_event): not columns of the account.
    "outcome": "Kết quả",
    "client": "Từ địa chỉ",
    "code": "Mã",
    "name": "Tên",
    "kind": "Loại",
    "status": "Trạng thái",
    "notes": "Ghi chú",
    "address": "Địa chỉ",
    "admin_unit_id": "Xã, phường",
    "geom": "Vị trí",
    "number": "Số",
    "issuer": "Cơ quan cấp",
    "issue_date": "Ngày cấp",
    "valid_from": "Hiệu lực từ ngày",
    "valid_until": "Hiệu lực đến ngày",
    "valid_to": "Hiệu lực đến ngày",
    "conditions": "Điều kiện",
    "suspended_from": "Đình chỉ từ ngày",
    "suspended_until": "Đình chỉ đến ngày",
    "revoked_on": "Ngày thu hồi",
    "status_reason": "Lý do đình chỉ, thu hồi",
    "document_id": "Bản scan",
    "description": "Mô tả",
    "legal_basis": "Căn cứ pháp lý",
    "certainty": "Mức tin cậy",
    "effective_from": "Áp dụng từ ngày",
    "effective_to": "Áp dụng đến ngày",
    "urban": "Đô thị",
    "pole_class": "Loại cột",
    "max_height_m": "Chiều cao tối đa (m)",
    "unit": "Đơn vị",
    "subject": "Nội dung tóm tắt",
    "reason": "Lý do",
    "actor": "Người thực hiện",
    "at": "Thời điểm",
    "step_no": "Bước",
    "duration": "Thời gian",
    "complex": "Phức tạp",
    "especially_complex": "Đặc biệt phức tạp",
    "remote": "Vùng sâu, vùng xa",
    "channel": "Kênh tiếp nhận",
    "received_on": "Ngày nhận",
    "concluded_on": "Ngày kết luận",
    "extensions": "Số lần gia hạn",
    "deadline": "Hạn thực hiện",
    "done_on": "Ngày hoàn thành",
    "decision_number": "Số quyết định",
    "decided_on": "Ngày quyết định",
    "case_id": "Hồ sơ vụ việc",
    "outlet_id": "Cơ quan báo chí",
    "operator_id": "Doanh nghiệp",
    "site_id": "Vị trí",
    "station_id": "Trạm gốc",
    "email": "Thư điện tử",
    "phone": "Điện thoại",
    "short_name": "Tên viết tắt",
    "tax_code": "Mã số thuế",
}

# Keys a service records that are not columns of the entity (LABELS names them too).
EVENT_KEYS: dict[str, frozenset[str]] = {
    "case": frozenset({"handler"}),  # registry/cases/service._audit_handler: the usernames before and after
    "station": frozenset({"sectors"}),  # registry.audit.parts: its sectors (Sector.__audit_part_of__)
}

LABELS: dict[str, dict[str, str]] = {
    "site": {
        "code": "Mã vị trí",
        "source_crs": "Hệ tọa độ nhập",
        "source_x": "Tọa độ nhập (x)",
        "source_y": "Tọa độ nhập (y)",
        "provenance": "Nguồn tọa độ",
        "entered_admin_unit": "Xã, phường (như đã nhập)",
        "pole_height_m": "Chiều cao cột (m)",
        "building_height_m": "Chiều cao công trình đặt cột (m)",
        "ground_elevation_m": "Cao độ mặt đất (m)",
        "owner_id": "Chủ sở hữu",
    },
    "station": {
        "station_code": "Mã trạm",
        "technologies": "Công nghệ",
        "bands": "Băng tần",
        "commissioning_date": "Ngày đưa vào hoạt động",
        "equipment_model": "Thiết bị",
        "configuration": "Cấu hình",
        "sectors": "Các sector",
    },
    "sector": {
        "sector_no": "Số sector",
        "azimuth_deg": "Góc phương vị (°)",
        "tilt_deg": "Góc nghiêng (°)",
        "eirp_w": "Công suất EIRP (W)",
    },
    "permit": {"kind": "Loại giấy tờ"},
    "frequency_licence": {"band": "Băng tần", "issuer": "Cơ quan cấp"},
    "permit_rule": {
        "code": "Mã quy định",
        "applies_to": "Áp dụng cho",
        "permit_kinds": "Giấy tờ cần có",
        "pole_classes": "Loại cột",
        "min_height_m": "Chiều cao từ (m)",
        "max_height_m": "Chiều cao đến (m)",
        "zone_kinds": "Loại vùng",
    },
    "document": {
        "sha256": "Mã băm SHA-256",
        "media_type": "Định dạng",
        "size_bytes": "Dung lượng (byte)",
        "uploaded_at": "Thời điểm tải lên",
    },
    "planning_zone": {
        "code": "Mã vùng",
        "name": "Tên vùng",
        "kind": "Loại vùng",
        "geom": "Ranh giới",
        "allowed_pole_classes": "Loại cột được phép",
        "max_height_m": "Chiều cao cột tối đa (m)",
        "source_decision": "Quyết định phê duyệt",
        "valid_to": "Hiệu lực đến ngày (không kể ngày này)",
    },
    "spacing_rule": {
        "zone_id": "Vùng quy hoạch",
        "height_above_m": "Chiều cao trên (m)",
        "height_up_to_m": "Chiều cao đến (m)",
        "min_distance_m": "Khoảng cách tối thiểu (m)",
    },
    "organisation": {"is_operator": "Doanh nghiệp viễn thông", "aliases": "Tên khác"},
    "admin_unit": {
        "level": "Cấp",
        "kind": "Loại đơn vị",
        "parent_id": "Thuộc",
        "approximate": "Ranh giới gần đúng",
        "former_district": "Quận, huyện cũ",
        "geom": "Ranh giới",
    },
    "user": {
        "username": "Tên đăng nhập",
        "full_name": "Họ tên",
        "unit": "Đơn vị công tác",
        "roles": "Vai trò",
        "active": "Đang hoạt động",
    },
    "calendar_day": {"day": "Ngày", "kind": "Loại ngày", "name": "Tên ngày", "source": "Nguồn"},
    "rule_value": {"code": "Mã quy định", "kind": "Kiểu giá trị", "value": "Giá trị"},
    "press_outlet": {
        "kind": "Loại hình",
        "governing_body": "Cơ quan chủ quản",
        "head_name": "Người đứng đầu",
        "head_title": "Chức danh người đứng đầu",
        "domains": "Tên miền",
        "periodicity": "Kỳ hạn xuất bản",
        "languages": "Ngôn ngữ",
        "parent_id": "Thuộc cơ quan",
    },
    "press_outlet_link": {
        "predecessor_id": "Cơ quan trước",
        "successor_id": "Cơ quan sau",
        "kind": "Hình thức",
        "effective_date": "Ngày hiệu lực",
        "decision": "Quyết định",
    },
    "press_licence": {"kind": "Loại giấy phép"},
    "press_licence_amendment": {
        "licence_id": "Giấy phép",
        "amendment_no": "Lần sửa đổi",
        "changes": "Nội dung sửa đổi",
    },
    "press_notification_rule": {
        "code": "Mã quy định",
        "kind": "Loại thông báo",
        "min_lead": "Thời gian báo trước tối thiểu",
        "unit": "Đơn vị thời gian",
    },
    "press_notification": {
        "kind": "Loại thông báo",
        "organiser": "Đơn vị tổ chức",
        "subject": "Nội dung",
        "filed_at": "Thời điểm nộp",
        "event_at": "Thời điểm diễn ra",
        "location": "Địa điểm",
    },
    "press_annual_report": {"year": "Năm", "filed_on": "Ngày nộp"},
    "case": {
        "code": "Mã hồ sơ",
        "content": "Nội dung",
        "state": "Trạng thái",
        "handler_id": "Người xử lý",
        "handler": "Người xử lý",  # an EVENT_KEYS key: the reassignment event names usernames
        "unit": "Đơn vị xử lý",
        "accepted_on": "Ngày thụ lý",
        "outcome": "Kết quả",
        "reception_session_id": "Buổi tiếp công dân",
    },
    "case_party": {"role": "Tư cách"},
    "case_link": {"entity": "Loại bản ghi", "entity_code": "Mã bản ghi"},
    "case_transition": {
        "from_state": "Từ trạng thái",
        "to_state": "Sang trạng thái",
        "on_day": "Ngày",
        "at": "Thời điểm ghi",
    },
    "reception_session": {"held_on": "Ngày tiếp", "host": "Người chủ trì", "place": "Địa điểm"},
    "case_attachment": {
        "document_id": "Tệp",
        "confidential": "Bảo mật",
        "added_at": "Thời điểm thêm",
    },
    "deadline_rule": {
        "code": "Mã quy định",
        "case_kind": "Loại vụ việc",
        "step": "Bước",
        "duration": "Thời hạn",
        "unit": "Đơn vị thời gian",
        "starts_from": "Tính từ",
        "extension_no": "Lần gia hạn",
    },
    "inspection": {
        "decision_number": "Số quyết định thanh tra",
        "decision_date": "Ngày quyết định",
        "issuer": "Người ra quyết định",
        "subject": "Đối tượng thanh tra",
        "scope": "Phạm vi",
        "team": "Đoàn thanh tra",
        "announced_on": "Ngày công bố",
        "direct_end_on": "Ngày kết thúc thanh tra trực tiếp",
        "conclusion_number": "Số kết luận",
        "conclusion_published": "Đã công khai kết luận",
        "conclusion": "Kết luận",
    },
    "inspection_finding": {
        "inspection_id": "Cuộc thanh tra",
        "finding": "Phát hiện",
        "recommendation": "Kiến nghị",
    },
    "sanction": {
        "number": "Số quyết định",
        "issuer": "Người ra quyết định",
        "minutes_number": "Số biên bản",
        "violator_kind": "Đối tượng vi phạm là",
        "violator_name": "Người, tổ chức vi phạm",
        "point": "Điểm",
        "clause": "Khoản",
        "article": "Điều",
        "decree": "Nghị định",
        "violation": "Hành vi vi phạm",
        "bracket_min_vnd": "Khung phạt từ (đồng)",
        "bracket_max_vnd": "Khung phạt đến (đồng)",
        "fine_vnd": "Số tiền phạt (đồng)",
        "additional_penalties": "Hình thức xử phạt bổ sung",
        "delivered_on": "Ngày giao quyết định",
        "paid_on": "Ngày nộp phạt",
        "inspection_id": "Cuộc thanh tra",
        "linked_entity": "Loại bản ghi liên quan",
        "linked_code": "Mã bản ghi liên quan",
    },
    "remedial_measure": {"sanction_id": "Quyết định xử phạt", "measure": "Biện pháp"},
    "procedure": {
        "code": "Mã thủ tục",
        "name": "Tên thủ tục",
        "field": "Lĩnh vực",
        "time_value": "Thời hạn giải quyết",
        "time_unit": "Đơn vị thời gian",
        "fees": "Phí, lệ phí",
        "fee_vnd": "Lệ phí (đồng)",
        "online_level": "Mức độ dịch vụ công (cách tính cũ)",
        "online_service": "Dịch vụ công trực tuyến",
        "required_documents": "Thành phần hồ sơ",
    },
    "procedure_step": {"procedure_id": "Thủ tục", "name": "Công việc", "unit": "Bộ phận thực hiện"},
    "dossier": {
        "receipt_code": "Mã biên nhận",
        "procedure_id": "Thủ tục",
        "applicant_kind": "Người nộp là",
        "applicant_name": "Tên người nộp",
        "applicant_id_number": "Số giấy tờ tùy thân, mã số thuế",
        "applicant_address": "Địa chỉ người nộp",
        "applicant_phone": "Điện thoại người nộp",
        "applicant_email": "Thư điện tử người nộp",
        "channel": "Hình thức nộp",
        "received_at": "Thời điểm tiếp nhận",
        "received_on": "Ngày tiếp nhận",
        "counted_from": "Tính thời hạn từ ngày",
        "first_due_date": "Ngày hẹn trả ban đầu",
        "due_date": "Ngày hẹn trả",
        "pre_apology_due_date": "Ngày hẹn trước khi xin lỗi",
        "apology_on": "Ngày gửi văn bản xin lỗi",
        "apology_reason": "Lý do xin lỗi",
        "supplement_since": "Chờ bổ sung từ ngày",
        "paused_working_days": "Số ngày làm việc tạm dừng",
        "step_no": "Bước xử lý",
        "result": "Kết quả",
        "resolved_on": "Ngày có kết quả",
        "returned_on": "Ngày trả kết quả",
        "sent_back_on": "Ngày trả lại hồ sơ",
        "withdrawn_on": "Ngày rút hồ sơ",
        "permit_id": "Giấy phép đã cấp",
        "press_licence_id": "Giấy phép báo chí đã cấp",
        "source": "Nguồn",
        "documents_received": "Giấy tờ đã nhận",
    },
    "dossier_event": {"dossier_id": "Hồ sơ", "note": "Ghi chú", "recorded_at": "Thời điểm ghi"},
}

_CERTAINTY = {"firm": "chắc chắn", "check": "cần kiểm tra lại"}
_LINKED_ENTITIES = {
    "site": "vị trí",
    "station": "trạm gốc",
    "press_outlet": "cơ quan báo chí",
    "organisation": "tổ chức",
}
# Kinds of administrative unit (admin_unit.kind), as written before the unit's name.
ADMIN_KIND_NAMES = {
    "phuong": "Phường",
    "xa": "Xã",
    "thi_tran": "Thị trấn",
    "dac_khu": "Đặc khu",
    "quan": "Quận",
    "huyen": "Huyện",
    "thi_xa": "Thị xã",
    "thanh_pho": "Thành phố",
    "tinh": "Tỉnh",
}

# The Vietnamese names of coded values, by kind of record and field.
VALUE_NAMES: dict[tuple[str, str], Mapping[str, str]] = {
    ("site", "status"): STATION_STATUS_NAMES,
    ("site", "provenance"): PROVENANCE_NAMES,
    ("station", "status"): STATION_STATUS_NAMES,
    ("permit", "kind"): PERMIT_KIND_NAMES,
    ("permit_rule", "permit_kinds"): PERMIT_KIND_NAMES,
    ("permit_rule", "applies_to"): {"site": "vị trí", "station": "trạm gốc"},
    ("permit_rule", "zone_kinds"): ZONE_KIND_NAMES,
    ("permit_rule", "certainty"): _CERTAINTY,
    ("document", "media_type"): {"application/pdf": "PDF", "image/jpeg": "ảnh JPEG", "image/png": "ảnh PNG"},
    ("planning_zone", "kind"): ZONE_KIND_NAMES,
    ("admin_unit", "level"): {"province": "tỉnh, thành phố", "district": "quận, huyện", "commune": "xã, phường"},
    ("admin_unit", "kind"): ADMIN_KIND_NAMES,
    ("user", "roles"): ROLE_NAMES,
    ("user", "outcome"): {
        "ok": "thành công",
        "wrong_password": "mật khẩu sai",
        "disabled": "tài khoản đang khóa",
        "unknown_user": "không có tài khoản",
        "throttled": "tạm chặn vì thử sai nhiều lần",
    },
    ("calendar_day", "kind"): {"off": "ngày nghỉ", "working": "ngày làm việc"},
    ("calendar_day", "source"): {"holidays": "lịch nghỉ lễ theo luật", "admin": "quản trị viên nhập"},
    ("rule_value", "kind"): {"integer": "số nguyên", "decimal": "số thập phân", "time": "giờ", "month_day": "ngày"},
    ("rule_value", "certainty"): _CERTAINTY,
    ("press_outlet", "kind"): OUTLET_KIND_NAMES,
    ("press_outlet", "status"): OUTLET_STATUS_NAMES,
    ("press_outlet_link", "kind"): {"merged": "sáp nhập", "renamed": "đổi tên"},
    ("press_licence", "kind"): LICENCE_KIND_NAMES,
    ("press_notification", "kind"): NOTIFICATION_KIND_NAMES,
    ("press_notification_rule", "kind"): NOTIFICATION_KIND_NAMES,
    ("press_notification_rule", "unit"): {"days": "ngày", "hours": "giờ"},
    ("press_notification_rule", "certainty"): _CERTAINTY,
    ("case", "kind"): CASE_KIND_NAMES,
    ("case", "channel"): CASE_CHANNEL_NAMES,
    ("case", "state"): STATE_NAMES,
    ("case_party", "role"): PARTY_ROLE_NAMES,
    ("case_link", "entity"): _LINKED_ENTITIES,
    ("case_transition", "from_state"): STATE_NAMES,
    ("case_transition", "to_state"): STATE_NAMES,
    ("deadline_rule", "case_kind"): CASE_KIND_NAMES,
    ("deadline_rule", "step"): STEP_NAMES,
    ("deadline_rule", "unit"): CASE_UNIT_NAMES,
    ("deadline_rule", "starts_from"): {
        "received": "ngày nhận",
        "accepted": "ngày thụ lý",
        "previous_deadline": "hạn trước đó",
    },
    ("deadline_rule", "certainty"): _CERTAINTY,
    ("sanction", "status"): SANCTION_STATUS_NAMES,
    ("sanction", "violator_kind"): {"person": "cá nhân", "organisation": "tổ chức"},
    ("sanction", "linked_entity"): _LINKED_ENTITIES,
    ("procedure", "field"): FIELD_NAMES,
    ("procedure", "time_unit"): PROCEDURE_UNIT_NAMES,
    ("procedure", "online_service"): ONLINE_SERVICE_NAMES,
    ("dossier", "channel"): DOSSIER_CHANNEL_NAMES,
    ("dossier", "applicant_kind"): APPLICANT_KIND_NAMES,
    ("dossier", "status"): DOSSIER_STATUS_NAMES,
    ("dossier", "result"): RESULT_NAMES,
    ("dossier", "source"): {"desk": "bộ phận một cửa", "import": "nhập từ tệp"},
    ("dossier_event", "status"): DOSSIER_STATUS_NAMES,
}


def has_label(entity_type: str, column: str) -> bool:
    return column in LABELS.get(entity_type, {}) or column in COMMON_LABELS


def label(entity_type: str, column: str) -> str:
    """The Vietnamese label of a field; a field nobody has named yet reads as its words ("Ngày kết thúc")."""
    own = LABELS.get(entity_type, {}).get(column) or COMMON_LABELS.get(column)
    if own is not None:
        return own
    words = column.removesuffix("_id").replace("_", " ").strip()
    return words[:1].upper() + words[1:]


# ---------------------------------------------------------------------------------------------------
# Values


def number(value: float) -> str:
    """Vietnamese digits, as maps.templating.number writes them: a space between thousands, a decimal
    comma, no trailing zeros (2 places). Here because the registry cannot import the pages."""
    return f"{value:,.2f}".rstrip("0").rstrip(".").replace(",", " ").replace(".", ",")


def _int(value: int) -> str:
    # Years, counts and step numbers as they are; amounts of money and sizes grouped.
    return number(value) if abs(value) >= 10_000 else str(value)


def shortened(text: str, limit: int = TEXT_LIMIT) -> str:
    return _cut(" ".join(text.split()), limit)


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def dmy(value: str | date) -> str:
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    y, m, d = value[:10].split("-")
    return f"{d}/{m}/{y}"


def dmy_hm(value: str | datetime) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is not None:
        moment = moment.astimezone(VIETNAM)
    return f"{moment:%d/%m/%Y %H:%M}"


def degrees(lon: float, lat: float) -> str:
    """A position as a reader writes it: "20,84000° B, 106,70000° Đ" (5 places, about a metre)."""
    ns = "B" if lat >= 0 else "N"
    ew = "Đ" if lon >= 0 else "T"
    return f"{abs(lat):.5f}° {ns}, {abs(lon):.5f}° {ew}".replace(".", ",")


def moved(before: Point, after: Point) -> str:
    """The geodesic distance between two positions on the WGS 84 ellipsoid, as "dời 12 m"."""
    _, _, metres = _GEOD.inv(before.x, before.y, after.x, after.y)
    if metres >= 1000:
        return f"dời {number(round(metres / 1000, 2))} km"
    return f"dời {number(round(metres))} m" if metres >= 1 else f"dời {number(round(metres, 2))} m"


def _area(shape: BaseGeometry) -> str:
    polygons = len(shape.geoms) if isinstance(shape, MultiPolygon) else 1
    area, _ = _GEOD.geometry_area_perimeter(shape)
    km2 = abs(area) / 1e6
    size = f"{number(round(km2, 2))} km²" if km2 >= 0.01 else f"{number(round(abs(area)))} m²"
    return f"{polygons} đa giác, {size}" if polygons > 1 else f"1 đa giác, {size}"


def _shape(value: Any) -> BaseGeometry | None:
    if not isinstance(value, str):
        return None
    try:
        return shapely.wkt.loads(value)
    except Exception:  # noqa: BLE001  (a trail written by hand or by an older version: shown as text)
        return None


def _geometry(value: Any) -> str | None:
    shape = _shape(value)
    if shape is None:
        return None if value is None else shortened(str(value))
    if isinstance(shape, Point):
        return degrees(shape.x, shape.y)
    if isinstance(shape, Polygon | MultiPolygon):
        return _area(shape)
    return shortened(shape.wkt)


def entered_coordinate(value: float) -> str:
    """A coordinate as entered: degrees to 6 places (about 0.1 m), metres of a projection to 2."""
    if abs(value) <= 180:
        return f"{value:.6f}".rstrip("0").rstrip(".").replace(".", ",")
    return number(value)


@cache
def crs_name(epsg: int) -> str:
    try:
        name = CRS.from_epsg(epsg).name
    except Exception:  # noqa: BLE001  (an EPSG code PROJ does not know: its number is enough)
        return f"EPSG:{epsg}"
    return f"{name} (EPSG:{epsg})"


NBSP = "\u00a0"


def sector_list(sectors: list[Any]) -> str | None:
    """A station's sectors as its events list them (registry.audit.parts) in words:
    "1: 120°, nghiêng 3°, 50 W; 2: 240°"."""
    texts = []
    for s in sectors:
        if not isinstance(s, dict):
            texts.append(str(s))
            continue
        said = [
            f"{number(float(s['azimuth_deg']))}°" if isinstance(s.get("azimuth_deg"), int | float) else "—",
            *([f"nghiêng {number(float(s['tilt_deg']))}°"] if isinstance(s.get("tilt_deg"), int | float) else []),
            # A power never broken across lines ("2 400 W" with no-break spaces).
            *(
                [f"{number(float(s['eirp_w']))} W".replace(" ", NBSP)]
                if isinstance(s.get("eirp_w"), int | float)
                else []
            ),
        ]
        texts.append(f"{s.get('sector_no', '?')}: {', '.join(said)}")
    return _cut("; ".join(texts), TEXT_LIMIT * 3) if texts else None  # not ``shortened``: it drops no-break spaces


def _plain(value: Any) -> str | None:
    """Any stored value of a column of no particular type."""
    if value is None or value == "" or value == [] or value == {}:
        return None
    if isinstance(value, bool):
        return "có" if value else "không"
    if isinstance(value, int):
        return _int(value)
    if isinstance(value, float):
        return number(value)
    if isinstance(value, list | tuple):
        return shortened(", ".join(_plain(v) or "—" for v in value))
    if isinstance(value, dict):
        return shortened("; ".join(f"{k}: {_plain(v) or '—'}" for k, v in value.items()))
    return shortened(str(value))


# ---------------------------------------------------------------------------------------------------
# Records by name


@dataclass(frozen=True)
class Namer:
    """How a kind of record is named: the columns read, the name (``label``; FK columns already
    named), a shorter name when another record points to it (``short``: its own columns only), the
    page it has (``href``) and, for permits and licences, the noun of its kind."""

    columns: tuple[str, ...]
    label: Callable[[Mapping[str, Any]], str | None]
    short: Callable[[Mapping[str, Any]], str | None] | None = None
    href: Callable[[int | str, Mapping[str, Any]], str | None] | None = None
    noun: Callable[[Mapping[str, Any]], str | None] | None = None
    refs: frozenset[str] = field(default_factory=frozenset)  # columns of ``label`` that are ids


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _get(values: Mapping[str, Any], key: str) -> Any:
    v = values.get(key)
    return None if v in (None, "") else v


def _kind_noun(names: Mapping[str, str]) -> Callable[[Mapping[str, Any]], str | None]:
    def noun(values: Mapping[str, Any]) -> str | None:
        kind = _get(values, "kind")
        return _lower_first(names[kind]) if kind in names else None

    return noun


def _column(name: str) -> Callable[[Mapping[str, Any]], str | None]:
    return lambda v: None if _get(v, name) is None else str(v[name])


def _commune(v: Mapping[str, Any]) -> str | None:
    name = _get(v, "name")
    kind = ADMIN_KIND_NAMES.get(v.get("kind") or "")
    return None if name is None else f"{kind} {name}" if kind and v.get("level") == "commune" else str(name)


def _station(v: Mapping[str, Any]) -> str | None:
    code, operator = _get(v, "station_code"), _get(v, "operator_id")
    return None if code is None else f"{code} ({operator})" if isinstance(operator, str) else str(code)


def _sector(v: Mapping[str, Any]) -> str | None:
    no, station = _get(v, "sector_no"), _get(v, "station_id")
    return None if no is None else f"{no} của trạm {station}" if isinstance(station, str) else str(no)


def _outlet(v: Mapping[str, Any]) -> str | None:
    return _get(v, "name") or _get(v, "code")


def _organisation(v: Mapping[str, Any]) -> str | None:
    return _get(v, "short_name") or _get(v, "name")


def _party_role(role: Any) -> str | None:
    names: Mapping[str, str] = PARTY_ROLE_NAMES
    return names.get(role) if isinstance(role, str) else None


def _reception(v: Mapping[str, Any]) -> str | None:
    held = _get(v, "held_on")
    return None if held is None else f"buổi tiếp ngày {dmy(held)}"


def _calendar_day(v: Mapping[str, Any]) -> str | None:
    day, name = _get(v, "day"), _get(v, "name")
    if day is None:
        return None
    return f"{dmy(day)} ({shortened(str(name), 60)})" if name else dmy(day)


def _code_link(prefix: str) -> Callable[[int | str, Mapping[str, Any]], str | None]:
    return lambda _id, v: None if _get(v, "code") is None else f"{prefix}/{v['code']}"


def _id_link(prefix: str) -> Callable[[int | str, Mapping[str, Any]], str | None]:
    return lambda id_, _v: f"{prefix}/{id_}"


NAMERS: dict[str, Namer] = {
    "site": Namer(("code",), _column("code"), href=_code_link("/office/sites")),
    "station": Namer(
        ("station_code", "operator_id"), _station, short=_column("station_code"), refs=frozenset({"operator_id"})
    ),
    "sector": Namer(("sector_no", "station_id"), _sector, refs=frozenset({"station_id"})),
    "permit": Namer(
        ("kind", "number"), _column("number"), href=_id_link("/office/permits"), noun=_kind_noun(PERMIT_KIND_NAMES)
    ),
    "frequency_licence": Namer(("band", "number"), _column("number"), href=_id_link("/office/licences")),
    "planning_zone": Namer(("code", "name"), _column("code"), href=_code_link("/office/zones")),
    "organisation": Namer(("name", "short_name"), _organisation),
    "admin_unit": Namer(("name", "kind", "level"), _commune),
    "user": Namer(("username",), _column("username")),
    "press_outlet": Namer(("code", "name"), _outlet, href=_code_link("/records/outlets")),
    "press_licence": Namer(("kind", "number"), _column("number"), noun=_kind_noun(LICENCE_KIND_NAMES)),
    "press_licence_amendment": Namer(
        ("amendment_no",), lambda v: None if _get(v, "amendment_no") is None else f"lần {v['amendment_no']}"
    ),
    "press_notification": Namer(
        ("subject",), lambda v: None if _get(v, "subject") is None else shortened(v["subject"], 60)
    ),
    "press_annual_report": Namer(("year",), _column("year")),
    "case": Namer(("code",), _column("code"), href=_code_link("/records/cases")),
    # A party by its role only: a denouncer's name is never in the trail and never looked up.
    "case_party": Namer(("role",), lambda v: _party_role(v.get("role"))),
    "case_link": Namer(
        ("entity", "entity_code"),
        lambda v: None
        if _get(v, "entity_code") is None
        else f"{_LINKED_ENTITIES.get(v.get('entity') or '', '')} {v['entity_code']}".strip(),
    ),
    "reception_session": Namer(("held_on",), _reception),
    "inspection": Namer(("decision_number",), _column("decision_number")),
    "sanction": Namer(("number",), _column("number")),
    "procedure": Namer(
        ("code", "name"),
        lambda v: None if _get(v, "name") is None else shortened(v["name"], 80),
        href=_code_link("/office/admin/procedures"),
    ),
    # A day of the working-day calendar by its date (its key) and name; its page is the admin's day page.
    "calendar_day": Namer(("day", "name"), _calendar_day, href=lambda id_, _v: f"/office/admin/calendar/{id_}"),
    "procedure_step": Namer(("step_no",), lambda v: None if _get(v, "step_no") is None else f"bước {v['step_no']}"),
    "dossier": Namer(("receipt_code",), _column("receipt_code")),
    "permit_rule": Namer(("code",), _column("code")),
    "rule_value": Namer(("code",), _column("code")),
    "deadline_rule": Namer(("code",), _column("code")),
    "press_notification_rule": Namer(("code",), _column("code")),
    # A document by nothing it holds: its filename is kept out of the trail (and a confidential
    # attachment's type and size are not this history's to tell).
    "document": Namer((), lambda v: None),
}


# Every audited class by entity type (their mappers).
_mappers = audited_mappers


@cache
def _tables() -> dict[str, str]:
    """Table name → entity type (the name its records are known by here)."""
    return {m.local_table.name: entity for entity, m in _mappers().items()}  # type: ignore[attr-defined]


@cache
def _columns(entity_type: str) -> dict[str, Any]:
    mapper = _mappers().get(entity_type)
    if mapper is None:
        return {}
    return {a.key: a.columns[0] for a in mapper.column_attrs}


def audited_columns(entity_type: str) -> list[str]:
    """The columns of a kind of record that its events can hold (as the audit hook picks them)."""
    mapper = _mappers()[entity_type]
    skipped = SKIPPED | mapper.class_.__audit_exclude__
    return [a.key for a in mapper.column_attrs if a.key not in skipped]


def audited_entities() -> list[str]:
    return sorted(_mappers())


def target_of(entity_type: str, column: str) -> str | None:
    """The entity type an id column points to (None: not an id of another record)."""
    col = _columns(entity_type).get(column)
    if col is None:
        return None
    for fk in col.foreign_keys:
        return _tables().get(fk.column.table.name)
    return None


class _Names:
    """Records looked up by id, one query per kind of record."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.rows: dict[str, dict[str, dict[str, Any]]] = defaultdict(dict)

    def load(self, wanted: Mapping[str, Iterable[Any]]) -> None:
        for entity_type, ids in wanted.items():
            namer = NAMERS.get(entity_type)
            mapper = _mappers().get(entity_type)
            keys = {str(i) for i in ids} - set(self.rows[entity_type])
            if namer is None or mapper is None or not keys or not namer.columns:
                continue
            pk = mapper.primary_key[0]
            if isinstance(pk.type, Date):  # a calendar day: its key is the date itself
                numbers: list[Any] = [d for d in map(_iso_day, keys) if d is not None]
            elif isinstance(pk.type, Integer):
                numbers = [int(k) for k in keys if k.lstrip("-").isdigit()]
            else:
                continue
            cols = [mapper.columns[c] for c in namer.columns]
            for row in self.session.execute(select(pk, *cols).where(pk.in_(numbers))):
                key = row[0].isoformat() if isinstance(row[0], date) else str(row[0])
                self.rows[entity_type][key] = dict(zip(namer.columns, row[1:], strict=True))

    def row(self, entity_type: str, id_: Any) -> dict[str, Any] | None:
        return self.rows.get(entity_type, {}).get(str(id_))


def _iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _values_of(event: AuditEvent) -> dict[str, Any]:
    """The record's own values in an event: what it became, or what it was when deleted."""
    return {k: (v[1] if v[1] is not None else v[0]) for k, v in (event.changes or {}).items()}


# ---------------------------------------------------------------------------------------------------
# The history


class Words:
    """Events of one page put into words. ``describe`` does it in a handful of queries."""

    def __init__(self, session: Session) -> None:
        self.names = _Names(session)
        # What the events of this page say of each record's naming columns (for records since deleted).
        self.seen: dict[tuple[str, str], dict[str, Any]] = defaultdict(dict)

    def _known(self, entity_type: str, id_: Any) -> dict[str, Any] | None:
        row = self.names.row(entity_type, id_)
        seen = self.seen.get((entity_type, str(id_)))
        if row is None and not seen:
            return None
        return {**(seen or {}), **(row or {})}

    def _fk_name(self, entity_type: str, column: str, value: Any) -> Value:
        target = target_of(entity_type, column)
        if target is None or value is None:
            return None
        namer = NAMERS.get(target)
        if namer is None or not namer.columns:
            return f"{ENTITY_NAMES.get(target, target)} số {value}"
        row = self._known(target, value)
        if row is None:
            return f"{ENTITY_NAMES.get(target, target)} đã xóa (số {value})"
        name = (namer.short or namer.label)(row) or f"số {value}"
        href = namer.href(value, row) if namer.href else None
        return Href(href, name) if href else name

    def value(self, entity_type: str, column: str, value: Any) -> Value:
        """One stored value of a field in words (or a link to the record an id names)."""
        if value is None or value == "" or value == []:
            return None
        if (entity_type, column) == ("press_licence_amendment", "changes") and isinstance(value, dict):
            return self._amended(value)
        if (entity_type, column) == ("station", "sectors") and isinstance(value, list):
            return sector_list(value)
        if column in ("required_documents", "documents_received") and isinstance(value, list):
            texts = (document_text(d) if isinstance(d, dict) else str(d) for d in value)
            return shortened("; ".join(texts), limit=TEXT_LIMIT * 3)
        if target_of(entity_type, column) is not None:
            return self._fk_name(entity_type, column, value)
        names = VALUE_NAMES.get((entity_type, column))
        if names is not None:
            if isinstance(value, list):
                return shortened(", ".join(names.get(v, str(v)) for v in value))
            return names.get(value, str(value))
        if column == "source_crs" and isinstance(value, int):
            return crs_name(value)
        if column in ("source_x", "source_y") and isinstance(value, int | float):
            return entered_coordinate(value)
        col = _columns(entity_type).get(column)
        kind = col.type if col is not None else None
        try:
            if isinstance(kind, DateTime) and isinstance(value, str):
                return dmy_hm(value)
            if isinstance(kind, Date) and isinstance(value, str):
                return dmy(value)
        except ValueError:
            return shortened(str(value))
        if kind is not None and type(kind).__name__ == "Geometry":
            return _geometry(value)
        if isinstance(kind, Boolean) and isinstance(value, bool):
            return "có" if value else "không"
        if isinstance(kind, Float | Numeric) and isinstance(value, int | float):
            return number(float(value))
        if isinstance(kind, ARRAY | JSONB) or isinstance(value, list | dict):
            if isinstance(value, str):
                try:
                    value = json.loads(value)
                except ValueError:
                    return shortened(value)
            return _plain(value)
        return _plain(value)

    def _amended(self, changes: Mapping[str, Any]) -> str:
        """An amendment's {field: [before, after]} in words: "Hiệu lực đến: 19/03/2030 → 19/03/2031"."""
        parts = []
        for key, pair in changes.items():
            entity, column = (
                ("press_outlet", key.split(".", 1)[1]) if key.startswith("outlet.") else ("press_licence", key)
            )
            before, after = (pair + [None, None])[:2] if isinstance(pair, list) else (None, pair)
            shown = [self.value(entity, column, v) for v in (before, after)]
            text = [v.label if isinstance(v, Href) else (v or "—") for v in shown]
            parts.append(f"{label(entity, column)}: {text[0]} → {text[1]}")
        return shortened("; ".join(parts), limit=TEXT_LIMIT * 3)

    def _change(self, entity_type: str, column: str, before: Any, after: Any) -> Change:
        note = None
        col = _columns(entity_type).get(column)
        if col is not None and type(col.type).__name__ == "Geometry":
            a, b = _shape(before), _shape(after)
            if isinstance(a, Point) and isinstance(b, Point):
                note = moved(a, b)
        return Change(
            column,
            label(entity_type, column),
            self.value(entity_type, column, before),
            self.value(entity_type, column, after),
            note,
        )

    def _subject(self, event: AuditEvent) -> tuple[str, Value]:
        """The noun of the record's kind and the record's name (a link where it has a page)."""
        entity_type, entity_id = event.entity_type, event.entity_id
        noun = ENTITY_NAMES.get(entity_type, entity_type.replace("_", " "))
        namer = NAMERS.get(entity_type)
        if namer is None:
            return noun, None
        values = self._known(entity_type, entity_id) or {}
        # Ids in the name (a station's operator, a sector's station) are named first.
        named = {k: (self._fk_text(entity_type, k, v) if k in namer.refs else v) for k, v in values.items()}
        if namer.noun is not None:
            noun = namer.noun(named) or noun
        name = namer.label(named)
        if name is None:
            return noun, None
        href = namer.href(entity_id, named) if namer.href else None
        return noun, Href(href, name) if href else name

    def _fk_text(self, entity_type: str, column: str, value: Any) -> Any:
        named = self._fk_name(entity_type, column, value)
        return named.label if isinstance(named, Href) else named

    def describe(self, events: Sequence[AuditEvent]) -> list[Line]:
        for e in events:
            namer = NAMERS.get(e.entity_type)
            if namer is not None:
                values = _values_of(e)
                self.seen[(e.entity_type, e.entity_id)].update({k: values[k] for k in namer.columns if k in values})
        self.names.load(_group((e.entity_type, e.entity_id) for e in events))
        wanted: list[tuple[str, Any]] = []
        for e in events:
            for column, pair in (e.changes or {}).items():
                target = target_of(e.entity_type, column)
                if target is not None:
                    wanted += [(target, v) for v in pair if v is not None]
            namer = NAMERS.get(e.entity_type)
            if namer is not None:
                values = self._known(e.entity_type, e.entity_id) or {}
                for column in namer.refs:
                    target = target_of(e.entity_type, column)
                    if target is not None and values.get(column) is not None:
                        wanted.append((target, values[column]))
        self.names.load(_group(wanted))
        lines = []
        for e in events:
            noun, subject = self._subject(e)
            changes = tuple(
                self._change(e.entity_type, column, pair[0], pair[1])
                for column, pair in sorted((e.changes or {}).items(), key=lambda kv: _order(e.entity_type, kv[0]))
                if column not in HIDDEN
            )
            lines.append(
                Line(
                    when=e.occurred_at,
                    actor=actor_name(e.actor),
                    action=e.action,
                    what=f"{ACTIONS.get(e.action, e.action)} {noun}",
                    subject=subject,
                    changes=changes,
                )
            )
        return lines


def _group(pairs: Iterable[tuple[str, Any]]) -> dict[str, set[Any]]:
    grouped: dict[str, set[Any]] = defaultdict(set)
    for entity_type, id_ in pairs:
        grouped[entity_type].add(id_)
    return grouped


def _order(entity_type: str, column: str) -> int:
    """Fields in the order of the table's columns (code first, notes last), as a form lists them."""
    columns = list(_columns(entity_type))
    return columns.index(column) if column in columns else len(columns)


def actor_name(actor: str) -> str:
    if actor == "anonymous":
        return "(không đăng nhập)"
    if actor.startswith("cli:"):
        return f"{actor.removeprefix('cli:')} (dòng lệnh)"
    return actor


def describe(session: Session, events: Sequence[AuditEvent]) -> list[Line]:
    """The events in words, in their order."""
    return Words(session).describe(events)


def _json_value(value: Value) -> Any:
    return {"href": value.href, "label": value.label} if isinstance(value, Href) else value


def line_dict(line: Line) -> dict[str, Any]:
    """A line as JSON: texts, ``{"href", "label"}`` for links, null for nothing."""
    return {
        "what": line.what,
        "subject": _json_value(line.subject),
        "actor": line.actor,
        "changes": [
            {
                "field": c.field,
                "label": c.label,
                "before": _json_value(c.before),
                "after": _json_value(c.after),
                "note": c.note,
            }
            for c in line.changes
        ],
    }
