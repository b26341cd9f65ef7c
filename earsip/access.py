"""Security classes, clearances, roles and the permission matrix. Standard library only.

The matrix below is the single source the routes enforce; docs/ACCESS.md writes it out for
people, and tests/test_permissions.py checks every route of the app against that document.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Protocol

from earsip.errors import N_

SECURITY_CLASSES = ("biasa", "terbatas", "rahasia", "sangat_rahasia")
# Labels are message templates: the browser shows them translated.
SECURITY_LABELS = {
    "biasa": N_("Biasa/Terbuka"),
    "terbatas": N_("Terbatas"),
    "rahasia": N_("Rahasia"),
    "sangat_rahasia": N_("Sangat Rahasia"),
}
# The levels of an office (satuan kerja): the province office, a kabupaten/kota office.
OFFICE_LEVELS = ("provinsi", "kabkota")
ROLES = ("admin", "arsiparis", "staf", "auditor", "pimpinan", "petugas_layanan", "ppid",
         "penanganan_pelanggaran", "supervisor_provinsi", "admin_provinsi")
ROLE_LABELS = {
    "admin": N_("Administrator"),
    "arsiparis": N_("Arsiparis"),
    "staf": N_("Staf"),
    "auditor": N_("Auditor"),
    "pimpinan": N_("Pimpinan"),
    "petugas_layanan": N_("Petugas Layanan"),
    "ppid": N_("PPID"),
    "penanganan_pelanggaran": N_("Penanganan Pelanggaran"),
    "supervisor_provinsi": N_("Supervisor Provinsi"),
    "admin_provinsi": N_("Administrator Provinsi"),
}


def level(security: str) -> int:
    """Return the rank of a security class (biasa 0 … sangat_rahasia 3)."""
    return SECURITY_CLASSES.index(security)


def may_see(clearance: str, security: str) -> bool:
    """Return True when a user with `clearance` may learn of a record of class `security`."""
    return level(security) <= level(clearance)


def classes_up_to(clearance: str) -> tuple[str, ...]:
    """Return the security classes visible to `clearance`."""
    return SECURITY_CLASSES[: level(clearance) + 1]


def normalize_security(value: str) -> str:
    """Return the canonical name of a security class given in a form people type."""
    v = value.strip().lower().replace(" ", "_").replace("-", "_")
    if v == "terbuka":
        v = "biasa"
    if v not in SECURITY_CLASSES:
        raise ValueError(value)
    return v


_READERS = frozenset({"arsiparis", "staf", "auditor", "pimpinan", "petugas_layanan", "ppid",
                      "penanganan_pelanggaran", "supervisor_provinsi"})

# What each role may do. Reading documents is further limited by the user's clearance, always.
# The admin role runs the system (users, scheme, settings) and does not read records by itself;
# the first account `earsip init` creates holds admin and arsiparis so a new office can start.
# The province office's roles: `supervisor_provinsi` reads and searches (an auditor's reading,
# no writes; every office's records once the queries are scoped by office, docs/OFFICES.md);
# `admin_provinsi` keeps the shared classification scheme and JRA, and the offices.
PERMISSIONS: dict[str, frozenset[str]] = {
    # Everyone signed in: their own account and the dashboard (its figures are clearance-bound).
    "account": frozenset(ROLES),
    "dashboard": frozenset(ROLES),
    "classification.read": frozenset(ROLES),
    # Records: search, view, preview and download, within clearance.
    "search": _READERS,
    "document.read": _READERS,
    # A document's history (who filed, viewed, downloaded it): for those who review records.
    "document.history": frozenset({"arsiparis", "auditor", "pimpinan", "supervisor_provinsi"}),
    # The records office.
    "document.file": frozenset({"arsiparis"}),
    "document.edit": frozenset({"arsiparis"}),
    "hold.manage": frozenset({"arsiparis"}),
    "disposal.propose": frozenset({"arsiparis"}),
    # The appraisal committee (panitia penilai) removes items from a submitted list.
    "disposal.review": frozenset({"arsiparis", "pimpinan"}),
    # Leadership approves disposal lists (never their own proposal).
    "disposal.approve": frozenset({"pimpinan"}),
    # Leadership decides on lowering a record to biasa or by more than one level (never on
    # their own request).
    "declassification.decide": frozenset({"pimpinan"}),
    # The records office carries out an approved destruction and makes the berita acara.
    "disposal.execute": frozenset({"arsiparis"}),
    # Handing arsip statis over to the archive institution (BagIt package, confirmation).
    "transfer.manage": frozenset({"arsiparis"}),
    # Retention reports, the audit trail and its verification.
    "retention.read": frozenset({"arsiparis", "auditor", "pimpinan", "supervisor_provinsi"}),
    "audit.read": frozenset({"auditor", "supervisor_provinsi"}),
    # The last fixity check of the stored files.
    "fixity.read": frozenset({"admin", "auditor"}),
    # The front desk (Layanan Satu Pintu). The desk officer registers letters (filing their
    # scans) and issues outgoing numbers; the agenda is read by the desk, the leadership, the
    # records office and auditors (anyone else reads only the letters routed to or by them).
    "letter.register": frozenset({"petugas_layanan"}),
    "letter.read": frozenset({"petugas_layanan", "pimpinan", "arsiparis", "auditor",
                              "supervisor_provinsi"}),
    # Routing a letter from the agenda: the leadership, and the desk (to the leadership).
    # Forwarding a disposition one received is anyone's (the `inbox` permission).
    "letter.dispose": frozenset({"petugas_layanan", "pimpinan"}),
    "number.issue": frozenset({"petugas_layanan"}),
    "inbox": frozenset(ROLES),
    # Cases brought by the public (permohonan informasi, keberatan, laporan pelanggaran, ...):
    # the desk and the PPID register them; the register is read whole by the desk, the PPID,
    # the leadership and auditors (CASE_REGISTER_READERS), and by the violations unit for the
    # cases it owns; the owner of a case (the PPID for requests, the leadership as Atasan PPID
    # for objections, the violations unit for reports, the desk for the rest) handles it.
    # Personal data: the owner only (docs/DESK.md).
    "case.register": frozenset({"petugas_layanan", "ppid"}),
    "case.read": frozenset({"petugas_layanan", "ppid", "pimpinan", "auditor",
                            "penanganan_pelanggaran", "supervisor_provinsi"}),
    "case.handle": frozenset({"petugas_layanan", "ppid", "pimpinan", "penanganan_pelanggaran"}),
    # The working-day calendar and the deadline rules the legal clocks are computed with.
    "calendar.read": frozenset(ROLES),
    "calendar.manage": frozenset({"admin"}),
    # System administration.
    "classification.edit": frozenset({"admin", "admin_provinsi"}),
    # The offices of the deployment (satuan kerja): the province administrator's.
    "office.manage": frozenset({"admin_provinsi"}),
    "user.manage": frozenset({"admin"}),
    "settings.manage": frozenset({"admin"}),
    # The background worker's queue (OCR, re-index, fixity): see it, retry, ask for work.
    "jobs.manage": frozenset({"admin"}),
}


# Who reads the whole register of cases (the other readers of `case.read`: their own cases).
CASE_REGISTER_READERS = frozenset({"petugas_layanan", "ppid", "pimpinan", "auditor",
                                   "supervisor_provinsi"})


# What each permission lets one do, in words (the audit trail's "permission needed").
PERMISSION_LABELS: dict[str, str] = {
    "account": N_("akun sendiri"),
    "dashboard": N_("beranda"),
    "classification.read": N_("melihat skema klasifikasi"),
    "search": N_("mencari arsip"),
    "document.read": N_("membaca dokumen"),
    "document.history": N_("melihat riwayat dokumen"),
    "document.file": N_("mengarsipkan dokumen"),
    "document.edit": N_("mengubah dokumen"),
    "hold.manage": N_("mengelola penahanan"),
    "disposal.propose": N_("mengusulkan pemusnahan"),
    "disposal.review": N_("menilai daftar usul musnah"),
    "disposal.approve": N_("menyetujui pemusnahan"),
    "declassification.decide": N_("memutus penurunan klasifikasi keamanan"),
    "disposal.execute": N_("melaksanakan pemusnahan"),
    "transfer.manage": N_("mengelola penyerahan arsip statis"),
    "retention.read": N_("melihat laporan retensi"),
    "audit.read": N_("membaca jejak audit"),
    "fixity.read": N_("melihat pemeriksaan keutuhan berkas"),
    "letter.register": N_("mencatat surat masuk"),
    "letter.read": N_("membaca agenda surat"),
    "letter.dispose": N_("mendisposisikan surat"),
    "number.issue": N_("mengambil nomor surat keluar"),
    "inbox": N_("kotak masuk disposisi"),
    "case.register": N_("mencatat layanan"),
    "case.read": N_("membaca register layanan"),
    "case.handle": N_("menangani layanan"),
    "calendar.read": N_("melihat kalender hari kerja"),
    "calendar.manage": N_("mengubah kalender hari kerja dan jangka waktu"),
    "classification.edit": N_("mengubah skema klasifikasi"),
    "office.manage": N_("mengelola satuan kerja"),
    "user.manage": N_("mengelola pengguna"),
    "settings.manage": N_("mengelola pengaturan"),
    "jobs.manage": N_("mengelola antrean tugas"),
}


def can(roles: frozenset[str] | set[str], permission: str) -> bool:
    """Return True when any of `roles` grants `permission`."""
    return bool(PERMISSIONS[permission] & set(roles))


def permissions_of(roles: frozenset[str] | set[str]) -> frozenset[str]:
    """Return every permission that `roles` grant together."""
    return frozenset(p for p, granted in PERMISSIONS.items() if granted & set(roles))


@dataclass(frozen=True)
class Actor:
    """Who did something, and from where (what an audit entry records)."""

    user_id: int | None
    username: str | None
    client_addr: str | None = None
    # The office the actor works for (None: the deployment's only office; the CLI, the system).
    office_id: int | None = None


class Account(Protocol):
    """What a principal is read from: a user row (`earsip.models.User`) or its equal."""

    @property
    def id(self) -> int: ...
    @property
    def username(self) -> str: ...
    @property
    def role_names(self) -> Iterable[str]: ...
    @property
    def clearance(self) -> str: ...
    @property
    def must_change_password(self) -> bool: ...
    @property
    def office_id(self) -> int: ...


@dataclass(frozen=True)
class Principal:
    """The signed-in user as the services see it: identity, roles, clearance and office."""

    id: int
    username: str
    roles: frozenset[str]
    clearance: str
    must_change_password: bool = False
    # The user's office (None: the deployment's only office, as for the CLI's operator).
    office_id: int | None = None

    @classmethod
    def of(cls, user: Account) -> Principal:
        """Return the principal of a user row."""
        return cls(user.id, user.username, frozenset(user.role_names), user.clearance,
                   user.must_change_password, user.office_id)

    def actor(self, client_addr: str | None = None) -> Actor:
        """Return the audit actor for this principal (with its office)."""
        # Id 0 is the operator at the server's shell (the CLI), who is not a user row.
        return Actor(self.id or None, self.username, client_addr, self.office_id)


# The roles that read every office's records (within clearance): the province's auditors.
PROVINCE_READERS = frozenset({"supervisor_provinsi"})


def reach(principal: Principal) -> frozenset[int] | None:
    """Return the offices whose records the principal reads (None: every office).

    A province supervisor reads every office's; everyone else reads their own office's only
    (the province administrator too: they keep the scheme, the JRA and the offices, not the
    records of other offices). A principal without an office (the CLI's operator, the
    deployment's only office) is not limited."""
    if principal.office_id is None or principal.roles & PROVINCE_READERS:
        return None
    return frozenset({principal.office_id})
