"""The guest book (buku tamu): visitors who came to the office without bringing a case, written
down by the desk (each line audited) and read back one day at a time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from sqlalchemy import select

from earsip import audit
from earsip.access import Principal
from earsip.errors import ValidationError
from earsip.models import GuestVisit, utcnow
from earsip.schemas.cases import GuestInput
from earsip.schemas.guests import GuestDay, GuestOut
from earsip.services import Archive
from earsip.services.access.users import require

MAX_PER_DAY = 1000


def _out(row: GuestVisit) -> GuestOut:
    return GuestOut(id=row.id, visited_at=row.visited_at, name=row.name,
                    institution=row.institution, purpose=row.purpose, meets=row.meets,
                    phone=row.phone, registered_by=row.registered_by_name)


def add_visit(archive: Archive, principal: Principal, data: GuestInput, *,
              client_addr: str | None = None) -> GuestOut:
    """Write a visitor into the guest book (not in the future: a visit is what happened)."""
    require(principal, "case.register")
    now = utcnow()
    if data.visited_at > now + dt.timedelta(minutes=5):
        raise ValidationError("Waktu kunjungan ada di masa depan.", field="visited_at")
    with archive.db.write() as session:
        row = GuestVisit(visited_at=data.visited_at, name=data.name,
                         institution=data.institution, purpose=data.purpose, meets=data.meets,
                         phone=data.phone, registered_by_name=principal.username)
        session.add(row)
        session.flush()
        audit.append(session, principal.actor(client_addr), "guest.register",
                     target_type="guest", target_id=row.id,
                     details={"name": data.name, "institution": data.institution,
                              "visited_at": data.visited_at.isoformat()})
        return _out(row)


def list_visits(archive: Archive, principal: Principal, day: dt.date | None = None) -> GuestDay:
    """Return the visits of `day` (the office's date; today when None), earliest first."""
    require(principal, "case.register")
    day = day or archive.local_today()
    zone = ZoneInfo(archive.config.timezone)

    def utc(local: dt.date) -> dt.datetime:
        return dt.datetime.combine(local, dt.time(), zone).astimezone(dt.UTC).replace(tzinfo=None)

    start, end = utc(day), utc(day + dt.timedelta(days=1))
    with archive.db.read() as session:
        rows = session.scalars(select(GuestVisit).where(
            GuestVisit.visited_at >= start, GuestVisit.visited_at < end)
            .order_by(GuestVisit.visited_at, GuestVisit.id).limit(MAX_PER_DAY)).all()
        return GuestDay(date=day, total=len(rows), items=[_out(r) for r in rows])
