"""Settings read from the environment (prefix ``TTTT_``; ``DATABASE_URL`` without prefix).

Limits that the API documents (page sizes, radius, bbox area, upload size) live here so that one
place says what they are and the OpenAPI schema can quote them.
"""

from __future__ import annotations

import ipaddress
import secrets
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

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
    pg_bindir: Path | None = Field(
        default=None,
        description="Folder of pg_dump/pg_restore for tttt db backup|restore; unset = the server's major "
        "under /usr/lib/postgresql/<major>/bin, else pg_config --bindir",
    )

    department_name: str = "Sở Khoa học và Công nghệ thành phố Hải Phòng"
    public_base_url: str = Field(
        default="http://127.0.0.1:8000",
        description="The address the public reaches this service at (scheme://host[:port], no trailing /); the "
        "receipt prints the look-up address and its QR code from it (TTTT_PUBLIC_BASE_URL)",
    )
    province_code: str = "31"
    site_code_prefix: str = "HP"

    default_page_size: int = 100
    max_page_size: int = 1000
    max_export_rows: int = 200_000
    max_radius_m: float = 50_000.0
    max_bbox_area_km2: float = 20_000.0
    max_nearest: int = 100
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024, ge=1024, description="Largest multipart upload, counted as it arrives"
    )
    max_json_bytes: int = Field(
        default=1024 * 1024, ge=1024, description="Largest JSON or form body, counted as it arrives"
    )
    max_import_rows: int = 100_000
    max_import_columns: int = Field(default=200, ge=1, description="Most columns in one row of an imported sheet")
    max_import_cells: int = Field(
        default=5_000_000, ge=1, description="Most cells (rows x columns of the used area) in one imported sheet"
    )
    max_cell_chars: int = Field(default=10_000, ge=1, description="Longest text in one cell of an imported sheet")
    # An operator's sheet of max_import_rows rows (100,000 stations × 18 columns, as Excel or openpyxl
    # writes it) unzips to about 140 MB; what calamine builds is bounded by max_import_cells anyway.
    max_xlsx_uncompressed_bytes: int = Field(
        default=256 * 1024 * 1024, ge=1024, description="Largest total size of an .xlsx once unzipped"
    )
    max_xlsx_shared_strings_bytes: int = Field(
        default=50 * 1024 * 1024, ge=1024, description="Largest sharedStrings.xml of an .xlsx once unzipped"
    )
    max_xlsx_members: int = Field(default=1000, ge=1, description="Most files inside one .xlsx")
    max_xlsx_compression_ratio: float = Field(
        default=100.0, ge=1, description="Largest unzipped/zipped ratio of any .xlsx member over 1 MiB"
    )
    max_geometry_vertices: int = Field(default=10_000, ge=4, description="Most vertices in one geometry input")
    max_zone_features: int = Field(default=5_000, ge=1, description="Most zones in one import file")
    min_input_date: date = Field(default=date(1900, 1, 1), description="Earliest day any date field accepts")
    max_input_date: date = Field(default=date(2200, 12, 31), description="Latest day any date field accepts")

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
    basemap_file: Path | None = Field(
        default=None,
        description="A local base map: an MBTiles or PMTiles file of raster (PNG, JPEG, WebP) or vector (MVT) "
        "tiles that the app serves at /basemap/{z}/{x}/{y}.{ext} and the map pages use instead of "
        "TTTT_MAP_TILES_URL (no internet needed); unset or empty: TTTT_MAP_TILES_URL",
    )
    tile_max_features: int = Field(default=2000, ge=16, le=50_000, description="No vector tile carries more")
    tile_cluster_below_zoom: int = Field(default=13, ge=0, le=22, description="Below this zoom points are clustered")
    emf_beamwidth_deg: float = Field(
        default=65.0, gt=0, le=360, description="Width of the wedge a map draws for a sector's EMF safety distance"
    )
    emf_max_bbox_area_km2: float = Field(
        default=100.0, gt=0, le=20_000, description="Largest bbox of one safety-distance (EMF wedges) answer"
    )
    emf_max_sectors: int = Field(
        default=3000, ge=1, le=100_000, description="Most sector wedges in one safety-distance answer"
    )
    map_cases_max: int = Field(
        default=20_000, ge=1, le=1_000_000, description="Most cases in one GeoJSON answer of the cases map (heat map)"
    )
    case_deadline_scan_max: int = Field(
        default=2000, ge=1, le=100_000, description="Open cases a deadline list computes deadlines for (newest first)"
    )
    case_export_max: int = Field(
        default=5000, ge=1, le=100_000, description="Rows of one case list export (each row's deadline is computed)"
    )
    offline_max_sites: int = Field(
        default=1500, ge=1, le=100_000, description="Most sites of one commune saved for use without the network"
    )
    offline_max_tiles: int = Field(
        default=400, ge=0, le=20_000, description="Most vector tiles (z 12-17) saved with a commune; more: none"
    )
    offline_stale_days: int = Field(default=7, ge=1, le=365, description="Saved data older than this is marked stale")

    db_pool_size: int = Field(
        default=5,
        ge=1,
        le=100,
        description="Connections each server process keeps open; total = workers × (pool + overflow), which "
        "must stay under PostgreSQL's max_connections",
    )
    db_max_overflow: int = Field(default=5, ge=0, le=100, description="Extra connections a process opens under load")
    db_pool_timeout_s: float = Field(
        default=5.0, gt=0, le=300, description="Longest wait for a free connection; then 503 with Retry-After"
    )
    db_connect_timeout_s: int = Field(
        default=5, ge=1, le=300, description="Longest wait to open a connection (database down: 503, not a hang)"
    )
    db_statement_timeout_ms: int = Field(
        default=15_000, ge=0, description="Longest statement of an ordinary request (0 = none); then 503"
    )
    db_lock_timeout_ms: int = Field(
        default=3_000, ge=0, description="Longest wait for a row or the site-writes lock (ordinary request); then 503"
    )
    db_long_statement_timeout_ms: int = Field(
        default=600_000, ge=0, description="Longest statement of an import, export or report request (0 = none)"
    )
    db_long_lock_timeout_ms: int = Field(
        default=30_000, ge=0, description="Longest lock wait of an import, export or report request (0 = none)"
    )
    db_retry_after_s: int = Field(
        default=5, ge=1, le=3600, description="Retry-After sent with a 503 when the database is busy or unreachable"
    )
    db_transaction_pooler: bool = Field(
        default=False,
        description="The database URLs lead to a pooler in transaction mode (PgBouncer): no startup options and "
        "no server-side prepared statements; every transaction sets its own bounds (SET LOCAL)",
    )

    read_database_urls: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Read replicas (PostgreSQL streaming standbys of DATABASE_URL), comma-separated; reads that "
        "may be a moment old go to them (registry/replicas.py); empty: everything on the primary",
    )
    replica_max_lag_s: float = Field(
        default=5.0, gt=0, le=3600, description="A replica further behind the primary than this is skipped"
    )
    read_your_writes_s: float = Field(
        default=30.0,
        gt=0,
        le=3600,
        description="After a write, its writer reads from the primary until a replica has replayed it, for at most "
        "this long",
    )
    replica_check_interval_s: float = Field(
        default=1.0, gt=0, le=60, description="How often each server process checks every replica's health and lag"
    )
    read_debug_header: bool = Field(
        default=False, description="Answers say which database served their reads (X-TTTT-Read-From): tests, benches"
    )
    public_max_age_s: int = Field(
        default=60,
        ge=0,
        le=86_400,
        description="Cache-Control max-age of public tiles and lists: how long a cache in front may answer alone",
    )

    list_count_max: int = Field(
        default=10_000,
        ge=1,
        description="numberMatched of a list page is counted up to this many matches (or the page's end); "
        "past it the answer leaves it out and still links the next page",
    )
    strict_responses: bool = Field(
        default=False,
        description="A JSON answer that does not match its documented model fails (the tests); otherwise it is "
        "sent as built and the mismatch logged",
    )
    environment: Literal["development", "production"] = Field(
        default="production",
        validation_alias=AliasChoices("TTTT_ENV", "TTTT_ENVIRONMENT"),
        description="development: a secret key is generated under .data/ when none is set",
    )
    secret_key: SecretStr | None = Field(default=None, description="Keys the token hashes; required in production")
    token_ttl_minutes: int = Field(default=8 * 60, ge=1, le=60 * 24 * 30, description="Lifetime of a login token")
    max_failed_logins: int = Field(
        default=5,
        ge=1,
        le=1000,
        description="Sign-in attempts one client address may make for one account name per window (429 after); "
        "the account itself is never locked, so the same name signs in from another address",
    )
    max_failed_logins_per_client: int = Field(
        default=50,
        ge=1,
        le=100_000,
        description="Failed sign-ins one client address may make over all names per window (no name spraying)",
    )
    sign_in_window_minutes: int = Field(
        default=15,
        ge=1,
        le=24 * 60,
        description="Sign-in throttle window: counts start at the first failure and end with the window",
    )
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list,
        description="Reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed: comma-separated IPs "
        "or CIDRs (TTTT_TRUSTED_PROXIES=10.0.0.5,10.1.0.0/16); empty: the TCP peer is the client",
    )

    @field_validator("basemap_file", mode="before")
    @classmethod
    def _basemap_file(cls, value: object) -> object:
        return None if isinstance(value, str) and not value.strip() else value

    @field_validator("read_database_urls", mode="before")
    @classmethod
    def _read_urls(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            for item in value:
                if not str(item).startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
                    # The value may hold a password: say which one by position, never echo it.
                    position = list(value).index(item) + 1
                    raise ValueError(f"TTTT_READ_DATABASE_URLS: URL thứ {position} không phải postgresql://…")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _proxies(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if isinstance(value, list | tuple):
            for item in value:
                try:
                    ipaddress.ip_network(str(item).strip(), strict=False)
                except ValueError:
                    raise ValueError(f"TTTT_TRUSTED_PROXIES: {item!r} is not an IP address or CIDR") from None
            return [str(ipaddress.ip_network(str(item).strip(), strict=False)) for item in value]
        return value

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
