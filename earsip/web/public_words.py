"""The words of the public pages: the choices of the request form and the reasons for an
objection as the law writes them (marked for translation; the values are the API's)."""

from __future__ import annotations

from earsip.errors import N_
from earsip.schemas.cases import COPY_METHODS, OBJECTION_REASONS, OBTAIN_METHODS

OBTAIN_LABELS = {
    "melihat": N_("Melihat"),
    "membaca": N_("Membaca"),
    "mendengarkan": N_("Mendengarkan"),
    "mencatat": N_("Mencatat"),
    "salinan_hardcopy": N_("Mendapatkan salinan informasi (hardcopy)"),
    "salinan_softcopy": N_("Mendapatkan salinan informasi (softcopy)"),
}
COPY_LABELS = {
    "ambil_langsung": N_("Mengambil langsung"),
    "kurir": N_("Kurir"),
    "pos": N_("Pos"),
    "faksimili": N_("Faksimili"),
    "email": N_("E-mail"),
}
# UU 14/2008 Pasal 35 ayat (1), its words.
OBJECTION_LEAD = N_("Setiap Pemohon Informasi Publik dapat mengajukan keberatan secara tertulis "
                    "kepada atasan Pejabat Pengelola Informasi dan Dokumentasi berdasarkan "
                    "alasan berikut:")
OBJECTION_LABELS = {
    "a": N_("penolakan atas permintaan informasi berdasarkan alasan pengecualian sebagaimana "
            "dimaksud dalam Pasal 17;"),
    "b": N_("tidak disediakannya informasi berkala sebagaimana dimaksud dalam Pasal 9;"),
    "c": N_("tidak ditanggapinya permintaan informasi;"),
    "d": N_("permintaan informasi ditanggapi tidak sebagaimana yang diminta;"),
    "e": N_("tidak dipenuhinya permintaan informasi;"),
    "f": N_("pengenaan biaya yang tidak wajar; dan/atau"),
    "g": N_("penyampaian informasi yang melebihi waktu yang diatur dalam Undang-Undang ini."),
}
RECEIPT_TITLES = {
    "permohonan": N_("Tanda bukti permohonan informasi publik"),
    "keberatan": N_("Tanda bukti pengajuan keberatan"),
}

assert tuple(OBTAIN_LABELS) == OBTAIN_METHODS
assert tuple(COPY_LABELS) == COPY_METHODS
assert tuple(OBJECTION_LABELS) == OBJECTION_REASONS
