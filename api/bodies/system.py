"""What the application's own routes answer (GET /health)."""

from __future__ import annotations

from pydantic import Field

from api.bodies import Body


class ReplicaHealth(Body):
    name: str = Field(description="Tên bản sao đọc (replica-1, …) như ở nhật ký")
    up: bool = Field(description="Lần kiểm tra gần nhất kết nối được")
    usable: bool = Field(description="Đang nhận các yêu cầu đọc (kết nối được và trễ trong giới hạn)")
    lag_s: float | None = Field(description="Độ trễ so với máy chủ chính (giây); null khi chưa đo được")


class Health(Body):
    status: str = Field(description="ok")
    database: str = Field(description="ok")
    postgis: str = Field(description="Phiên bản PostGIS")
    schema_: str | None = Field(alias="schema", description="Phiên bản lược đồ (Alembic)")
    replicas: list[ReplicaHealth] | None = Field(
        None,
        description="Các bản sao đọc (TTTT_READ_DATABASE_URLS), khi có: không nêu địa chỉ; các yêu cầu đọc "
        "chuyển về máy chủ chính khi không bản sao nào dùng được",
    )
