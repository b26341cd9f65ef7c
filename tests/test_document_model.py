"""The document the services return is the declared model; its JSON is what the API has always
answered: a tombstone's facts only where the record has them, a pending request only when
there is one."""

from __future__ import annotations

from earsip.schemas.accounts import Declassification
from earsip.schemas.documents import (
    CodeName,
    Disposition,
    Document,
    Retention,
    StoredFile,
)
from earsip.schemas.offices import OfficeRef
from earsip.schemas.records import EditedDocument

SHA = "0" * 64


def _document(**parts: object) -> Document:
    return Document(
        id=7, title="Surat edaran", classification=CodeName(code="KA.00", name="Umum"),
        document_date="2020-01-02", security="biasa",
        file=StoredFile(filename="a.pdf", mime="application/pdf", size=3, sha256=SHA),
        text_status="extracted",
        retention=Retention(active_until="2022-01-02", inactive_until="2025-01-02",
                            final_fate="musnah", phase="usul_musnah"),
        created_at="2024-05-06T07:08:09Z",
        office=OfficeRef(code="JI-16", name="Bawaslu Kota Mojokerto"), **parts)


def test_a_tombstone_answers_only_the_facts_the_record_has() -> None:
    handed = Disposition(status="transferred", at="2026-01-02T03:04:05Z", transfer="PN-1/2026",
                         recipient="DPK Jawa Timur", receipt_reference=None)
    body = _document(disposition=handed).model_dump(mode="json")
    assert body["disposition"] == {"status": "transferred", "at": "2026-01-02T03:04:05Z",
                                   "transfer": "PN-1/2026", "recipient": "DPK Jawa Timur",
                                   "receipt_reference": None}
    assert _document().model_dump(mode="json")["disposition"] is None
    # Read back from the API's JSON, it answers the same keys again.
    again = Document.model_validate(body).model_dump(mode="json")
    assert again == body


def test_an_edited_document_names_a_pending_request_only_when_there_is_one() -> None:
    applied = EditedDocument(**dict(_document()))
    assert applied.model_dump(mode="json") == _document().model_dump(mode="json")
    request = Declassification(id=3, document_id=7, old_security="rahasia",
                               new_security="biasa", reason="Sudah diumumkan",
                               status="pending", requested_by="arsiparis",
                               requested_at="2026-01-02T03:04:05")
    waiting = EditedDocument(**dict(_document()), declassification=request).model_dump(
        mode="json")
    assert waiting["declassification"] == request.model_dump(mode="json")
    assert waiting["id"] == 7 and waiting["disposition"] is None
