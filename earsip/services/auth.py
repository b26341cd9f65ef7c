"""Signing in: credentials, throttling of guesses, browser sessions and API tokens.

Throttling follows the "device cookie" pattern: failed attempts are counted per address, and
per account only among attempts from devices the user has not signed in from before. So a
guesser can slow an account down for strangers, but cannot lock its owner out of a browser the
owner has used. Nothing is locked for good: counts cover a sliding window.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from earsip import audit
from earsip.access import can
from earsip.errors import N_, AuthError, Throttled
from earsip.models import ApiToken, LoginFailure, User, utcnow
from earsip.services import Archive
from earsip.services.users import Principal, hash_password

WRONG_CREDENTIALS = N_("Nama pengguna atau kata sandi salah.")
TOO_MANY = N_("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam beberapa menit.")
# Checked against when the user does not exist, so both paths cost one scrypt.
_DUMMY_HASH = hash_password("not-a-real-password")
# Failures older than this are pruned; the throttling window itself is configured.
_KEEP_FAILURES = dt.timedelta(days=1)


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in: who, the session version, and the device id to remember."""

    principal: Principal
    session_version: int
    device: str


def username_key(username: str) -> str:
    """Return the form of a typed user name that failures are counted under."""
    return username.strip().lower()[:80]


def _failures(session: Session, since: dt.datetime, *conditions: object) -> int:
    return session.scalar(select(func.count(LoginFailure.id))
                          .where(LoginFailure.at >= since, *conditions)) or 0


def _throttled(archive: Archive, session: Session, key: str, client_addr: str | None,
               device: str | None) -> bool:
    """Return True when this attempt must be turned away without checking the password."""
    cfg = archive.config
    since = utcnow() - dt.timedelta(minutes=cfg.login_window_minutes)
    if client_addr and _failures(session, since, LoginFailure.address == client_addr) \
            >= cfg.login_max_per_address:
        return True
    if device:
        # A trusted device has its own budget, so strangers' guesses do not count against it.
        return _failures(session, since, LoginFailure.device == device) \
            >= cfg.login_max_per_account
    return _failures(session, since, LoginFailure.username == key,
                     LoginFailure.device.is_(None)) >= cfg.login_max_per_account


def _authenticate(archive: Archive, session: Session, username: str, password: str,
                  client_addr: str | None, device: str | None) -> User:
    """Return the active user with these credentials, or raise; every outcome is audited."""
    key = username_key(username)
    user = session.scalar(select(User).where(func.lower(User.username) == key))
    if _throttled(archive, session, key, client_addr, device):
        audit.append(session, audit.Actor(user.id if user else None, key, client_addr),
                     "auth.login", target_type="user", target_id=user.id if user else None,
                     outcome="refused", details={"reason": "throttled"})
        raise Throttled(TOO_MANY)
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        now = utcnow()
        session.add(LoginFailure(at=now, username=key, address=client_addr, device=device))
        session.execute(delete(LoginFailure).where(LoginFailure.at < now - _KEEP_FAILURES))
        audit.append(session, audit.Actor(user.id if user else None, key, client_addr),
                     "auth.login", target_type="user", target_id=user.id if user else None,
                     outcome="failure")
        raise AuthError(WRONG_CREDENTIALS)
    user.last_login_at = utcnow()
    audit.append(session, audit.Actor(user.id, user.username, client_addr), "auth.login",
                 target_type="user", target_id=user.id)
    return user


def _commit_or_raise(archive: Archive, work):  # type: ignore[no-untyped-def]
    """Run `work(session)` in a write transaction that commits even when it raises AuthError.

    A failed or refused sign-in is still recorded (failure count and audit entry).
    """
    failure: AuthError | None = None
    with archive.db.write() as session:
        try:
            result = work(session)
        except AuthError as e:
            failure, result = e, None
    if failure is not None:
        raise failure
    return result


def login(archive: Archive, username: str, password: str, client_addr: str | None, *,
          device: str | None = None) -> SignIn:
    """Check credentials for a browser sign-in; AuthError or Throttled otherwise.

    `device` is the id from a trusted-device cookie issued to this same user (checked by the
    caller); the returned `SignIn.device` is the id to remember in that cookie.
    """

    def work(session: Session) -> SignIn:
        user = _authenticate(archive, session, username, password, client_addr, device)
        return SignIn(Principal.of(user), user.session_version, device or secrets.token_hex(16))

    return _commit_or_raise(archive, work)


def login_with_token(archive: Archive, username: str, password: str,
                     client_addr: str | None) -> str:
    """Check credentials and return a new API token; AuthError or Throttled otherwise."""

    def work(session: Session) -> str:
        user = _authenticate(archive, session, username, password, client_addr, None)
        return issue_token(session, user, ttl_days=archive.config.token_ttl_days,
                           client_addr=client_addr)

    return _commit_or_raise(archive, work)


def session_principal(archive: Archive, user_id: int, version: int) -> Principal | None:
    """Return the principal of a browser session still valid for this user, else None."""
    with archive.db.read() as session:
        user = session.get(User, user_id)
        if user is None or not user.active or user.session_version != version:
            return None
        return Principal.of(user)


def token_principal(archive: Archive, token: str) -> Principal | None:
    """Return the principal owning a valid API token, else None."""
    with archive.db.read() as session:
        user = user_for_token(session, token)
        return Principal.of(user) if user else None


def logout(archive: Archive, principal: Principal, client_addr: str | None) -> None:
    """End every browser session of the user and audit it."""
    with archive.db.write() as session:
        user = session.get(User, principal.id)
        if user is not None:
            user.session_version += 1
        audit.append(session, principal.actor(client_addr), "auth.logout", target_type="user",
                     target_id=principal.id)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, user: User, *, ttl_days: int, client_addr: str | None) -> str:
    """Create an API token for `user` and return it (only its hash is kept)."""
    token = "ea_" + secrets.token_urlsafe(32)
    session.add(ApiToken(user_id=user.id, token_hash=_token_hash(token),
                         expires_at=utcnow() + dt.timedelta(days=ttl_days)))
    audit.append(session, audit.Actor(user.id, user.username, client_addr), "auth.token_issue",
                 target_type="user", target_id=user.id, details={"ttl_days": ttl_days})
    return token


def user_for_token(session: Session, token: str) -> User | None:
    """Return the active user owning a valid, unexpired token."""
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == _token_hash(token)))
    if row is None or row.revoked or (row.expires_at and row.expires_at <= utcnow()):
        return None
    if not row.user.active:
        return None
    return row.user


def permitted(archive: Archive, principal: Principal, permission: str, method: str,
              path: str, client_addr: str | None) -> bool:
    """Return True when the principal's roles grant `permission`; else audit the refusal."""
    if can(principal.roles, permission):
        return True
    refused(archive, principal, permission, method, path, client_addr)
    return False


def refused(archive: Archive, principal: Principal, permission: str, method: str, path: str,
            client_addr: str | None) -> None:
    """Audit a request refused because the user's roles do not grant `permission`."""
    with archive.db.write() as session:
        audit.append(session, principal.actor(client_addr), "access.refused",
                     target_type="route", target_id=path[:80], outcome="refused",
                     details={"permission": permission, "method": method})
