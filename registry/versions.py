"""Optimistic concurrency: a change names the version it was based on, or it is refused.

The HTTP face is ETag / If-Match; the rule itself — no blind overwrites — lives here so that every
registry's services apply it the same way.

``If-Match: *`` names no version: by RFC 9110 §13.1.1 it is true whenever the record exists, so it
would let a change overwrite whatever is there — the blind overwrite this rule forbids. It is
answered like a missing If-Match, 428 Precondition Required (RFC 6585 §3: the server requires the
request to be conditional on a version), not 412: the condition as sent is not false (the record
exists), it is too weak to be accepted. A list of tags (``"3", "4"``) or anything else that is not
one tag is refused with 412: a change is based on exactly one version.

The counting itself is SQLAlchemy's (``version_id_col`` on ``registry.base.Tracked``): services never
write ``version += 1``. A change that lands only in other rows (a station's sectors, a licence amended
through its outlet's fields) calls ``touch`` so its record still counts one more version. A flush
that finds the row at another version than it read raises ``StaleDataError``; ``stale_version``
turns it into the same ``StaleVersion`` the If-Match rule raises.
"""

from __future__ import annotations

import re
from typing import Any, Protocol

from sqlalchemy import func
from sqlalchemy.orm.exc import StaleDataError

from registry.errors import StaleVersion, VersionRequired

_TAG = re.compile(r'^\s*(?:W/)?"?(\d{1,9})"?\s*$')
ANY = -1  # If-Match: * (refused by check_version)


class Versioned(Protocol):
    version: int


def etag(record: Versioned) -> str:
    return f'"{record.version}"'


def parse_if_match(header: str | None) -> int | None:
    """The version an If-Match header names; None when there is none; ANY for "*"."""
    if header is None:
        return None
    if header.strip() == "*":
        return ANY
    match = _TAG.match(header)
    if match is None:
        raise StaleVersion(f'If-Match không hợp lệ: {header[:40]!r}; gửi lại ETag đã nhận, ví dụ "3"')
    return int(match.group(1))


def check_version(record: Versioned, expected: int | None, *, what: str) -> None:
    if expected == ANY:
        raise VersionRequired(
            f"If-Match: * không được chấp nhận: sửa hoặc xóa {what} cần đúng ETag đã đọc (hiện là {etag(record)})",
            current_version=record.version,
        )
    if expected is None:
        raise VersionRequired(
            f"Sửa hoặc xóa {what} cần header If-Match với ETag đã đọc (hiện là {etag(record)})",
            current_version=record.version,
        )
    if expected != record.version:
        raise StaleVersion(
            f"{what} đã được sửa: phiên bản hiện tại là {record.version}, yêu cầu dựa trên {expected}; đọc lại rồi sửa",
            current_version=record.version,
        )


def touch(record: Any) -> None:
    """Count one more version of ``record`` though none of its own columns changed."""
    record.updated_at = func.now()


def stale_version(exc: StaleDataError) -> StaleVersion:
    # SQLAlchemy's message names tables and row counts: not for the user.
    return StaleVersion("Bản ghi đã được người khác sửa hoặc xóa trong lúc lưu; đọc lại rồi sửa")
