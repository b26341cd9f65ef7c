"""The audit trail: one hash-chained entry per action, inside the action's transaction."""

import pytest
from sqlalchemy import delete, text, update
from sqlalchemy.exc import DBAPIError

from earsip import audit
from earsip.models import AuditEntry
from earsip.services import Archive
from tests.helpers import entries as _entries
from tests.helpers import lift_append_only as _lift_append_only


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
        _lift_append_only(session)  # what someone with the database's owner rights can do
        session.execute(update(AuditEntry).where(AuditEntry.seq == seq)
                        .values(details={"x": 3}))
    findings = audit.verify(_entries(archive))
    assert [f.seq for f in findings] == [seq]


@pytest.mark.parametrize("statement", [
    update(AuditEntry).values(outcome="success"),
    update(AuditEntry).where(AuditEntry.seq == 1).values(details={}),
    delete(AuditEntry),
    delete(AuditEntry).where(AuditEntry.seq == 1),
])
def test_the_database_refuses_to_change_or_remove_an_audit_entry(archive: Archive,
                                                                  statement) -> None:
    before = [(e.seq, e.entry_hash) for e in _entries(archive)]
    assert before  # setting up the archive wrote entries
    with pytest.raises(DBAPIError, match="append-only"), archive.db.write() as session:
        session.execute(statement)
    assert [(e.seq, e.entry_hash) for e in _entries(archive)] == before
    assert audit.verify(_entries(archive)) == []


def test_the_database_refuses_to_empty_the_audit_table(archive: Archive) -> None:
    with archive.db.write() as session:
        dialect = session.get_bind().dialect.name
    sql = "TRUNCATE audit_entries" if dialect == "postgresql" else "DELETE FROM audit_entries"
    with pytest.raises(DBAPIError, match="append-only"), archive.db.write() as session:
        session.execute(text(sql))
    assert _entries(archive)


def test_earsip_audit_verify_passes_an_intact_trail_and_names_the_first_broken_entry(
        archive: Archive, runner) -> None:
    with archive.db.write() as session:
        for i in range(4):
            audit.append(session, audit.SYSTEM, "test.action", details={"n": i})
    result = runner("audit", "verify")
    total = len(_entries(archive))
    assert result.exit_code == 0 and f"utuh: {total} entri" in result.output
    victim = _entries(archive)[-3].seq
    with archive.db.write() as session:
        _lift_append_only(session)
        session.execute(update(AuditEntry).where(AuditEntry.seq == victim)
                        .values(actor_name="orang lain"))
    result = runner("audit", "verify")
    assert result.exit_code == 1
    assert f"RUSAK mulai entri #{victim}: entri ini telah diubah" in result.output
    assert "(entry was altered (hash mismatch))" in result.output
