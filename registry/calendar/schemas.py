"""What an admin sends to change a day of the calendar (the API's body and the office form's model)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from registry.schemas import Strict


class DayIn(Strict):
    kind: Literal["off", "working"] = Field(description="off: ngày nghỉ; working: ngày làm việc bù")
    name: str = Field(min_length=1, max_length=200)
    reason: str = Field(min_length=1, max_length=2000, description="Lý do thay đổi")
    legal_basis: str | None = Field(None, max_length=500)
