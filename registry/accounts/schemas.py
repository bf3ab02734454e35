"""Shapes of accounts as the API and the command line take them."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from registry.accounts.models import USERNAME_PATTERN, Role


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


def _unique_roles(value: list[Role] | None) -> list[Role] | None:
    return sorted(set(value), key=lambda r: r.value) if value is not None else None


class UserCreate(_Strict):
    username: str = Field(min_length=2, max_length=63, pattern=USERNAME_PATTERN, description="Chữ thường, số, . _ -")
    full_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")
    unit: str | None = Field(None, max_length=200, description="Phòng/đơn vị")
    roles: list[Role] = Field(min_length=1, max_length=len(Role))
    password: str | None = Field(None, max_length=256, description="Bỏ trống: hệ thống tạo và trả về một lần")

    _roles = field_validator("roles")(_unique_roles)

    @field_validator("username", mode="before")
    @classmethod
    def _lower(cls, value: object) -> object:
        return value.strip().lower() if isinstance(value, str) else value


class UserPatch(_Strict):
    full_name: str | None = Field(None, max_length=200)
    email: str | None = Field(None, max_length=254, pattern=r"^[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+$")
    unit: str | None = Field(None, max_length=200)
    roles: list[Role] | None = Field(None, min_length=1, max_length=len(Role))
    active: bool | None = None

    _roles = field_validator("roles")(_unique_roles)


class PasswordChange(_Strict):
    current_password: str = Field(max_length=256)
    new_password: str = Field(max_length=256)
