"""Word tables (token pattern, stopwords, protected words) and the uncached Sastrawi stemming."""

from __future__ import annotations

import hashlib
import re
import threading

# A token is a run of letters/digits; "-" and "." join runs inside one token, so
# reduplicated words (undang-undang), codes (PM.01.02, K.JI-29) and amounts (1.000.000) stay
# whole. "/" splits, so every part of a letter number is searchable on its own.
WORD_PATTERN = r"\w+(?:[-.]\w+)*"
WORD_RE = re.compile(WORD_PATTERN)

#: Changes whenever the same text gives other index terms: an index analysed under another
#: version is rebuilt (`schema.check_schema`). 2: hyphenated identifiers also index their parts.
ANALYSIS_VERSION = 2

# Function words dropped from the index and from queries. Deliberately NOT here, because
# they carry meaning in records: masuk/keluar (incoming/outgoing letters), hal (subject line),
# kasus, pihak, tidak (as in "tidak memenuhi syarat"), atas/bawah, harus, wajib, nomor.
STOPWORDS: frozenset[str] = frozenset(
    """
    yang dan di ke dari untuk dengan pada ini itu atau juga dalam adalah ialah yaitu yakni
    akan oleh sebagai tersebut bahwa serta telah sudah agar supaya karena sehingga maka
    jika apabila bila namun tetapi tapi lalu kemudian para sang si pun lah kah nya bagi
    hingga sampai secara suatu sebuah saat ketika dapat masih sedang pula lagi kepada
    daripada terhadap tentang sejak selama setelah sebelum ia dia mereka kami kita saya
    anda beliau adapun bahkan hanya sangat lebih paling begitu demikian
    """.split()  # noqa: SIM905 - a word list reads better as text
)

# Words whose Sastrawi stem loses the legal meaning (measured with pysastrawi 1.2.1):
#   keberatan -> berat (objection vs heavy); pemilu/kepemiluan -> milu (nonsense);
#   peserta -> serta ("and"); undangan -> undang (invitation would match every undang-undang);
#   pengumuman -> umum ("general", in almost every document); putusan/keputusan -> putus
#   (a ruling, a decree and "to break off" are different documents); pelapor/terlapor,
#   penggugat/tergugat, pemohon/termohon -> lapor/gugat/mohon (opposite parties of a case);
#   tembusan -> tembus (carbon copy vs to pierce); pemilih -> pilih (voter vs election).
# The rest are left as they are by Sastrawi today and listed so a dictionary change cannot
# fold them: disposisi, retensi, perkara, sengketa.
# Kept stemmed on purpose: pelanggaran/melanggar -> langgar and pengawasan/pengawas/diawasi
# -> awas are one concept each, and a searcher wants them together.
PROTECTED: frozenset[str] = frozenset(
    """
    keberatan disposisi retensi perkara sengketa pemilu kepemiluan peserta undangan
    pengumuman putusan keputusan pelapor terlapor penggugat tergugat pemohon termohon
    tembusan pemilih
    """.split()  # noqa: SIM905 - a word list reads better as text
)

_CLITICS = ("nya", "lah", "kah", "pun", "ku", "mu")
_STEMMABLE_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")

_stemmer = None
_stemmer_lock = threading.Lock()


def _sastrawi():
    """Return the shared Sastrawi stemmer, loading its dictionary on first use."""
    global _stemmer
    if _stemmer is None:
        with _stemmer_lock:
            if _stemmer is None:
                from Sastrawi.Stemmer.StemmerFactory import StemmerFactory

                cached = StemmerFactory().create_stemmer()
                # The factory wraps the stemmer in an unbounded dict cache; our lru_cache on
                # stem() is the bounded one, so call the plain stemmer underneath.
                _stemmer = getattr(cached, "delegatedStemmer", cached)
    return _stemmer


def _stem_uncached(word: str) -> str:
    if word in PROTECTED:
        return word
    if not _STEMMABLE_RE.fullmatch(word):
        # Numbers, codes, words with accents: Sastrawi would mangle them.
        return word
    for clitic in _CLITICS:
        if word.endswith(clitic) and word[: -len(clitic)] in PROTECTED:
            return word[: -len(clitic)]
    return _sastrawi().stem_word(word) or word


def _stem_file_header() -> str:
    """Return the first line of a stem file: it names everything the stems depend on."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        sastrawi = version("PySastrawi")
    except PackageNotFoundError:
        sastrawi = "unknown"
    rules = "|".join([" ".join(sorted(PROTECTED)), " ".join(_CLITICS),
                      _STEMMABLE_RE.pattern, sastrawi])
    return f"# earsip stems v1 {hashlib.sha256(rules.encode()).hexdigest()[:16]}"
