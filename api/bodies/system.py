"""What the application's own routes answer (GET /health)."""

from __future__ import annotations

from pydantic import Field

from api.bodies import Body


class Health(Body):
    status: str = Field(description="ok")
    database: str = Field(description="ok")
    postgis: str = Field(description="Phiên bản PostGIS")
    schema_: str | None = Field(alias="schema", description="Phiên bản lược đồ (Alembic)")
