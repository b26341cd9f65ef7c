"""Offices (satuan kerja): the one office of a single-office install, the offices of a
province deployment, and which office a new row belongs to (docs/OFFICES.md).

An office owns its documents, letters, cases, numbering sequences, calendar corrections,
holds, destruction lists, transfers and users. A row made by a signed-in user belongs to the
user's office (`Actor.office_id`, from `Principal.office_id`); one made by the system, the
command line or the public pages belongs to the deployment's default office: its only office,
or (several) the first one created.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from earsip import audit
from earsip.access import Actor, Principal
from earsip.errors import NotFound, ValidationError
from earsip.models import Office
from earsip.schemas.offices import NewOffice
from earsip.schemas.offices import Office as OfficeOut
from earsip.services import Archive
from earsip.services.access.users import require


def first_office(config: Any) -> dict[str, str]:
    """Return the office a new or migrated archive starts with, from the configuration
    (EARSIP_OFFICE_CODE, _NAME, _PLACE); a name with "Provinsi" in it is a province office."""
    name = config.office_name
    level = "provinsi" if "provinsi" in name.lower() else "kabkota"
    return {"code": config.office_code, "name": name, "place": config.office_place,
            "level": level}


def ensure_office(session: Session, config: Any) -> int:
    """Make sure the archive has its office (`earsip init`); return the default office's id.

    With no office, the configuration's is created (EARSIP_OFFICE_CODE, _NAME, _PLACE). A
    one-office install keeps its office in line with the configuration, so setting
    EARSIP_OFFICE_CODE later (the default is a placeholder) reaches its letter numbers; each
    change is audited (`office.update`). With several offices the configuration changes none.
    """
    values = first_office(config)
    rows = session.scalars(select(Office).order_by(Office.id).limit(2)).all()
    if not rows:
        office = Office(**values)
        session.add(office)
        session.flush()
        audit.append(session, audit.SYSTEM, "office.create", target_type="office",
                     target_id=office.id, details={**values, "parent": None})
        return office.id
    office = rows[0]
    if len(rows) == 1:
        changes = {k: [getattr(office, k), values[k]] for k in ("code", "name", "place")
                   if getattr(office, k) != values[k]}
        if changes:
            for k, (_old, new) in changes.items():
                setattr(office, k, new)
            audit.append(session, audit.SYSTEM, "office.update", target_type="office",
                         target_id=office.id, details={"changes": changes})
    return office.id


def default_office_id(session: Session) -> int | None:
    """Return the deployment's default office: its only one, or the first created."""
    return session.scalar(select(Office.id).order_by(Office.id).limit(1))


def office_of(session: Session, actor: Actor | Principal) -> int:
    """Return the office a row made by `actor` belongs to: theirs, or the default office."""
    if actor.office_id is not None:
        return actor.office_id
    found = default_office_id(session)
    if found is None:
        raise NotFound("Belum ada satuan kerja: jalankan `earsip init`.")
    return found


def by_code(session: Session, code: str) -> Office:
    """Return the office whose code is `code` (case-insensitive), or raise NotFound."""
    office = session.scalar(select(Office).where(func.lower(Office.code) == code.lower()))
    if office is None:
        raise NotFound("Satuan kerja %(code)s tidak ada.", params={"code": code})
    return office


def create_office(archive: Archive, principal: Principal, data: NewOffice,
                  client_addr: str | None = None) -> OfficeOut:
    """Create an office (audited `office.create`); a duplicate code or an unknown parent is
    refused."""
    require(principal, "office.manage")
    with archive.db.write() as session:
        if session.scalar(select(Office.id).where(
                func.lower(Office.code) == data.code.lower())) is not None:
            raise ValidationError("Satuan kerja dengan kode %(code)s sudah ada.", field="code",
                                  params={"code": data.code})
        parent = None
        if data.parent:
            parent = session.scalar(select(Office).where(
                func.lower(Office.code) == data.parent.lower()))
            if parent is None:
                raise ValidationError("Satuan kerja induk %(code)s tidak ada.", field="parent",
                                      params={"code": data.parent})
        office = Office(code=data.code, name=data.name, place=data.place, level=data.level,
                        parent_id=parent.id if parent else None)
        session.add(office)
        session.flush()
        audit.append(session, principal.actor(client_addr), "office.create",
                     target_type="office", target_id=office.id,
                     details={"code": office.code, "name": office.name, "place": office.place,
                              "level": office.level, "parent": parent.code if parent else None})
        return OfficeOut(code=office.code, name=office.name, place=office.place,
                         level=office.level, parent=parent.code if parent else None)


def list_offices(archive: Archive) -> list[OfficeOut]:
    """Return every office of the deployment, by code."""
    with archive.db.read() as session:
        rows = session.scalars(select(Office).order_by(Office.code)).all()
        codes = {o.id: o.code for o in rows}
        return [OfficeOut(code=o.code, name=o.name, place=o.place, level=o.level,
                          parent=codes.get(o.parent_id) if o.parent_id else None)
                for o in rows]

