"""Settings read from the environment (prefix ``TTTT_``; ``DATABASE_URL`` without prefix).

Limits that the API documents (page sizes, radius, bbox area, upload size) live here so that one
place says what they are and the OpenAPI schema can quote them.
"""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TTTT_", extra="ignore", populate_by_name=True)

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

    permit_expiring_days: int = Field(
        default=60, ge=0, le=3650, description="A permit expiring within this many days is 'expiring'"
    )
    colocation_radius_m: float = Field(default=500.0, gt=0, description="Sites this close are co-location candidates")
    max_colocation_candidates: int = Field(default=20, ge=1)

    reception_day_of_month: int = Field(
        default=15, ge=1, le=28, description="Citizen reception: this day of each month, or the next working day"
    )

    public_lookup_limit: int = Field(
        default=30, ge=1, le=100_000, description="Public dossier look-ups one client address may make per window"
    )
    public_lookup_window_seconds: int = Field(default=60, ge=1, le=86_400)
    public_lookup_max_clients: int = Field(
        default=10_000, ge=10, le=10_000_000, description="Client addresses remembered by the limiter (bounded memory)"
    )

    map_tiles_url: str | None = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Base-map tiles of the map pages; empty: a blank base (intranets, tests)",
    )
    tile_max_features: int = Field(default=2000, ge=16, le=50_000, description="No vector tile carries more")
    tile_cluster_below_zoom: int = Field(default=13, ge=0, le=22, description="Below this zoom points are clustered")
    map_cases_max: int = Field(
        default=20_000, ge=1, le=1_000_000, description="Most cases in one GeoJSON answer of the cases map (heat map)"
    )

    environment: Literal["development", "production"] = Field(
        default="production",
        validation_alias=AliasChoices("TTTT_ENV", "TTTT_ENVIRONMENT"),
        description="development: a secret key is generated under .data/ when none is set",
    )
    secret_key: SecretStr | None = Field(default=None, description="Keys the token hashes; required in production")
    token_ttl_minutes: int = Field(default=8 * 60, ge=1, le=60 * 24 * 30, description="Lifetime of a login token")
    max_failed_logins: int = Field(default=5, ge=1, description="Consecutive failures before an account is locked")
    lockout_minutes: int = Field(default=15, ge=1)

    def secret(self) -> bytes:
        """The secret key; in development one is made once and kept in ``.data/secret-key``."""
        if self.secret_key is not None:
            value = self.secret_key.get_secret_value()
            if len(value) < 32:
                raise MissingSecret("TTTT_SECRET_KEY phải dài ít nhất 32 ký tự")
            return value.encode()
        if self.environment != "development":
            raise MissingSecret(
                "Chưa đặt TTTT_SECRET_KEY: ngoài môi trường phát triển (TTTT_ENV=development) ứng dụng không khởi động"
            )
        path = self.data_dir / "secret-key"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(secrets.token_urlsafe(48))
        return path.read_text().strip().encode()


class MissingSecret(RuntimeError):
    """The app may not start: no usable secret key."""


@lru_cache
def get_settings() -> Settings:
    return Settings()
