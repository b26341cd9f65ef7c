"""The public pages' protections that need the database: rate limits per client address, and
the audit entry of a submission caught by the bot trap.

Limits are counted in fixed windows (`EARSIP_PUBLIC_*_WINDOW_SECONDS`) in the table
`public_limit_counts`, one row per kind, client and window, incremented by one upsert in its own
write transaction: every server process (and every thread) sees the same count, and a restart
forgets nothing. A fixed window lets a client make at most twice its limit across a window's
boundary; in exchange a check is one row, not a scan of every request. IPv6 clients are counted
by their /64 network (one household or one server gets a whole /64, and can pick any address in
it). A request over the limit is refused with `Throttled` (429, Retry-After: the seconds left in
the window); only the first refusal of a window is audited (`public.throttled`), so a flood
cannot flood the trail. Rows of past windows are removed when a client opens a new window.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import math
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from earsip import audit
from earsip.errors import Throttled
from earsip.models import PublicLimitCount, utcnow
from earsip.services import Archive

SUBMIT = "submit"
LOOKUP = "lookup"
KINDS = (SUBMIT, LOOKUP)
# Who the public's audit entries name (the same as the cases registered from the public form).
PUBLIC = "publik"
# Windows are at most a day long; older rows only wait to be pruned.
_KEEP = dt.timedelta(days=1, hours=1)


@dataclass(frozen=True)
class Allowance:
    """What is left of a client's limit of one kind in the current window."""

    kind: str
    limit: int
    used: int
    window_s: int
    reset_in_s: int

    @property
    def remaining(self) -> int:
        """Return how many more requests the window allows."""
        return max(0, self.limit - self.used)


def client_key(address: str | None) -> str:
    """Return what a client is counted under: its IPv4 address, its IPv6 /64, or "-"."""
    if not address:
        return "-"
    try:
        ip = ipaddress.ip_address(address.strip())
    except ValueError:
        return address.strip()[:64] or "-"
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{ip}/64", strict=False))
    return str(ip)


def _settings(archive: Archive, kind: str) -> tuple[int, int]:
    config = archive.config
    if kind == SUBMIT:
        return config.public_submit_limit, config.public_submit_window_s
    if kind == LOOKUP:
        return config.public_lookup_limit, config.public_lookup_window_s
    raise ValueError(f"unknown kind of public request: {kind}")


def _window(now: dt.datetime, window_s: int) -> tuple[dt.datetime, int]:
    """Return the start of the window `now` falls in and the whole seconds left in it."""
    epoch = dt.datetime(2000, 1, 1)
    elapsed = (now - epoch).total_seconds()
    start_s = math.floor(elapsed / window_s) * window_s
    left = max(1, math.ceil(start_s + window_s - elapsed))
    return epoch + dt.timedelta(seconds=start_s), left


def _increment(session: Session, kind: str, client: str, start: dt.datetime) -> int:
    values = {"kind": kind, "client": client, "window_start": start, "count": 1}
    keys = ["kind", "client", "window_start"]
    bump = {"count": PublicLimitCount.count + 1}
    if session.get_bind().dialect.name == "postgresql":
        statement = postgresql.insert(PublicLimitCount).values(values).on_conflict_do_update(
            index_elements=keys, set_=bump).returning(PublicLimitCount.count)
    else:
        statement = sqlite.insert(PublicLimitCount).values(values).on_conflict_do_update(
            index_elements=keys, set_=bump).returning(PublicLimitCount.count)
    return int(session.execute(statement).scalar_one())


def hit(archive: Archive, kind: str, client_addr: str | None) -> Allowance:
    """Count one request of `kind` from `client_addr`; raise Throttled past the limit."""
    limit, window_s = _settings(archive, kind)
    now = utcnow()
    start, left = _window(now, window_s)
    client = client_key(client_addr)
    with archive.db.write() as session:
        used = _increment(session, kind, client, start)
        if used == 1:  # this client's first request of the window: forget the old ones
            session.execute(delete(PublicLimitCount).where(
                PublicLimitCount.window_start < now - _KEEP))
        if used == limit + 1:
            audit.append(session, audit.Actor(None, PUBLIC, client_addr), "public.throttled",
                         target_type="client", target_id=client, outcome="refused",
                         details={"reason": "rate_limit", "kind": kind, "limit": limit,
                                  "window_seconds": window_s})
    allowance = Allowance(kind, limit, used, window_s, left)
    if used > limit:
        error = Throttled("Terlalu banyak permintaan dari alamat Anda. Coba lagi dalam "
                          "%(minutes)s menit.", params={"minutes": max(1, math.ceil(left / 60))})
        error.retry_after_s = left
        raise error
    return allowance


def record_trap(archive: Archive, form: str, trap: str, client_addr: str | None) -> None:
    """Audit a public form caught by the bot trap (`trap`: "honeypot", "too_fast")."""
    with archive.db.write() as session:
        audit.append(session, audit.Actor(None, PUBLIC, client_addr), "public.trapped",
                     target_type="client", target_id=client_key(client_addr),
                     outcome="refused", details={"reason": trap, "form": form})
