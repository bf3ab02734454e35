"""What the routes of api/imports.py answer (see api.bodies)."""

from __future__ import annotations

from api.bodies import Body
from api.bodies.common import RowError


class ImportStationsWarning(Body):
    message: str
    row: int
    column: str
    code: str | None
    value: float = None


class ImportStations(Body):
    valid: bool
    rows: int
    dry_run: bool
    sites_created: int
    sites_updated: int
    sites_reused: int
    stations_created: int
    stations_updated: int
    stations_unchanged: int
    organisations_created: list[str]
    errors: list[RowError]
    warnings: list[ImportStationsWarning]


class ImportPressOutlets(Body):
    rows: int
    created: int
    updated: int
    unchanged: int
    dry_run: bool
    errors: list[RowError]
