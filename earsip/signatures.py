"""Check the electronic signatures (PAdES) embedded in a PDF with pyHanko, offline.

For each signature field the check reports who signed (the certificate's subject), when (the
signing time the signer declared, and the time of a timestamp token when there is one),
whether the signed bytes still hash to what was signed (`intact`), whether the signature value
is cryptographically valid (`valid`), how much of the file it covers and what pyHanko's
difference analysis says about later updates, and whether the signer's chain reaches one of the
trust roots the office configured (`trusted`). Nothing is fetched from the network: no OCSP,
no CRL, no certificates from AIA addresses, so revocation is never known and always reported
as not checked.

Parsing a PDF from outside can be slow or hostile: `check_signatures` runs in the caller's
process and should run in an extraction worker (`earsip.extract.verify_signatures` does that,
with a time and memory limit). Import rule: the standard library, pyHanko and its libraries
(asn1crypto, cryptography) and `earsip.errors` only.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography import x509 as pyca_x509
from cryptography.hazmat.primitives.serialization import Encoding

from earsip.errors import N_, TrustRootsInvalid, UnreadableFile

STATUSES = ("valid", "untrusted", "broken", "error")
_EXPIRED = frozenset({"EXPIRED", "OUT_OF_BOUNDS_NO_POE", "OUT_OF_BOUNDS_NOT_REVOKED"})
TRUST_ROOT_SUFFIXES = (".pem", ".crt")

# What the archive tells the user (shown beside each signature).
REVOCATION_NOT_CHECKED = N_("Status pencabutan sertifikat tidak diperiksa: pemeriksaan dilakukan "
                            "luring, tanpa OCSP atau CRL.")
NO_TRUST_ROOTS = N_("Keaslian penanda tangan belum dapat dipastikan: akar kepercayaan "
                    "(EARSIP_TRUST_ROOTS) belum dikonfigurasi.")
NOT_INTACT = N_("Isi dokumen tidak cocok lagi dengan tanda tangan: bagian yang ditandatangani "
                "telah diubah.")
NOT_VALID = N_("Nilai tanda tangan tidak sah secara kriptografis.")
MODIFIED = N_("Dokumen diubah setelah ditandatangani: ada pembaruan yang mengganti isi atau "
              "halaman.")
EXTENDED = N_("Dokumen ditambah setelah tanda tangan ini (tanda tangan lain, isian formulir "
              "atau anotasi); bagian yang ditandatangani tidak berubah.")
EXTENDED_UNKNOWN = N_("Dokumen ditambah setelah tanda tangan ini; perubahan itu tidak dapat "
                      "dinilai.")
PARTIAL_COVERAGE = N_("Tanda tangan tidak mencakup seluruh isi dokumen pada saat ditandatangani.")
NO_CHAIN = N_("Rantai sertifikat penanda tangan tidak sampai ke akar kepercayaan yang "
              "dikonfigurasi.")
CERT_EXPIRED = N_("Sertifikat penanda tangan sudah kedaluwarsa.")
CERT_NOT_YET_VALID = N_("Sertifikat penanda tangan belum berlaku.")
CERT_REVOKED = N_("Sertifikat penanda tangan telah dicabut.")
CHAIN_FAILED = N_("Rantai sertifikat penanda tangan tidak lolos pemeriksaan (penggunaan kunci, "
                  "algoritme atau batasan sertifikat).")
TIMESTAMP_BROKEN = N_("Cap waktu (timestamp) pada tanda tangan rusak atau tidak sah.")
TIMESTAMP_UNTRUSTED = N_("Cap waktu (timestamp) berasal dari otoritas yang tidak dipercaya.")
UNREADABLE_SIGNATURE = N_("Data tanda tangan rusak atau formatnya tidak dikenal; tanda tangan "
                          "ini tidak dapat diperiksa.")
UNSUPPORTED_SIGNATURE = N_("Jenis tanda tangan ini tidak didukung; tanda tangan ini tidak "
                           "dapat diperiksa.")
VALID_AT_TIMESTAMP = N_("Sertifikat penanda tangan sudah kedaluwarsa, tetapi masih berlaku pada "
                        "waktu cap waktu (timestamp) tepercaya; rantainya dinilai pada waktu itu.")
LENIENT = N_("Struktur PDF tidak baku (mis. rujukan silang hibrida), sehingga berkas dibaca "
             "dalam mode longgar; hasil pemeriksaan ini kurang pasti.")
CHECK_FAILED = N_("Tanda tangan ini tidak dapat diperiksa karena kesalahan saat pemeriksaan.")


@dataclass(frozen=True)
class SignatureCheck:
    """What the offline check found about one signature field of a PDF."""

    field: str
    status: str  # one of STATUSES
    signer: str | None  # the certificate's common name, ", organisation" when present
    signer_certificate_sha256: str | None
    signing_time: datetime | None  # UTC, as the signer declared it
    timestamp_time: datetime | None  # UTC, from a timestamp token when there is one
    intact: bool  # the signed bytes still hash to the signed digest
    valid: bool  # the signature value is cryptographically valid
    covers_whole_document: bool  # no byte was appended after this signature
    modification: str | None  # pyHanko's level of later changes: none, lta_updates,
    #                           form_filling, annotations, other; None when not known
    trusted: bool | None  # None when no trust roots are configured
    problems: tuple[str, ...]  # short messages in Bahasa Indonesia
    kind: str = "signature"  # or "timestamp" (a document timestamp, PAdES-LTA)


def load_trust_roots(folder: str | os.PathLike[str]) -> list[bytes]:
    """Return the DER of every certificate in the folder's *.pem and *.crt files."""
    path = Path(folder)
    if not path.is_dir():
        raise TrustRootsInvalid("Folder akar kepercayaan %(path)s (EARSIP_TRUST_ROOTS) tidak "
                                "ditemukan.", params={"path": str(path)})
    roots: list[bytes] = []
    for file in sorted(path.iterdir()):
        if file.suffix.lower() not in TRUST_ROOT_SUFFIXES or not file.is_file():
            continue
        try:
            data = file.read_bytes()
        except OSError as e:
            raise TrustRootsInvalid("Berkas akar kepercayaan %(path)s tidak dapat dibaca.",
                                    params={"path": str(file)}) from e
        roots.extend(_certificates_in(data, file))
    if not roots:
        raise TrustRootsInvalid("Folder akar kepercayaan %(path)s tidak berisi sertifikat "
                                "(berkas .pem atau .crt).", params={"path": str(path)})
    return roots


def _certificates_in(data: bytes, file: Path) -> list[bytes]:
    """Return the DER of the certificates in one PEM (one or more) or DER file."""
    try:
        if b"-----BEGIN" in data:
            certs = pyca_x509.load_pem_x509_certificates(data)
        else:
            certs = [pyca_x509.load_der_x509_certificate(data)]
    except ValueError as e:
        raise TrustRootsInvalid("Berkas %(path)s di folder akar kepercayaan bukan sertifikat "
                                "X.509 (PEM atau DER).", params={"path": str(file)}) from e
    return [c.public_bytes(Encoding.DER) for c in certs]


def verify_pdf(path: str | os.PathLike[str], *,
               trust_roots: str | None) -> list[SignatureCheck]:
    """Check every signature of the PDF in this process against the roots in `trust_roots`.

    An unsigned PDF gives []. Raise TrustRootsInvalid for a bad trust folder and UnreadableFile
    when the file is not a readable PDF. Input from outside: prefer
    `earsip.extract.verify_signatures`, which runs this in a worker with a time limit.
    """
    roots = load_trust_roots(trust_roots) if trust_roots is not None else None
    return check_signatures(path, roots)


def check_signatures(path: str | os.PathLike[str],
                     roots: Sequence[bytes] | None) -> list[SignatureCheck]:
    """Check every signature of the PDF against the trust roots given as DER (None: none set)."""
    from pyhanko.pdf_utils.misc import PdfReadError

    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise UnreadableFile("Berkas tidak dapat dibaca untuk memeriksa tanda tangan.",
                             detail=_technical(e)) from e
    if b"%PDF-" not in data[:1024]:
        raise UnreadableFile("Berkas ini bukan PDF; tanda tangan elektronik hanya diperiksa "
                             "pada PDF.", detail="no %PDF- header in the first 1024 bytes")
    # Strict parsing first. Files it refuses, and hybrid-reference files (which pyHanko checks
    # only when not strict; real TTE letters are such files), are read leniently, and every
    # check then says so.
    lenient = False
    try:
        try:
            reader = _open(data, strict=True)
            fields = _signature_fields(reader)
            lenient = bool(fields) and bool(reader.xrefs.hybrid_xrefs_present)
        except PdfReadError:
            lenient = True
        if lenient:
            reader = _open(data, strict=False)
            fields = _signature_fields(reader)
    except (UnreadableFile, MemoryError):
        raise
    except Exception as e:  # noqa: BLE001 - whatever a hostile file makes the parser raise
        raise UnreadableFile("Berkas PDF rusak sehingga tanda tangannya tidak dapat diperiksa.",
                             detail=_technical(e)) from e
    if not fields:
        return []
    checks = [_check_field(reader, name, sig_field, roots) for name, sig_field in fields]
    ordered = [check for _, check in sorted(checks, key=lambda c: c[0])]
    if lenient:
        ordered = [replace(c, problems=(*c.problems, LENIENT)) for c in ordered]
    return ordered


def _technical(e: BaseException) -> str:
    """Return an exception's class and text, for the audit entry (never for users)."""
    return f"{type(e).__name__}: {e}"[:500]


def _open(data: bytes, *, strict: bool) -> Any:
    """Return a pyHanko reader of the PDF, decrypted when it opens without a password."""
    import io

    from pyhanko.pdf_utils.crypt import AuthStatus
    from pyhanko.pdf_utils.misc import PdfReadError
    from pyhanko.pdf_utils.reader import PdfFileReader

    reader = PdfFileReader(io.BytesIO(data), strict=strict)
    if reader.encrypt_dict:
        result = None
        try:
            result = reader.decrypt("")
        except (PdfReadError, NotImplementedError, ValueError) as e:
            raise UnreadableFile("PDF terenkripsi dengan cara yang tidak didukung; tanda "
                                 "tangannya tidak dapat diperiksa.",
                                 detail=_technical(e)) from e
        if result is None or result.status == AuthStatus.FAILED:
            raise UnreadableFile("PDF dilindungi kata sandi; tanda tangannya tidak dapat "
                                 "diperiksa.", detail="encrypted with a user password")
    return reader


def _signature_fields(reader: Any) -> list[tuple[str, Any]]:
    """Return (name, field dictionary) of every filled signature field."""
    from pyhanko.sign.fields import enumerate_sig_fields

    return [(str(name), sig_field)
            for name, _value, sig_field in enumerate_sig_fields(reader, filled_status=True)]


def _failed(name: str, problem: str, kind: str = "signature") -> SignatureCheck:
    return SignatureCheck(field=name, status="error", signer=None,
                          signer_certificate_sha256=None, signing_time=None,
                          timestamp_time=None, intact=False, valid=False,
                          covers_whole_document=False, modification=None, trusted=None,
                          problems=(problem,), kind=kind)


def _check_field(reader: Any, name: str, sig_field: Any,
                 roots: Sequence[bytes] | None) -> tuple[int, SignatureCheck]:
    """Return (signed revision, check) for one filled signature field; never raise."""
    from pyhanko.sign.validation import validate_pdf_signature, validate_pdf_timestamp
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature

    last = 1 << 30  # fields that cannot be read are listed after the others
    try:
        embedded = EmbeddedPdfSignature(reader, sig_field, name)
        kind = "timestamp" if embedded.sig_object_type == "/DocTimeStamp" else "signature"
        revision = int(embedded.signed_revision)
    except Exception:  # noqa: BLE001 - any parse failure of hostile CMS is this field's error
        return last, _failed(name, UNREADABLE_SIGNATURE)
    if not _supported(embedded, kind):
        return revision, _failed(name, UNSUPPORTED_SIGNATURE, kind)
    status: Any
    try:
        context = _context(roots)
        if kind == "timestamp":
            status = validate_pdf_timestamp(embedded, validation_context=context)
        else:
            status = validate_pdf_signature(embedded, signer_validation_context=context,
                                            ts_validation_context=_context(roots))
            moment = _trusted_timestamp_of_expired(status, roots)
            if moment is not None:
                # The certificate has expired since; a trusted timestamp proves the signature
                # existed while it was valid, so the chain is judged at that moment.
                at_stamp = validate_pdf_signature(
                    embedded, signer_validation_context=_context(roots, moment=moment),
                    ts_validation_context=_context(roots))
                if _chain_trusted(at_stamp):
                    return revision, _summarise(name, kind, at_stamp, roots,
                                                note=VALID_AT_TIMESTAMP)
        return revision, _summarise(name, kind, status, roots)
    except Exception:  # noqa: BLE001 - pyHanko raises many kinds on malformed input
        return revision, _failed(name, CHECK_FAILED, kind)


def _supported(embedded: Any, kind: str) -> bool:
    sub_filter = embedded.sig_object.get("/SubFilter")
    allowed = {"/ETSI.RFC3161"} if kind == "timestamp" else {
        "/adbe.pkcs7.detached", "/ETSI.CAdES.detached"}
    return str(sub_filter) in allowed


def _chain_trusted(status: Any) -> bool:
    """Tell whether the signer's chain reached a trust root (whatever the document's state)."""
    return status.validation_path is not None and status.trust_problem_indic is None


def _trusted_timestamp_of_expired(status: Any, roots: Sequence[bytes] | None) -> datetime | None:
    """Return the time of a trusted timestamp on a signature whose certificate has expired."""
    stamp = getattr(status, "timestamp_validity", None)
    indication = getattr(status.trust_problem_indic, "name", "")
    if roots is None or stamp is None or indication not in _EXPIRED:
        return None
    if not (stamp.intact and stamp.valid and _chain_trusted(stamp)):
        return None
    moment: datetime = stamp.timestamp
    return moment


def _context(roots: Sequence[bytes] | None, *, moment: datetime | None = None) -> Any:
    """Return a validation context that trusts only `roots` and never fetches anything."""
    from pyhanko.keys import load_certs_from_pemder_data
    from pyhanko_certvalidator import ValidationContext

    anchors = [cert for der in roots or () for cert in load_certs_from_pemder_data(der)]
    # An empty list (not None): pyHanko would otherwise fall back to the OS's TLS roots.
    return ValidationContext(trust_roots=anchors, allow_fetching=False,
                             revocation_mode="soft-fail", moment=moment)


def _utc(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def _signer_name(cert: Any) -> str | None:
    try:
        subject = cert.subject.native
    except Exception:  # noqa: BLE001 - a malformed name is shown as unknown
        return None
    # An attribute that occurs twice in the name comes as a list: its first value is shown.
    parts = [v[0] if isinstance(v, list) and v else v
             for v in (subject.get("common_name"), subject.get("organization_name"))]
    return ", ".join(str(p) for p in parts if p) or None


def _summarise(name: str, kind: str, status: Any, roots: Sequence[bytes] | None, *,
               note: str | None = None) -> SignatureCheck:
    """Turn pyHanko's status into a SignatureCheck with a summary status and problems."""
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    problems: list[str] = []
    broken = False
    intact, valid = bool(status.intact), bool(status.valid)
    if not intact:
        problems.append(NOT_INTACT)
        broken = True
    if not valid:
        problems.append(NOT_VALID)
        broken = True
    coverage = status.coverage
    level = status.modification_level
    whole = coverage == SignatureCoverageLevel.ENTIRE_FILE
    if coverage is None or coverage < SignatureCoverageLevel.ENTIRE_REVISION:
        problems.append(PARTIAL_COVERAGE)
        broken = True
    elif level == ModificationLevel.OTHER or status.docmdp_ok is False:
        problems.append(MODIFIED)
        broken = True
    elif not whole:
        problems.append(EXTENDED if level is not None else EXTENDED_UNKNOWN)

    trusted: bool | None = None
    if roots is None:
        problems.append(NO_TRUST_ROOTS)
    else:
        # The chain alone (pyHanko's `trusted` also requires the document to be intact).
        trusted = _chain_trusted(status)
        if not trusted and intact and valid:
            problems.append(_trust_problem(status))
        if note:
            problems.append(note)

    stamp = getattr(status, "timestamp_validity", None)
    stamp_time = None
    if kind == "timestamp":
        stamp_time = _utc(status.timestamp)
    elif stamp is not None:
        stamp_time = _utc(stamp.timestamp)
        if not (stamp.intact and stamp.valid):
            problems.append(TIMESTAMP_BROKEN)
            broken = True
        elif roots is not None and not stamp.trusted:
            problems.append(TIMESTAMP_UNTRUSTED)
            trusted = False
    problems.append(REVOCATION_NOT_CHECKED)

    if broken:
        summary = "broken"
    elif trusted:
        summary = "valid"
    else:
        summary = "untrusted"
    cert = status.signing_cert
    signing_time = stamp_time if kind == "timestamp" else _utc(status.signer_reported_dt)
    return SignatureCheck(
        field=name, status=summary, signer=_signer_name(cert),
        signer_certificate_sha256=hashlib.sha256(cert.dump()).hexdigest() if cert else None,
        signing_time=signing_time, timestamp_time=stamp_time, intact=intact, valid=valid,
        covers_whole_document=whole,
        modification=level.name.lower() if level is not None else None,
        trusted=trusted, problems=tuple(dict.fromkeys(problems)), kind=kind)


def _trust_problem(status: Any) -> str:
    """Name in plain words why the chain was not trusted."""
    indication = getattr(status.trust_problem_indic, "name", "")
    if status.revoked or indication.startswith("REVOKED"):
        return CERT_REVOKED
    if indication in _EXPIRED:
        return CERT_EXPIRED
    if indication == "NOT_YET_VALID":
        return CERT_NOT_YET_VALID
    if indication in ("NO_CERTIFICATE_CHAIN_FOUND", "") or status.validation_path is None:
        return NO_CHAIN
    return CHAIN_FAILED

