from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, Integer, LargeBinary, String, Text, func
from sqlalchemy.orm import Mapped, deferred, mapped_column

from registry.audit.models import Audited
from registry.base import Base, enum_check

MEDIA_TYPES = ("application/pdf", "image/jpeg", "image/png")


class Document(Audited, Base):
    """One stored file; identical files are kept once (same checksum)."""

    __tablename__ = "document"
    __audit_entity__ = "document"
    # The bytes, and the name (a letter's file name may name its writer), stay out of the trail.
    __audit_exclude__ = frozenset({"content", "filename"})
    __table_args__ = (
        enum_check("media_type", ["application/pdf", "image/jpeg", "image/png"]),
        CheckConstraint("sha256 ~ '^[0-9a-f]{64}$'", name="sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    filename: Mapped[str] = mapped_column(Text)
    media_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = deferred(mapped_column(LargeBinary, nullable=False))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
