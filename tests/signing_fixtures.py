"""Throw-away PKIs and PDFs signed with them (PAdES baseline), for tests of signature checks.

`make_pki` writes a root CA, an intermediate CA, a signer and a timestamping authority (RSA
keys, made with `cryptography`), shaped like the chain of an Indonesian government signer: a
root, a signing CA below it and a person's certificate whose key may sign documents. The root
is written to `pki.trust_dir` (what `EARSIP_TRUST_ROOTS` points to). `signed_pdf` draws a one-page
letter with reportlab and signs it with pyHanko; `add_signature` signs an already signed PDF
again (an incremental update, as a second official does).
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

UTC = dt.UTC


@dataclass(frozen=True)
class Party:
    """A certificate and its private key."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey

    @property
    def pem(self) -> bytes:
        """Return the certificate as PEM."""
        return self.cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Pki:
    """A root CA, an intermediate CA, a signer and a TSA; the root alone in `trust_dir`."""

    root: Party
    intermediate: Party
    signer: Party
    tsa: Party
    trust_dir: Path


def _name(common_name: str, organisation: str | None = None) -> x509.Name:
    attrs = [x509.NameAttribute(NameOID.COUNTRY_NAME, "ID")]
    if organisation:
        attrs.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organisation))
    attrs.append(x509.NameAttribute(NameOID.COMMON_NAME, common_name))
    return x509.Name(attrs)


def _key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _issue(subject: x509.Name, key: rsa.RSAPrivateKey, issuer: Party | None, *, ca: bool,
           path_length: int | None = None, leaf_usage: str = "sign",
           revocation_url: str | None = None) -> Party:
    """Return a certificate for `key`, signed by `issuer` (self-signed when None)."""
    now = dt.datetime.now(UTC)
    issuer_name = issuer.cert.subject if issuer else subject
    issuer_key = issuer.key if issuer else key
    builder = (x509.CertificateBuilder()
               .subject_name(subject).issuer_name(issuer_name)
               .public_key(key.public_key())
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - dt.timedelta(days=1000 if ca or leaf_usage != "sign"
                                                     else 1))
               .not_valid_after(now + dt.timedelta(days=365 * (10 if ca else 2)))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=path_length),
                              critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()),
                              critical=False))
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()),
            critical=False)
    if ca:
        usage = dict(digital_signature=False, content_commitment=False, key_cert_sign=True,
                     crl_sign=True)
    elif leaf_usage == "timestamp":
        usage = dict(digital_signature=True, content_commitment=False, key_cert_sign=False,
                     crl_sign=False)
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.TIME_STAMPING]), critical=True)
    else:
        usage = dict(digital_signature=True, content_commitment=True, key_cert_sign=False,
                     crl_sign=False)
    builder = builder.add_extension(
        x509.KeyUsage(key_encipherment=False, data_encipherment=False, key_agreement=False,
                      encipher_only=False, decipher_only=False, **usage), critical=True)
    if revocation_url:
        # Where a real CA publishes revocation: the archive must never go there (offline).
        builder = builder.add_extension(x509.CRLDistributionPoints([x509.DistributionPoint(
            [x509.UniformResourceIdentifier(f"{revocation_url}/crl")], None, None, None)]),
            critical=False)
        builder = builder.add_extension(x509.AuthorityInformationAccess([
            x509.AccessDescription(x509.AuthorityInformationAccessOID.OCSP,
                                   x509.UniformResourceIdentifier(f"{revocation_url}/ocsp")),
            x509.AccessDescription(x509.AuthorityInformationAccessOID.CA_ISSUERS,
                                   x509.UniformResourceIdentifier(f"{revocation_url}/ca.crt")),
        ]), critical=False)
    cert = builder.sign(issuer_key, hashes.SHA256())
    return Party(cert, key)


def expired_signer(pki: Pki, *, days_ago: int = 70) -> Party:
    """Return a signer certificate of the PKI (same key and name) that expired `days_ago`."""
    now = dt.datetime.now(UTC)
    cert = (x509.CertificateBuilder()
            .subject_name(pki.signer.cert.subject).issuer_name(pki.intermediate.cert.subject)
            .public_key(pki.signer.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=days_ago + 730))
            .not_valid_after(now - dt.timedelta(days=days_ago))
            .add_extension(x509.KeyUsage(digital_signature=True, content_commitment=True,
                                         key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, key_cert_sign=False,
                                         crl_sign=False, encipher_only=False,
                                         decipher_only=False), critical=True)
            .sign(pki.intermediate.key, hashes.SHA256()))
    return Party(cert, pki.signer.key)


def make_pki(tmp_path: Path, *, label: str = "Uji", signer: str = "Budi Santoso",
             organisation: str | None = "Badan Pengawas Pemilihan Umum",
             revocation_url: str | None = None) -> Pki:
    """Create a fresh PKI under `tmp_path`; its root alone is written to `trust_dir`."""
    root = _issue(_name(f"Root CA {label}", f"Otoritas Sertifikat {label}"), _key(), None,
                  ca=True)
    intermediate = _issue(_name(f"CA Penanda Tangan {label}", f"Otoritas Sertifikat {label}"),
                          _key(), root, ca=True, path_length=0)
    person = _issue(_name(signer, organisation), _key(), intermediate, ca=False,
                    revocation_url=revocation_url)
    tsa = _issue(_name(f"TSA {label}", f"Otoritas Sertifikat {label}"), _key(), intermediate,
                 ca=False, leaf_usage="timestamp")
    trust_dir = tmp_path / f"trust-{label.lower().replace(' ', '-')}"
    trust_dir.mkdir(parents=True, exist_ok=True)
    (trust_dir / "root.pem").write_bytes(root.pem)
    return Pki(root, intermediate, person, tsa, trust_dir)


def letter_pdf(path: Path, *, text: str = "Surat undangan rapat koordinasi pengawasan.",
               pages: int = 1) -> Path:
    """Draw a plain (unsigned) letter of `pages` pages with reportlab."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=A4, pageCompression=0)  # flip_signed_byte finds text
    for number in range(1, pages + 1):
        c.drawString(72, 760, "BADAN PENGAWAS PEMILIHAN UMUM")
        c.drawString(72, 700, text)
        c.drawString(72, 680, f"Halaman {number}")
        c.showPage()
    c.save()
    return path


def _signer(pki: Pki, party: Party | None = None):  # noqa: ANN202 - pyHanko's SimpleSigner
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.sign import signers
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    party = party or pki.signer
    chain = [translate_pyca_cryptography_cert_to_asn1(c)
             for c in (pki.intermediate.cert, pki.root.cert)]
    return signers.SimpleSigner(
        signing_cert=translate_pyca_cryptography_cert_to_asn1(party.cert),
        signing_key=translate_pyca_cryptography_key_to_asn1(party.key),
        cert_registry=SimpleCertificateStore.from_certs(chain))


def _timestamper(pki: Pki, at: dt.datetime | None):  # noqa: ANN202 - DummyTimeStamper
    from pyhanko.keys.internal import (
        translate_pyca_cryptography_cert_to_asn1,
        translate_pyca_cryptography_key_to_asn1,
    )
    from pyhanko.sign.timestamps import DummyTimeStamper
    from pyhanko_certvalidator.registry import SimpleCertificateStore

    return DummyTimeStamper(
        tsa_cert=translate_pyca_cryptography_cert_to_asn1(pki.tsa.cert),
        tsa_key=translate_pyca_cryptography_key_to_asn1(pki.tsa.key),
        certs_to_embed=SimpleCertificateStore.from_certs(
            [translate_pyca_cryptography_cert_to_asn1(pki.intermediate.cert)]),
        fixed_dt=at)


def add_signature(pki: Pki, path: Path, *, field: str = "Tanda Tangan 2",
                  party: Party | None = None, timestamp: bool = False,
                  timestamp_at: dt.datetime | None = None) -> Path:
    """Sign the PDF at `path` (again) in an incremental update, in place (PAdES baseline).

    `timestamp` adds a signature timestamp token from the PKI's TSA (dated `timestamp_at`, by
    default now): PAdES B-T.
    """
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    data = path.read_bytes()
    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(field_name=field,
                                        subfilter=fields.SigSeedSubFilter.PADES,
                                        reason="Surat dinas", location="Indonesia")
    out = signers.sign_pdf(writer, meta, signer=_signer(pki, party),
                           timestamper=_timestamper(pki, timestamp_at) if timestamp else None,
                           new_field_spec=fields.SigFieldSpec(field))
    path.write_bytes(out.getvalue())
    return path


def add_document_timestamp(pki: Pki, path: Path) -> Path:
    """Add a document timestamp from the PKI's TSA (PAdES-LTA style), in place."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign.signers.pdf_signer import PdfTimeStamper

    writer = IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()))
    out = PdfTimeStamper(_timestamper(pki, None)).timestamp_pdf(writer, "sha256")
    path.write_bytes(out.getvalue())
    return path


def signed_pdf(pki: Pki, path: Path, *, text: str = "Surat undangan rapat koordinasi.",
               field: str = "Tanda Tangan 1", party: Party | None = None,
               timestamp: bool = False, timestamp_at: dt.datetime | None = None) -> Path:
    """Draw a letter with reportlab and sign it with the PKI's signer (PAdES baseline)."""
    letter_pdf(path, text=text)
    return add_signature(pki, path, field=field, party=party, timestamp=timestamp,
                         timestamp_at=timestamp_at)


def append_page_change(path: Path, *, text: str = "Isi surat diganti setelah ditandatangani.",
                       page: int = 0) -> Path:
    """Replace a page's content in an incremental update after signing (a forged change)."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(path.read_bytes()))
    page_ref = writer.find_page_for_modification(page)[0]
    page_dict = page_ref.get_object()
    content = f"BT /F1 14 Tf 72 640 Td ({text}) Tj ET".encode("latin-1")
    stream = writer.add_object(generic.StreamObject(stream_data=content))
    page_dict["/Contents"] = stream
    writer.update_container(page_dict)
    out = io.BytesIO()
    writer.write(out)
    path.write_bytes(out.getvalue())
    return path


def flip_signed_byte(path: Path) -> Path:
    """Change one byte of page content inside the first signature's signed range."""
    data = bytearray(path.read_bytes())
    at = data.index(b"Halaman 1")
    data[at] = ord("X")
    path.write_bytes(bytes(data))
    return path


def garbage_signature_pdf(pki: Pki, path: Path) -> Path:
    """Sign a letter, then overwrite the CMS blob in /Contents with random-looking hex."""
    signed_pdf(pki, path)
    data = bytearray(path.read_bytes())
    start = data.index(b"/Contents <") + len(b"/Contents <")
    end = data.index(b">", start)
    filler = (b"3082DEADBEEF" * ((end - start) // 12 + 1))[: end - start]
    data[start:end] = filler
    path.write_bytes(bytes(data))
    return path
