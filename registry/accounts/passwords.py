"""Password hashing (argon2id through pwdlib) and the rules a new password must meet."""

from __future__ import annotations

import secrets
from functools import lru_cache

from pwdlib import PasswordHash
from pwdlib.hashers.argon2 import Argon2Hasher

from registry.errors import FieldError, ValidationFailed

MIN_LENGTH = 10
MAX_LENGTH = 256


@lru_cache
def hasher() -> PasswordHash:
    return PasswordHash((Argon2Hasher(),))


def hash_password(password: str) -> str:
    check_strength(password)
    return hasher().hash(password)


def verify(password: str, password_hash: str | None) -> tuple[bool, str | None]:
    """(matches, a new hash when the stored one uses outdated parameters).

    With no stored hash a dummy one is checked, so an unknown user takes as long as a wrong password.
    """
    if password_hash is None:
        hasher().verify(password, _dummy_hash())
        return False, None
    try:
        return hasher().verify_and_update(password, password_hash)
    except Exception:  # noqa: BLE001 - a malformed stored hash is a failed login, not a crash
        return False, None


@lru_cache
def _dummy_hash() -> str:
    return hasher().hash(secrets.token_urlsafe(16))


def check_strength(password: str, field: str = "password") -> None:
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Mật khẩu cần ít nhất {MIN_LENGTH} ký tự")
    if len(password) > MAX_LENGTH:
        problems.append(f"Mật khẩu dài tối đa {MAX_LENGTH} ký tự")
    if password.strip() != password:
        problems.append("Mật khẩu không được bắt đầu hoặc kết thúc bằng khoảng trắng")
    if any(ord(ch) < 32 for ch in password):
        problems.append("Mật khẩu không được chứa ký tự điều khiển")
    if problems:
        raise ValidationFailed("Mật khẩu không hợp lệ", [FieldError(p, field=field) for p in problems])


def generate_password() -> str:
    """A random password to be shown once: 20 URL-safe characters."""
    return secrets.token_urlsafe(15)
