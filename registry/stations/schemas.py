"""Shapes of sites and stations as the API takes them. Field names are English snake_case."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from registry.schemas import Day
from registry.stations.models import PoleClass, Provenance, SiteStatus, StationStatus, Technology

Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("Không được chứa ký tự NUL")
        return value


class PositionIn(Strict):
    """A point in any supported CRS: lon/lat for geographic CRSs, easting/northing for projected.

    VN-2000 projected coordinates are often written X = northing, Y = easting: send them as
    ``northing`` and ``easting`` by name, never by position.
    """

    crs: int = Field(4326, description="EPSG code: 4326, 4756, 3405, 3406, 5896–5899, 9205–9218")
    lon: float | None = Field(None, description="Kinh độ (CRS địa lý)")
    lat: float | None = Field(None, description="Vĩ độ (CRS địa lý)")
    easting: float | None = Field(None, description="Tọa độ Y (hướng Đông) của hệ phẳng")
    northing: float | None = Field(None, description="Tọa độ X (hướng Bắc) của hệ phẳng")
    provenance: Provenance | None = Field(None, description="Mặc định: gps cho kinh/vĩ độ, survey cho tọa độ phẳng")

    @model_validator(mode="after")
    def _one_pair(self) -> PositionIn:
        geographic = self.lon is not None or self.lat is not None
        projected = self.easting is not None or self.northing is not None
        if geographic == projected:
            raise ValueError("Cần đúng một cặp tọa độ: (lon, lat) hoặc (easting, northing)")
        if geographic and (self.lon is None or self.lat is None):
            raise ValueError("Thiếu kinh độ hoặc vĩ độ")
        if projected and (self.easting is None or self.northing is None):
            raise ValueError("Thiếu easting hoặc northing")
        return self

    @property
    def provenance_or_default(self) -> str:
        if self.provenance is not None:
            return self.provenance.value
        return Provenance.gps.value if self.lon is not None else Provenance.survey.value

    @property
    def source_xy(self) -> tuple[float, float]:
        if self.lon is not None and self.lat is not None:
            return self.lon, self.lat
        assert self.easting is not None and self.northing is not None
        return self.easting, self.northing


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


def _not_null(value: Any) -> Any:
    if value is None:
        raise ValueError("Không được đặt rỗng (null); bỏ trường ra nếu không đổi")
    return value


class SitePatch(SiteFields):
    position: PositionIn | None = None

    _no_null = field_validator("position", "status", mode="before")(_not_null)


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
    _no_null = field_validator("site_code", "status", "technologies", "bands", "sectors", mode="before")(_not_null)
