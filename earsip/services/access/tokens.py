"""API tokens: issue, look up, list and revoke. Only a token's SHA-256 is kept.

Every revocation is audited (`auth.token_revoke`, naming the token ids): by the owner, one or
all of their tokens, and by a deactivation, a password reset or a password change, which revoke
every token of the user. Signing out of the browser does not (docs/ACCESS.md, "API tokens").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import or_, select, update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from earsip import audit
from earsip.errors import NotFound
from earsip.models import ApiToken, User, utcnow

if TYPE_CHECKING:
    from earsip.access import Principal
    from earsip.services import Archive

# How stale `last_used_at` may be before a request refreshes it: one write per token at most
# this often, not one per request.
LAST_USED_RESOLUTION = dt.timedelta(minutes=15)
REVOKE_ACTION = "auth.token_revoke"


def token_hash(token: str) -> str:
    """Return what is stored of `token`."""
    return hashlib.sha256(token.encode()).hexdigest()


def issue(session: Session, user: User, *, ttl_days: int, client_addr: str | None) -> str:
    """Create an API token for `user` and return it (only its hash is kept); audited."""
    token = "ea_" + secrets.token_urlsafe(32)
    row = ApiToken(user_id=user.id, token_hash=token_hash(token),
                   expires_at=utcnow() + dt.timedelta(days=ttl_days))
    session.add(row)
    session.flush()
    audit.append(session, audit.Actor(user.id, user.username, client_addr), "auth.token_issue",
                 target_type="user", target_id=user.id,
                 details={"token_id": row.id, "ttl_days": ttl_days})
    return token


def _valid(row: ApiToken | None, now: dt.datetime) -> bool:
    return row is not None and not row.revoked and (row.expires_at is None
                                                     or row.expires_at > now)


def principal_for(archive: Archive, token: str) -> Principal | None:
    """Return the principal owning a valid token: active, and not held to a password change.

    Notes the token's last use (at most every LAST_USED_RESOLUTION).
    """
    from earsip.access import Principal

    now = utcnow()
    with archive.db.read() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.token_hash == token_hash(token)))
        if row is None or not _valid(row, now) or not row.user.active \
                or row.user.must_change_password:
            return None
        principal, token_id, last_used = Principal.of(row.user), row.id, row.last_used_at
    if last_used is None or now - last_used >= LAST_USED_RESOLUTION:
        _note_use(archive, token_id, now)
    return principal


def _note_use(archive: Archive, token_id: int, now: dt.datetime) -> None:
    """Note the token's use, unless another writer holds the database right now.

    Only a note: a read through the API must not wait for the database's write lock (held by a
    long import, say) because of it, so this write does not wait at all, and is skipped.
    """
    db = archive.db
    note = update(ApiToken).where(
        ApiToken.id == token_id, or_(ApiToken.last_used_at.is_(None),
                                     ApiToken.last_used_at < now - LAST_USED_RESOLUTION)
    ).values(last_used_at=now)
    try:
        with db.engine.connect() as conn:
            try:
                with conn.begin():
                    conn.exec_driver_sql("PRAGMA busy_timeout = 0" if db.is_sqlite
                                         else "SET LOCAL lock_timeout = '50ms'")
                    conn.execute(note)
            finally:
                if db.is_sqlite:  # the pooled connection's usual patience, back
                    conn.exec_driver_sql(
                        f"PRAGMA busy_timeout = {archive.config.db_busy_timeout_s * 1000}")
                    conn.rollback()
    except OperationalError:
        pass  # locked: the use is noted next time


@dataclass(frozen=True)
class TokenView:
    """What the owner sees of a token: never the token itself."""

    id: int
    created_at: dt.datetime
    expires_at: dt.datetime | None
    last_used_at: dt.datetime | None
    revoked: bool
    revoked_at: dt.datetime | None
    current: bool  # the token this request came with

    @property
    def active(self) -> bool:
        """Return True while the token still opens the API."""
        return not self.revoked and (self.expires_at is None or self.expires_at > utcnow())


def list_own(archive: Archive, principal: Principal, *,
             current_token: str | None = None) -> list[TokenView]:
    """Return the principal's tokens that have not expired, revoked ones too, newest first."""
    current = token_hash(current_token) if current_token else None
    with archive.db.read() as session:
        rows = session.scalars(select(ApiToken).where(
            ApiToken.user_id == principal.id,
            or_(ApiToken.expires_at.is_(None), ApiToken.expires_at > utcnow()))
            .order_by(ApiToken.id.desc())).all()
        return [TokenView(r.id, r.created_at, r.expires_at, r.last_used_at, r.revoked,
                          r.revoked_at, r.token_hash == current) for r in rows]


def revoke_for_user(session: Session, user_id: int, actor: audit.Actor, reason: str, *,
                    token_id: int | None = None) -> list[int]:
    """Revoke the user's unrevoked tokens (or the one `token_id`); audit it when any were.

    Returns the ids revoked. `reason` says why, in the entry's details: `owner` (the user
    themself), or the action that ended them (`user.deactivate`, `user.password_reset`,
    `user.password_change`).
    """
    now = utcnow()
    query = select(ApiToken.id).where(ApiToken.user_id == user_id, ApiToken.revoked.is_(False),
                                      or_(ApiToken.expires_at.is_(None),
                                          ApiToken.expires_at > now))
    if token_id is not None:
        query = query.where(ApiToken.id == token_id)
    ids = list(session.scalars(query.order_by(ApiToken.id)))
    if not ids:
        return []
    session.execute(update(ApiToken).where(ApiToken.id.in_(ids))
                    .values(revoked=True, revoked_at=now))
    audit.append(session, actor, REVOKE_ACTION, target_type="user", target_id=user_id,
                 details={"token_ids": ids, "reason": reason})
    return ids


def revoke_own(archive: Archive, principal: Principal, token_id: int,
               client_addr: str | None) -> bool:
    """Revoke one of the principal's own tokens; NotFound for anyone else's.

    Returns False when it was already revoked or expired (nothing to do, nothing audited).
    """
    with archive.db.write() as session:
        row = session.get(ApiToken, token_id)
        if row is None or row.user_id != principal.id:
            raise NotFound("Token tidak ditemukan.")
        return bool(revoke_for_user(session, principal.id, principal.actor(client_addr),
                                    "owner", token_id=token_id))


def revoke_all_own(archive: Archive, principal: Principal, client_addr: str | None) -> int:
    """Revoke every token of the principal; return how many were still valid."""
    with archive.db.write() as session:
        return len(revoke_for_user(session, principal.id, principal.actor(client_addr),
                                   "owner"))
