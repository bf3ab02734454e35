"""Input types shared by every area's schemas and by the API's query parameters.

Dates: every date or time a user enters is a ``Day`` or a ``Moment``, bounded to
``TTTT_MIN_INPUT_DATE`` … ``TTTT_MAX_INPUT_DATE`` (1900-01-01 … 2200-12-31 by default). Python's
dates run from year 1 to 9999, so ``9999-12-31`` parses, and then a deadline one day later, a
calendar lookup or PostgreSQL's own range fails deep inside a service as a 500; the bound makes it a
422 naming the field. ``ReceivedDay``/``ReceivedMoment`` are days something arrived at the department:
no later than tomorrow (a day of slack for time zones and clocks).

Every area's input models derive from ``Strict`` (unknown fields refused, text stripped, NUL refused);
record codes are ``Code``; ``not_null`` is the validator for PATCH fields that may be left out but not
set to null.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from registry.clock import today
from registry.settings import get_settings


def _bounds() -> tuple[date, date]:
    settings = get_settings()
    return settings.min_input_date, settings.max_input_date


def day_in_range(value: date) -> date:
    low, high = _bounds()
    if not low <= value <= high:
        raise ValueError(f"Ngày phải trong khoảng {low:%d/%m/%Y} – {high:%d/%m/%Y}")
    return value


def moment_in_range(value: datetime) -> datetime:
    low, high = _bounds()
    if not low <= value.date() <= high:
        raise ValueError(f"Thời điểm phải trong khoảng {low:%d/%m/%Y} – {high:%d/%m/%Y}")
    return value


def not_after_tomorrow(value: date | datetime) -> date | datetime:
    day = value.date() if isinstance(value, datetime) else value
    if day > today() + timedelta(days=1):
        raise ValueError("Ngày tiếp nhận không được ở tương lai")
    return value


def vietnamese_day(value: Any) -> Any:
    """``dd/mm/yyyy`` (as every page shows and takes dates, ``d/m/yyyy`` too) into an ISO date text;
    any other value is left to pydantic (ISO ``yyyy-mm-dd`` stays the API's form)."""
    if isinstance(value, str):
        parts = value.strip().split("/")
        if len(parts) == 3 and all(p.isdigit() for p in parts) and len(parts[2]) == 4 and len(parts[0]) <= 2:
            d, m, y = parts
            if len(m) <= 2:
                return f"{y}-{int(m):02d}-{int(d):02d}"
    return value


Day = Annotated[date, BeforeValidator(vietnamese_day), AfterValidator(day_in_range)]
Moment = Annotated[datetime, AfterValidator(moment_in_range)]
ReceivedDay = Annotated[
    date, BeforeValidator(vietnamese_day), AfterValidator(day_in_range), AfterValidator(not_after_tomorrow)
]
ReceivedMoment = Annotated[datetime, AfterValidator(moment_in_range), AfterValidator(not_after_tomorrow)]


Code = Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$")]


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(v) for v in value.values())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _has_nul(value):
            raise ValueError("Không được chứa ký tự NUL")
        return value


def not_null(value: Any) -> Any:
    """For a PATCH field: leaving it out keeps the value, null is refused rather than guessed."""
    if value is None:
        raise ValueError("Không được đặt rỗng (null); bỏ trường ra nếu không đổi")
    return value
