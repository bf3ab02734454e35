"""The collections of the OGC API, as data: table, feature id, geometry, properties (SQL and JSON
type) and which role sees which property.

A collection is read under the permission table's ``resource`` (registry.accounts.permissions): the
open cases need a staff role, the rest are public. What a reader sees of it is what the API shows
them: with ``entity`` set, the public sees only that entity's PUBLIC_FIELDS (``visible_fields``) and
staff see every property; a collection without ``entity`` shows every property to whoever may read
it (its properties are public, or, for cases, chosen to carry nothing confidential). The same
visible properties are the queryables: nobody can filter on a field they may not read.

Every SQL text here is a constant of this module; the values a request brings are bound parameters
(registry.ogc.queries, registry.ogc.cql2).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Literal

from registry.accounts.permissions import Principal, authorize, rule, visible_fields
from registry.cases.service import OPEN_STATES
from registry.cases.vocabulary import CHANNEL_NAMES, STATE_NAMES, CaseKind, Channel
from registry.cases.vocabulary import KIND_NAMES as CASE_KIND_NAMES
from registry.positions import Provenance
from registry.press.models import OUTLET_KIND_NAMES, OUTLET_STATUS_NAMES, OutletKind, OutletStatus
from registry.stations.models import PoleClass, SiteStatus, StationStatus, Technology
from registry.stations.template import STATUS_LABELS
from registry.zones.models import KIND_NAMES as ZONE_KIND_NAMES
from registry.zones.models import ZoneKind

JsonType = Literal["string", "number", "integer", "boolean", "date", "array"]


@dataclass(frozen=True)
class Prop:
    """One property: its name in the answer, the SQL that reads it, its JSON type, a title, and
    for text with a closed list of values, that list."""

    name: str
    sql: str
    type: JsonType
    title: str
    enum: tuple[str, ...] | None = None
    items: Literal["string"] | None = None  # element type of an array

    def schema(self) -> dict[str, object]:
        """JSON Schema of the property (one type, no null: GDAL reads ``type`` as a single word)."""
        out: dict[str, object] = {"title": self.title}
        if self.type == "date":
            out.update(type="string", format="date")
        elif self.type == "array":
            out.update(type="array", items={"type": self.items or "string"})
        else:
            out["type"] = self.type
        if self.enum:
            (out["items"] if self.type == "array" else out)["enum"] = list(self.enum)  # type: ignore[index]
        return out


@dataclass(frozen=True)
class Temporal:
    """The dates a record has: one day (``end`` None), or a validity from ``start`` (inclusive) to
    ``end`` (exclusive), either open when null."""

    start: str
    end: str | None = None


@dataclass(frozen=True)
class Collection:
    id: str
    title: str
    description: str
    resource: str  # the permission table's resource, read
    entity: str | None  # PUBLIC_FIELDS key, or None: every property for whoever may read
    source: str  # FROM … (with its joins)
    id_sql: str
    id_type: Literal["string", "integer"]
    geometry_sql: str
    geometry_type: Literal["Point", "MultiPolygon"]
    properties: tuple[Prop, ...]
    temporal: Temporal | None = None
    where: str = "TRUE"  # which rows of ``source`` are served
    keywords: tuple[str, ...] = field(default_factory=tuple)

    def readable_by(self, principal: Principal) -> bool:
        return rule(self.resource, "read").allows(principal.keys)

    def check(self, principal: Principal) -> None:
        """401 for the public, 403 for a role the permission table refuses."""
        authorize(principal, self.resource, "read")

    def visible(self, principal: Principal) -> tuple[Prop, ...]:
        """The properties ``principal`` may read, in the collection's order (the Vietnamese name of a
        code, ``<field>_name``, whenever the code itself)."""
        fields = visible_fields(principal, self.entity) if self.entity is not None else None
        return tuple(
            p
            for p in self.properties
            if fields is None or p.name in fields or (p.name.endswith("_name") and p.name[: -len("_name")] in fields)
        )


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _named(column: str, names: Mapping[Enum | str, str]) -> str:
    """SQL giving the Vietnamese name of the code in ``column`` (from this module's constants)."""
    whens = " ".join(
        f"WHEN {_quoted(k.value if isinstance(k, Enum) else k)} THEN {_quoted(v)}" for k, v in names.items()
    )
    return f"CASE {column} {whens} END"


def _values(enum: type[Enum]) -> tuple[str, ...]:
    return tuple(str(e.value) for e in enum)


_SITE_STATUSES = _values(SiteStatus)
_POLE_CLASSES = _values(PoleClass)
_TECHNOLOGIES = _values(Technology)

SITES = Collection(
    id="sites",
    title="Vị trí cột ăng ten",
    description="Vị trí cột ăng ten thu phát sóng (trạm BTS dùng chung), với các doanh nghiệp và công nghệ "
    "của các trạm gốc trên đó. Công chúng xem các trường công khai; cán bộ xem thêm chủ sở hữu, "
    "nguồn tọa độ và tọa độ gốc.",
    resource="sites",
    entity="site",
    source="site s LEFT JOIN admin_unit a ON a.id = s.admin_unit_id LEFT JOIN organisation ow ON ow.id = s.owner_id",
    id_sql="s.code",
    id_type="string",
    geometry_sql="s.geom",
    geometry_type="Point",
    properties=(
        Prop("code", "s.code", "string", "Mã vị trí"),
        Prop("address", "s.address", "string", "Địa chỉ"),
        Prop("commune", "a.name", "string", "Xã/phường"),
        Prop("commune_code", "a.code", "string", "Mã xã/phường"),
        Prop("pole_class", "s.pole_class", "string", "Loại cột", _POLE_CLASSES),
        Prop("pole_height_m", "s.pole_height_m", "number", "Chiều cao cột (m)"),
        Prop("building_height_m", "s.building_height_m", "number", "Chiều cao công trình (m)"),
        Prop("status", "s.status", "string", "Trạng thái", _SITE_STATUSES),
        Prop("status_name", _named("s.status", STATUS_LABELS), "string", "Tên trạng thái"),
        Prop("owner", "ow.short_name", "string", "Chủ sở hữu"),
        Prop("provenance", "s.provenance", "string", "Nguồn tọa độ", _values(Provenance)),
        Prop("source_crs", "s.source_crs", "integer", "Hệ tọa độ gốc (EPSG)"),
        Prop("source_x", "s.source_x", "number", "Tọa độ gốc x (kinh độ/Đông)"),
        Prop("source_y", "s.source_y", "number", "Tọa độ gốc y (vĩ độ/Bắc)"),
        Prop("operators", "s.operators", "array", "Doanh nghiệp", items="string"),
        Prop("technologies", "CAST(s.technologies AS text[])", "array", "Công nghệ", _TECHNOLOGIES, "string"),
        Prop("station_count", "s.station_count", "integer", "Số trạm gốc"),
    ),
    keywords=("BTS", "cột ăng ten", "hạ tầng viễn thông thụ động"),
)

STATIONS = Collection(
    id="stations",
    title="Trạm gốc",
    description="Trạm gốc (BTS) của từng doanh nghiệp, mỗi trạm tại vị trí cột của nó (địa chỉ, loại cột, "
    "chiều cao cột đi kèm). Ngày: ngày đưa vào hoạt động.",
    resource="stations",
    entity="station",
    source="station st JOIN site s ON s.id = st.site_id JOIN organisation o ON o.id = st.operator_id "
    "LEFT JOIN admin_unit a ON a.id = s.admin_unit_id",
    id_sql="st.id",
    id_type="integer",
    geometry_sql="s.geom",
    geometry_type="Point",
    properties=(
        Prop("id", "st.id", "integer", "Số hiệu trạm"),
        Prop("station_code", "st.station_code", "string", "Mã trạm của doanh nghiệp"),
        Prop("operator", "o.short_name", "string", "Doanh nghiệp"),
        Prop("operator_code", "o.code", "string", "Mã doanh nghiệp"),
        Prop("site_code", "s.code", "string", "Mã vị trí"),
        Prop("technologies", "CAST(st.technologies AS text[])", "array", "Công nghệ", _TECHNOLOGIES, "string"),
        Prop("bands", "CAST(st.bands AS text[])", "array", "Băng tần", items="string"),
        Prop("status", "st.status", "string", "Trạng thái", _values(StationStatus)),
        Prop("status_name", _named("st.status", STATUS_LABELS), "string", "Tên trạng thái"),
        Prop("commissioning_date", "st.commissioning_date", "date", "Ngày đưa vào hoạt động"),
        Prop("address", "s.address", "string", "Địa chỉ"),
        Prop("commune", "a.name", "string", "Xã/phường"),
        Prop("pole_class", "s.pole_class", "string", "Loại cột", _POLE_CLASSES),
        Prop("pole_height_m", "s.pole_height_m", "number", "Chiều cao cột (m)"),
        Prop("equipment_model", "st.equipment_model", "string", "Thiết bị"),
        Prop("configuration", "st.configuration", "string", "Cấu hình"),
    ),
    temporal=Temporal("st.commissioning_date"),
    keywords=("BTS", "trạm gốc"),
)

PLANNING_ZONES = Collection(
    id="planning_zones",
    title="Vùng quy hoạch hạ tầng viễn thông thụ động",
    description="Vùng quy hoạch với loại cột được phép, chiều cao tối đa và hiệu lực (từ ngày, đến trước ngày).",
    resource="zones",
    entity=None,
    source="planning_zone z",
    id_sql="z.code",
    id_type="string",
    geometry_sql="z.geom",
    geometry_type="MultiPolygon",
    properties=(
        Prop("code", "z.code", "string", "Mã vùng"),
        Prop("name", "z.name", "string", "Tên vùng"),
        Prop("kind", "z.kind", "string", "Loại vùng", _values(ZoneKind)),
        Prop("kind_name", _named("z.kind", ZONE_KIND_NAMES), "string", "Tên loại vùng"),
        Prop(
            "allowed_pole_classes",
            "CAST(z.allowed_pole_classes AS text[])",
            "array",
            "Loại cột được phép",
            items="string",
        ),  # fmt: skip
        Prop("max_height_m", "z.max_height_m", "number", "Chiều cao cột tối đa (m)"),
        Prop("urban", "z.urban", "boolean", "Đô thị"),
        Prop("source_decision", "z.source_decision", "string", "Quyết định phê duyệt"),
        Prop("valid_from", "z.valid_from", "date", "Hiệu lực từ ngày"),
        Prop("valid_to", "z.valid_to", "date", "Hết hiệu lực từ ngày"),
        Prop("notes", "z.notes", "string", "Ghi chú"),
        Prop(
            "area_km2",
            "round(CAST(ST_Area(CAST(z.geom AS geography)) / 1e6 AS numeric), 3)",
            "number",
            "Diện tích (km²)",
        ),  # fmt: skip
    ),
    temporal=Temporal("z.valid_from", "z.valid_to"),
    keywords=("quy hoạch", "hạ tầng viễn thông thụ động"),
)

COMMUNES = Collection(
    id="communes",
    title="Xã, phường, đặc khu",
    description="Đơn vị hành chính cấp xã với thời gian hiệu lực (từ ngày, đến trước ngày): đơn vị cũ và đơn vị "
    "hiện hành, để lọc theo ngày.",
    resource="reference",
    entity=None,
    source="admin_unit a LEFT JOIN admin_unit p ON p.id = a.parent_id",
    where="a.level = 'commune'",
    id_sql="a.id",
    id_type="integer",
    geometry_sql="a.geom",
    geometry_type="MultiPolygon",
    properties=(
        Prop("code", "a.code", "string", "Mã đơn vị"),
        Prop("name", "a.name", "string", "Tên"),
        Prop("kind", "a.kind", "string", "Loại đơn vị"),
        Prop("parent", "p.name", "string", "Trực thuộc"),
        Prop("former_district", "a.former_district", "string", "Quận/huyện cũ"),
        Prop("urban", "a.urban", "boolean", "Đô thị"),
        Prop("approximate", "a.approximate", "boolean", "Ranh giới gần đúng"),
        Prop("valid_from", "a.valid_from", "date", "Hiệu lực từ ngày"),
        Prop("valid_to", "a.valid_to", "date", "Hết hiệu lực từ ngày"),
    ),
    temporal=Temporal("a.valid_from", "a.valid_to"),
    keywords=("đơn vị hành chính", "xã", "phường"),
)

PRESS_OUTLETS = Collection(
    id="press_outlets",
    title="Cơ quan báo chí",
    description="Cơ quan báo chí, văn phòng đại diện và phóng viên thường trú trên địa bàn (có vị trí khi đã nhập "
    "địa chỉ). Công chúng xem các trường công khai; cán bộ xem thêm điện thoại, thư điện tử và ghi chú.",
    resource="press_outlets",
    entity="press_outlet",
    source="press_outlet po LEFT JOIN admin_unit a ON a.id = po.admin_unit_id "
    "LEFT JOIN press_outlet pp ON pp.id = po.parent_id",
    id_sql="po.code",
    id_type="string",
    geometry_sql="po.geom",
    geometry_type="Point",
    properties=(
        Prop("code", "po.code", "string", "Mã"),
        Prop("kind", "po.kind", "string", "Loại hình", _values(OutletKind)),
        Prop("kind_name", _named("po.kind", OUTLET_KIND_NAMES), "string", "Tên loại hình"),
        Prop("name", "po.name", "string", "Tên"),
        Prop("short_name", "po.short_name", "string", "Tên viết tắt"),
        Prop("governing_body", "po.governing_body", "string", "Cơ quan chủ quản"),
        Prop("head_name", "po.head_name", "string", "Người đứng đầu"),
        Prop("head_title", "po.head_title", "string", "Chức danh người đứng đầu"),
        Prop("address", "po.address", "string", "Địa chỉ"),
        Prop("commune", "a.name", "string", "Xã/phường"),
        Prop("domains", "CAST(po.domains AS text[])", "array", "Tên miền", items="string"),
        Prop("periodicity", "po.periodicity", "string", "Kỳ hạn xuất bản"),
        Prop("languages", "CAST(po.languages AS text[])", "array", "Ngôn ngữ", items="string"),
        Prop("status", "po.status", "string", "Trạng thái", _values(OutletStatus)),
        Prop("status_name", _named("po.status", OUTLET_STATUS_NAMES), "string", "Tên trạng thái"),
        Prop("parent", "pp.code", "string", "Mã cơ quan chủ quản (báo chí)"),
        Prop("phone", "po.phone", "string", "Điện thoại"),
        Prop("email", "po.email", "string", "Thư điện tử"),
        Prop("notes", "po.notes", "string", "Ghi chú"),
    ),
    keywords=("báo chí",),
)

_OPEN = ", ".join(_quoted(s.value) for s in sorted(OPEN_STATES))
CASES = Collection(
    id="cases",
    title="Vụ việc đang mở",
    description="Khiếu nại, tố cáo, kiến nghị và thanh tra đang giải quyết (chỉ cán bộ): loại, trạng thái, ngày "
    "nhận, vị trí. Không có đương sự, nội dung hay trích yếu: người tố cáo không bao giờ xuất hiện ở đây.",
    resource="cases",
    entity=None,
    source="case_file c",
    where=f"c.state IN ({_OPEN})",
    id_sql="c.code",
    id_type="string",
    geometry_sql="c.geom",
    geometry_type="Point",
    properties=(
        Prop("code", "c.code", "string", "Mã hồ sơ"),
        Prop("kind", "c.kind", "string", "Loại vụ việc", _values(CaseKind)),
        Prop("kind_name", _named("c.kind", CASE_KIND_NAMES), "string", "Tên loại vụ việc"),
        Prop("state", "c.state", "string", "Trạng thái", tuple(sorted(s.value for s in OPEN_STATES))),
        Prop("state_name", _named("c.state", STATE_NAMES), "string", "Tên trạng thái"),
        Prop("channel", "c.channel", "string", "Kênh tiếp nhận", _values(Channel)),
        Prop("channel_name", _named("c.channel", CHANNEL_NAMES), "string", "Tên kênh tiếp nhận"),
        Prop("received_on", "c.received_on", "date", "Ngày nhận"),
        Prop("accepted_on", "c.accepted_on", "date", "Ngày thụ lý"),
        Prop("complex", "c.complex", "boolean", "Phức tạp"),
        Prop("remote", "c.remote", "boolean", "Vùng sâu, vùng xa"),
        Prop("extensions", "c.extensions", "integer", "Số lần gia hạn"),
    ),
    temporal=Temporal("c.received_on"),
    keywords=("khiếu nại", "tố cáo", "thanh tra"),
)

COLLECTIONS: dict[str, Collection] = {
    c.id: c for c in (SITES, STATIONS, PLANNING_ZONES, COMMUNES, PRESS_OUTLETS, CASES)
}
