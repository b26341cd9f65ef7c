"""Every real-world file of ../shared/corpus/realworld is filed or refused with a reason, never
a server error, when posted to the API.

The files are read where they are (never copied into the project); the tests skip when the
folder is absent.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from sqlalchemy import select

from config import PROJECT_ROOT
from earsip.models import Document
from earsip.services import Archive
from earsip.services.records import bulk

CORPUS = PROJECT_ROOT.parent / "shared" / "corpus" / "realworld"
STATUSES = {"extracted", "empty", "encrypted", "failed", "not_applicable", "ocr_pending"}

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not (CORPUS / "manifest.tsv").exists(),
                       reason="the shared real-world corpus is not on this machine"),
]


def _manifest() -> dict[str, dict[str, str]]:
    with open(CORPUS / "manifest.tsv", newline="", encoding="utf-8") as f:
        return {row["file"]: row for row in csv.DictReader(f, delimiter="\t")}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory: pytest.TempPathFactory, sqlite_template) -> tuple[
        dict[str, bulk.Outcome], dict[str, Document]]:
    """File the whole corpus once through the JSON API (two clients at a time)."""
    import shutil
    from concurrent.futures import ThreadPoolExecutor

    from config import make_test_config
    from earsip import create_app
    from earsip.services.operations import setup
    from tests.conftest import ADMIN_PASSWORD, PG_URL, _reset_postgres, multipart

    tmp = tmp_path_factory.mktemp("corpus")
    # The longest real file (339 pages) takes ~20 s alone and twice that on a busy machine;
    # the limit is generous so the test checks outcomes, not the machine's load.
    if PG_URL:
        _reset_postgres(PG_URL)
        config = make_test_config(tmp, database_url=PG_URL, extract_timeout_s=180)
    else:
        shutil.copy(sqlite_template, tmp / "earsip.sqlite3")
        config = make_test_config(tmp, extract_timeout_s=180)
    archive = Archive.open(config)
    setup.initialise(archive)
    app = create_app(config)
    token = app.test_client().post("/api/v1/tokens", json={
        "username": "admin", "password": ADMIN_PASSWORD}).get_json()["token"]
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file() and p.name != "manifest.tsv")

    def post(path: Path) -> bulk.Outcome:
        payload, content_type = multipart(path, {"title": path.stem, "classification": "KA.00",
                                                 "document_date": "2024-01-01"})
        r = app.test_client().post("/api/v1/documents", data=payload,
                                   content_type=content_type,
                                   headers={"Authorization": f"Bearer {token}"})
        body = r.get_json()
        assert r.status_code < 500, (path, r.status_code, body)
        if r.status_code == 201:
            return bulk.Outcome(str(path), "filed", body["id"], body["text_status"])
        assert r.status_code in (409, 415), (path, r.status_code, body)
        status = "duplicate" if r.status_code == 409 else "rejected"
        return bulk.Outcome(str(path), status, None, body["error"]["message"])

    with ThreadPoolExecutor(max_workers=2) as pool:
        results = list(pool.map(post, files))
    app.extensions["earsip"].close()
    with archive.db.read() as session:
        docs = {d.original_filename: d for d in session.scalars(select(Document))}
    archive.close()
    by_rel = {str(Path(o.path).relative_to(CORPUS)): o for o in results}
    return by_rel, docs


def test_every_corpus_file_ends_filed_duplicate_or_refused_with_a_reason(outcomes) -> None:
    by_rel, docs = outcomes
    files = [p for p in CORPUS.rglob("*") if p.is_file() and p.name != "manifest.tsv"]
    assert len(by_rel) == len(files)
    for rel, outcome in by_rel.items():
        assert outcome.status in ("filed", "duplicate", "rejected"), rel
        if outcome.status == "rejected":
            assert outcome.message, rel
        if outcome.status == "filed":
            assert docs[Path(rel).name].text_status in STATUSES, rel


# Every file the archive is expected to refuse, and why. Any other file refused is a failure:
# a readable PDF must not pass by being refused. (Files some reader recovers although pypdf,
# the archive's PDF reader, cannot open them are refused by design, ARCHITECTURE.md step 5.)
EXPECTED_REFUSED = {
    "malformed/derived_id_permenkominfo_2013_023_truncated_50pct.pdf":
        "half the bytes of a PDF (an interrupted upload): no structure to read",
    "malformed/not_a_pdf_utf16_text.pdf": "UTF-16 text with a .pdf name",
    "malformed/ocrmypdf_invalid.pdf": "a header and the end marker only (44 bytes): no body",
    "malformed/pdfjs_Brotli-Prototype-FileA.pdf":
        "BrotliDecode, a filter no PDF standard has: no parser opens it",
    "malformed/pdfjs_PDFBOX-3148-2-fuzzed.pdf": "fuzzed trailer that pypdf cannot read",
    "malformed/pdfjs_Pages-tree-refs.pdf": "cyclic page tree: no page list to read",
    "malformed/pdfjs_REDHAT-1531897-0.pdf": "fuzzed: no parser opens it",
    "malformed/pdfjs_bug1020226.pdf": "184-byte truncated file: no parser opens it",
    "malformed/pdfjs_bug1606566.pdf":
        "no %PDF- header (a binary comment line instead): by its content text named .pdf",
    "malformed/pdfjs_issue15590.pdf": "no startxref: pypdf cannot find its structure",
    "malformed/pdfjs_issue6069.pdf": "stream ends early: pypdf cannot read it (poppler recovers)",
    "malformed/pdfjs_poppler-742-0-fuzzed.pdf": "fuzzed page tree (/Kids not an array)",
    "malformed/pdfminer_issue-1113-evil-xobjects.pdf": "no startxref (and recursive XObjects)",
    "malformed/pdfminer_simple1.pdf": "no startxref: pypdf cannot find its structure",
    "malformed/plumber_empty.pdf": "0 bytes",
    "malformed/sf_unreadablemetadata.pdf": "invalid object in /Pages: no page list to read",
    "other_formats/paperless_broken.eml": "25 bytes of text named .eml",
    "other_formats/paperless_document.webp": "WebP is not an accepted type",
    "other_formats/paperless_eml_with_umlaut.eml": "e-mail is not an accepted type",
    "other_formats/paperless_html.eml": "e-mail is not an accepted type",
    "other_formats/paperless_simple.gif": "GIF is not an accepted type",
}
# PDFs with a text layer whose text is nevertheless not extracted, and why.
EXPECTED_WITHOUT_TEXT = {
    "malformed/pdfjs_bomb_giant.pdf": "a decompression bomb whose image needs jbig2dec",
}


def test_the_expected_refusals_are_corpus_files() -> None:
    files = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.is_file()}
    assert set(EXPECTED_REFUSED) <= files and set(EXPECTED_WITHOUT_TEXT) <= files


def test_exactly_the_expected_files_are_refused(outcomes) -> None:
    by_rel, _ = outcomes
    manifest = _manifest()
    copies: dict[str, list[str]] = {}
    for rel, row in manifest.items():
        copies.setdefault(row["sha256"], []).append(rel)
    refused = {rel for rel, o in by_rel.items() if o.status == "rejected"}
    assert sorted(refused - set(EXPECTED_REFUSED)) == [], "refused but readable"
    assert sorted(set(EXPECTED_REFUSED) - refused) == [], "expected to be refused"
    for rel, outcome in by_rel.items():
        if outcome.status == "duplicate":  # only a byte-identical copy of another corpus file
            assert len(copies[manifest[rel]["sha256"]]) > 1, rel


def test_corpus_outcomes_agree_with_the_manifest(outcomes) -> None:
    by_rel, docs = outcomes
    for rel, row in _manifest().items():
        outcome = by_rel[rel]
        if rel in EXPECTED_REFUSED:
            continue  # test_exactly_the_expected_files_are_refused
        assert outcome.status in ("filed", "duplicate"), (rel, outcome)
        if not rel.endswith(".pdf") or outcome.status != "filed":
            continue
        doc = docs[Path(rel).name]
        if row["encrypted"] == "yes":
            # An owner-password-only PDF without text opens, and waits for OCR like any scan.
            assert doc.text_status in ("encrypted", "extracted", "ocr_pending"), (
                rel, doc.text_message)
        if row["has_text_layer"] == "yes" and row["encrypted"] == "no" \
                and rel not in EXPECTED_WITHOUT_TEXT:
            assert doc.text_status == "extracted", (rel, doc.text_status, doc.text_message)
        if row["pages"].isdigit() and doc.pages is not None:
            assert doc.pages == int(row["pages"]), rel


def test_most_real_indonesian_regulations_are_filed_with_their_text(outcomes) -> None:
    by_rel, docs = outcomes
    indonesian = [r for r in by_rel if r.startswith("indonesian/")]
    extracted = [r for r in indonesian
                 if by_rel[r].status == "filed" and docs[Path(r).name].text_status == "extracted"]
    assert len(indonesian) >= 40
    assert len(extracted) >= len(indonesian) - 2
