"""Storing an uploaded document: the type is read from the bytes, never from the name."""

from __future__ import annotations

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.documents.models import Document
from registry.errors import FieldError, LimitExceeded, ValidationFailed

_MAGIC = ((b"%PDF-", "application/pdf"), (b"\xff\xd8\xff", "image/jpeg"), (b"\x89PNG\r\n\x1a\n", "image/png"))


def sniff(data: bytes) -> str | None:
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return None


def store(session: Session, data: bytes, filename: str, *, max_bytes: int) -> Document:
    """The stored document for ``data`` (the existing row when the same file was stored before)."""
    if len(data) > max_bytes:
        raise LimitExceeded(f"Tệp lớn hơn {max_bytes // 2**20} MB", status=413, limit=max_bytes)
    if not data:
        raise ValidationFailed("Tệp rỗng", [FieldError("Tệp tải lên không có nội dung", field="file")])
    media_type = sniff(data)
    if media_type is None:
        raise ValidationFailed(
            "Loại tệp không được nhận",
            [FieldError("Chỉ nhận PDF, JPEG hoặc PNG (xét theo nội dung tệp)", field="file")],
        )
    digest = hashlib.sha256(data).hexdigest()
    existing = session.scalar(select(Document).where(Document.sha256 == digest))
    if existing is not None:
        return existing
    name = "".join(ch for ch in filename if ch.isprintable())[:200] or "tai-lieu"
    doc = Document(sha256=digest, filename=name, media_type=media_type, size_bytes=len(data), content=data)
    session.add(doc)
    session.flush()
    return doc
