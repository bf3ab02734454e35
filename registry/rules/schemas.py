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
