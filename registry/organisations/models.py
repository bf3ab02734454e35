from __future__ import annotations

from sqlalchemy import Boolean, String, Text
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column

from registry.audit.models import Audited
from registry.base import Base, Tracked


class Organisation(Audited, Tracked, Base):
    __audit_entity__ = "organisation"
    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(Text)
    short_name: Mapped[str | None] = mapped_column(String(80))
    is_operator: Mapped[bool] = mapped_column(Boolean, default=False, server_default="false")
    tax_code: Mapped[str | None] = mapped_column(String(20))
    # Other names found in operators' spreadsheets ("VinaPhone", "Tổng công ty Viễn thông MobiFone").
    aliases: Mapped[list[str]] = mapped_column(ARRAY(Text), default=list, server_default="{}")
