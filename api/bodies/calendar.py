"""What the routes of api/calendar.py answer (see api.bodies)."""

from __future__ import annotations

from pydantic import Field

from api.bodies import Body


class Deadline(Body):
    counted_from: str
    due: str
    working_days: int | None = Field(description="Khi hạn tính theo ngày làm việc")
    calendar_days: int | None = Field(description="Khi hạn tính theo ngày lịch")


class YearDay(Body):
    date: str
    weekday: int
    kind: str | None
    name: str | None
    reason: str | None
    legal_basis: str | None
    source: str
    version: int


class Year(Body):
    year: int
    lunar_new_year: str
    working_days: int | None = Field(description="Rỗng khi lịch chưa có đủ cả năm")
    days: list[YearDay]
