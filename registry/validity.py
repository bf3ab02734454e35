"""Validity of a licence or permit: the shared date and status fields, their rules, and applying them.

Station permits, frequency licences and press licences all carry the same validity fields (issuer,
issue and validity dates, suspension, revocation). Their input shape (``ValidityFields``), the
consistency check of the stored dates (``check_dates``) and the copying of entered values onto a
record (``apply_fields``) live here, so every area reads and refuses them the same way. The stored
columns are the ``ValidityColumns`` mixin; the status they give on a day is ``permit_status()`` in SQL.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from pydantic import Field, model_validator
from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.errors import FieldError, ValidationFailed
from registry.schemas import Day, Strict

VALIDITY = (
    "issuer",
    "issue_date",
    "valid_from",
    "valid_until",
    "conditions",
    "suspended_from",
    "suspended_until",
    "revoked_on",
    "status_reason",
    "notes",
)


class ValidityColumns:
    """Dates that decide a permit's or licence's status on a given day (``permit_status()`` in SQL)."""

    number: Mapped[str] = mapped_column(String(60))
    issuer: Mapped[str | None] = mapped_column(Text)
    issue_date: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date | None] = mapped_column(Date)  # None: from the issue date
    valid_until: Mapped[date | None] = mapped_column(Date)  # inclusive; None: no end
    conditions: Mapped[str | None] = mapped_column(Text)
    suspended_from: Mapped[date | None] = mapped_column(Date)
    suspended_until: Mapped[date | None] = mapped_column(Date)  # inclusive; None: until lifted
    revoked_on: Mapped[date | None] = mapped_column(Date)
    status_reason: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)


class ValidityFields(Strict):
    issuer: str | None = Field(None, max_length=300)
    issue_date: Day | None = None
    valid_from: Day | None = Field(None, description="Bỏ trống: từ ngày cấp")
    valid_until: Day | None = Field(None, description="Hết hiệu lực sau ngày này; bỏ trống: không thời hạn")
    conditions: str | None = Field(None, max_length=4000)
    suspended_from: Day | None = None
    suspended_until: Day | None = Field(None, description="Đình chỉ đến hết ngày này; bỏ trống: đến khi gỡ")
    revoked_on: Day | None = None
    status_reason: str | None = Field(None, max_length=2000)
    notes: str | None = Field(None, max_length=4000)

    @model_validator(mode="after")
    def _dates(self) -> Any:
        start = self.valid_from or self.issue_date
        if self.valid_until is not None and start is not None and self.valid_until < start:
            raise ValueError("valid_until phải sau valid_from (hoặc ngày cấp)")
        if self.suspended_until is not None and self.suspended_from is None:
            raise ValueError("suspended_until cần đi cùng suspended_from")
        if (
            self.suspended_until is not None
            and self.suspended_from is not None
            and self.suspended_until < self.suspended_from
        ):
            raise ValueError("suspended_until phải sau suspended_from")
        return self


class Dated(Protocol):
    issue_date: date | None
    valid_from: date | None
    valid_until: date | None
    suspended_from: date | None
    suspended_until: date | None


def check_dates(record: Dated) -> None:
    """The stored dates after a change: a PATCH of one date is checked against the others kept."""
    start = record.valid_from or record.issue_date
    errors = []
    if record.valid_until is not None and start is not None and record.valid_until < start:
        errors.append(FieldError("Ngày hết hiệu lực trước ngày bắt đầu hiệu lực", field="valid_until"))
    if record.suspended_until is not None and (
        record.suspended_from is None or record.suspended_until < record.suspended_from
    ):
        errors.append(FieldError("Ngày hết đình chỉ phải sau ngày đình chỉ", field="suspended_until"))
    if errors:
        raise ValidationFailed("Ngày tháng không nhất quán", errors)


def apply_fields(record: Any, fields: dict[str, Any], names: tuple[str, ...]) -> None:
    """Copy the entered ``names`` present in ``fields`` onto ``record`` (enums as their values)."""
    for key in names:
        if key in fields:
            value = fields[key]
            setattr(record, key, value.value if hasattr(value, "value") else value)
