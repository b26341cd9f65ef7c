"""Words for the cases' stored codes (types, statuses, channels, outcomes, ...) and the fields
of the counter's registration form, type by type. Labels are message templates (N_): the
pages show them translated."""

from __future__ import annotations

from dataclasses import dataclass

from earsip.errors import N_
from earsip.services.cases import types

TYPE_LABELS = {name: t.label for name, t in types.TYPES.items()}
STATUS_LABELS = types.STATUS_LABELS
CHANNEL_LABELS = {"loket": N_("Loket"), "surat": N_("Surat"), "email": N_("E-mail"),
                  "telepon": N_("Telepon"), "web": N_("Formulir web")}
OBTAIN_LABELS = {"melihat": N_("Melihat"), "membaca": N_("Membaca"),
                 "mendengarkan": N_("Mendengarkan"), "mencatat": N_("Mencatat"),
                 "salinan_hardcopy": N_("Salinan tercetak (hardcopy)"),
                 "salinan_softcopy": N_("Salinan elektronik (softcopy)")}
COPY_LABELS = {"ambil_langsung": N_("Mengambil langsung"), "kurir": N_("Kurir"),
               "pos": N_("Pos"), "faksimili": N_("Faksimili"), "email": N_("E-mail")}
# UU 14/2008 Pasal 35 ayat (1).
REASON_LABELS = {
    "a": N_("a. penolakan permohonan berdasarkan alasan pengecualian (Pasal 17)"),
    "b": N_("b. tidak disediakannya informasi berkala (Pasal 9)"),
    "c": N_("c. tidak ditanggapinya permintaan informasi"),
    "d": N_("d. permintaan informasi ditanggapi tidak sebagaimana yang diminta"),
    "e": N_("e. tidak dipenuhinya permintaan informasi"),
    "f": N_("f. pengenaan biaya yang tidak wajar"),
    "g": N_("g. penyampaian informasi melebihi waktu yang diatur"),
}
OUTCOME_LABELS = {
    "dikabulkan": N_("Dikabulkan"), "dikabulkan_sebagian": N_("Dikabulkan sebagian"),
    "ditolak": N_("Ditolak"), "tidak_dikuasai": N_("Informasi tidak dikuasai"),
    "diregistrasi": N_("Diregistrasi"), "tidak_diregistrasi": N_("Tidak diregistrasi"),
    "dilimpahkan": N_("Dilimpahkan"), "selesai": N_("Selesai"), "dirujuk": N_("Dirujuk"),
}
DELIVERY_LABELS = {"langsung": N_("Diserahkan langsung"), "kurir": N_("Kurir"),
                   "pos": N_("Pos"), "faksimili": N_("Faksimili"), "email": N_("E-mail")}
PERSON_LABELS = {"pemohon": N_("Pemohon"), "kuasa": N_("Kuasa"), "pelapor": N_("Pelapor"),
                 "terlapor": N_("Terlapor")}
EVENT_LABELS = {"registered": N_("dicatat"), "started": N_("mulai diproses"),
                "extended": N_("diperpanjang"), "decided": N_("diputus"),
                "delivered": N_("jawaban disampaikan"), "routed": N_("didisposisikan"),
                "responded": N_("disposisi ditindaklanjuti"),
                "answer": N_("surat jawaban diberi nomor"),
                "external_number": N_("nomor sistem nasional dicatat"),
                "step_withdrawn": N_("disposisi ditarik")}
STEP_LABELS = {"new": N_("baru"), "read": N_("dibaca"), "in_progress": N_("dikerjakan"),
               "done": N_("selesai"), "withdrawn": N_("ditarik")}
REGIME_LABELS = {"normal": N_("Biasa"), "tahapan": N_("Masa tahapan pemilihan")}
CLOCK_LABELS = {"answer": N_("Jawaban"), "extension": N_("Perpanjangan"),
                "filing": N_("Batas pengajuan")}
COUNT_LABELS = {"working": N_("hari kerja"), "calendar": N_("hari kalender")}
# The fields of a case's `details`, in the order the case page shows them.
DETAIL_LABELS = {
    "information": N_("Rincian informasi"), "purpose": N_("Tujuan penggunaan informasi"),
    "obtain_method": N_("Cara memperoleh informasi"),
    "copy_method": N_("Cara mendapatkan salinan"), "reason": N_("Alasan keberatan"),
    "event": N_("Peristiwa"), "place": N_("Tempat kejadian"),
    "occurred_on": N_("Tanggal kejadian"), "known_on": N_("Tanggal diketahui"),
    "decision_date": N_("Tanggal keputusan"), "witnesses": N_("Saksi"),
    "evidence": N_("Bukti"), "description": N_("Uraian"),
}
DETAIL_CHOICES = {"obtain_method": OBTAIN_LABELS, "copy_method": COPY_LABELS,
                  "reason": REASON_LABELS}
DETAIL_DATES = ("occurred_on", "known_on", "decision_date")


@dataclass(frozen=True)
class Field:
    """One field of the counter's form: its name (as `CaseInput` has it), label, kind (text,
    textarea, date, email, tel, select) and, for a select, the labels of its choices."""

    name: str
    label: str
    kind: str = "text"
    choices: dict[str, str] | None = None
    limit: int = 200


def _f(name: str, label: str, kind: str = "text", choices: dict[str, str] | None = None,
       limit: int = 200) -> Field:
    return Field(name, label, kind, choices, limit)


_IDENTITY = _f("identity_number", N_("NIK atau nomor badan hukum"), limit=40)
_CONTACT = (_f("address", N_("Alamat"), "textarea", limit=1000), _f("phone", N_("Telepon"), "tel",
                                                                    limit=25),
            _f("email", N_("E-mail"), "email", limit=254))
_DESCRIPTION = _f("description", N_("Uraian"), "textarea", limit=5000)
FIELDS: dict[str, tuple[Field, ...]] = {
    "permohonan_informasi": (
        _f("name", N_("Nama pemohon")), *_CONTACT, _f("occupation", N_("Pekerjaan")), _IDENTITY,
        _f("information", N_("Rincian informasi yang dibutuhkan"), "textarea", limit=5000),
        _f("purpose", N_("Tujuan penggunaan informasi"), "textarea", limit=2000),
        _f("obtain_method", N_("Cara memperoleh informasi"), "select", OBTAIN_LABELS),
        _f("copy_method", N_("Cara mendapatkan salinan"), "select", COPY_LABELS)),
    "keberatan": (
        _f("registration_number", N_("Nomor pendaftaran permohonan informasi"), limit=80),
        _f("name", N_("Nama pemohon")), *_CONTACT, _IDENTITY,
        _f("proxy_name", N_("Nama kuasa (bila dikuasakan)")),
        _f("reason", N_("Alasan keberatan"), "select", REASON_LABELS),
        _f("cause_date", N_("Tanggal penyebab keberatan (bila tidak ada nomor permohonan)"),
           "date"),
        _DESCRIPTION),
    "laporan_pelanggaran": (
        _f("reporter_name", N_("Nama pelapor")),
        _f("reporter_birth", N_("Tempat/tanggal lahir")),
        _f("reporter_sex", N_("Jenis kelamin"), limit=20),
        _f("reporter_citizenship", N_("Kewarganegaraan"), limit=60),
        _f("occupation", N_("Pekerjaan")), *_CONTACT, _IDENTITY,
        _f("reported_party", N_("Terlapor"), limit=300),
        _f("reported_address", N_("Alamat terlapor"), "textarea", limit=1000),
        _f("event", N_("Peristiwa yang dilaporkan"), "textarea", limit=2000),
        _f("place", N_("Tempat kejadian"), limit=300),
        _f("occurred_on", N_("Tanggal kejadian"), "date"),
        _f("known_on", N_("Tanggal diketahui"), "date"),
        _f("witnesses", N_("Saksi"), "textarea", limit=2000),
        _f("evidence", N_("Bukti"), "textarea", limit=2000), _DESCRIPTION),
    "sengketa_proses": (
        _f("name", N_("Nama pemohon")), *_CONTACT, _IDENTITY,
        _f("decision_date", N_("Tanggal keputusan yang disengketakan"), "date"), _DESCRIPTION),
}
OTHER_FIELDS = (_f("name", N_("Nama")), _f("occupation", N_("Pekerjaan / instansi")),
                *_CONTACT, _IDENTITY, _DESCRIPTION)
# What `CaseInput` refuses to do without, by type (the form marks them required).
REQUIRED = {
    "permohonan_informasi": ("name", "address", "identity_number", "information", "purpose",
                             "obtain_method", "copy_method"),
    "keberatan": ("name", "reason", "description"),
    "laporan_pelanggaran": ("reporter_name", "reported_party", "event", "place", "occurred_on",
                            "known_on", "description"),
    "sengketa_proses": ("name", "decision_date", "description"),
}
OTHER_REQUIRED = ("name", "description")


def fields_of(case_type: str) -> tuple[Field, ...]:
    """Return the form fields of a case type."""
    return FIELDS.get(case_type, OTHER_FIELDS)


def required_of(case_type: str) -> tuple[str, ...]:
    """Return the names of the fields a case type needs."""
    return REQUIRED.get(case_type, OTHER_REQUIRED)
