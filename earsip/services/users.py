"""Users, passwords, sessions and API tokens."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from earsip import audit
from earsip.access import ROLES, SECURITY_CLASSES, can
from earsip.errors import AuthError, Forbidden, ValidationError
from earsip.models import ApiToken, User, UserRole, utcnow
from earsip.services import Archive

MIN_PASSWORD = 10
# Checked against when the user does not exist, so both paths cost one scrypt.
_DUMMY_HASH = generate_password_hash("not-a-real-password", method="scrypt")


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the services see it: identity, roles and clearance."""

    id: int
    username: str
    roles: frozenset[str]
    clearance: str

    @classmethod
    def of(cls, user: User) -> Principal:
        """Return the principal of a user row."""
        return cls(user.id, user.username, frozenset(user.role_names), user.clearance)

    def actor(self, client_addr: str | None = None) -> audit.Actor:
        """Return the audit actor for this principal."""
        return audit.Actor(self.id, self.username, client_addr)


def hash_password(password: str) -> str:
    """Return a scrypt hash of `password`."""
    return generate_password_hash(password, method="scrypt")


def create_user(session: Session, username: str, password: str, *, roles: list[str],
                clearance: str, actor: audit.Actor, full_name: str | None = None) -> User:
    """Create a user with roles and a clearance."""
    username = username.strip()
    if not username or len(username) > 80 or not username.replace(".", "").replace(
        "_", "").replace("-", "").isalnum():
        raise ValidationError("Nama pengguna hanya boleh huruf, angka, titik, _ dan -.",
                              field="username")
    if len(password) < MIN_PASSWORD:
        raise ValidationError(f"Kata sandi minimal {MIN_PASSWORD} karakter.", field="password")
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        raise ValidationError(f"Peran tidak dikenal: {', '.join(bad) or '(kosong)'}. "
                              f"Pilihan: {', '.join(ROLES)}.", field="role")
    if clearance not in SECURITY_CLASSES:
        raise ValidationError(f"Izin akses tidak dikenal: {clearance}. "
                              f"Pilihan: {', '.join(SECURITY_CLASSES)}.", field="clearance")
    if session.scalar(select(User.id).where(User.username == username)) is not None:
        raise ValidationError(f"Pengguna {username} sudah ada.", field="username")
    user = User(username=username, full_name=full_name, password_hash=hash_password(password),
                clearance=clearance, roles=[UserRole(role=r) for r in sorted(set(roles))])
    session.add(user)
    session.flush()
    audit.append(session, actor, "user.create", target_type="user", target_id=user.id,
                 details={"username": username, "roles": sorted(set(roles)),
                          "clearance": clearance})
    return user


def _authenticate(session: Session, username: str, password: str,
                  client_addr: str | None) -> User | None:
    """Return the active user with these credentials (or None), auditing either outcome."""
    user = session.scalar(select(User).where(User.username == username.strip()))
    ok = check_password_hash(user.password_hash if user else _DUMMY_HASH, password)
    if user is None or not ok or not user.active:
        audit.append(session, audit.Actor(user.id if user else None, username[:80], client_addr),
                     "auth.login", target_type="user", target_id=user.id if user else None,
                     outcome="failure")
        return None
    audit.append(session, audit.Actor(user.id, user.username, client_addr), "auth.login",
                 target_type="user", target_id=user.id)
    return user


def login(archive: Archive, username: str, password: str, client_addr: str | None) -> Principal:
    """Check credentials and return the principal; AuthError (same message for all causes)."""
    with archive.db.write() as session:
        user = _authenticate(session, username, password, client_addr)
        principal = Principal.of(user) if user else None
    if principal is None:
        raise AuthError("Nama pengguna atau kata sandi salah.")
    return principal


def login_with_token(archive: Archive, username: str, password: str,
                     client_addr: str | None) -> str:
    """Check credentials and return a new API token; AuthError otherwise."""
    with archive.db.write() as session:
        user = _authenticate(session, username, password, client_addr)
        token = issue_token(session, user, ttl_days=archive.config.token_ttl_days,
                            client_addr=client_addr) if user else None
    if token is None:
        raise AuthError("Nama pengguna atau kata sandi salah.")
    return token


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


def session_version(archive: Archive, user_id: int) -> int:
    """Return the user's current session version (bumped when sessions must end)."""
    with archive.db.read() as session:
        user = session.get(User, user_id)
        return user.session_version if user else 0


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


def ensure_first_admin(session: Session, password: str | None) -> str | None:
    """Create the `admin` user when no user exists; return the generated password, if any."""
    if session.scalar(select(User.id).limit(1)) is not None:
        return None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    create_user(session, "admin", password, roles=["admin"], clearance="sangat_rahasia",
                actor=audit.SYSTEM, full_name="Administrator")
    return generated


def require(principal: Principal, permission: str) -> None:
    """Raise Forbidden unless the principal's roles grant `permission`."""
    if not can(principal.roles, permission):
        raise Forbidden("Anda tidak memiliki hak untuk tindakan ini.")


def add_user(archive: Archive, username: str, password: str, *, roles: list[str],
             clearance: str, actor: audit.Actor, full_name: str | None = None) -> int:
    """Create a user in its own transaction (with its audit entry); return its id."""
    with archive.db.write() as session:
        return create_user(session, username, password, roles=roles, clearance=clearance,
                           actor=actor, full_name=full_name).id
