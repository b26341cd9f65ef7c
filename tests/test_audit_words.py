"""Every action the services write has words; entries read as words whatever they hold."""

from __future__ import annotations

import ast
import contextlib
import datetime as dt
import re
from pathlib import Path

from earsip.access import Principal
from earsip.models import AuditEntry
from earsip.services import Archive
from earsip.services.audit.words import ACTIONS, describe

SOURCE = Path(__file__).resolve().parent.parent / "earsip"
# The helpers through which services write entries (the action is one of their arguments).
WRITERS = {"append", "_refuse", "_refused", "_holds_refusal"}
CODE = re.compile(r"^[a-z_]+(\.[a-z_]+)+$|^search$")


def written_actions() -> set[str]:
    """Return every action code passed as a literal to a writer of audit entries.

    (An action chosen in a variable, e.g. edit or reclassify, is met by the crawl's world.)
    """
    found = set()
    for path in SOURCE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.attr if isinstance(node.func, ast.Attribute) else \
                getattr(node.func, "id", "")
            if name not in WRITERS:
                continue
            for arg in node.args:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str) \
                        and CODE.match(arg.value):
                    found.add(arg.value)
    return found


def test_every_action_the_services_write_has_words() -> None:
    written = written_actions()
    assert {"document.file", "disposal.approve", "hold.place", "search"} <= written
    assert written - set(ACTIONS) == set()


def test_an_entry_about_a_document_above_the_readers_clearance_names_only_its_number(
        archive: Archive, make_user, tmp_path: Path) -> None:
    from tests.helpers import file_doc

    secret = file_doc(archive, tmp_path, code="KA.00", date="2024-01-02", security="rahasia",
                      title="Kajian rahasia zamrud")
    low = Principal(99, "rendah", frozenset({"arsiparis"}), "biasa")
    high = Principal(98, "tinggi", frozenset({"arsiparis"}), "sangat_rahasia")
    with archive.db.read() as session:
        entries = [e for e in session.query(AuditEntry).all()
                   if e.target_type == "document" and e.target_id == str(secret)]
        seen_low = describe(session, low, entries)[0]
        seen_high = describe(session, high, entries)[0]
    assert seen_low.target is not None and "zamrud" not in str(seen_low.target.params)
    assert seen_high.target is not None, seen_high
    assert seen_high.target.params.get("title") == "Kajian rahasia zamrud", seen_high


def test_a_refused_upload_reads_as_a_refusal_of_its_file_with_the_reason(
        archive: Archive, tmp_path: Path) -> None:
    from earsip import audit
    from earsip.errors import EarsipError
    from earsip.services.records import ingest
    from earsip.services.records.documents import DocumentInput

    bad = tmp_path / "program.exe"
    bad.write_bytes(b"MZ" + b"\x00" * 3000)
    with contextlib.suppress(EarsipError):
        ingest.file_document(archive, audit.SYSTEM, bad, "program.exe",
                             DocumentInput(title="x", classification="KA.00",
                                           document_date=dt.date(2024, 1, 2)), clearance=None)
    top = Principal(1, "admin", frozenset({"auditor"}), "sangat_rahasia")
    with archive.db.read() as session:
        entry = session.query(AuditEntry).order_by(AuditEntry.seq.desc()).first()
        words = describe(session, top, [entry])[0]
    assert entry.target_id is None and words.action == "menolak unggahan"
    assert words.target is not None and words.target.params == {"name": "program.exe"}
    assert words.link is None and words.refused
    assert [d.label for d in words.details] == ["Alasan"]
    assert words.actor == "sistem"


def test_every_permission_is_named_in_words_for_the_audit_trail() -> None:
    from earsip.access import PERMISSION_LABELS, PERMISSIONS

    assert set(PERMISSION_LABELS) == set(PERMISSIONS)
