"""Shapes of planning zones and spacing rules as the API takes them."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field, field_validator, model_validator

from registry.schemas import Code, Day, Strict, not_null
from registry.stations.models import PoleClass
from registry.zones.models import ZoneKind

ZoneCode = Code
# "A1" or "A2" stand for every class of that group.
AllowedClass = Annotated[str, Field(pattern=r"^A[12][abc]?$")]


class _ZoneFields(Strict):
    name: str | None = Field(None, min_length=1, max_length=300)
    kind: ZoneKind | None = None
    geometry: dict[str, Any] | None = Field(None, description="GeoJSON Polygon hoặc MultiPolygon (WGS 84)")
    allowed_pole_classes: list[AllowedClass] | None = Field(None, max_length=8)
    max_height_m: float | None = Field(None, gt=0, le=1000, description="Chiều cao cột tối đa")
    urban: bool | None = Field(None, description="Bỏ trống: theo đơn vị hành chính")
    source_decision: str | None = Field(None, max_length=500)
    valid_from: Day | None = None
    valid_to: Day | None = Field(None, description="Hết hiệu lực từ ngày này")
    notes: str | None = Field(None, max_length=4000)

    @model_validator(mode="after")
    def _dates(self) -> Any:
        if self.valid_from and self.valid_to and self.valid_to <= self.valid_from:
            raise ValueError("valid_to phải sau valid_from")
        return self


class ZoneCreate(_ZoneFields):
    code: ZoneCode
    name: str = Field(min_length=1, max_length=300)  # type: ignore[assignment]
    kind: ZoneKind  # type: ignore[assignment]
    geometry: dict[str, Any]  # type: ignore[assignment]


class ZonePatch(_ZoneFields):
    _no_null = field_validator("name", "kind", "geometry", mode="before")(not_null)


class SpacingRuleFields(Strict):
    pole_class: Annotated[str, Field(pattern=r"^A2[abc]?$")] | None = None
    height_above_m: float | None = Field(None, ge=0, le=1000)
    height_up_to_m: float | None = Field(None, gt=0, le=1000)
    urban: bool | None = None
    min_distance_m: float | None = Field(None, gt=0, le=100_000)
    legal_basis: str | None = Field(None, min_length=1, max_length=2000)
    effective_to: Day | None = None


class SpacingRuleCreate(SpacingRuleFields):
    zone_code: ZoneCode | None = Field(None, description="Bỏ trống: áp dụng chung")
    pole_class: Annotated[str, Field(pattern=r"^A2[abc]?$")]  # type: ignore[assignment]
    min_distance_m: float = Field(gt=0, le=100_000)  # type: ignore[assignment]
    legal_basis: str = Field(min_length=1, max_length=2000)  # type: ignore[assignment]
    effective_from: Day


class SpacingRulePatch(SpacingRuleFields):
    effective_from: Day | None = None

    _no_null = field_validator("pole_class", "min_distance_m", "legal_basis", "effective_from", mode="before")(not_null)


POLE_CLASSES = [p.value for p in PoleClass]
