"""The paperwork's documents: what the DAUM and the two berita acara say, block by block.

The blocks and pages are `paperwork_layout`'s; the checks made before a document is written
are `paperwork_records`'.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from reportlab.lib.units import mm
from reportlab.platypus import Flowable, KeepTogether, Spacer, Table

from earsip.errors import N_
from earsip.paperwork_fonts import _plain
from earsip.paperwork_layout import _LANDSCAPE_WIDTH, _PORTRAIT_WIDTH, _Layout
from earsip.paperwork_records import (
    DestructionRecord,
    ListRow,
    Person,
    TransferRecord,
    _check_person,
    _check_rows,
    _require,
    check_destruction,
    check_transfer,
)
from earsip.paperwork_words import _formal_date, date_in_words, number_in_words


class _Writer(_Layout):
    """Write the documents in one font set (see `_Layout`)."""

    def destruction_list(self, office: str, list_number: str, made_on: dt.date, proposer: Person,
                         rows: Sequence[ListRow], *, status_note: str | None) -> bytes:
        """Render the DAUM."""
        _require(office, "office", N_("Nama kantor"))
        _require(list_number, "list_number", N_("Nomor daftar arsip usul musnah"))
        _check_person(proposer, "proposer", "pengusul")
        _check_rows(rows)
        story: list[Flowable] = self.heading(office, "DAFTAR ARSIP USUL MUSNAH", "Nomor",
                                             list_number)
        story.insert(-1, self.para(f"Tanggal: {_formal_date(made_on)}", self.center))
        if status_note:
            story.insert(-1, self.para(f"<b>{self.text(status_note)}</b>", self.center))
        story += self.list_table(rows)
        story.append(Spacer(1, 8 * mm))
        block = self.signature(["Yang mengusulkan,", proposer.position], proposer.name)
        sign = Table([[[], block]], colWidths=[_LANDSCAPE_WIDTH - 90 * mm, 90 * mm])
        story.append(KeepTogether([sign]))
        return self.render(
            story, first="landscape", day=made_on,
            title=f"Daftar Arsip Usul Musnah Nomor {_plain(list_number)}",
            author=_plain(office), subject="Daftar arsip usul musnah",
            label=f"Daftar Arsip Usul Musnah Nomor {list_number}",
        )

    def pemusnahan(self, record: DestructionRecord) -> bytes:
        """Render the Berita Acara Pemusnahan Arsip."""
        check_destruction(record)
        t = self.text
        count = len(record.rows)
        story = self.heading(record.office, "BERITA ACARA PEMUSNAHAN ARSIP", "Nomor",
                             record.number)
        story += [
            self.para(f"Pada hari ini {date_in_words(record.day)}, bertempat di {t(record.place)}, "
                      "yang bertanda tangan di bawah ini:"),
            self.fields([("Nama", record.official.name), ("Jabatan", record.official.position),
                         ("Instansi", record.office)], _PORTRAIT_WIDTH),
            Spacer(1, 3 * mm),
            self.para(
                "berdasarkan persetujuan pimpinan sebagaimana tertuang dalam keputusan Nomor "
                f"{t(record.basis_reference)} tanggal {_formal_date(record.basis_date)}, "
                f"telah melaksanakan pemusnahan arsip sebanyak {count} "
                f"({number_in_words(count)}) arsip sebagaimana tercantum dalam Daftar Arsip "
                f"Usul Musnah Nomor {t(record.list_number)} yang terlampir dan merupakan bagian "
                "tidak terpisahkan dari berita acara ini."
            ),
            self.para(f"Pemusnahan dilaksanakan dengan cara {t(record.method)}."),
            self.para(
                f"Pemusnahan tersebut disaksikan oleh {len(record.witnesses)} "
                f"({number_in_words(len(record.witnesses))}) orang saksi sebagai berikut:"
            ),
            self.witness_table(record.witnesses),
            Spacer(1, 3 * mm),
            self.para("Demikian berita acara ini dibuat dengan sebenarnya untuk dipergunakan "
                      "sebagaimana mestinya."),
            Spacer(1, 6 * mm),
        ]
        official = self.signature(["Yang melaksanakan pemusnahan,", record.official.position],
                                  record.official.name)
        witnesses = [self.signature([f"Saksi {i}", w.position], w.name)
                     for i, w in enumerate(record.witnesses, start=1)]
        head = Table([[[], official]], colWidths=[_PORTRAIT_WIDTH / 2, _PORTRAIT_WIDTH / 2])
        story.append(KeepTogether([head, Spacer(1, 4 * mm),
                                   self.signature_grid(witnesses, _PORTRAIT_WIDTH)]))
        story += self.attachment(
            "Lampiran Berita Acara Pemusnahan Arsip", record.number, record.day,
            "DAFTAR ARSIP USUL MUSNAH", record.list_number, record.rows,
        )
        return self.render(
            story, first="portrait", day=record.day,
            title=f"Berita Acara Pemusnahan Arsip Nomor {_plain(record.number)}",
            author=_plain(record.office),
            subject=f"Pemusnahan {count} arsip berdasarkan keputusan Nomor "
                    f"{_plain(record.basis_reference)}",
            label=f"Berita Acara Pemusnahan Arsip Nomor {record.number}",
        )

    def penyerahan(self, record: TransferRecord) -> bytes:
        """Render the Berita Acara Penyerahan Arsip Statis."""
        check_transfer(record)
        t = self.text
        count = len(record.rows)
        width = _PORTRAIT_WIDTH
        story = self.heading(record.office, "BERITA ACARA PENYERAHAN ARSIP STATIS", "Nomor",
                             record.number)
        story += [
            self.para(f"Pada hari ini {date_in_words(record.day)}, bertempat di {t(record.place)}, "
                      "kami yang bertanda tangan di bawah ini:"),
            self.numbered("1.", [
                self.fields([("Nama", record.official.name),
                             ("Jabatan", record.official.position)], width - 8 * mm),
                self.para(f"dalam hal ini bertindak untuk dan atas nama {t(record.office)}, "
                          "selanjutnya disebut <b>PIHAK PERTAMA</b>."),
            ]),
            self.numbered("2.", [
                self.fields([("Nama", record.recipient.name),
                             ("Jabatan", record.recipient.position)], width - 8 * mm),
                self.para("dalam hal ini bertindak untuk dan atas nama "
                          f"{t(record.recipient_institution)}, selanjutnya disebut "
                          "<b>PIHAK KEDUA</b>."),
            ]),
            self.para(
                "PIHAK PERTAMA menyerahkan arsip statis kepada PIHAK KEDUA sebanyak "
                f"{count} ({number_in_words(count)}) arsip sebagaimana tercantum dalam Daftar "
                "Arsip Statis yang Diserahkan yang terlampir dan merupakan bagian tidak "
                "terpisahkan dari berita acara ini."
            ),
            self.para("Arsip diserahkan dalam bentuk paket arsip elektronik berformat BagIt "
                      "dengan keterangan sebagai berikut:"),
        ]
        story.append(self.fields([("Nama paket", record.package_name)], width))
        if record.package_digest:
            # On a line of its own and in a smaller size so the 64 digits never wrap.
            story += [
                self.para("Nilai hash SHA-256 berkas tagmanifest-sha256.txt paket:", self.left),
                self.para(record.package_digest, self.digest),
            ]
        story += [
            Spacer(1, 2 * mm),
            self.para("Keutuhan setiap berkas di dalam paket dijamin oleh nilai hash SHA-256 dan "
                      "SHA-512 yang tercantum dalam manifest paket."),
            self.para("PIHAK KEDUA menyatakan telah menerima arsip statis tersebut dari "
                      "PIHAK PERTAMA."),
            self.para("Demikian berita acara ini dibuat dengan sebenarnya dalam rangkap dua, "
                      "masing-masing untuk PIHAK PERTAMA dan PIHAK KEDUA."),
            Spacer(1, 6 * mm),
        ]
        receiver = self.signature(
            ["PIHAK KEDUA,", "Yang menerima,", record.recipient.position], record.recipient.name
        )
        giver = self.signature(
            ["PIHAK PERTAMA,", "Yang menyerahkan,", record.official.position],
            record.official.name,
        )
        story.append(KeepTogether([self.signature_grid([receiver, giver], width)]))
        story += self.attachment(
            "Lampiran Berita Acara Penyerahan Arsip Statis", record.number, record.day,
            "DAFTAR ARSIP STATIS YANG DISERAHKAN", None, record.rows,
        )
        return self.render(
            story, first="portrait", day=record.day,
            title=f"Berita Acara Penyerahan Arsip Statis Nomor {_plain(record.number)}",
            author=_plain(record.office),
            subject=f"Penyerahan {count} arsip statis kepada "
                    f"{_plain(record.recipient_institution)}, paket {_plain(record.package_name)}",
            label=f"Berita Acara Penyerahan Arsip Statis Nomor {record.number}",
        )
