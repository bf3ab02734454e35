"""Shapes of press outlets, licences, amendments, mergers and notifications as the API takes them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from registry.positions import PositionIn
from registry.press.models import LicenceKind, NotificationKind, OutletKind, OutletStatus
from registry.schemas import Code, Day, Moment, ReceivedDay, ReceivedMoment, Strict, not_null
from registry.validity import ValidityFields

OutletCode = Code
DOMAIN = r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
Domain = Annotated[str, Field(max_length=253)]
Language = Annotated[str, Field(pattern=r"^[a-z]{2,3}$")]


def _domains(value: list[str] | None) -> list[str] | None:
    import re

    if value is None:
        return None
    out = []
    for raw in value:
        d = raw.strip().lower().removeprefix("http://").removeprefix("https://").removeprefix("www.").rstrip("/")
        if not re.match(DOMAIN, d):
            raise ValueError(f"Tên miền không hợp lệ: {raw}")
        if d not in out:
            out.append(d)
    return out


class _OutletFields(Strict):
    kind: OutletKind | None = None
    name: str | None = Field(None, min_length=1, max_length=300)
    short_name: str | None = Field(None, max_length=100)
    governing_body: str | None = Field(None, max_length=300, description="Cơ quan chủ quản")
    head_name: str | None = Field(None, max_length=200, description="Tổng biên tập, giám đốc hoặc người đứng đầu")
    head_title: str | None = Field(None, max_length=100)
    address: str | None = Field(None, max_length=500)
    position: PositionIn | None = None
    phone: str | None = Field(None, max_length=40, pattern=r"^[0-9 +().-]{6,40}$")
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")
    domains: list[Domain] | None = Field(None, max_length=20, description="Tên miền (báo điện tử, trang tổng hợp)")
    periodicity: str | None = Field(None, max_length=200)
    languages: list[Language] | None = Field(None, max_length=10)
    status: OutletStatus | None = None
    parent_code: OutletCode | None = Field(None, description="Cơ quan báo chí chủ quản của VPĐD / PVTT")
    notes: str | None = Field(None, max_length=4000)

    _check_domains = field_validator("domains")(_domains)


class OutletCreate(_OutletFields):
    code: OutletCode | None = Field(
        None, description="Bỏ trống để hệ thống cấp theo loại hình (BC-HP-001, TC-, BT-, DS-, TT-, VP-, PV-HP-…)"
    )
    kind: OutletKind  # type: ignore[assignment]
    name: str = Field(min_length=1, max_length=300)  # type: ignore[assignment]
    # An outlet starts active unless told otherwise; a null status is refused, not a 500 (schemathesis).
    _no_null = field_validator("status", mode="before")(not_null)


class OutletPatch(_OutletFields):
    _no_null = field_validator("kind", "name", "status", mode="before")(not_null)


class LicenceCreate(ValidityFields):
    outlet_code: OutletCode
    kind: LicenceKind
    number: Annotated[str, Field(min_length=1, max_length=60)]


class LicencePatch(ValidityFields):
    """Corrections of what was entered wrongly; a change decided by the issuer is an amendment."""

    number: Annotated[str, Field(min_length=1, max_length=60)] | None = None

    _no_null = field_validator("number", mode="before")(not_null)


AMENDABLE = ("number", "issuer", "valid_until", "conditions", "notes")


class AmendmentCreate(Strict):
    decision_number: Annotated[str, Field(min_length=1, max_length=60)]
    decided_on: Day
    reason: str | None = Field(None, max_length=2000)
    changes: dict[str, Any] = Field(
        description=f"Trường sửa đổi: {', '.join(AMENDABLE)}; và outlet: head_name, address …"
    )

    @field_validator("changes")
    @classmethod
    def _known(cls, value: dict[str, Any]) -> dict[str, Any]:
        allowed = set(AMENDABLE) | {f"outlet.{f}" for f in OUTLET_AMENDABLE}
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"Không sửa được qua giấy phép sửa đổi: {', '.join(unknown)}")
        if not value:
            raise ValueError("Cần ít nhất một thay đổi")
        return value


OUTLET_AMENDABLE = ("name", "short_name", "governing_body", "head_name", "head_title", "address", "periodicity")


class MergeCreate(Strict):
    """Predecessors merged into (or renamed as) a successor, existing or created here."""

    predecessors: list[OutletCode] = Field(min_length=1, max_length=20)
    successor_code: OutletCode | None = None
    successor: OutletCreate | None = None
    kind: str = Field("merged", pattern="^(merged|renamed)$")
    effective_date: Day
    decision: str | None = Field(None, max_length=300)

    @model_validator(mode="after")
    def _one_successor(self) -> MergeCreate:
        if (self.successor_code is None) == (self.successor is None):
            raise ValueError("Cần đúng một trong successor_code (đã có) hoặc successor (tạo mới)")
        return self


class NotificationCreate(Strict):
    outlet_code: OutletCode | None = None
    organiser: str | None = Field(None, max_length=300, description="Đơn vị thông báo khi không phải cơ quan báo chí")
    kind: NotificationKind
    subject: str = Field(min_length=1, max_length=1000)
    filed_at: ReceivedMoment = Field(description="Thời điểm Sở nhận thông báo (có múi giờ; mặc định giờ Việt Nam)")
    event_at: Moment = Field(description="Thời điểm bắt đầu hoạt động, thay đổi hoặc họp báo")
    location: str | None = Field(None, max_length=500)
    notes: str | None = Field(None, max_length=4000)

    @model_validator(mode="after")
    def _who(self) -> NotificationCreate:
        if self.outlet_code is None and not self.organiser:
            raise ValueError("Cần outlet_code hoặc organiser")
        return self


class AnnualReportCreate(Strict):
    outlet_code: OutletCode
    year: int = Field(ge=2000, le=2100)
    filed_on: ReceivedDay
    notes: str | None = Field(None, max_length=2000)
