"""The declared models refuse input with the messages the hand-written checks gave, naming
the same field first when several are wrong, and describe themselves by the same declaration."""

from __future__ import annotations

import pytest

from earsip.errors import ValidationError
from earsip.schemas.base import parse
from earsip.schemas.documents import DocumentInput
from earsip.schemas.retention import DisposalApproval, HoldInput
from earsip.schemas.search import SearchParams


def _refused(model: type, data: object, **context: object) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data, context=context or None)
    return caught.value


def test_a_trigger_date_before_the_document_date_is_named_before_a_too_long_number() -> None:
    e = _refused(DocumentInput, {"title": "Surat", "classification": "ka.00",
                                 "document_date": "2024-02-02", "trigger_date": "2024-01-01",
                                 "number": "x" * 201})
    assert e.field == "trigger_date" and e.params == {"trigger": "2024-01-01",
                                                      "date": "2024-02-02"}


def test_stored_values_are_read_back_without_the_trigger_date_check() -> None:
    data = DocumentInput.model_validate(
        {"title": "Surat", "classification": "ka.00", "document_date": "2024-02-02",
         "trigger_date": "2024-01-01", "tags": "b, a,b"}, context={"check_dates": False})
    assert (data.classification, data.tags) == ("KA.00", ("a", "b"))


def test_a_missing_title_is_refused_with_the_template_the_browser_translates() -> None:
    e = _refused(DocumentInput, {"classification": "KA.00", "document_date": "2024-02-02"})
    assert (e.field, e.template) == ("title", "Kolom title (perihal) wajib diisi.")


def test_a_hold_names_its_document_ids_before_its_texts_and_an_approval_its_date_first() -> None:
    assert _refused(HoldInput, {"document_ids": [0], "reference": 5}).field == "document_ids"
    e = _refused(DisposalApproval, {"decision_date": "kemarin", "reference": 5})
    assert e.field == "decision_date"


def test_a_value_pydantic_itself_refuses_still_names_the_field() -> None:
    from earsip.schemas.accounts import Token

    with pytest.raises(ValidationError) as caught:
        parse(Token, {"id": "tujuh"})
    assert caught.value.field == "id" and caught.value.template == "%(field)s tidak sah."


def test_the_description_of_a_model_is_its_declaration() -> None:
    schema = SearchParams.model_json_schema()
    assert schema["properties"]["per_page"] == {"type": "integer", "minimum": 1,
                                                "maximum": 100, "default": 20}
    assert list(schema["properties"])[:2] == ["q", "classification"]
    assert DocumentInput.model_json_schema()["required"] == [
        "title", "classification", "document_date"]


def test_an_approval_names_a_wrong_password_type_then_the_reference_then_the_date() -> None:
    import datetime as dt

    assert _refused(DisposalApproval, {"password": 5}).field == "password"
    assert _refused(DisposalApproval, {}).field == "reference"
    e = _refused(DisposalApproval, {"reference": "KEP-1", "password": "x"})
    assert (e.field, e.template) == ("decision_date",
                                     "Tanggal keputusan persetujuan wajib diisi.")
    ahead = (dt.date.today() + dt.timedelta(days=1)).isoformat()
    e = _refused(DisposalApproval, {"reference": "KEP-1", "decision_date": ahead})
    assert e.template == "Tanggal keputusan tidak boleh di masa depan."


def test_a_transfer_names_an_empty_choice_before_the_people_who_hand_it_over() -> None:
    from earsip.schemas.transfers import TransferInput

    e = _refused(TransferInput, {"document_ids": []})
    assert (e.field, e.template) == ("document_ids", "Pilih minimal satu arsip untuk diserahkan.")
    assert _refused(TransferInput, {"document_ids": [3, 3]}).field == "recipient_institution"


def test_a_scheme_row_is_checked_in_the_order_and_words_of_the_csv_import() -> None:
    from earsip.schemas.scheme import SchemeRow

    row = parse(SchemeRow, {"code": " ka.01 ", "name": " Surat ", "final_fate": "Dinilai Kembali",
                            "default_security": "RAHASIA", "active_years": "2",
                            "needs_review": "ya", "parent": " ka ", None: ["extra"]})
    assert (row.code, row.name, row.final_fate, row.default_security, row.parent) == (
        "KA.01", "Surat", "dinilai_kembali", "rahasia", "KA")
    assert list(row.own_columns()) == ["name", "active_years", "active_trigger", "inactive_years",
                                       "final_fate", "default_security", "needs_review", "note"]
    e = _refused(SchemeRow, {"code": "KA.01", "name": "", "active_years": "x"})
    assert (e.field, e.message) == ("name", "KA.01: nama wajib diisi.")
    e = _refused(SchemeRow, {"code": "KA.01", "name": "n", "inactive_years": "201",
                             "final_fate": "bakar"})
    assert e.field == "final_fate"
    assert _refused(SchemeRow, {"code": "KA 01", "name": "n"}).field == "code"
