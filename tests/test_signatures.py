"""Offline checks of electronic signatures (PAdES) on real PDFs signed by a throw-away PKI."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import shutil
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from earsip import extract as ex
from earsip import signatures as sg
from earsip.errors import EarsipError, TrustRootsInvalid, UnreadableFile
from earsip.extract import Limits, verify_signatures
from earsip.signatures import SignatureCheck, verify_pdf
from tests import filegen
from tests.signing_fixtures import (
    Pki,
    add_document_timestamp,
    add_signature,
    append_page_change,
    expired_signer,
    flip_signed_byte,
    garbage_signature_pdf,
    letter_pdf,
    make_pki,
    signed_pdf,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "realworld"


@pytest.fixture(scope="module", autouse=True)
def _stop_workers() -> Iterator[None]:
    yield
    ex.shutdown()


@pytest.fixture(scope="module")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("pki"))


@pytest.fixture(scope="module")
def other_pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("other"), label="Lain")


@pytest.fixture(scope="module")
def signed(pki: Pki, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return signed_pdf(pki, tmp_path_factory.mktemp("signed") / "surat.pdf")


def _only(checks: list[SignatureCheck]) -> SignatureCheck:
    assert len(checks) == 1, checks
    return checks[0]


def _copy(src: Path, tmp_path: Path, name: str = "salinan.pdf") -> Path:
    return Path(shutil.copy(src, tmp_path / name))


# --------------------------------------------------------------------------- trust


def test_a_letter_signed_under_a_configured_root_is_valid_and_trusted(pki: Pki,
                                                                        signed: Path) -> None:
    check = _only(verify_pdf(signed, trust_roots=str(pki.trust_dir)))
    der = pki.signer.cert.public_bytes(serialization.Encoding.DER)
    assert check.status == "valid"
    assert check.field == "Tanda Tangan 1"
    assert check.signer == "Budi Santoso, Badan Pengawas Pemilihan Umum"
    assert check.signer_certificate_sha256 == hashlib.sha256(der).hexdigest()
    assert (check.intact, check.valid, check.trusted) == (True, True, True)
    assert check.covers_whole_document and check.modification == "none"
    assert check.signing_time is not None and check.signing_time.tzinfo is not None
    assert check.signing_time.utcoffset() == dt.timedelta(0)
    assert abs(dt.datetime.now(dt.UTC) - check.signing_time) < dt.timedelta(minutes=10)
    assert check.timestamp_time is None
    assert check.problems == (sg.REVOCATION_NOT_CHECKED,)


def test_a_signature_under_another_root_is_untrusted(other_pki: Pki, signed: Path) -> None:
    check = _only(verify_pdf(signed, trust_roots=str(other_pki.trust_dir)))
    assert (check.status, check.trusted) == ("untrusted", False)
    assert check.intact and check.valid
    assert sg.NO_CHAIN in check.problems


def test_without_trust_roots_the_signer_is_neither_trusted_nor_distrusted(signed: Path) -> None:
    check = _only(verify_pdf(signed, trust_roots=None))
    assert check.trusted is None
    assert check.status == "untrusted"
    assert check.intact and check.valid
    assert sg.NO_TRUST_ROOTS in check.problems


def test_the_root_embedded_in_the_signature_is_not_trusted_by_itself(
        pki: Pki, signed: Path, tmp_path: Path) -> None:
    # The signer's CMS carries its whole chain, root included; only the folder decides trust.
    (tmp_path / "lain.pem").write_bytes(make_pki(tmp_path, label="Ketiga").root.pem)
    assert _only(verify_pdf(signed, trust_roots=str(tmp_path))).trusted is False


def test_an_expired_signer_certificate_is_named_as_the_trust_problem(
        pki: Pki, tmp_path: Path) -> None:
    path = signed_pdf(pki, tmp_path / "kedaluwarsa.pdf", party=expired_signer(pki))
    check = _only(verify_pdf(path, trust_roots=str(pki.trust_dir)))
    assert (check.status, check.trusted) == ("untrusted", False)
    assert sg.CERT_EXPIRED in check.problems


def test_a_trusted_timestamp_from_before_expiry_keeps_an_expired_signer_trusted(
        pki: Pki, tmp_path: Path) -> None:
    stamped = dt.datetime.now(dt.UTC) - dt.timedelta(days=100)
    path = signed_pdf(pki, tmp_path / "cap-waktu-lama.pdf", party=expired_signer(pki),
                      timestamp=True, timestamp_at=stamped)
    check = _only(verify_pdf(path, trust_roots=str(pki.trust_dir)))
    assert (check.status, check.trusted) == ("valid", True)
    assert check.timestamp_time is not None
    assert abs(check.timestamp_time - stamped) < dt.timedelta(seconds=1)
    assert sg.VALID_AT_TIMESTAMP in check.problems
    # A timestamp made after expiry proves nothing.
    late = signed_pdf(pki, tmp_path / "cap-waktu-baru.pdf", party=expired_signer(pki),
                      timestamp=True)
    assert _only(verify_pdf(late, trust_roots=str(pki.trust_dir))).status == "untrusted"


# --------------------------------------------------------------------------- integrity


def test_a_byte_changed_inside_the_signed_range_breaks_the_signature(
        pki: Pki, signed: Path, tmp_path: Path) -> None:
    path = flip_signed_byte(_copy(signed, tmp_path))
    check = _only(verify_pdf(path, trust_roots=str(pki.trust_dir)))
    assert check.status == "broken"
    assert check.intact is False
    assert sg.NOT_INTACT in check.problems
    assert check.signer == "Budi Santoso, Badan Pengawas Pemilihan Umum"  # still shown


def test_a_page_replaced_in_an_update_after_signing_is_reported(
        pki: Pki, signed: Path, tmp_path: Path) -> None:
    path = append_page_change(_copy(signed, tmp_path))
    check = _only(verify_pdf(path, trust_roots=str(pki.trust_dir)))
    assert check.intact and check.valid  # the signed revision itself is untouched
    assert check.covers_whole_document is False
    assert check.modification == "other"
    assert check.status == "broken"
    assert sg.MODIFIED in check.problems


def test_two_signatures_are_checked_in_signing_order(pki: Pki, tmp_path: Path) -> None:
    path = signed_pdf(pki, tmp_path / "dua.pdf")
    add_signature(pki, path, field="Tanda Tangan 2")
    first, second = verify_pdf(path, trust_roots=str(pki.trust_dir))
    assert (first.field, second.field) == ("Tanda Tangan 1", "Tanda Tangan 2")
    assert first.status == second.status == "valid"
    assert first.covers_whole_document is False and second.covers_whole_document is True
    assert first.modification == "form_filling"  # a second signature field is allowed
    assert sg.EXTENDED in first.problems and sg.EXTENDED not in second.problems


def test_a_timestamp_token_gives_its_time_and_is_checked_against_the_roots(
        pki: Pki, other_pki: Pki, tmp_path: Path) -> None:
    path = signed_pdf(pki, tmp_path / "cap-waktu.pdf", timestamp=True)
    check = _only(verify_pdf(path, trust_roots=str(pki.trust_dir)))
    assert check.status == "valid"
    assert check.timestamp_time is not None and check.timestamp_time.utcoffset() == dt.timedelta(0)
    assert abs(check.timestamp_time - dt.datetime.now(dt.UTC)) < dt.timedelta(minutes=10)
    elsewhere = _only(verify_pdf(path, trust_roots=str(other_pki.trust_dir)))
    assert sg.TIMESTAMP_UNTRUSTED in elsewhere.problems


def test_a_document_timestamp_is_listed_after_the_signature_it_protects(
        pki: Pki, tmp_path: Path) -> None:
    path = add_document_timestamp(pki, signed_pdf(pki, tmp_path / "lta.pdf"))
    signature, stamp = verify_pdf(path, trust_roots=str(pki.trust_dir))
    assert (signature.kind, signature.status) == ("signature", "valid")
    assert signature.modification == "lta_updates"
    assert (stamp.kind, stamp.status, stamp.trusted) == ("timestamp", "valid", True)
    assert stamp.signer is not None and stamp.signer.startswith("TSA Uji")
    assert stamp.timestamp_time is not None and stamp.signing_time == stamp.timestamp_time


# --------------------------------------------------------------------------- bad input


def test_an_unsigned_pdf_has_no_signatures(tmp_path: Path) -> None:
    assert verify_pdf(letter_pdf(tmp_path / "biasa.pdf"), trust_roots=None) == []


def test_a_signature_field_with_garbage_cms_is_an_error_status_not_an_exception(
        pki: Pki, tmp_path: Path) -> None:
    path = garbage_signature_pdf(pki, tmp_path / "rusak.pdf")
    check = _only(verify_pdf(path, trust_roots=str(pki.trust_dir)))
    assert check.status == "error"
    assert check.field == "Tanda Tangan 1"
    assert (check.intact, check.valid, check.signer) == (False, False, None)
    assert check.problems == (sg.UNREADABLE_SIGNATURE,)


def test_a_file_that_is_not_a_pdf_is_refused_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "surat.pdf"
    path.write_text("Ini bukan PDF, hanya teks.\n", encoding="utf-8")
    with pytest.raises(UnreadableFile, match="bukan PDF"):
        verify_pdf(path, trust_roots=None)
    with pytest.raises(UnreadableFile, match="bukan PDF"):
        verify_signatures(path, trust_roots=None)


def test_a_truncated_signed_pdf_gives_a_clear_error_or_an_error_status(
        pki: Pki, signed: Path, tmp_path: Path) -> None:
    path = tmp_path / "terpotong.pdf"
    path.write_bytes(signed.read_bytes()[: len(signed.read_bytes()) // 2])
    try:
        checks = verify_signatures(path, trust_roots=str(pki.trust_dir))
    except UnreadableFile as e:
        assert "rusak" in e.message
    else:
        assert all(c.status in ("error", "broken") for c in checks)


# --------------------------------------------------------------------------- trust folder


def test_a_missing_trust_folder_is_a_clear_error(signed: Path, tmp_path: Path) -> None:
    with pytest.raises(TrustRootsInvalid, match="tidak ditemukan"):
        verify_pdf(signed, trust_roots=str(tmp_path / "tidak-ada"))
    with pytest.raises(TrustRootsInvalid, match="tidak ditemukan"):
        verify_signatures(signed, trust_roots=str(tmp_path / "tidak-ada"))


def test_a_file_in_the_trust_folder_that_is_not_a_certificate_is_named(
        pki: Pki, signed: Path, tmp_path: Path) -> None:
    shutil.copy(pki.trust_dir / "root.pem", tmp_path / "root.pem")
    (tmp_path / "catatan.crt").write_text("bukan sertifikat\n", encoding="utf-8")
    with pytest.raises(TrustRootsInvalid, match=r"catatan\.crt"):
        verify_pdf(signed, trust_roots=str(tmp_path))


def test_a_trust_folder_without_certificates_is_a_clear_error(signed: Path,
                                                              tmp_path: Path) -> None:
    (tmp_path / "BACA.txt").write_text("Letakkan sertifikat akar di sini.\n", encoding="utf-8")
    with pytest.raises(TrustRootsInvalid, match="tidak berisi sertifikat"):
        verify_pdf(signed, trust_roots=str(tmp_path))


def test_roots_are_read_from_pem_bundles_and_der_crt_files_alike(
        pki: Pki, other_pki: Pki, signed: Path, tmp_path: Path) -> None:
    (tmp_path / "bundel.pem").write_bytes(other_pki.root.pem + other_pki.intermediate.pem)
    (tmp_path / "akar.crt").write_bytes(pki.root.cert.public_bytes(serialization.Encoding.DER))
    (tmp_path / "BACA.txt").write_text("bukan sertifikat, diabaikan\n", encoding="utf-8")
    assert len(sg.load_trust_roots(tmp_path)) == 3
    assert _only(verify_pdf(signed, trust_roots=str(tmp_path))).status == "valid"


# --------------------------------------------------------------------------- offline


def test_the_check_never_contacts_the_revocation_addresses_in_the_certificate(
        tmp_path: Path) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}"
        pki = make_pki(tmp_path, label="Luring", revocation_url=url)
        path = signed_pdf(pki, tmp_path / "luring.pdf")
        check = _only(verify_pdf(path, trust_roots=str(pki.trust_dir)))
        assert check.status == "valid"
        assert sg.REVOCATION_NOT_CHECKED in check.problems
        with pytest.raises(BlockingIOError):
            server.accept()


# --------------------------------------------------------------------------- in a worker


def test_the_worker_check_gives_the_same_answer_as_the_check_in_process(
        pki: Pki, tmp_path: Path) -> None:
    path = signed_pdf(pki, tmp_path / "dua.pdf", timestamp=True)
    add_signature(pki, path)
    assert verify_signatures(path, trust_roots=str(pki.trust_dir)) == \
        verify_pdf(path, trust_roots=str(pki.trust_dir))


def test_a_check_over_its_time_limit_is_stopped_with_a_clear_error(
        pki: Pki, tmp_path: Path) -> None:
    path = signed_pdf(pki, tmp_path / "dua.pdf")
    add_signature(pki, path)
    started = time.monotonic()
    with pytest.raises(UnreadableFile, match="terlalu lama") as caught:
        verify_signatures(path, trust_roots=str(pki.trust_dir), limits=Limits(timeout_s=0.005))
    assert time.monotonic() - started < 5
    assert "killed" in (caught.value.detail or "")
    assert len(verify_signatures(path, trust_roots=str(pki.trust_dir))) == 2  # a fresh worker


@pytest.mark.parametrize("make", [
    filegen.make_circular_xref_pdf,
    filegen.make_page_tree_loop_pdf,
    filegen.make_cyclic_outline_pdf,
    filegen.make_deeply_nested_pdf,
    filegen.make_flate_bomb_pdf,
    filegen.make_lzw_bomb_pdf,
])
def test_a_hostile_pdf_gives_a_clear_error_or_no_signatures_in_time(make, tmp_path: Path) -> None:
    path = make(tmp_path / "jahat.pdf")
    started = time.monotonic()
    try:
        checks = verify_signatures(path, trust_roots=None, limits=Limits(timeout_s=20))
    except UnreadableFile as e:
        assert e.message
    else:
        assert all(c.status == "error" for c in checks)
    assert time.monotonic() - started < 25


@pytest.mark.slow
@pytest.mark.skipif(not (CORPUS / "manifest.tsv").exists(),
                    reason="the shared real-world corpus is not on this machine")
def test_every_pdf_of_the_real_world_corpus_is_checked_or_refused_in_time() -> None:
    with open(CORPUS / "manifest.tsv", newline="", encoding="utf-8") as f:
        files = [row["file"] for row in csv.DictReader(f, delimiter="\t")
                 if row["file"].lower().endswith(".pdf")]
    assert files
    outcomes: dict[str, str] = {}
    slowest = 0.0
    for name in files:
        started = time.monotonic()
        try:
            checks = verify_signatures(CORPUS / name, trust_roots=None,
                                       limits=Limits(timeout_s=60))
        except EarsipError as e:
            outcomes[name] = f"{type(e).__name__}: {e.message}"
        else:
            # Every signed file of the corpus is a real, unaltered signed document (among
            # them ministry letters signed through BSrE, some in hybrid-reference PDFs).
            assert all(c.intact and c.valid and c.status == "untrusted" for c in checks), name
            outcomes[name] = ",".join(c.status for c in checks) or "unsigned"
        slowest = max(slowest, time.monotonic() - started)
    assert slowest < 65
    assert sum(v == "unsigned" for v in outcomes.values()) > len(files) // 2, outcomes
    assert sum("untrusted" in v for v in outcomes.values()) >= 5, outcomes
