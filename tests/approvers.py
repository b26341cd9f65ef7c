"""Accounts a separation-of-duties rule admits as approvers, made the way a real one is."""

from __future__ import annotations

import datetime as dt

from earsip import audit
from earsip.access import Principal
from earsip.models import User
from earsip.services import Archive
from earsip.services.access.users import change_password, create_user
from tests.conftest import USER_PASSWORD

TEMPORARY = "temporary-pass-123"
# The waiting period docs/ACCESS.md states (7 days), written out rather than imported.
WAIT = dt.timedelta(days=7)


def make_approver(archive: Archive, username: str, *, roles: tuple[str, ...] = ("pimpinan",),
                  clearance: str = "sangat_rahasia", created_by: audit.Actor = audit.SYSTEM,
                  age: dt.timedelta | None = WAIT + dt.timedelta(days=1)) -> Principal:
    """Create an account with a temporary password, let its holder set USER_PASSWORD, and
    date its creation `age` ago (the waiting period has passed unless told otherwise)."""
    with archive.db.write() as session:
        user = create_user(session, username, TEMPORARY, roles=list(roles),
                           clearance=clearance, actor=created_by, must_change_password=True)
        user_id = user.id
        principal = Principal.of(user)
    change_password(archive, principal, TEMPORARY, USER_PASSWORD, None)
    if age:
        with archive.db.write() as session:
            row = session.get(User, user_id)
            row.created_at = row.created_at - age
    with archive.db.read() as session:
        return Principal.of(session.get(User, user_id))
