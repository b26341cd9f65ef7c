"""Throttling of password guesses: browser and API sign-ins, and changes of one's own password.

Follows the "device cookie" pattern: failed attempts are counted per address, and per account
only among attempts from devices the user has not signed in from before. An attempt from a
trusted device (one the user has signed in from, proven by a signed cookie) is counted against
that device's own budget instead, for the address limit too: a guesser behind the office's
NAT address cannot lock the owner out of a browser the owner has used. Nothing is locked for
good: counts cover a sliding window.

A throttled attempt is not audited one by one, or a guesser could flood the trail: the first
refusal of a *run* (one address, or one user name from one address, for one window) writes an
audit entry, the others are counted in `login_throttles`, and once the run's window is over the
count reaches the trail as one summary entry (`auth.throttled`), written by the next sign-in or
password change of anyone (docs/AUDITING.md).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from earsip import audit
from earsip.db import rowcount
from earsip.models import LoginFailure, LoginThrottle, User, utcnow

if TYPE_CHECKING:
    from config import Config

# Failures older than this are pruned; the throttling window itself is configured.
_KEEP_FAILURES = dt.timedelta(days=1)
SUMMARY_ACTION = "auth.throttled"


def username_key(username: str) -> str:
    """Return the form of a typed user name that failures are counted under."""
    return username.strip().lower()[:80]


def _window(config: Config) -> dt.timedelta:
    return dt.timedelta(minutes=config.login_window_minutes)


def _failures(session: Session, since: dt.datetime, *conditions: ColumnElement[bool]) -> int:
    return session.scalar(select(func.count(LoginFailure.id))
                          .where(LoginFailure.at >= since, *conditions)) or 0


def limit_reached(session: Session, config: Config, key: str, client_addr: str | None,
                  device: str | None) -> str | None:
    """Return which limit turns this attempt away ("device", "address", "account"), or None.

    `device` is the id of a trusted-device cookie issued to this same user name (checked by the
    caller): its attempts have their own budget, and neither the address's nor the account's
    failures count against it.
    """
    since = utcnow() - _window(config)
    if device:
        if _failures(session, since, LoginFailure.device == device) \
                >= config.login_max_per_account:
            return "device"
        return None
    if client_addr and _failures(session, since, LoginFailure.address == client_addr) \
            >= config.login_max_per_address:
        return "address"
    if _failures(session, since, LoginFailure.username == key,
                 LoginFailure.device.is_(None)) >= config.login_max_per_account:
        return "account"
    return None


def record_failure(session: Session, key: str, client_addr: str | None,
                   device: str | None) -> None:
    """Count a wrong password (sign-in or current password), and prune old failures."""
    now = utcnow()
    session.add(LoginFailure(at=now, username=key, address=client_addr, device=device))
    session.execute(delete(LoginFailure).where(LoginFailure.at < now - _KEEP_FAILURES))


def _same_address(client_addr: str | None) -> ColumnElement[bool]:
    return LoginThrottle.address == client_addr if client_addr is not None \
        else LoginThrottle.address.is_(None)


def refuse(session: Session, config: Config, *, action: str, scope: str, key: str,
           client_addr: str | None, user_id: int | None) -> None:
    """Record a throttled attempt: audited when it opens a run, else only counted."""
    now = utcnow()
    run = select(LoginThrottle.id).where(
        LoginThrottle.action == action, LoginThrottle.scope == scope,
        _same_address(client_addr), LoginThrottle.started_at >= now - _window(config))
    if scope != "address":  # an address's run covers every user name tried from it
        run = run.where(LoginThrottle.username == key)
    run_id = session.scalar(run.order_by(LoginThrottle.id.desc()).limit(1))
    if run_id is not None:
        session.execute(update(LoginThrottle).where(LoginThrottle.id == run_id).values(
            refused=LoginThrottle.refused + 1, last_at=now))
        return
    session.add(LoginThrottle(action=action, scope=scope, username=key, address=client_addr,
                              started_at=now, last_at=now, refused=1))
    audit.append(session, audit.Actor(user_id, key, client_addr), action, target_type="user",
                 target_id=user_id, outcome="refused",
                 details={"reason": "throttled", "limit": scope,
                          "window_minutes": config.login_window_minutes})


def close_ended(session: Session, config: Config) -> int:
    """Write the summary entry of every run whose window is over; return how many were written.

    A run of one refusal needs no summary: its opening entry says everything.
    """
    ended = session.scalars(select(LoginThrottle).where(
        LoginThrottle.started_at < utcnow() - _window(config)).order_by(LoginThrottle.id)).all()
    written = 0
    for run in ended:
        # Deleted first: of two transactions closing the same run, one deletes it and writes.
        if rowcount(session.execute(delete(LoginThrottle).where(LoginThrottle.id == run.id))) \
                != 1 or run.refused < 2:
            continue
        user_id = None if run.scope == "address" else session.scalar(
            select(User.id).where(func.lower(User.username) == run.username))
        audit.append(session, audit.Actor(user_id, run.username, run.address), SUMMARY_ACTION,
                     target_type="user", target_id=user_id, outcome="refused",
                     details={"action": run.action, "limit": run.scope,
                              "refused": run.refused,
                              "first_at": audit.timestamp(run.started_at),
                              "last_at": audit.timestamp(run.last_at),
                              "window_minutes": config.login_window_minutes})
        written += 1
    return written
