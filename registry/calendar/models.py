from __future__ import annotations

from datetime import date

from sqlalchemy import Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.audit.models import Audited
from registry.base import Base, Tracked, enum_check


class CalendarDay(Audited, Tracked, Base):
    """A day that differs from the Monday–Friday week: a day off on a weekday (or a holiday on a
    weekend, kept for the record), or a weekend day worked in exchange for a bridge holiday."""

    __tablename__ = "calendar_day"
    __audit_entity__ = "calendar_day"
    __table_args__ = (
        enum_check("kind", ["off", "working"]),
        enum_check("source", ["holidays", "admin"]),
    )

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(8))
    name: Mapped[str] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    legal_basis: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(10), default="admin")
