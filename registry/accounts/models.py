from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.audit.models import Audited
from registry.base import Base, Tracked


class Role(StrEnum):
    admin = "admin"
    licensing_officer = "licensing_officer"
    inspector = "inspector"
    press_manager = "press_manager"
    one_stop_officer = "one_stop_officer"
    viewer = "viewer"


ROLE_NAMES = {
    Role.admin: "Quản trị hệ thống",
    Role.licensing_officer: "Cán bộ cấp phép",
    Role.inspector: "Thanh tra viên",
    Role.press_manager: "Cán bộ quản lý báo chí",
    Role.one_stop_officer: "Cán bộ một cửa",
    Role.viewer: "Người xem (nội bộ)",
}

USERNAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,62}$"


class User(Audited, Tracked, Base):
    __tablename__ = "app_user"
    __audit_entity__ = "user"
    # Secrets and login bookkeeping never enter the trail.
    __audit_exclude__ = frozenset({"password_hash", "failed_logins", "locked_until", "last_login_at"})
    # A sign-in writes last_login_at (and a refused one failed_logins): bookkeeping that must not
    # change the account's ETag, so the account service counts its versions itself.
    __versions_by_hand__ = True
    __table_args__ = (
        CheckConstraint(f"username ~ '{USERNAME_PATTERN}'", name="username"),
        CheckConstraint(
            "roles <@ ARRAY['" + "','".join(r.value for r in Role) + "']::varchar[]",
            name="roles",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(String(254))
    unit: Mapped[str | None] = mapped_column(Text)
    roles: Mapped[list[str]] = mapped_column(ARRAY(String(24)), default=list, server_default="{}")
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    password_hash: Mapped[str] = mapped_column(Text)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    locked_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    tokens: Mapped[list[AuthToken]] = relationship(back_populates="user", passive_deletes=True)


class AuthToken(Base):
    """A bearer token, kept only as its keyed hash; revoked at logout or when the user is disabled."""

    __tablename__ = "auth_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[bytes] = mapped_column(LargeBinary(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    user: Mapped[User] = relationship(back_populates="tokens", lazy="joined")


class SignInThrottle(Base):
    """Sign-in attempts of one client address for one account name within a window, and of the client
    over every name (``name_hash`` empty). The name is kept only as an HMAC of its lower-cased form
    keyed by the secret key, so names that match no account (often a mistyped password) are not kept
    in clear. Rows live in the database so that every server process counts the same attempts; a
    row whose window has ended is deleted by the next attempt (``registry/accounts/throttle.py``)."""

    __tablename__ = "sign_in_throttle"
    __table_args__ = (
        CheckConstraint("octet_length(name_hash) IN (0, 32)", name="name_hash"),
        CheckConstraint("attempts >= 0", name="attempts"),
    )

    client: Mapped[str] = mapped_column(String(64), primary_key=True)
    name_hash: Mapped[bytes] = mapped_column(LargeBinary(32), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)
