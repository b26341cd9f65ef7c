"""Cases at the doors: what the public and the desk submit (a request for information, an
objection, a report of a violation, ...), the decisions on them, and the answers of the API."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import BeforeValidator, WithJsonSchema, model_validator

from earsip.errors import N_, ValidationError
from earsip.schemas.base import Model, Required, Text
from earsip.schemas.desk import choice, day_field, moment_field

CASE_TYPES = ("permohonan_informasi", "keberatan", "laporan_pelanggaran", "sengketa_proses",
              "konsultasi", "audiensi", "pengaduan_layanan", "lainnya")
CASE_CHANNELS = ("loket", "surat", "email", "telepon", "web")
OBTAIN_METHODS = ("melihat", "membaca", "mendengarkan", "mencatat", "salinan_hardcopy",
                  "salinan_softcopy")
COPY_METHODS = ("ambil_langsung", "kurir", "pos", "faksimili", "email")
# UU 14/2008 Pasal 35 ayat (1): the closed list of reasons for an objection.
OBJECTION_REASONS = ("a", "b", "c", "d", "e", "f", "g")
OUTCOMES = {
    "permohonan_informasi": ("dikabulkan", "dikabulkan_sebagian", "ditolak", "tidak_dikuasai"),
    "keberatan": ("dikabulkan", "dikabulkan_sebagian", "ditolak"),
    "laporan_pelanggaran": ("diregistrasi", "tidak_diregistrasi", "dilimpahkan"),
}
OTHER_OUTCOMES = ("selesai", "dirujuk", "ditolak")
ALL_OUTCOMES = tuple(dict.fromkeys(
    [o for values in OUTCOMES.values() for o in values] + list(OTHER_OUTCOMES)))
DELIVERY_METHODS = ("langsung", "kurir", "pos", "faksimili", "email")
# An identity number: a NIK (16 digits), or a legal entity's registration number.
IDENTITY_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9./\-]{3,39}$")
EMAIL = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")
PHONE = re.compile(r"^\+?[0-9][0-9 ()\-]{5,24}$")


# The fields a message names, in words (the form's labels).
FIELD_LABELS = {
    "name": N_("Nama"), "address": N_("Alamat"), "identity_number": N_("Nomor identitas (NIK)"),
    "information": N_("Rincian informasi"), "purpose": N_("Tujuan penggunaan informasi"),
    "obtain_method": N_("Cara memperoleh informasi"),
    "copy_method": N_("Cara mendapatkan salinan"), "reason": N_("Alasan keberatan"),
    "description": N_("Uraian"), "reporter_name": N_("Nama pelapor"),
    "reported_party": N_("Terlapor"), "event": N_("Peristiwa"),
    "place": N_("Tempat kejadian"), "occurred_on": N_("Tanggal kejadian"),
    "known_on": N_("Tanggal diketahui"), "decision_date": N_("Tanggal keputusan"),
    "cause_date": N_("Tanggal penyebab keberatan"),
}


def outcomes_of(case_type: str) -> tuple[str, ...]:
    """Return the outcomes a case of `case_type` may be closed with."""
    return OUTCOMES.get(case_type, OTHER_OUTCOMES)


def _identity(value: Any, info: Any) -> str | None:
    text = re.sub(r"\s+", "", str(value or ""))
    if not text:
        return None
    if not IDENTITY_NUMBER.match(text):
        raise ValidationError("Nomor identitas tidak sah: gunakan NIK (16 angka) atau nomor "
                              "badan hukum.", field=info.field_name)
    if text.isdigit() and len(text) != 16:
        raise ValidationError("NIK harus 16 angka.", field=info.field_name)
    return text


def _email(value: Any, info: Any) -> str | None:
    text = str(value or "").strip()
    if not text:
        return None
    if len(text) > 254 or not EMAIL.match(text):
        raise ValidationError("Alamat e-mail tidak sah: %(value)s.", field=info.field_name,
                              params={"value": text[:60]})
    return text


def _phone(value: Any, info: Any) -> str | None:
    text = " ".join(str(value or "").split())
    if not text:
        return None
    if not PHONE.match(text):
        raise ValidationError("Nomor telepon tidak sah: %(value)s.", field=info.field_name,
                              params={"value": text[:40]})
    return text


def _number(value: Any, info: Any) -> str | None:
    text = " ".join(str(value or "").split())
    return text[:80] or None


Identity = Annotated[str | None, BeforeValidator(_identity),
                     WithJsonSchema({"type": ["string", "null"], "maxLength": 40})]
Email = Annotated[str | None, BeforeValidator(_email),
                  WithJsonSchema({"type": ["string", "null"], "format": "email"})]
Phone = Annotated[str | None, BeforeValidator(_phone),
                  WithJsonSchema({"type": ["string", "null"], "maxLength": 25})]
CaseNumber = Annotated[str | None, BeforeValidator(_number),
                       WithJsonSchema({"type": ["string", "null"], "maxLength": 80})]


def _short(label: str, limit: int = 200, *, required: bool = False) -> Any:
    return Text(label, limit=limit, required=required)


class InformationRequest(Model):
    """A request for public information (permohonan informasi publik), as the public form and
    the desk take it (UU 14/2008; the fields of docs/DESK.md)."""

    name: Annotated[str, Text(N_("Nama"), limit=200)] = ""
    address: Annotated[str, Text(N_("Alamat"), limit=1000)] = ""
    occupation: Annotated[str | None, _short(N_("Pekerjaan"))] = None
    phone: Phone = None
    email: Email = None
    identity_number: Annotated[str | None, BeforeValidator(_identity), Required(),
                               WithJsonSchema({"type": "string", "maxLength": 40})] = None
    information: Annotated[str, Text(N_("Rincian informasi yang dibutuhkan"), limit=5000)] = ""
    purpose: Annotated[str, Text(N_("Tujuan penggunaan informasi"), limit=2000)] = ""
    obtain_method: Annotated[str, choice(OBTAIN_METHODS, N_("Cara memperoleh informasi"))] = ""
    copy_method: Annotated[str, choice(COPY_METHODS, N_("Cara mendapatkan salinan"))] = ""

    @model_validator(mode="after")
    def _contact(self) -> InformationRequest:
        if self.identity_number is None:
            raise ValidationError("Nomor identitas (NIK) wajib diisi.", field="identity_number")
        if not self.phone and not self.email:
            raise ValidationError("Isi nomor telepon atau alamat e-mail agar kami dapat "
                                  "menghubungi Anda.", field="phone")
        if self.copy_method == "email" and not self.email:
            raise ValidationError("Salinan dikirim lewat e-mail: isi alamat e-mail.",
                                  field="email")
        return self


class PublicObjection(Model):
    """An objection (keberatan) filed by the requester against their own request."""

    registration_number: Annotated[str | None, BeforeValidator(_number), Required(),
                                   WithJsonSchema({"type": "string", "maxLength": 80})] = None
    tracking_code: Annotated[str, Text(N_("Kode pelacakan"), limit=40)] = ""
    reason: Annotated[str, choice(OBJECTION_REASONS, N_("Alasan keberatan"))] = ""
    description: Annotated[str, Text(N_("Uraian keberatan"), limit=5000)] = ""

    @model_validator(mode="after")
    def _number_given(self) -> PublicObjection:
        if not self.registration_number:
            raise ValidationError("Nomor pendaftaran wajib diisi.", field="registration_number")
        return self


class CaseInput(Model):
    """A case registered by the desk: its type, when and how it arrived, and the fields of its
    type (those of the public form for a request; name, reason and description for an
    objection; the reporter, the reported party and the event for a report)."""

    type: Annotated[str, choice(CASE_TYPES, N_("Jenis layanan"))] = ""
    received_at: Annotated[dt.datetime, BeforeValidator(moment_field), Required(),
                           WithJsonSchema({"type": "string", "format": "date-time"})] \
        = None  # type: ignore[assignment]  # None is refused by the check, naming the field
    channel: Annotated[str, choice(CASE_CHANNELS, N_("Saluran"))] = ""
    external_number: CaseNumber = None
    # A person: the requester, the objector, the one who brings a dispute or a consultation.
    name: Annotated[str | None, _short(N_("Nama"))] = None
    address: Annotated[str | None, _short(N_("Alamat"), 1000)] = None
    occupation: Annotated[str | None, _short(N_("Pekerjaan"))] = None
    phone: Phone = None
    email: Email = None
    identity_number: Identity = None
    # Permohonan informasi.
    information: Annotated[str | None, _short(N_("Rincian informasi"), 5000)] = None
    purpose: Annotated[str | None, _short(N_("Tujuan penggunaan informasi"), 2000)] = None
    obtain_method: Annotated[str | None, choice(OBTAIN_METHODS, N_("Cara memperoleh informasi"),
                                                default="")] = None
    copy_method: Annotated[str | None, choice(COPY_METHODS, N_("Cara mendapatkan salinan"),
                                              default="")] = None
    # Keberatan.
    registration_number: CaseNumber = None
    reason: Annotated[str | None, choice(OBJECTION_REASONS, N_("Alasan keberatan"),
                                         default="")] = None
    cause_date: Annotated[dt.date | None, day_field(N_("Tanggal penyebab keberatan"),
                                                    required=False)] = None
    proxy_name: Annotated[str | None, _short(N_("Nama kuasa"))] = None
    # Laporan pelanggaran.
    reporter_name: Annotated[str | None, _short(N_("Nama pelapor"))] = None
    reporter_birth: Annotated[str | None, _short(N_("Tempat/tanggal lahir"))] = None
    reporter_sex: Annotated[str | None, _short(N_("Jenis kelamin"), 20)] = None
    reporter_citizenship: Annotated[str | None, _short(N_("Kewarganegaraan"), 60)] = None
    reported_party: Annotated[str | None, _short(N_("Terlapor"), 300)] = None
    reported_address: Annotated[str | None, _short(N_("Alamat terlapor"), 1000)] = None
    event: Annotated[str | None, _short(N_("Peristiwa"), 2000)] = None
    place: Annotated[str | None, _short(N_("Tempat kejadian"), 300)] = None
    occurred_on: Annotated[dt.date | None, day_field(N_("Tanggal kejadian"),
                                                     required=False)] = None
    known_on: Annotated[dt.date | None, day_field(N_("Tanggal diketahui"),
                                                  required=False)] = None
    witnesses: Annotated[str | None, _short(N_("Saksi"), 2000)] = None
    evidence: Annotated[str | None, _short(N_("Bukti"), 2000)] = None
    # Sengketa proses: the decision disputed and its date.
    decision_date: Annotated[dt.date | None, day_field(N_("Tanggal keputusan"),
                                                       required=False)] = None
    # Every type: what it is about.
    description: Annotated[str | None, _short(N_("Uraian"), 5000)] = None

    @model_validator(mode="after")
    def _fields_of_type(self) -> CaseInput:
        needed = {
            "permohonan_informasi": ("name", "address", "identity_number", "information",
                                     "purpose", "obtain_method", "copy_method"),
            "keberatan": ("name", "reason", "description"),
            "laporan_pelanggaran": ("reporter_name", "reported_party", "event", "place",
                                    "occurred_on", "known_on", "description"),
            "sengketa_proses": ("name", "decision_date", "description"),
        }.get(self.type, ("name", "description"))
        for name in needed:
            if getattr(self, name) in (None, ""):
                raise ValidationError("%(field)s wajib diisi untuk jenis layanan ini.",
                                      field=name, params={"field": FIELD_LABELS[name]})
        if self.type == "permohonan_informasi":
            InformationRequest.model_validate(self.model_dump(include=set(
                InformationRequest.model_fields)))
        if self.known_on and self.occurred_on and self.known_on < self.occurred_on:
            raise ValidationError("Tanggal diketahui lebih awal dari tanggal kejadian.",
                                  field="known_on")
        return self


class GuestInput(Model):
    """A visitor in the buku tamu."""

    visited_at: Annotated[dt.datetime, BeforeValidator(moment_field), Required(),
                          WithJsonSchema({"type": "string", "format": "date-time"})] \
        = None  # type: ignore[assignment]  # None is refused by the check, naming the field
    name: Annotated[str, Text(N_("Nama"), limit=200)] = ""
    institution: Annotated[str | None, _short(N_("Instansi"), 300)] = None
    purpose: Annotated[str, Text(N_("Keperluan"), limit=2000)] = ""
    meets: Annotated[str | None, _short(N_("Bertemu dengan"))] = None
    phone: Phone = None


class ExtendInput(Model):
    """The one extension of a request's answer, with its written reason."""

    reason: Annotated[str, Text(N_("Alasan perpanjangan"), limit=2000)] = ""


class DecisionInput(Model):
    """The decision on a case: its outcome (for a refused request, the exemption cited)."""

    outcome: Annotated[str, choice(ALL_OUTCOMES, N_("Keputusan"))] = ""
    exemption: Annotated[str | None, _short(N_("Pengecualian yang dikutip"), 2000)] = None
    note: Annotated[str | None, _short(N_("Catatan"), 5000)] = None


class AnswerInput(Model):
    """The answer letter of a case: who signs it (a signatory of `EARSIP_SIGNATORIES`), its
    subject (by default "Jawaban atas ..." with the case's number) and its date (today)."""

    signatory: Annotated[str | None, _short(N_("Penanda tangan"), 40)] = None
    subject: Annotated[str | None, _short(N_("Perihal"), 1000)] = None
    letter_date: Annotated[dt.date | None, day_field(N_("Tanggal surat"), required=False)] \
        = None


class DeliveryInput(Model):
    """How and when the answer reached the requester."""

    method: Annotated[str, choice(DELIVERY_METHODS, N_("Cara penyampaian"))] = ""
    delivered_on: Annotated[dt.date | None, day_field(N_("Tanggal disampaikan"),
                                                      required=False)] = None


class CalendarChange(Model):
    """A correction of the working-day calendar: a day off (with its name) or a day worked."""

    date: Annotated[dt.date, day_field(N_("Tanggal"), required=True)] \
        = None  # type: ignore[assignment]  # None is refused by the check, naming the field
    working: Annotated[bool, BeforeValidator(lambda v: str(v).strip().lower()
                                             in ("1", "true", "ya", "on", "yes")),
                       WithJsonSchema({"type": "boolean"})] = False
    name: Annotated[str, Text(N_("Keterangan"), limit=200)] = ""
    reason: Annotated[str | None, _short(N_("Dasar perubahan"), 1000)] = None


# The answers live in earsip/schemas/case_answers.py; named here too for the doors.
from earsip.schemas.case_answers import (  # noqa: E402
    CalendarDayOut,
    CalendarOut,
    CaseEventOut,
    CaseOut,
    CasePage,
    CaseStepOut,
    PersonOut,
    PublicCase,
    PublicHistory,
    PublicReceipt,
)

__all__ = [
    "ALL_OUTCOMES",
    "AnswerInput",
    "CASE_CHANNELS",
    "CASE_TYPES",
    "COPY_METHODS",
    "CalendarChange",
    "CalendarDayOut",
    "CalendarOut",
    "CaseEventOut",
    "CaseInput",
    "CaseOut",
    "CasePage",
    "CaseStepOut",
    "DELIVERY_METHODS",
    "DecisionInput",
    "DeliveryInput",
    "EMAIL",
    "ExtendInput",
    "GuestInput",
    "IDENTITY_NUMBER",
    "InformationRequest",
    "OBJECTION_REASONS",
    "OBTAIN_METHODS",
    "OTHER_OUTCOMES",
    "OUTCOMES",
    "PHONE",
    "PersonOut",
    "PublicCase",
    "PublicHistory",
    "PublicObjection",
    "PublicReceipt",
    "outcomes_of",
]
