"""What each type of case is: who owns it, under which classification code its documents are
filed, what its register calls it. The clocks are data (`rules`), not here."""

from __future__ import annotations

from dataclasses import dataclass

from earsip.errors import N_
from earsip.schemas.cases import CASE_TYPES


@dataclass(frozen=True)
class CaseType:
    """A type of case: its label, the role that owns it and its default classification code."""

    name: str
    label: str
    owner_role: str
    code: str
    # Whether the public may submit it and track it (a tracking code is given).
    tracked: bool


TYPES: dict[str, CaseType] = {t.name: t for t in (
    CaseType("permohonan_informasi", N_("Permohonan informasi publik"), "ppid", "HM.00.02", True),
    # The objection goes to the Atasan PPID: the office's leadership.
    CaseType("keberatan", N_("Keberatan atas layanan informasi"), "pimpinan", "HM.00.02", True),
    CaseType("laporan_pelanggaran", N_("Laporan dugaan pelanggaran"), "penanganan_pelanggaran",
             "PP.01.02", True),
    CaseType("sengketa_proses", N_("Permohonan penyelesaian sengketa proses"),
             "petugas_layanan", "PS.00.02", True),
    CaseType("konsultasi", N_("Konsultasi"), "petugas_layanan", "HK.03.06", False),
    CaseType("audiensi", N_("Audiensi"), "petugas_layanan", "HM.00.02", False),
    CaseType("pengaduan_layanan", N_("Pengaduan layanan"), "petugas_layanan", "HK.03.06", False),
    CaseType("lainnya", N_("Lainnya"), "petugas_layanan", "HM.00.02", False),
)}
assert tuple(TYPES) == CASE_TYPES

STATUSES = ("registered", "in_progress", "answered", "closed")
STATUS_LABELS = {
    "registered": N_("Terdaftar"),
    "in_progress": N_("Diproses"),
    "answered": N_("Dijawab"),
    "closed": N_("Selesai"),
}


def code_of(case_type: str, setting: str) -> str:
    """Return the classification code of `case_type`'s documents, `EARSIP_CASE_CODES` first."""
    for item in setting.split(";"):
        name, _, code = item.partition("=")
        if name.strip() == case_type and code.strip():
            return code.strip().upper()
    return TYPES[case_type].code
