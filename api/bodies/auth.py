"""What the routes of api/auth.py answer (see api.bodies)."""

from __future__ import annotations

from pydantic import Field

from api.bodies import Body
from api.bodies.users import ListUser


class IssueToken(Body):
    access_token: str
    token_type: str = Field(description="Luôn là bearer")
    expires_in: int = Field(description="Số giây còn hiệu lực")
    expires_at: str = Field(description="Thời điểm ISO 8601")
    user: ListUser


class Me(ListUser):
    role_names: list[str] = Field(description="Tên các vai trò")
