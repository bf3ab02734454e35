from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from registry.schemas import Day


class RuleValueCreate(BaseModel):
    """A new value of an existing rule from a day on (the previous value ends that day)."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(max_length=60, pattern=r"^[a-z][a-z0-9_.]*$")
    value: str = Field(min_length=1, max_length=40)
    effective_from: Day = Field(description="Ngày văn bản mới có hiệu lực")
    legal_basis: str = Field(min_length=1, max_length=2000, description="Văn bản, điều, khoản")
    description: str | None = Field(None, max_length=2000, description="Mặc định: như giá trị trước")
    certainty: Literal["firm", "check"] = "firm"


class DeadlineRuleVersion(BaseModel):
    """A new version of a case deadline rule from a day on: the same case kind, step and conditions,
    a new duration (or unit, start, basis); the version before it ends that day."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    code: str = Field(min_length=1, max_length=40, pattern=r"^[A-Z0-9][A-Z0-9_-]*$", description="Mã của phiên bản mới")
    duration: int = Field(ge=1, le=3650, description="Thời hạn (theo đơn vị)")
    unit: Literal["working_days", "calendar_days"]
    starts_from: Literal["received", "accepted", "previous_deadline"] | None = Field(
        None, description="Mặc định: như phiên bản trước"
    )
    effective_from: Day = Field(description="Ngày văn bản mới có hiệu lực")
    legal_basis: str = Field(min_length=1, max_length=2000, description="Văn bản, điều, khoản")
    description: str | None = Field(None, max_length=2000, description="Mặc định: như phiên bản trước")
    certainty: Literal["firm", "check"] = "firm"
