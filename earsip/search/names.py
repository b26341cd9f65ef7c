"""Analysis of a document's original file name, so a clerk who remembers it can find it.

``SP2D_panwascam_2024.pdf`` is indexed as the words ``sp2d``, ``panwascam`` and ``2024`` (one
position each, so a phrase of them matches), the whole name as the ordinary analyzer reads it
(``sp2d_panwascam_2024.pdf``, in case it is typed whole), and, inside a word, its camel-case and
letter/digit runs of at least two characters (``LaporanBimtekTPS2024`` also gives ``laporan``,
``bimtek``, ``tps`` and ``2024``; ``SP2D`` also gives ``sp``). The extension is not a word of the
name (the type filter is for that). Words are stemmed like the other text fields, since queries
are analysed once for all of them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from whoosh.analysis import Token

from earsip.search.analysis import STOPWORDS, WORD_RE, IndonesianAnalyzer, _term, stem

_EXTENSION_RE = re.compile(r"\.[A-Za-z0-9]{1,5}$")
_PIECE_RE = re.compile(r"[^\W_]+")
_RUN_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+|[^\W\d_]+")
#: Shortest camel-case or letter/digit run indexed on its own.
MIN_RUN = 2


def name_words(name: str) -> list[str]:
    """Return the words of a file name without its extension (split on _ - . and spaces)."""
    return _PIECE_RE.findall(_EXTENSION_RE.sub("", name))


def _runs(piece: str) -> list[str]:
    """Return the camel-case and letter/digit runs of one word (none if it is one run)."""
    runs = _RUN_RE.findall(piece)
    return [r for r in runs if len(r) >= MIN_RUN] if len(runs) > 1 else []


def _analysed(word: str, stemming: bool) -> str | None:
    low = word.lower()
    if not low or low in STOPWORDS:
        return None
    return stem(low) if stemming else low


def filename_terms(name: str, stemming: bool = True) -> list[tuple[int, str]]:
    """Return (position, term) of every term `name` is indexed under (see the module)."""
    end = len(name) - (m.end() - m.start() if (m := _EXTENSION_RE.search(name)) else 0)
    out: list[tuple[int, str]] = []
    pos = -1
    for token in WORD_RE.finditer(name):
        first = True
        for piece_match in _PIECE_RE.finditer(name, token.start(), min(token.end(), end)):
            piece = piece_match.group()
            term = _analysed(piece, stemming)
            if term is None:
                continue
            pos += 1
            here = [term]
            if first:
                whole = _term(token.group(), stemming)
                whole = whole[0] if isinstance(whole, tuple) else whole
                if whole is not None and whole not in here:
                    here.append(whole)
                first = False
            for run in _runs(piece):
                extra = _analysed(run, stemming)
                if extra is not None and extra not in here:
                    here.append(extra)
            out.extend((pos, t) for t in here)
    return out


class FilenameAnalyzer(IndonesianAnalyzer):
    """The analyzer of the file name field (index side; queries use the text analyzer)."""

    def reference(self) -> FilenameAnalyzer:
        """Return itself: there is no filter chain this analysis is defined by."""
        return self

    def __call__(  # noqa: PLR0913 - Whoosh's tokenizer signature
        self,
        value: str,
        positions: bool = False,
        chars: bool = False,
        keeporiginal: bool = False,
        removestops: bool = True,
        start_pos: int = 0,
        start_char: int = 0,
        tokenize: bool = True,
        mode: str = "",
        **kwargs: object,
    ) -> Iterator[Token]:
        if not isinstance(value, str):
            raise TypeError(f"{value!r} is not text")
        return self._tokens(value, positions, start_pos, mode, kwargs)

    def _kept(self, value: str, parts: bool = True) -> list[tuple[int, str]]:
        return filename_terms(value, self.stemming)
