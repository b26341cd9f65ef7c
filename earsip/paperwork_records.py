"""Paperwork values (people, list rows, berita acara facts) and the checks run before rendering."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from earsip.errors import N_, ValidationError
from earsip.paperwork_words import _formal_date

MIN_WITNESSES = 2
_HEX64 = re.compile(r"[0-9a-f]{64}")


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class Person:
    """Someone named in a document, with their position (jabatan)."""

    name: str
    position: str


@dataclass(frozen=True)
class ListRow:
    """One line of a list of records (DAUM or list of static records handed over)."""

    no: int
    code: str
    description: str
    period: str
    quantity: int | str
    development: str
    media: str
    remarks: str = ""


@dataclass(frozen=True)
class DestructionRecord:
    """The facts of a Berita Acara Pemusnahan Arsip.

    `basis_reference` is the number of the head of office's approval decision; `list_number`
    is the number of the attached Daftar Arsip Usul Musnah.
    """

    number: str
    day: dt.date
    place: str
    office: str
    official: Person
    basis_reference: str
    basis_date: dt.date
    method: str
    witnesses: list[Person]
    rows: list[ListRow]
    list_number: str


@dataclass(frozen=True)
class TransferRecord:
    """The facts of a Berita Acara Penyerahan Arsip Statis.

    `package_digest` is the SHA-256 of the package's tagmanifest-sha256.txt, or "" when this
    berita acara travels inside the package itself (it cannot name its own container's digest).
    """

    number: str
    day: dt.date
    place: str
    office: str
    official: Person
    recipient_institution: str
    recipient: Person
    rows: list[ListRow]
    package_name: str
    package_digest: str


# --------------------------------------------------------------------------- checks
# The renderers run these too; a service calls them first so that nothing is destroyed or handed
# over on the strength of a berita acara that could then not be made.


def _require(value: str, field: str, label: str) -> None:
    """Refuse a blank required text."""
    if not str(value).strip():
        raise ValidationError("%(label)s wajib diisi.", field=field, params={"label": label})


def _same_person(a: Person, b: Person) -> bool:
    """Tell whether two entries name the same person (case and spacing ignored)."""
    def key(p: Person) -> str:
        return " ".join(unicodedata.normalize("NFKC", p.name).casefold().split())
    return key(a) == key(b)


# Whole labels, so each can be translated: (name label, position label) by role.
PERSON_LABELS = {
    "pelaksana": (N_("Nama pelaksana"), N_("Jabatan pelaksana")),
    "saksi": (N_("Nama saksi"), N_("Jabatan saksi")),
    "pihak yang menyerahkan": (N_("Nama pihak yang menyerahkan"),
                               N_("Jabatan pihak yang menyerahkan")),
    "pihak yang menerima": (N_("Nama pihak yang menerima"), N_("Jabatan pihak yang menerima")),
    "pengusul": (N_("Nama pengusul"), N_("Jabatan pengusul")),
}


def _check_person(person: Person, field: str, label: str) -> None:
    """Refuse a person without a name or position."""
    _require(person.name, f"{field}.name", PERSON_LABELS[label][0])
    _require(person.position, f"{field}.position", PERSON_LABELS[label][1])


def _check_rows(rows: Sequence[ListRow]) -> None:
    """Refuse an empty list: a document about no records is a mistake."""
    if not rows:
        raise ValidationError("Daftar arsip tidak boleh kosong.", field="rows")


def check_destruction(record: DestructionRecord) -> None:
    """Refuse a destruction record the records rules would not accept (call before destroying)."""
    _require(record.number, "number", N_("Nomor berita acara"))
    _require(record.place, "place", N_("Tempat pemusnahan"))
    _require(record.office, "office", N_("Nama kantor"))
    _require(record.basis_reference, "basis_reference", N_("Nomor keputusan persetujuan"))
    _require(record.method, "method", N_("Cara pemusnahan"))
    _require(record.list_number, "list_number", N_("Nomor daftar arsip usul musnah"))
    _check_person(record.official, "official", "pelaksana")
    if record.basis_date > record.day:
        raise ValidationError(
            "Tanggal persetujuan (%(basis)s) tidak boleh sesudah tanggal pemusnahan (%(day)s).",
            field="basis_date",
            params={"basis": _formal_date(record.basis_date), "day": _formal_date(record.day)},
        )
    if len(record.witnesses) < MIN_WITNESSES:
        raise ValidationError(
            "Pemusnahan harus disaksikan sekurang-kurangnya %(min)s orang saksi.",
            field="witnesses", params={"min": MIN_WITNESSES},
        )
    for i, witness in enumerate(record.witnesses):
        _check_person(witness, f"witnesses.{i}", "saksi")
        if _same_person(witness, record.official):
            raise ValidationError(
                "Pelaksana pemusnahan (%(name)s) tidak dapat sekaligus menjadi saksi.",
                field="witnesses", params={"name": witness.name},
            )
        if any(_same_person(witness, other) for other in record.witnesses[:i]):
            raise ValidationError(
                "Saksi %(name)s tercantum lebih dari sekali.",
                field="witnesses", params={"name": witness.name},
            )
    _check_rows(record.rows)


def check_transfer(record: TransferRecord) -> None:
    """Refuse a transfer record with missing parties, package or list."""
    _require(record.number, "number", N_("Nomor berita acara"))
    _require(record.place, "place", N_("Tempat penyerahan"))
    _require(record.office, "office", N_("Nama kantor"))
    _require(record.recipient_institution, "recipient_institution", N_("Lembaga penerima"))
    _require(record.package_name, "package_name", N_("Nama paket arsip"))
    _check_person(record.official, "official", "pihak yang menyerahkan")
    _check_person(record.recipient, "recipient", "pihak yang menerima")
    if record.package_digest and not _HEX64.fullmatch(record.package_digest):
        raise ValidationError(
            "Nilai hash paket harus berupa 64 karakter heksadesimal SHA-256.",
            field="package_digest",
        )
    _check_rows(record.rows)
