"""Shapes of permits, frequency licences and permit rules as the API takes them."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator, model_validator

from registry.permits.models import PermitKind
from registry.positions import PositionIn
from registry.schemas import Code, Day, Strict, not_null
from registry.stations.models import PoleClass
from registry.validity import ValidityFields
from registry.zones.models import ZoneKind

Number = Annotated[str, Field(min_length=1, max_length=60)]


class PermitCreate(ValidityFields):
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


class PermitPatch(ValidityFields):
    number: Number | None = None

    _no_null = field_validator("number", mode="before")(not_null)


class FrequencyLicenceCreate(ValidityFields):
    operator: str = Field(min_length=1, max_length=200, description="Mã hoặc tên doanh nghiệp")
    band: str = Field(min_length=1, max_length=16, pattern=r"^[0-9A-Za-z./-]+$", description="Băng tần, ví dụ 1800")
    number: Number


class FrequencyLicencePatch(ValidityFields):
    number: Number | None = None
    band: str | None = Field(None, min_length=1, max_length=16, pattern=r"^[0-9A-Za-z./-]+$")

    _no_null = field_validator("number", "band", mode="before")(not_null)


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
    )(not_null)


class ProposedSite(Strict):
    """A structure that might be built: checked, never stored."""

    position: PositionIn
    pole_class: PoleClass
    pole_height_m: float = Field(gt=0, le=300)
    building_height_m: float | None = Field(None, ge=0, le=500)
    on: Day | None = Field(None, description="Ngày xét (mặc định hôm nay)")
