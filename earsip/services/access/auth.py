"""Signing in: credentials, browser sessions, and the sign-in that issues an API token.

Throttling of guesses is in `services.throttle`, the tokens themselves in `services.tokens`.
"""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from earsip import audit
from earsip.access import Principal, can
from earsip.errors import N_, AuthError, PasswordChangeRequired, Throttled
from earsip.models import User, utcnow
from earsip.services import Archive
from earsip.services.access import throttle, tokens
from earsip.services.access.users import hash_method, hash_password

T = TypeVar("T")

WRONG_CREDENTIALS = N_("Nama pengguna atau kata sandi salah.")
TOO_MANY = N_("Terlalu banyak percobaan masuk yang gagal. Coba lagi dalam beberapa menit.")
CHANGE_FIRST = N_("Kata sandi akun ini masih sementara. Masuk lewat peramban dan buat kata "
                  "sandi sendiri sebelum meminta token API.")
username_key = throttle.username_key


@functools.lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    """Return a hash by `method` to check against when the user does not exist.

    So both paths cost one check by the configured method.
    """
    return hash_password("not-a-real-password", method)


@dataclass(frozen=True)
class SignIn:
    """A successful sign-in: who, the session version, and the device id to remember."""

    principal: Principal
    session_version: int
    device: str


def _authenticate(archive: Archive, session: Session, username: str, password: str,
                  client_addr: str | None, device: str | None) -> User:
    """Return the active user with these credentials, or raise; every outcome is audited
    (a run of throttled attempts as one entry, with a summary later: `services.throttle`)."""
    cfg = archive.config
    dummy = _dummy_hash(cfg.password_hash_method)  # made before any branch: same cost for all
    throttle.close_ended(session, cfg)
    key = username_key(username)
    user = session.scalar(select(User).where(func.lower(User.username) == key))
    limit = throttle.limit_reached(session, cfg, key, client_addr, device)
    if limit:
        throttle.refuse(session, cfg, action="auth.login", scope=limit, key=key,
                        client_addr=client_addr, user_id=user.id if user else None)
        raise Throttled(TOO_MANY)
    ok = check_password_hash(user.password_hash if user else dummy, password)
    if user is None or not ok or not user.active:
        throttle.record_failure(session, key, client_addr, device)
        audit.append(session, audit.Actor(user.id if user else None, key, client_addr),
                     "auth.login", target_type="user", target_id=user.id if user else None,
                     outcome="failure")
        raise AuthError(WRONG_CREDENTIALS)
    if hash_method(user.password_hash) != cfg.password_hash_method:
        # Made by another method (an older default, say): the configured one from now on.
        user.password_hash = hash_password(password, cfg.password_hash_method)
    user.last_login_at = utcnow()
    audit.append(session, audit.Actor(user.id, user.username, client_addr), "auth.login",
                 target_type="user", target_id=user.id)
    return user


def _commit_or_raise(archive: Archive, work: Callable[[Session], T]) -> T:
    """Run `work(session)` in a write transaction that commits even when it refuses.

    A failed or refused sign-in is still recorded (failure count and audit entry).
    """
    failure: AuthError | PasswordChangeRequired | None = None
    with archive.db.write() as session:
        try:
            result = work(session)
        except (AuthError, PasswordChangeRequired) as e:
            failure = e
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
    """Check credentials and return a new API token; AuthError or Throttled otherwise.

    A temporary password (set by an administrator, not yet changed) opens no API access:
    PasswordChangeRequired, audited as a refused `auth.token_issue`.
    """

    def work(session: Session) -> str:
        user = _authenticate(archive, session, username, password, client_addr, None)
        if user.must_change_password:
            audit.append(session, audit.Actor(user.id, user.username, client_addr),
                         "auth.token_issue", target_type="user", target_id=user.id,
                         outcome="refused", details={"reason": "password_change_required"})
            raise PasswordChangeRequired(CHANGE_FIRST)
        return tokens.issue(session, user, ttl_days=archive.config.token_ttl_days,
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
    return tokens.principal_for(archive, token)


def logout(archive: Archive, principal: Principal, client_addr: str | None) -> None:
    """End every browser session of the user and audit it; API tokens stay valid
    (docs/ACCESS.md, "API tokens")."""
    with archive.db.write() as session:
        user = session.get(User, principal.id)
        if user is not None:
            user.session_version += 1
        audit.append(session, principal.actor(client_addr), "auth.logout", target_type="user",
                     target_id=principal.id)


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
