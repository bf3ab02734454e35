"""Shapes of permits, frequency licences and permit rules as the API takes them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from registry.permits.models import PermitKind
from registry.schemas import Day
from registry.stations.models import PoleClass
from registry.stations.schemas import Code, PositionIn, Strict, _not_null
from registry.zones.models import ZoneKind

Number = Annotated[str, Field(min_length=1, max_length=60)]


class _ValidityFields(Strict):
    issuer: str | None = Field(None, max_length=300)
    issue_date: Day | None = None
    valid_from: Day | None = Field(None, description="Bỏ trống: từ ngày cấp")
    valid_until: Day | None = Field(None, description="Hết hiệu lực sau ngày này; bỏ trống: không thời hạn")
    conditions: str | None = Field(None, max_length=4000)
    suspended_from: Day | None = None
    suspended_until: Day | None = Field(None, description="Đình chỉ đến hết ngày này; bỏ trống: đến khi gỡ")
    revoked_on: Day | None = None
    status_reason: str | None = Field(None, max_length=2000)
    notes: str | None = Field(None, max_length=4000)

    @model_validator(mode="after")
    def _dates(self) -> Any:
        start = self.valid_from or self.issue_date
        if self.valid_until is not None and start is not None and self.valid_until < start:
            raise ValueError("valid_until phải sau valid_from (hoặc ngày cấp)")
        if self.suspended_until is not None and self.suspended_from is None:
            raise ValueError("suspended_until cần đi cùng suspended_from")
        if (
            self.suspended_until is not None
            and self.suspended_from is not None
            and self.suspended_until < self.suspended_from
        ):
            raise ValueError("suspended_until phải sau suspended_from")
        return self


class PermitCreate(_ValidityFields):
    kind: PermitKind
    number: Number
    site_code: Code | None = Field(None, description="Giấy phép của vị trí (xây dựng, thông báo, tĩnh không)")
    station_id: int | None = Field(None, ge=1, le=2**31 - 1, description="Giấy tờ của trạm (kiểm định, công bố)")

    @model_validator(mode="after")
    def _holder(self) -> PermitCreate:
        if (self.site_code is None) == (self.station_id is None):
            raise ValueError("Cần đúng một trong site_code hoặc station_id")
        station_kind = self.kind in (PermitKind.inspection_certificate, PermitKind.self_declaration)
        if station_kind and self.station_id is None:
            raise ValueError(f"{self.kind.value} là giấy tờ của trạm: cần station_id")
        if not station_kind and self.site_code is None:
            raise ValueError(f"{self.kind.value} là giấy phép của vị trí: cần site_code")
        return self


class PermitPatch(_ValidityFields):
    number: Number | None = None

    _no_null = field_validator("number", mode="before")(_not_null)


class FrequencyLicenceCreate(_ValidityFields):
    operator: str = Field(min_length=1, max_length=200, description="Mã hoặc tên doanh nghiệp")
    band: str = Field(min_length=1, max_length=16, pattern=r"^[0-9A-Za-z./-]+$", description="Băng tần, ví dụ 1800")
    number: Number


class FrequencyLicencePatch(_ValidityFields):
    number: Number | None = None
    band: str | None = Field(None, min_length=1, max_length=16, pattern=r"^[0-9A-Za-z./-]+$")

    _no_null = field_validator("number", "band", mode="before")(_not_null)


class _RuleFields(Strict):
    permit_kinds: list[PermitKind] | None = Field(None, min_length=1, max_length=6)
    pole_classes: list[PoleClass] | None = Field(None, max_length=6)
    min_height_m: float | None = Field(None, ge=0, le=1000)
    max_height_m: float | None = Field(None, gt=0, le=1000)
    zone_kinds: list[ZoneKind] | None = Field(None, max_length=6)
    description: str | None = Field(None, min_length=1, max_length=2000)
    legal_basis: str | None = Field(None, min_length=1, max_length=2000)
    certainty: str | None = Field(None, pattern="^(firm|check)$")
    effective_to: Day | None = None


class PermitRuleCreate(_RuleFields):
    code: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9_-]*$")]
    applies_to: str = Field(pattern="^(site|station)$")
    permit_kinds: list[PermitKind] = Field(min_length=1, max_length=6)  # type: ignore[assignment]
    description: str = Field(min_length=1, max_length=2000)  # type: ignore[assignment]
    legal_basis: str = Field(min_length=1, max_length=2000)  # type: ignore[assignment]
    effective_from: Day


class PermitRulePatch(_RuleFields):
    effective_from: Day | None = None

    _no_null = field_validator(
        "permit_kinds", "description", "legal_basis", "certainty", "effective_from", mode="before"
    )(_not_null)


class ProposedSite(Strict):
    """A structure that might be built: checked, never stored."""

    position: PositionIn
    pole_class: PoleClass
    pole_height_m: float = Field(gt=0, le=300)
    building_height_m: float | None = Field(None, ge=0, le=500)
    on: Day | None = Field(None, description="Ngày xét (mặc định hôm nay)")
