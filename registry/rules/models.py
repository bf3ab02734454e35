"""A legal constant in force from a day: the one-stop cut-off hour, the days to pay a fine …

Each code names one rule; its values follow one another in time (a new decree adds a row from its
effective date and closes the previous one). The kind says how the text value reads.
"""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy import CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from registry.audit.models import Audited
from registry.base import Base, InForce, Tracked, enum_check


class ValueKind(StrEnum):
    integer = "integer"
    decimal = "decimal"
    time = "time"  # HH:MM, Vietnam time
    month_day = "month_day"  # MM-DD, a day of every year


class RuleValue(InForce, Audited, Tracked, Base):
    __tablename__ = "rule_value"
    __audit_entity__ = "rule_value"
    __table_args__ = (
        CheckConstraint(f"kind IN ({', '.join(repr(k.value) for k in ValueKind)})", name="kind"),
        enum_check("certainty", ["firm", "check"]),
        CheckConstraint("effective_to IS NULL OR effective_to > effective_from", name="dates"),
        UniqueConstraint("code", "effective_from", name="uq_rule_value_code_from"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    value: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(Text)
    certainty: Mapped[str] = mapped_column(String(8), default="check")
