"""The audit trail: one hash-chained entry per action, inside the action's transaction."""

from sqlalchemy import select, update

from earsip import audit
from earsip.models import AuditEntry
from earsip.services import Archive


def _entries(archive: Archive) -> list[AuditEntry]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry).order_by(AuditEntry.seq)))


def test_entries_form_an_unbroken_chain(archive: Archive) -> None:
    with archive.db.write() as session:
        for i in range(3):
            audit.append(session, audit.SYSTEM, "test.action", target_id=i,
                         details={"n": i, "teks": "pemusnahan"})
    entries = _entries(archive)
    assert [e.seq for e in entries] == list(range(1, len(entries) + 1))
    assert audit.verify(entries) == []


def test_an_entry_written_in_a_rolled_back_transaction_disappears_with_the_action(
        archive: Archive) -> None:
    before = len(_entries(archive))
    try:
        with archive.db.write() as session:
            audit.append(session, audit.SYSTEM, "test.action")
            raise RuntimeError("the action failed")
    except RuntimeError:
        pass
    assert len(_entries(archive)) == before


def test_an_altered_entry_is_detected(archive: Archive) -> None:
    with archive.db.write() as session:
        audit.append(session, audit.SYSTEM, "test.action", details={"x": 1})
        entry = audit.append(session, audit.SYSTEM, "test.action", details={"x": 2})
        seq = entry.seq
    with archive.db.write() as session:
        session.execute(update(AuditEntry).where(AuditEntry.seq == seq)
                        .values(details={"x": 3}))
    findings = audit.verify(_entries(archive))
    assert [f.seq for f in findings] == [seq]
