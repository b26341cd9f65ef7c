"""A deterministic corpus of synthetic Indonesian administrative documents for the benchmarks.

Words are drawn from ``vocab_id.txt`` (5,000 Indonesian words by frequency, counted over real
regulations; see ``../shared/bench/README.md``) with Zipf-Mandelbrot weights 1/(r + 2.7)^1.07, so
term statistics resemble real administrative prose. Each document gets a title from a few letter
types, a letter number, a classification code from the seed scheme (only codes with a complete
JRA rule), a date in the ten years 2016-2025, a security class (mostly biasa), sender, recipient,
tags and 1-20 pages. The same (n, seed) always gives the same documents, so two runs, and the
baselines within one run, measure the same data.
"""

from __future__ import annotations

import csv
import datetime as dt
import itertools
import os
import random
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from config import PROJECT_ROOT

VOCAB_ENV = "EARSIP_BENCH_VOCAB"
SEED = 2026
SEED_SCHEME = PROJECT_ROOT / "earsip" / "data" / "classification_seed.csv"
FIRST_DAY = dt.date(2016, 1, 1)
DAYS = (dt.date(2025, 12, 31) - FIRST_DAY).days + 1
SECURITY_WEIGHTS = {"biasa": 70, "terbatas": 20, "rahasia": 8, "sangat_rahasia": 2}
LETTER_TYPES = (
    "Surat Undangan", "Nota Dinas", "Laporan Hasil Pengawasan", "Surat Keputusan Ketua",
    "Berita Acara", "Surat Edaran", "Notulen Rapat", "Surat Tugas", "Rekomendasi",
    "Laporan Keuangan", "Surat Pemberitahuan", "Telaah Staf",
)
PARTIES = (
    "Bawaslu Provinsi Jawa Timur", "Bawaslu Kota Mojokerto", "KPU Kota Mojokerto",
    "Pemerintah Kota Mojokerto", "Panwaslu Kecamatan Prajurit Kulon",
    "Panwaslu Kecamatan Magersari", "Panwaslu Kecamatan Kranggan", "Bawaslu Republik Indonesia",
    "DPRD Kota Mojokerto", "Kepolisian Resor Kota Mojokerto", "Kejaksaan Negeri Kota Mojokerto",
    "Sekretariat Bawaslu Kota Mojokerto",
)
TAGS = ("rapat", "pilkada", "pemilu 2024", "anggaran", "sengketa", "pelanggaran", "sosialisasi")
HEADER = "BADAN PENGAWAS PEMILIHAN UMUM KOTA MOJOKERTO"


def vocabulary_path() -> Path:
    """Return the word list: $EARSIP_BENCH_VOCAB, else ../shared/bench/vocab_id.txt."""
    env = os.environ.get(VOCAB_ENV)
    if env:
        return Path(env)
    return PROJECT_ROOT.parent / "shared" / "bench" / "vocab_id.txt"


class Vocabulary:
    """Words by frequency rank with Zipf-Mandelbrot weights."""

    def __init__(self, words: list[str]) -> None:
        if not words:
            raise ValueError("empty vocabulary")
        self.words = words
        weights = [1.0 / (r + 2.7) ** 1.07 for r in range(1, len(words) + 1)]
        self.cum_weights = list(itertools.accumulate(weights))

    @classmethod
    def load(cls, path: Path | None = None) -> Vocabulary:
        """Read the word list (one word a line, most frequent first).

        Without ../shared (a clone elsewhere), fall back to Sastrawi's dictionary of root
        words in a fixed pseudo-random order: the suite still runs, with less realistic text.
        """
        path = path or vocabulary_path()
        if not path.is_file():
            import Sastrawi

            fallback = Path(Sastrawi.__file__).parent / "Stemmer" / "data" / "kata-dasar.txt"
            print(f"bench: {path} not found; using {fallback} (set {VOCAB_ENV})",
                  file=sys.stderr)
            words = sorted({w.strip() for w in fallback.read_text(encoding="utf-8").split()
                            if w.strip().isalpha()})
            random.Random(SEED).shuffle(words)
            return cls(words[:5000])
        words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines() if w.strip()]
        return cls(words)

    def sample(self, rng: random.Random, k: int) -> list[str]:
        """Return `k` words drawn by frequency."""
        return rng.choices(self.words, cum_weights=self.cum_weights, k=k)


@dataclass(frozen=True)
class SynthDoc:
    """One synthetic document: metadata as the import CSV names it, and its page texts."""

    seq: int
    title: str
    number: str
    classification: str
    document_date: dt.date
    security: str
    sender: str
    recipient: str
    tags: tuple[str, ...]
    pages: tuple[str, ...]

    @property
    def text(self) -> str:
        """Return the whole text, pages separated by a form feed (as extraction gives it)."""
        return "\f".join(self.pages)

    @property
    def filename(self) -> str:
        """Return the file name this document is written under."""
        return f"doc{self.seq:06d}.pdf"


def leaf_codes(path: Path = SEED_SCHEME) -> list[str]:
    """Return the seed scheme's codes that have a complete retention rule."""
    with path.open(encoding="utf-8") as f:
        return [row["code"] for row in csv.DictReader(f)
                if row["active_years"] and row["inactive_years"] and row["final_fate"]]


def _sentence(vocab: Vocabulary, rng: random.Random) -> str:
    words = vocab.sample(rng, rng.randint(7, 18))
    return " ".join(words).capitalize() + "."


def _page(vocab: Vocabulary, rng: random.Random, words: int) -> str:
    paragraphs: list[str] = []
    count = 0
    while count < words:
        sentences = [_sentence(vocab, rng) for _ in range(rng.randint(2, 5))]
        count += sum(s.count(" ") + 1 for s in sentences)
        paragraphs.append(" ".join(sentences))
    return "\n".join(paragraphs)


def _page_count(rng: random.Random, max_pages: int) -> int:
    # Weights 1/p: most letters are short, a few reports are long (mean ~5.6 of 1-20).
    pages = range(1, max_pages + 1)
    return rng.choices(pages, weights=[1 / p for p in pages])[0]


def generate(n: int, *, seed: int = SEED, max_pages: int = 20, words_per_page: int = 280,
             vocab: Vocabulary | None = None, start: int = 0) -> Iterator[SynthDoc]:
    """Yield documents `start` .. `start + n - 1` of the corpus for `seed` (deterministic).

    Each document draws from its own generator, seeded by (seed, seq), so any slice of the
    corpus can be produced without producing what comes before it.
    """
    vocab = vocab or Vocabulary.load()
    codes = leaf_codes()
    classes = list(SECURITY_WEIGHTS)
    class_weights = list(SECURITY_WEIGHTS.values())
    for seq in range(start, start + n):
        rng = random.Random(seed * 1_000_003 + seq)
        code = rng.choice(codes)
        date = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS))
        subject = " ".join(vocab.sample(rng, rng.randint(3, 6)))
        title = f"{rng.choice(LETTER_TYPES)} {subject}"
        number = f"{seq % 1000:03d}/{code}/K.JI-29/{date.month:02d}/{date.year}"
        sender, recipient = rng.sample(PARTIES, 2)
        tags = tuple(sorted(set(rng.sample(TAGS, rng.randint(0, 2)))))
        pages = []
        for p in range(_page_count(rng, max_pages)):
            body = _page(vocab, rng, rng.randint(words_per_page * 3 // 4,
                                                 words_per_page * 5 // 4))
            if p == 0:
                body = (f"{HEADER}\nNomor: {number}\nPerihal: {title}\n"
                        f"Kepada Yth. {recipient}\n{body}\nMojokerto, {date:%d-%m-%Y}")
            pages.append(body)
        yield SynthDoc(seq=seq, title=title, number=number, classification=code,
                       document_date=date,
                       security=rng.choices(classes, weights=class_weights)[0],
                       sender=sender, recipient=recipient, tags=tags, pages=tuple(pages))


FONT_NAME = "Vera"  # Bitstream Vera, shipped with reportlab


def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if FONT_NAME not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT_NAME, "Vera.ttf"))


def write_pdf(doc: SynthDoc, path: Path, *, font_size: float = 9.5) -> Path:
    """Write `doc` as a PDF with a real text layer, one A4 page per page text.

    The layout imitates what office suites export for justified text: an embedded TrueType
    subset font (with a ToUnicode map) and every word placed at its own position, line by
    line. (Standard-14 fonts drawn one line at a time extract several times faster than any
    real document would; see docs/PERFORMANCE.md.)
    """
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfgen import canvas

    _register_font()
    c = canvas.Canvas(str(path), pagesize=A4, invariant=1)
    c.setTitle(doc.title)
    left, width, leading = 56.0, A4[0] - 112.0, font_size * 1.3
    space = stringWidth(" ", FONT_NAME, font_size)
    for text in doc.pages:
        t = c.beginText()
        t.setFont(FONT_NAME, font_size)
        y = A4[1] - 52
        for line, last in _justified_lines(text, 100):
            words = line.split()
            widths = [stringWidth(w, FONT_NAME, font_size) for w in words]
            gap = space
            if not last and len(words) > 1:
                gap = max(space, (width - sum(widths)) / (len(words) - 1))
            x = left
            for word, w in zip(words, widths, strict=True):
                t.setTextOrigin(x, y)
                t.textOut(word)
                x += w + gap
            y -= leading
        c.drawText(t)
        c.showPage()
    c.save()
    return path


def _justified_lines(text: str, width: int) -> Iterator[tuple[str, bool]]:
    """Yield (line, is_last_line_of_its_paragraph)."""
    for para in text.split("\n"):
        lines = textwrap.wrap(para, width, break_long_words=False, break_on_hyphens=False)
        for i, line in enumerate(lines):
            yield line, i == len(lines) - 1


CSV_FIELDS = ("file", "title", "number", "date", "code", "security", "sender", "recipient",
              "tags")


def write_pdf_corpus(folder: Path, n: int, *, seed: int = SEED,
                     max_pages: int = 20) -> list[tuple[Path, SynthDoc]]:
    """Write `n` PDFs and a metadata.csv (for `earsip import --metadata`) into `folder`.

    Files already there from an earlier run with the same arguments are kept (the corpus is
    deterministic), so repeated benchmark runs do not regenerate it.
    """
    folder.mkdir(parents=True, exist_ok=True)
    out: list[tuple[Path, SynthDoc]] = []
    rows = []
    for doc in generate(n, seed=seed, max_pages=max_pages):
        path = folder / doc.filename
        if not path.exists():
            tmp = path.with_suffix(".tmp")
            write_pdf(doc, tmp)
            tmp.replace(path)
        out.append((path, doc))
        rows.append({"file": doc.filename, "title": doc.title, "number": doc.number,
                     "date": doc.document_date.isoformat(), "code": doc.classification,
                     "security": doc.security, "sender": doc.sender,
                     "recipient": doc.recipient, "tags": ",".join(doc.tags)})
    with (folder / "metadata.csv").open("w", newline="", encoding="utf-8") as f:
        writer = csv.DictWriter(f, fieldnames=CSV_FIELDS)
        writer.writeheader()
        writer.writerows(rows)
    return out
