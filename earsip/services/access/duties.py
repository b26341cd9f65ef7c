"""Separation of duties: who may approve what another person proposed.

A destruction list and a declassification to `biasa` (or by more than one level) need a second
person, a leader. The rule must hold against the holder of the administrator account, who can
create accounts, read their temporary passwords and sign in as them. So an approving account
must, besides not being the proposer's own:

1. have set its own password: the last password event of the account in the audit trail
   (`user.create`, `user.password_reset`, `user.password_change`) is a successful
   `user.password_change` made by the account itself, and no change is pending;
2. never have been created or had its password reset by the proposer;
3. have existed, and kept its password and its leader role, for a waiting period
   (`APPROVER_WAIT`): not created, reset, or made a leader within it;

and the approver types their password again at the approval. The facts are read from the users
table and the audit trail, never from what the request says. docs/ACCESS.md explains the rule
and its limits.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash

from earsip.errors import N_
from earsip.models import AuditEntry, User, utcnow

# How long an account must have existed, unchanged by an administrator, before it may approve.
# A module constant for now; the merger may turn it into a Config field
# (EARSIP_APPROVER_WAIT_DAYS) without changing the rule.
APPROVER_WAIT = dt.timedelta(days=7)
APPROVING_ROLE = "pimpinan"
_PASSWORD_EVENTS = ("user.create", "user.password_reset", "user.password_change")


@dataclass(frozen=True)
class Refusal:
    """Why an account may not approve: a code for the audit trail, a message for people
    (a template of `_MESSAGES`, filled, once translated, from `params`)."""

    code: str
    message: str
    params: Mapping[str, str | int]


_MESSAGES = {
    "proposer": N_("Pengusul tidak boleh menyetujui usulannya sendiri; persetujuan harus oleh "
                   "pimpinan lain."),
    "temporary_password": N_("Akun Anda masih memakai kata sandi yang ditetapkan administrator. "
                             "Ganti kata sandi Anda sendiri dahulu; setelah itu akun dapat "
                             "menyetujui setelah masa tunggu %(days)d hari."),
    "made_by_proposer": N_("Akun Anda dibuat atau kata sandinya diatur ulang oleh pengusul; "
                           "persetujuan harus oleh pimpinan yang akunnya tidak dikelola "
                           "pengusul."),
    "waiting_period": N_("Akun Anda baru dibuat, kata sandinya baru diatur ulang, atau baru "
                         "diberi peran pimpinan; persetujuan dapat diberikan mulai "
                         "%(since)s (masa tunggu %(days)d hari)."),
    "inactive": N_("Akun Anda tidak aktif."),
}


def _refusal(code: str, **params: str | int) -> Refusal:
    return Refusal(code, _MESSAGES[code], {"days": APPROVER_WAIT.days, **params})


def _entries(session: Session, user_id: int, actions: tuple[str, ...]) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).where(
        AuditEntry.target_type == "user", AuditEntry.target_id == str(user_id),
        AuditEntry.action.in_(actions)).order_by(AuditEntry.seq)))


def _made_leader_at(entry: AuditEntry) -> bool:
    """Return True when a `user.update` entry gave the account the approving role."""
    roles = (entry.details or {}).get("changes", {}).get("roles")
    if not isinstance(roles, dict):
        return False
    return APPROVING_ROLE in (roles.get("new") or []) and \
        APPROVING_ROLE not in (roles.get("old") or [])


def refusal(session: Session, approver_id: int, proposer_id: int | None, *,
            now: dt.datetime | None = None) -> Refusal | None:
    """Return why `approver_id` may not approve what `proposer_id` proposed, or None."""
    if proposer_id is not None and proposer_id == approver_id:
        return _refusal("proposer")
    user = session.get(User, approver_id)
    if user is None or not user.active:
        return _refusal("inactive")
    events = [e for e in _entries(session, approver_id, _PASSWORD_EVENTS)
              if e.outcome == "success"]
    last = events[-1] if events else None
    if user.must_change_password or last is None or last.action != "user.password_change" \
            or last.actor_id != approver_id:
        return _refusal("temporary_password")
    if proposer_id is not None and any(
            e.actor_id == proposer_id for e in events
            if e.action in ("user.create", "user.password_reset")):
        return _refusal("made_by_proposer")
    now = now or utcnow()
    changed = [user.created_at]
    changed += [e.occurred_at for e in events if e.action == "user.password_reset"]
    changed += [e.occurred_at for e in _entries(session, approver_id, ("user.update",))
                if _made_leader_at(e)]
    latest = max(changed)
    if now - latest < APPROVER_WAIT:
        return _refusal("waiting_period", since=(latest + APPROVER_WAIT).date().isoformat())
    return None


def password_matches(session: Session, user_id: int, password: str | None) -> bool:
    """Return True when `password` is the account's current password."""
    user = session.get(User, user_id)
    return bool(password) and user is not None and \
        check_password_hash(user.password_hash, password or "")
