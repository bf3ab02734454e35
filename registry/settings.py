"""Settings read from the environment (prefix ``TTTT_``; ``DATABASE_URL`` without prefix).

Limits that the API documents (page sizes, radius, bbox area, upload size) live here so that one
place says what they are and the OpenAPI schema can quote them.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TTTT_", extra="ignore")

    database_url: str | None = Field(
        default=None,
        validation_alias=AliasChoices("DATABASE_URL", "TTTT_DATABASE_URL"),
        description="Any PostGIS; unset = the private cluster under .data/",
    )
    data_dir: Path = PROJECT_ROOT / ".data"
    database_name: str = "tttt"

    department_name: str = "Sở Khoa học và Công nghệ thành phố Hải Phòng"
    province_code: str = "31"
    site_code_prefix: str = "HP"

    default_page_size: int = 100
    max_page_size: int = 1000
    max_export_rows: int = 200_000
    max_radius_m: float = 50_000.0
    max_bbox_area_km2: float = 20_000.0
    max_nearest: int = 100
    max_upload_bytes: int = 20 * 1024 * 1024
    max_import_rows: int = 100_000

    duplicate_site_distance_m: float = Field(
        default=5.0, description="Two sites closer than this are reported as the same site entered twice"
    )
    province_tolerance_m: float = Field(default=2_000.0, description="Slack around the (approximate) province boundary")


@lru_cache
def get_settings() -> Settings:
    return Settings()
