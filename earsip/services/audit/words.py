"""Audit entries in words: what a person reads on the trail and in a document's history.

An entry stores codes (`document.file`, outcome `refused`, target `document 12`, details as
JSON). A reader needs the action said in words, the target named (a document by its title when
the reader may see it, else by its number alone; a user by name), and the few details that
explain the entry. The labels are message templates (translated at the door); names and titles
are data. The raw entry stays available on the entry page, as it was hashed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from earsip.access import PERMISSION_LABELS, SECURITY_LABELS, Principal, may_see
from earsip.errors import N_
from earsip.models import AuditEntry, DisposalList, Document, LegalHold, Transfer, User
from earsip.services.records.documents import listed_title

# Every action code the services write, in words. tests/test_audit_words.py checks that each
# code appended anywhere in earsip/ is here.
ACTIONS: dict[str, str] = {
    "access.refused": N_("akses ditolak"),
    "audit.checkpoint": N_("membuat titik periksa jejak audit"),
    "audit.export": N_("mengekspor jejak audit"),
    "auth.login": N_("masuk"),
    "backup.create": N_("membuat cadangan lengkap"),
    "backup.restore": N_("memulihkan dari cadangan"),
    "auth.logout": N_("keluar"),
    "auth.throttled": N_("percobaan masuk yang ditahan (ringkasan)"),
    "auth.token_issue": N_("menerbitkan token API"),
    "auth.token_revoke": N_("mencabut token API"),
    "classification.create": N_("menambah kode klasifikasi"),
    "classification.export": N_("mengekspor skema klasifikasi"),
    "classification.import": N_("mengimpor skema klasifikasi"),
    "classification.seed_update": N_("memperbarui skema klasifikasi bawaan"),
    "classification.update": N_("mengubah kode klasifikasi"),
    "disposal.approve": N_("menyetujui daftar usul musnah"),
    "declassification.approve": N_("menyetujui penurunan klasifikasi keamanan"),
    "declassification.refuse": N_("menolak penurunan klasifikasi keamanan"),
    "declassification.request": N_("mengajukan penurunan klasifikasi keamanan"),
    "disposition.create": N_("mengirim disposisi"),
    "disposition.done": N_("menyelesaikan disposisi"),
    "disposition.read": N_("membaca disposisi"),
    "disposition.start": N_("mulai mengerjakan disposisi"),
    "disposition.withdraw": N_("menarik disposisi"),
    "disposal.cancel": N_("membatalkan daftar usul musnah"),
    "disposal.candidates": N_("melihat arsip yang dapat diusulkan musnah"),
    "disposal.execute": N_("melaksanakan pemusnahan"),
    "disposal.export": N_("mengunduh daftar usul musnah"),
    "disposal.propose": N_("mengusulkan daftar usul musnah"),
    "disposal.view": N_("melihat daftar usul musnah"),
    "disposal.review": N_("mengeluarkan arsip dari daftar usul musnah"),
    "document.declassify": N_("menurunkan klasifikasi keamanan dokumen"),
    "document.delete": N_("mencoba menghapus dokumen"),
    "document.download": N_("mengunduh dokumen"),
    "document.edit": N_("mengubah metadata dokumen"),
    "document.file": N_("mengarsipkan dokumen"),
    "office.create": N_("membuat satuan kerja"),
    "office.update": N_("menyesuaikan satuan kerja dengan konfigurasi"),
    "calendar.change": N_("mengubah kalender hari kerja"),
    "case.answer": N_("mengambil nomor surat jawaban layanan"),
    "case.decided": N_("memutus layanan"),
    "case.delivered": N_("mencatat penyampaian jawaban layanan"),
    "case.export": N_("mengekspor register atau laporan layanan informasi publik"),
    "case.extended": N_("memperpanjang jangka waktu layanan"),
    "case.external_number": N_("mencatat nomor layanan pada sistem nasional"),
    "case.person_view": N_("melihat data pribadi pada layanan"),
    "case.register": N_("mencatat layanan"),
    "case.responded": N_("menindaklanjuti disposisi layanan"),
    "case.routed": N_("mendisposisikan layanan"),
    "case.step_withdrawn": N_("menarik disposisi layanan"),
    "case.started": N_("mulai memproses layanan"),
    "document.ocr": N_("membaca dokumen dengan OCR"),
    "document.preview": N_("melihat pratinjau dokumen"),
    "document.retention": N_("menetapkan masa simpan pindaian identitas"),
    "document.reclassify": N_("memindahkan dokumen ke kode klasifikasi lain"),
    "document.view": N_("melihat dokumen"),
    "fixity.run": N_("memeriksa keutuhan berkas"),
    "guest.register": N_("mencatat tamu di buku tamu"),
    "hold.lift": N_("mencabut penahanan (legal hold)"),
    "hold.place": N_("menetapkan penahanan (legal hold)"),
    "job.request": N_("meminta tugas latar belakang"),
    "job.retry": N_("mengulang tugas latar belakang"),
    "letter.attach": N_("mengarsipkan pindaian surat masuk"),
    "letter.export": N_("mengekspor agenda surat"),
    "letter.print": N_("mencetak lembar disposisi"),
    "letter.register": N_("mencatat surat masuk"),
    "notification.email": N_("mengirim surel pemberitahuan"),
    "number.cancel": N_("membatalkan nomor surat keluar yang tidak dipakai"),
    "number.file": N_("mengarsipkan surat keluar"),
    "number.issue": N_("mengambil nomor surat keluar"),
    "public.throttled": N_("menahan permintaan publik yang melebihi batas"),
    "public.trapped": N_("menolak kiriman formulir publik yang terjebak perangkap bot"),
    "retention.export": N_("mengekspor laporan retensi"),
    "rules.change": N_("mengubah aturan jangka waktu layanan"),
    "rules.period": N_("menetapkan periode tahapan pemilihan"),
    "rules.period_remove": N_("menghapus periode tahapan pemilihan"),
    "retention.view": N_("melihat laporan retensi"),
    "retention.run": N_("menghitung ulang fase retensi"),
    "search": N_("mencari"),
    "suggest.train": N_("melatih saran kode klasifikasi"),
    "storage.full": N_("unggahan hilang karena penyimpanan penuh"),
    "storage.quarantine": N_("mengkarantina berkas sisa kerusakan"),
    "transfer.cancel": N_("membatalkan penyerahan arsip statis"),
    "transfer.confirm": N_("mengonfirmasi penyerahan arsip statis"),
    "transfer.export": N_("mengunduh paket penyerahan"),
    "transfer.prepare": N_("menyiapkan penyerahan arsip statis"),
    "user.activate": N_("mengaktifkan pengguna"),
    "user.create": N_("membuat pengguna"),
    "user.deactivate": N_("menonaktifkan pengguna"),
    "user.password_change": N_("mengganti kata sandi sendiri"),
    "user.password_reset": N_("mengatur ulang kata sandi pengguna"),
    "user.update": N_("mengubah pengguna"),
}
# A refused filing reads as what the clerk saw: the upload was refused.
REFUSED_ACTIONS = {"document.file": N_("menolak unggahan"),
                   "letter.register": N_("menolak pencatatan surat masuk"),
                   "letter.attach": N_("menolak pindaian surat masuk"),
                   "case.register": N_("menolak pencatatan layanan"),
                   "disposition.withdraw": N_("menolak penarikan disposisi")}
OUTCOMES = {"success": N_("berhasil"), "failure": N_("gagal"), "refused": N_("ditolak")}
# Refusals whose entry keeps the message the person was shown (its reason is an error code).
REFUSAL_MESSAGES = ("document.file", "letter.register", "letter.attach", "case.register")
# Reasons the services write as fixed codes; anything else is a person's own words.
REASONS = {
    "throttled": N_("terlalu banyak percobaan yang gagal"),
    "legal hold": N_("arsip ditahan (legal hold)"),
    "four-eyes: proposer": N_("pengusul tidak boleh menyetujui daftarnya sendiri"),
    "content destroyed": N_("isi dokumen sudah dimusnahkan"),
    "file missing": N_("berkas tidak ditemukan di penyimpanan"),
    "only the destruction procedure removes content": N_(
        "isi arsip hanya dapat dihapus melalui prosedur pemusnahan"),
    "not_sender": N_("hanya pengirimnya yang dapat menarik disposisi"),
    "reservation_expired": N_("nomor yang dipesan tidak dipakai sampai batas waktunya"),
    "rate_limit": N_("melebihi batas permintaan per alamat"),
    "honeypot": N_("kolom tersembunyi diisi (perangkap bot)"),
    "too_fast": N_("formulir dikirim terlalu cepat setelah dibuka (perangkap bot)"),
}
# What started a checkpoint or a fixity run, and how a fixity run ended.
TRIGGERS = {"scheduled": N_("terjadwal"), "on_demand": N_("atas permintaan"),
            "cli": N_("dari baris perintah"), "web": N_("diminta dari antrean tugas")}
FIXITY_OUTCOMES = {"ok": N_("semua utuh"), "problems": N_("ada masalah")}
FIELDS = {
    "title": N_("Judul"), "number": N_("Nomor"), "document_date": N_("Tanggal dokumen"),
    "classification": N_("Kode klasifikasi"), "security": N_("Klasifikasi keamanan"),
    "sender": N_("Pengirim"), "recipient": N_("Penerima"), "description": N_("Uraian"),
    "tags": N_("Label"), "trigger_date": N_("Tanggal peristiwa"), "roles": N_("Peran"),
    "clearance": N_("Izin akses"), "full_name": N_("Nama lengkap"), "email": N_("E-mail"),
    "active_years": N_("Retensi aktif (tahun)"), "inactive_years": N_("Retensi inaktif (tahun)"),
    "final_fate": N_("Nasib akhir"), "name": N_("Nama"), "trigger": N_("Peristiwa pemicu"),
    "default_security": N_("Klasifikasi keamanan bawaan"), "retired": N_("Tidak dipakai"),
}
_TARGETS = {
    "disposal_list": N_("daftar usul musnah #%(id)s"),
    "transfer": N_("penyerahan #%(id)s"),
    "hold": N_("penahanan #%(id)s"),
    "job": N_("tugas #%(id)s"),
    "classification": N_("kode klasifikasi %(id)s"),
    "route": N_("halaman %(id)s"),
    "storage": N_("penyimpanan berkas"),
    "audit_checkpoint": N_("titik periksa #%(id)s"),
    "audit_trail": N_("jejak audit"),
    "backup": N_("cadangan %(id)s"),
    "fixity_run": N_("pemeriksaan keutuhan #%(id)s"),
    "classifier_model": N_("model saran klasifikasi #%(id)s"),
    "user": N_("pengguna #%(id)s"),
    "search": N_("pencarian"),
    "letter": N_("surat masuk #%(id)s"),
    "disposition": N_("disposisi #%(id)s"),
    "outgoing_letter": N_("nomor surat keluar #%(id)s"),
    "client": N_("alamat %(id)s"),
    "case": N_("layanan #%(id)s"),
    "guest": N_("tamu #%(id)s"),
    "calendar": N_("kalender hari kerja"),
    "office": N_("satuan kerja #%(id)s"),
    "rules": N_("aturan jangka waktu #%(id)s"),
}


@dataclass(frozen=True)
class Phrase:
    """A message template with its values (values are data: titles, names, numbers)."""

    template: str
    params: Mapping[str, object] = field(default_factory=dict)


@dataclass(frozen=True)
class Detail:
    """One fact of an entry: a label and its value, or a change from `old` to `value`."""

    label: str
    value: str
    old: str | None = None
    changed: bool = False


@dataclass(frozen=True)
class Described:
    """An audit entry as a person reads it."""

    seq: int
    occurred_at: dt.datetime
    actor: str
    action: str
    outcome: str
    target: Phrase | None
    link: tuple[str, Mapping[str, object]] | None
    details: list[Detail]
    client_addr: str | None
    refused: bool


def _ids(entries: Iterable[AuditEntry], kind: str) -> set[int]:
    return {int(e.target_id) for e in entries
            if e.target_type == kind and e.target_id and e.target_id.isdecimal()}


@dataclass
class _Names:
    """What the targets of a page of entries are called, read in one query per kind."""

    documents: dict[int, tuple[str, str, str | None]]  # id -> (title, security, disposition)
    users: dict[int, str]
    lists: dict[int, str]
    transfers: dict[int, str]
    holds: dict[int, str]


def _names(session: Session, entries: Sequence[AuditEntry]) -> _Names:
    doc_ids, user_ids = _ids(entries, "document"), _ids(entries, "user")
    user_ids |= {e.actor_id for e in entries if e.actor_id}
    list_ids, transfer_ids = _ids(entries, "disposal_list"), _ids(entries, "transfer")
    hold_ids = _ids(entries, "hold")
    # A personal document (a case's identity scan) is named by its number only.
    docs = {row.id: (listed_title(row.title, row.personal), row.security, row.disposition)
            for row in session.execute(select(Document.id, Document.title, Document.security,
                                              Document.disposition, Document.personal)
                                       .where(Document.id.in_(doc_ids)))} if doc_ids else {}
    users = {row.id: (f"{row.full_name} ({row.username})" if row.full_name else row.username)
             for row in session.execute(select(User.id, User.username, User.full_name)
                                        .where(User.id.in_(user_ids)))} if user_ids else {}
    lists = dict(session.execute(select(DisposalList.id, DisposalList.number)
                                 .where(DisposalList.id.in_(list_ids))).all()) \
        if list_ids else {}
    transfers = dict(session.execute(select(Transfer.id, Transfer.number)
                                     .where(Transfer.id.in_(transfer_ids))).all()) \
        if transfer_ids else {}
    held = dict(session.execute(select(LegalHold.id, LegalHold.reference)
                                .where(LegalHold.id.in_(hold_ids))).all()) \
        if hold_ids else {}
    return _Names(docs, users, lists, transfers, held)


def _target(entry: AuditEntry, names: _Names, principal: Principal
            ) -> tuple[Phrase | None, tuple[str, Mapping[str, object]] | None]:
    kind, ident = entry.target_type, entry.target_id
    details = entry.details or {}
    number = int(ident) if ident and ident.isdecimal() else None
    if kind == "document":
        if number is None:
            name = details.get("filename") or details.get("title")
            return (Phrase(N_("unggahan «%(name)s»"), {"name": name}) if name
                    else Phrase(N_("unggahan tanpa nama"))), None
        link = ("documents.show", {"document_id": number})
        known = names.documents.get(number)
        if known is None or not may_see(principal.clearance, known[1]):
            return Phrase(N_("dokumen #%(id)s"), {"id": number}), link
        title, _security, disposition = known
        template = {"destroyed": N_("dokumen #%(id)s «%(title)s» (dimusnahkan)"),
                    "transferred": N_("dokumen #%(id)s «%(title)s» (diserahkan)")
                    }.get(disposition or "", N_("dokumen #%(id)s «%(title)s»"))
        return Phrase(template, {"id": number, "title": title}), link
    if kind == "user" and number is not None and number in names.users:
        return Phrase(N_("pengguna %(name)s"), {"name": names.users[number]}), None
    if kind == "disposal_list" and number is not None:
        listed = names.lists.get(number)
        link = ("disposal.show", {"list_id": number})
        return (Phrase(N_("daftar usul musnah %(number)s"), {"number": listed}) if listed
                else Phrase(_TARGETS[kind], {"id": number})), link
    if kind == "transfer" and number is not None:
        handed = names.transfers.get(number)
        link = ("transfer.show", {"transfer_id": number})
        return (Phrase(N_("penyerahan %(number)s"), {"number": handed}) if handed
                else Phrase(_TARGETS[kind], {"id": number})), link
    if kind == "letter" and number is not None:
        return Phrase(_TARGETS[kind], {"id": number}), ("desk.letter", {"letter_id": number})
    if kind == "case" and number is not None:
        return Phrase(_TARGETS[kind], {"id": number}), ("cases.show", {"case_id": number})
    if kind == "hold" and number is not None:
        return Phrase(_TARGETS[kind], {"id": number}), ("retention.hold", {"hold_id": number})
    if kind == "search":
        query = details.get("q")
        return (Phrase(N_("pencarian «%(q)s»"), {"q": query}) if query
                else Phrase(_TARGETS[kind])), None
    if kind in _TARGETS:
        return Phrase(_TARGETS[kind], {"id": ident or "—"}), None
    return None, None


def _text(value: object) -> str:
    """Return a detail value as text a person reads (no Python reprs, no None)."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return N_("ya") if value else N_("tidak")
    if isinstance(value, list | tuple | set):
        return ", ".join(_text(v) for v in value) or "—"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_text(v)}" for k, v in value.items()) or "—"
    if isinstance(value, str) and value in SECURITY_LABELS:
        return SECURITY_LABELS[value]
    return str(value)


def _details(entry: AuditEntry) -> list[Detail]:
    details = entry.details or {}
    out: list[Detail] = []
    for key in ("changes", "old"):
        changes = details.get(key)
        if key == "old" and isinstance(changes, dict):
            new = details.get("new") or {}
            changes = {k: {"old": v, "new": new.get(k)} for k, v in changes.items()}
        if isinstance(changes, dict):
            for name, change in changes.items():
                if isinstance(change, dict) and "new" in change:
                    out.append(Detail(FIELDS.get(str(name), str(name)), _text(change.get("new")),
                                      _text(change.get("old")), changed=True))
    reason = details.get("reason")
    if entry.action in REFUSAL_MESSAGES and details.get("message"):
        out.append(Detail(N_("Alasan"), str(details["message"])))
    elif isinstance(reason, str) and reason:
        out.append(Detail(N_("Alasan"), REASONS.get(reason, reason)))
    permission = details.get("permission")
    if isinstance(permission, str):
        out.append(Detail(N_("Izin yang diperlukan"), PERMISSION_LABELS.get(permission,
                                                                            permission)))
    simple = (("reference", N_("Rujukan")), ("number", N_("Nomor")),
              ("agenda_number", N_("Nomor agenda")), ("letter_number", N_("Nomor surat")),
              ("to", N_("Kepada")), ("instruction", N_("Instruksi")),
              ("hits", N_("Jumlah hasil")),
              ("total", N_("Jumlah hasil")), ("filename", N_("Nama berkas")),
              ("message", N_("Pesan")))
    named = entry.target_type in ("disposal_list", "transfer")
    for key, label in simple:
        if key == "number" and named:
            continue  # the target names it
        if key in details and not (key == "message" and entry.action in REFUSAL_MESSAGES):
            if key == "filename" and entry.target_id is None:
                continue  # already the target's name
            out.append(Detail(label, _text(details[key])))
    counted = (("document_ids", N_("Jumlah dokumen")), ("destroyed", N_("Dimusnahkan")),
               ("checked", N_("Berkas diperiksa")), ("missing", N_("Hilang")),
               ("changed", N_("Berubah")), ("untracked", N_("Tidak tercatat")),
               ("destroyed_present", N_("Masih ada padahal dimusnahkan")),
               ("rows", N_("Jumlah baris")), ("entries", N_("Jumlah entri")))
    for key, label in counted:
        value = details.get(key)
        if isinstance(value, list):
            value = len(value)
        if isinstance(value, int) and not isinstance(value, bool) and (
                value or key in ("checked", "rows", "entries")):
            out.append(Detail(label, str(value)))
    if entry.action in ("retention.export", "retention.view") and details.get("format"):
        out.append(Detail(N_("Format"), str(details["format"]).upper()))
    if entry.action == "retention.run" and isinstance(details.get("moved"), dict):
        moved = sum(v if isinstance(v, int) else len(v) for v in details["moved"].values())
        out.append(Detail(N_("Dokumen berpindah fase"), str(moved)))
    return out


def describe(session: Session, principal: Principal,
             entries: Sequence[AuditEntry]) -> list[Described]:
    """Return `entries` in words for `principal` (titles only within their clearance)."""
    names = _names(session, entries)
    described = []
    for e in entries:
        refused = e.outcome == "refused"
        action = (REFUSED_ACTIONS.get(e.action) if refused else None) \
            or ACTIONS.get(e.action, e.action)
        actor = (names.users.get(e.actor_id) if e.actor_id else None) or e.actor_name \
            or N_("sistem")
        if actor == "system":
            actor = N_("sistem")
        target, link = _target(e, names, principal)
        described.append(Described(e.seq, e.occurred_at, actor, action,
                                   OUTCOMES.get(e.outcome, e.outcome), target, link,
                                   _details(e), e.client_addr, refused))
    return described
