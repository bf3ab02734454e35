"""What the routes of api/users.py (and api/auth.py) answer (see api.bodies)."""

from __future__ import annotations

from pydantic import Field

from api.bodies import Body


class ListUser(Body):
    """Một tài khoản."""

    username: str
    full_name: str | None
    email: str | None
    unit: str | None
    roles: list[str]
    active: bool
    locked_until: str | None = Field(description="Thời điểm ISO 8601")
    last_login_at: str | None = Field(description="Thời điểm ISO 8601")
    version: int
    created_at: str | None = Field(description="Thời điểm ISO 8601")


class CreateUser(ListUser):
    password: str | None = Field(default=None, description="Chỉ khi hệ thống tạo: hiện một lần")


class ResetPassword(Body):
    username: str
    password: str = Field(description="Mật khẩu mới, hiện một lần")
