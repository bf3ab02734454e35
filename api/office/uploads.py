"""A checked upload kept for the import that follows it: the dry run shows the file's problems, and
"Nhập" imports exactly the bytes that were checked without choosing the file again.

Files live under ``<data_dir>/uploads/<area>/`` named by a random id, bound to the user who uploaded
them, at most ``KEEP_MINUTES`` old (older ones are removed at the next upload), deleted once imported.
The import checks everything again: a kept file is never trusted because it was checked once."""

from __future__ import annotations

import json
import secrets
import time
from pathlib import Path
from typing import Any

from api.office.pages import Office

KEEP_MINUTES = 30


def _where(settings: Any, area: str) -> Path:
    return Path(settings.data_dir) / "uploads" / area


def keep(settings: Any, area: str, office: Office, data: bytes, filename: str) -> str:
    """Keep ``data`` for this user; the id to import it with."""
    where = _where(settings, area)
    where.mkdir(parents=True, exist_ok=True)
    cutoff = time.time() - KEEP_MINUTES * 60
    for old in where.iterdir():
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    key = secrets.token_hex(16)
    (where / f"{key}.bin").write_bytes(data)
    meta = {"user": office.principal.username, "filename": filename[:200]}
    (where / f"{key}.json").write_text(json.dumps(meta), encoding="utf-8")
    return key


def kept(settings: Any, area: str, office: Office, key: str) -> tuple[bytes, str] | None:
    """The bytes and file name kept under ``key`` for this user, or None (unknown, someone else's, too old)."""
    if not (len(key) == 32 and all(c in "0123456789abcdef" for c in key)):
        return None
    where = _where(settings, area)
    data_path, meta_path = where / f"{key}.bin", where / f"{key}.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        if meta.get("user") != office.principal.username or meta_path.stat().st_mtime < time.time() - KEEP_MINUTES * 60:
            return None
        return data_path.read_bytes(), str(meta.get("filename") or "")
    except (OSError, ValueError):
        return None


def drop(settings: Any, area: str, key: str) -> None:
    for suffix in (".bin", ".json"):
        (_where(settings, area) / f"{key}{suffix}").unlink(missing_ok=True)
