"""Accounts: create, change roles, disable, passwords, and signing in (throttled per address and name)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.accounts import passwords, throttle, tokens
from registry.accounts.models import Role, User
from registry.accounts.schemas import UserCreate, UserPatch
from registry.audit import context
from registry.audit.models import AuditEvent
from registry.errors import Conflict, FieldError, NotAuthenticated, TooManyAttempts, ValidationFailed
from registry.lookup import one
from registry.settings import Settings
from registry.versions import check_version


def get_user(session: Session, username: str, *, for_update: bool = False) -> User:
    return one(
        session,
        User,
        User.username == username.lower(),
        missing=f"Không có tài khoản {username}",
        for_update=for_update,
    )


def list_users(session: Session) -> list[User]:
    return list(session.scalars(select(User).order_by(User.username)))


def create_user(session: Session, data: UserCreate) -> tuple[User, str | None]:
    """The new user and, when no password was given, the generated one (to be shown once)."""
    generated = None
    password = data.password
    if password is None:
        password = generated = passwords.generate_password()
    if session.scalar(select(User.id).where(User.username == data.username.lower())) is not None:
        raise Conflict(f"Tên đăng nhập {data.username} đã có", field="username")
    user = User(
        username=data.username.lower(),
        full_name=data.full_name,
        email=data.email,
        unit=data.unit,
        roles=[r.value for r in data.roles],
        active=True,
        password_hash=passwords.hash_password(password),
        failed_logins=0,
    )
    session.add(user)
    session.flush()
    return user, generated


def update_user(session: Session, username: str, data: UserPatch, *, expected_version: int | None) -> User:
    user = get_user(session, username, for_update=True)
    check_version(user, expected_version, what=f"Tài khoản {username}")
    fields = data.model_dump(exclude_unset=True)
    before = _account_state(user)
    # No flush until the version is counted: a query in between (the admin check, revoking tokens)
    # would flush the change first and hide it from the count (a disabled account kept its version).
    with session.no_autoflush:
        for key in ("full_name", "email", "unit"):
            if key in fields:
                setattr(user, key, fields[key])
        if fields.get("roles") is not None:
            _keep_an_admin(session, user, [r.value for r in data.roles or []], user.active)
            user.roles = [r.value for r in data.roles or []]
        if fields.get("active") is not None:
            _keep_an_admin(session, user, user.roles, bool(data.active))
            user.active = bool(data.active)
        if _account_state(user) != before:
            user.version += 1
    session.flush()
    if not user.active and fields.get("active") is False:
        tokens.revoke_all(session, user.id)
    return user


def _account_state(user: User) -> tuple[object, ...]:
    """What an account's version counts: its details, roles and whether it is active."""
    return (user.full_name, user.email, user.unit, sorted(user.roles or []), user.active)


def set_roles(session: Session, username: str, roles: list[Role]) -> User:
    user = get_user(session, username, for_update=True)
    _keep_an_admin(session, user, [r.value for r in roles], user.active)
    user.roles = sorted({r.value for r in roles})
    if session.is_modified(user):
        user.version += 1
    session.flush()
    return user


def set_active(session: Session, username: str, active: bool) -> User:
    user = get_user(session, username, for_update=True)
    _keep_an_admin(session, user, user.roles, active)
    if user.active != active:
        user.active = active
        user.version += 1
    if not active:
        tokens.revoke_all(session, user.id)
    session.flush()
    return user


def set_password(session: Session, username: str, password: str) -> User:
    user = get_user(session, username, for_update=True)
    user.password_hash = passwords.hash_password(password)
    tokens.revoke_all(session, user.id)
    session.flush()
    return user


def reset_password(session: Session, username: str) -> tuple[User, str]:
    """An admin's reset: a new generated password (to be shown once), every token revoked."""
    password = passwords.generate_password()
    return set_password(session, username, password), password


def change_own_password(session: Session, user_id: int, current: str, new: str) -> None:
    user = session.get(User, user_id, with_for_update=True)
    if user is None:
        raise NotAuthenticated("Tài khoản không còn")
    ok, _ = passwords.verify(current, user.password_hash)
    if not ok:
        raise ValidationFailed("Mật khẩu hiện tại không đúng", [FieldError("Không đúng", field="current_password")])
    passwords.check_strength(new, field="new_password")
    if new == current:
        raise ValidationFailed("Mật khẩu mới trùng mật khẩu cũ", [FieldError("Phải khác", field="new_password")])
    set_password(session, user.username, new)


def _keep_an_admin(session: Session, user: User, roles: list[str], active: bool) -> None:
    """Refuse the change that would leave no active admin."""
    if Role.admin.value in user.roles and user.active and (Role.admin.value not in roles or not active):
        others = session.scalar(
            select(func.count())
            .select_from(User)
            .where(User.id != user.id, User.active.is_(True), User.roles.any(Role.admin.value))
        )
        if not others:
            raise Conflict("Phải còn ít nhất một quản trị viên đang hoạt động")


def has_admin(session: Session) -> bool:
    return bool(session.scalar(select(func.count()).select_from(User).where(User.roles.any(Role.admin.value))))


@dataclass(frozen=True)
class Login:
    user: User
    token: tokens.Issued


class LoginRefused(Exception):
    """Raised after the failure has been counted; the caller commits, then answers."""

    def __init__(self, error: NotAuthenticated | TooManyAttempts) -> None:
        super().__init__(error.detail)
        self.error = error


def _sign_in_event(session: Session, user: User | None, action: str, outcome: str, client: str | None) -> None:
    """A sign-in or a refused one in the audit trail (admins read it with the user's history). A name
    that matches no account is not kept: people type their password into the name field."""
    session.add(
        AuditEvent(
            actor=user.username if user is not None else "anonymous",
            request_id=context.request_id.get(),
            entity_type="user",
            entity_id=str(user.id) if user is not None else "-",
            action=action,
            changes={"outcome": [None, outcome], "client": [None, client]},
            parents=[],
        )
    )
    session.flush()


def login(
    session: Session,
    username: str,
    password: str,
    settings: Settings,
    *,
    ticket: throttle.Ticket,
    client: str | None = None,
) -> Login:
    """Check the password and issue a token, or raise ``LoginRefused`` (the caller commits, then
    answers). ``ticket`` is the attempt already counted by ``throttle.take`` in its own transaction:
    when it says wait, the password is not checked at all (429 for any name alike).

    Unknown names and disabled accounts get the answer of a wrong password after the same argon2
    work (a dummy hash for an unknown name), so neither the status, the body nor the time tells
    which names exist. Sign-ins and refusals are audited (``sign_in`` / ``sign_in_refused`` with the
    reason and the client address); of throttled attempts only the first in a window, so that a
    flood cannot fill the append-only trail."""
    now = datetime.now(UTC)
    # No row lock: a flood of attempts on one name must not queue its owner's sign-in behind them.
    user = session.scalar(select(User).where(User.username == username.strip().lower()))
    if ticket.wait_seconds is not None:
        if ticket.first_refusal:
            _sign_in_event(session, user, "sign_in_refused", "throttled", client)
        raise LoginRefused(throttled(ticket.wait_seconds))
    ok, new_hash = passwords.verify(password, user.password_hash if user is not None else None)
    if user is None or not user.active or not ok:
        outcome = "unknown_user" if user is None else "disabled" if not user.active else "wrong_password"
        _sign_in_event(session, user, "sign_in_refused", outcome, client)
        raise LoginRefused(NotAuthenticated("Sai tên đăng nhập hoặc mật khẩu"))
    if new_hash:
        user.password_hash = new_hash
    user.last_login_at = now
    throttle.succeeded(session, ticket)
    issued = tokens.issue(session, user, secret=settings.secret(), ttl=timedelta(minutes=settings.token_ttl_minutes))
    _sign_in_event(session, user, "sign_in", "ok", client)
    return Login(user, issued)


def throttled(seconds: int) -> TooManyAttempts:
    """The one answer of a throttled attempt, whatever the name: it speaks of the address, never of
    an account."""
    minutes = max(1, math.ceil(seconds / 60))
    return TooManyAttempts(
        f"Đăng nhập sai quá nhiều lần từ địa chỉ này; thử lại sau {minutes} phút", retry_after=max(1, seconds)
    )


def user_dict(user: User) -> dict[str, Any]:
    return {
        "username": user.username,
        "full_name": user.full_name,
        "email": user.email,
        "unit": user.unit,
        "roles": sorted(user.roles),
        "active": user.active,
        "locked_until": user.locked_until.isoformat() if user.locked_until else None,
        "last_login_at": user.last_login_at.isoformat() if user.last_login_at else None,
        "version": user.version,
        "created_at": user.created_at.isoformat() if user.created_at else None,
    }
