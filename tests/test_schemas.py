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
