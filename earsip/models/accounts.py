"""Accounts: users, their roles, sign-in failures and throttled runs, and API tokens."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from earsip.models.base import Base, utcnow


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    office_id: Mapped[int] = mapped_column(ForeignKey("offices.id"), index=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    full_name: Mapped[str | None] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(255))
    clearance: Mapped[str] = mapped_column(String(20), default="biasa")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # Bumped on logout/password change/deactivation: sessions carrying an older value are refused.
    session_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    # Set when an administrator sets the password: the user must choose a new one at sign-in.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    password_changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_login_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    # Where notification digests are mailed (EARSIP_SMTP_URL); none: in-app only.
    email: Mapped[str | None] = mapped_column(String(254))

    roles: Mapped[list[UserRole]] = relationship(
        cascade="all, delete-orphan", lazy="selectin"
    )

    @property
    def role_names(self) -> set[str]:
        """Return the names of the user's roles."""
        return {r.role for r in self.roles}


class NotificationMark(Base):
    """One notification already mailed to a user (`key`: kind and object, e.g.
    `disposition.new:12`), so a digest never mails it twice; written only after the server
    accepted the message, so a failed send is tried again by the next digest."""

    __tablename__ = "notification_marks"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_notification_marks_user_key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    key: Mapped[str] = mapped_column(String(120))
    sent_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(40), primary_key=True)


class LoginFailure(Base):
    """A failed sign-in, kept for a day to throttle guessing (per account, address, device)."""

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_at", "username", "at"),
        Index("ix_login_failures_address_at", "address", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    # Lower-cased as typed, whether or not such a user exists.
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(64))
    # The id of a trusted-device cookie the attempt carried for this user, if any.
    device: Mapped[str | None] = mapped_column(String(64))


class LoginThrottle(Base):
    """A run of throttled attempts by one key (user name as typed) from one address.

    The first refusal of a run is written to the audit trail; the others are only counted here,
    and the count reaches the trail as one summary entry once the run has ended
    (`services.access.throttle`; docs/AUDITING.md). So guessing cannot flood the trail.
    """

    __tablename__ = "login_throttles"
    __table_args__ = (
        Index("ix_login_throttles_username_address", "username", "address"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # The audited action refused: auth.login, or user.password_change.
    action: Mapped[str] = mapped_column(String(40))
    # Which limit was reached: "address" (a run of the address, whatever the user names),
    # "account" or "device" (a run of this user name from this address).
    scope: Mapped[str] = mapped_column(String(10))
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str | None] = mapped_column(String(64))
    started_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    last_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    refused: Mapped[int] = mapped_column(Integer, default=1)


class ApiToken(Base):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revoked: Mapped[bool] = mapped_column(Boolean, default=False)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(lazy="joined")


