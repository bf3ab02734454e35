"""Shapes of sites and stations as the API takes them. Field names are English snake_case."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator

from registry.positions import PositionIn
from registry.schemas import Code, Day, Strict, not_null
from registry.stations.models import PoleClass, SiteStatus, StationStatus, Technology


class SiteFields(Strict):
    address: str | None = Field(None, max_length=500)
    commune: str | None = Field(None, max_length=200, description="Tên xã/phường như nguồn ghi")
    pole_class: PoleClass | None = None
    pole_height_m: float | None = Field(None, gt=0, le=300)
    building_height_m: float | None = Field(None, ge=0, le=500)
    ground_elevation_m: float | None = Field(None, ge=-100, le=3200)
    owner: str | None = Field(None, max_length=200, description="Mã hoặc tên tổ chức sở hữu cột")
    status: SiteStatus | None = None
    notes: str | None = Field(None, max_length=4000)


class SiteCreate(SiteFields):
    code: Code | None = Field(None, description="Bỏ trống để hệ thống cấp mã mới (HP-00001 …)")
    position: PositionIn


class SitePatch(SiteFields):
    position: PositionIn | None = None

    _no_null = field_validator("position", "status", mode="before")(not_null)


MAX_SECTORS = 24
EIRP_MAX_W = 1_000_000.0


class SectorIn(Strict):
    azimuth_deg: float = Field(ge=0, lt=360)
    tilt_deg: float | None = Field(None, ge=-90, le=90)
    eirp_w: float | None = Field(None, gt=0, le=EIRP_MAX_W)


class StationFields(Strict):
    technologies: list[Technology] | None = None
    bands: list[Annotated[str, Field(min_length=1, max_length=16)]] | None = None
    status: StationStatus | None = None
    commissioning_date: Day | None = None
    equipment_model: str | None = Field(None, max_length=200)
    configuration: str | None = Field(None, max_length=40)
    sectors: list[SectorIn] | None = Field(None, max_length=MAX_SECTORS)

    @field_validator("technologies")
    @classmethod
    def _unique_technologies(cls, value: list[Technology] | None) -> list[Technology] | None:
        return sorted(set(value), key=lambda t: t.value) if value is not None else None


class StationCreate(StationFields):
    operator: str = Field(min_length=1, max_length=200, description="Mã hoặc tên doanh nghiệp")
    station_code: Annotated[str, Field(min_length=1, max_length=60)]
    site_code: Code


class StationPatch(StationFields):
    site_code: Code | None = None

    # Empty lists clear technologies, bands or sectors; null is refused rather than guessed.
    _no_null = field_validator("site_code", "status", "technologies", "bands", "sectors", mode="before")(not_null)
