"""Indonesian text analysis for the search index: tokenizer, stopwords, Sastrawi stemming."""

from __future__ import annotations

import contextlib
import logging
import os
import threading
from collections.abc import Iterator
from pathlib import Path

from whoosh.analysis import (
    Analyzer,
    Filter,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
)

from earsip.search.words import (  # noqa: F401 - re-exported
    _CLITICS,
    _STEMMABLE_RE,
    ANALYSIS_VERSION,
    PROTECTED,
    STOPWORDS,
    WORD_PATTERN,
    WORD_RE,
    _sastrawi,
    _stem_file_header,
    _stem_uncached,
)

logger = logging.getLogger(__name__)

# Stems already worked out: Sastrawi takes ~1 ms a new word (dictionary lookups through many
# regular expressions), which made the first documents of every process slow. The cache is
# shared by the threads of a process and, through a file in the index folder (see
# use_stem_file), by every process of one archive: a word is stemmed once per archive.
STEM_CACHE_MAX = 1_000_000
STEM_FILE_NAME = "stems.tsv"
_stems: dict[str, str] = {}
_new_stems: list[tuple[str, str]] = []
_stem_file: Path | None = None
_stem_file_lock = threading.Lock()


def stem(word: str) -> str:
    """Return the stem of one lowercased token; protected words and non-words stay as they are."""
    found = _stems.get(word)
    if found is None:
        found = _stem_uncached(word)
        if len(_stems) < STEM_CACHE_MAX:
            _stems[word] = found
            _new_stems.append((word, found))
    return found


def use_stem_file(folder: str | os.PathLike[str]) -> None:
    """Share stems through `folder`/stems.tsv: read what other processes stemmed, once.

    A file written under other stemming rules (another PROTECTED list or Sastrawi version) is
    ignored and replaced. Lines that do not look like a word and its stem are skipped.
    """
    global _stem_file
    path = Path(folder) / STEM_FILE_NAME
    with _stem_file_lock:
        if _stem_file == path:
            return
        _stem_file = path
        header = _stem_file_header()
        try:
            with path.open(encoding="utf-8") as f:
                if f.readline().rstrip("\n") != header:
                    path.unlink()
                    return
                for line in f:
                    word, _, stemmed = line.rstrip("\n").partition("\t")
                    if (stemmed and len(_stems) < STEM_CACHE_MAX
                            and _STEMMABLE_RE.fullmatch(word)
                            and _STEMMABLE_RE.fullmatch(stemmed)):
                        _stems.setdefault(word, stemmed)
        except FileNotFoundError:
            pass
        except (OSError, UnicodeDecodeError):
            logger.warning("stem cache %s unreadable; starting a new one", path, exc_info=True)
            with contextlib.suppress(OSError):
                path.unlink()


def save_stems() -> None:
    """Append the stems worked out since the last call to the shared stem file (if any)."""
    with _stem_file_lock:
        if _stem_file is None or not _new_stems:
            return
        fresh = [(w, s) for w, s in _new_stems if _STEMMABLE_RE.fullmatch(w)]
        _new_stems.clear()
        if not fresh:
            return
        try:
            new_file = not _stem_file.exists()
            with _stem_file.open("a", encoding="utf-8") as f:
                if new_file:
                    f.write(_stem_file_header() + "\n")
                # One write call: concurrent appenders (O_APPEND) do not interleave lines.
                f.write("".join(f"{w}\t{s}\n" for w, s in fresh))
        except OSError:
            logger.warning("could not save stems to %s", _stem_file, exc_info=True)


def forget_stems(folder: str | os.PathLike[str]) -> None:
    """Overwrite and remove the stem file of `folder` and empty this process's stem cache.

    The stem file lists every word the archive has seen; after a destruction it could still
    name words that only the destroyed records held. It is a cache: the words of the records
    kept are stemmed again the next time they are indexed or searched.
    """
    path = Path(folder) / STEM_FILE_NAME
    with _stem_file_lock:
        _stems.clear()
        _new_stems.clear()
        try:
            with path.open("r+b") as f:
                size = f.seek(0, os.SEEK_END)
                f.seek(0)
                f.write(b"\0" * size)
                f.flush()
                os.fsync(f.fileno())
            path.unlink()
        except FileNotFoundError:
            pass


class IndonesianStemFilter(Filter):
    """Replace each token's text with its Sastrawi stem (stateless, so it pickles)."""

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self)

    def __hash__(self) -> int:
        return hash(type(self))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            if not t.stopped:
                t.text = stem(t.text)
            yield t


def _parts(whole: str, stemming: bool) -> tuple[str, ...]:
    """Return the extra terms a hyphenated token is indexed under: its parts, analysed.

    A hyphenated identifier (TOPAS-8820, K.JI-29, e-KTP) is found by each part as well as
    whole. Reduplicated words (undang-undang, sehari-hari) stem to one root without a hyphen,
    so only a term that kept its hyphen has parts. Stopwords, repeats and the whole are left out.
    """
    if "-" not in whole:
        return ()
    found: list[str] = []
    for part in whole.split("-"):
        if not part or part in STOPWORDS:
            continue
        term = stem(part) if stemming else part
        if term != whole and term not in found:
            found.append(term)
    return tuple(found)


class IdentifierPartsFilter(Filter):
    """After each indexed token that kept a hyphen, its parts at the same position.

    Not when analysing a query (`mode="query"`): a typed identifier is matched whole.
    """

    def __init__(self, stemming: bool = True) -> None:
        self.stemming = stemming

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.stemming == self.stemming

    def __hash__(self) -> int:
        return hash((type(self), self.stemming))

    def __call__(self, tokens: Iterator[Token]) -> Iterator[Token]:
        for t in tokens:
            yield t
            if t.stopped or t.mode == "query" or "-" not in t.text:
                continue
            for part in _parts(t.text, self.stemming):
                t.text = part
                yield t


def reference_analyzer(*, stemming: bool = True) -> Analyzer:
    """Return the analysis as a chain of Whoosh filters: the definition the fast path must match.

    Indexes built before the fast path have this chain pickled in their schema.
    """
    chain = (
        RegexTokenizer(WORD_PATTERN) | LowercaseFilter() | StopFilter(stoplist=STOPWORDS, minsize=1)
    )
    if stemming:
        chain = chain | IndonesianStemFilter()
    return chain | IdentifierPartsFilter(stemming)


# Analysed form of each distinct token text as it appears in the text (None: a stopword; a
# tuple: the term and its parts, for a hyphenated identifier), per analyzer kind. Real text
# repeats a few tens of thousands of distinct tokens, so the lookups replace lowercasing,
# stopword checks and stemming almost always. Cleared when too big.
_TERM_CACHES: dict[bool, dict[str, str | tuple[str, ...] | None]] = {True: {}, False: {}}
_TERM_CACHE_MAX = 200_000


class IndonesianAnalyzer(Analyzer):
    """`reference_analyzer()` in one pass: one regex scan and a cached per-token lookup.

    It yields exactly the tokens of the reference chain (texts and positions, stopwords removed
    and the following positions renumbered like StopFilter does). The rarely used options
    (character offsets, keeping stopwords or originals, no tokenizing) are handed to the
    reference chain itself. Stateless apart from `stemming`, so it pickles by reference.
    """

    #: The analysis version of an analyzer pickled before versions were recorded.
    version = 1

    def __init__(self, stemming: bool = True) -> None:
        self.stemming = stemming
        self.version = ANALYSIS_VERSION  # pickled with the index schema

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and other.stemming == self.stemming
                and other.version == self.version)

    def __hash__(self) -> int:
        return hash((type(self), self.stemming, self.version))

    def __repr__(self) -> str:
        return f"{type(self).__name__}(stemming={self.stemming}, version={self.version})"

    def reference(self) -> Analyzer:
        """Return the equivalent chain of Whoosh filters."""
        return reference_analyzer(stemming=self.stemming)

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
        if chars or keeporiginal or not removestops or not tokenize:
            return self.reference()(
                value, positions=positions, chars=chars, keeporiginal=keeporiginal,
                removestops=removestops, start_pos=start_pos, start_char=start_char,
                tokenize=tokenize, mode=mode, **kwargs,
            )
        if not isinstance(value, str):
            raise TypeError(f"{value!r} is not text")
        return self._tokens(value, positions, start_pos, mode, kwargs)

    def _tokens(
        self, value: str, positions: bool, start_pos: int, mode: str, kwargs: dict[str, object]
    ) -> Iterator[Token]:
        t = Token(positions, False, removestops=True, mode=mode, **kwargs)
        t.boost = 1.0
        t.stopped = False
        for pos, term in self._kept(value, parts=mode != "query"):
            t.text = term
            if positions:
                t.pos = start_pos + pos
            yield t

    def term_positions(self, value: str) -> dict[str, list[int]]:
        """Return each term of `value` with its positions, as the tokens with positions=True.

        The bulk index writer's shortcut: no Token objects.
        """
        found: dict[str, list[int]] = {}
        for pos, term in self._kept(value):
            places = found.get(term)
            if places is None:
                found[term] = [pos]
            else:
                places.append(pos)
        return found

    def _kept(self, value: str, parts: bool = True) -> list[tuple[int, str]]:
        """Return (position, term) of every token kept, numbered as StopFilter numbers them;
        with `parts`, a hyphenated term's parts follow it at its position.

        StopFilter keeps the first kept token's place and numbers the next ones on from it.
        """
        cache = _TERM_CACHES[self.stemming]
        if len(cache) > _TERM_CACHE_MAX:
            cache.clear()
        kept: list[tuple[int, str]] = []
        pos = None
        for i, word in enumerate(WORD_RE.findall(value)):
            term = cache.get(word, _MISSING)
            if term is _MISSING:
                term = cache[word] = _term(word, self.stemming)
            if term is None:
                continue
            pos = i if pos is None else pos + 1
            if type(term) is tuple:
                if parts:
                    kept.extend((pos, t) for t in term)
                else:
                    kept.append((pos, term[0]))
            else:
                kept.append((pos, term))  # type: ignore[arg-type]  # a str: not a tuple
        return kept


_MISSING = object()


def _term(word: str, stemming: bool) -> str | tuple[str, ...] | None:
    """Return the analysed form of one matched token, None for a stopword, and a tuple of the
    term and its parts for a hyphenated identifier."""
    low = word.lower()
    if not low or low in STOPWORDS:
        return None
    term = stem(low) if stemming else low
    parts = _parts(term, stemming)
    return (term, *parts) if parts else term


def indonesian_analyzer() -> Analyzer:
    """Return the stemming analyzer used for title, metadata and content."""
    return IndonesianAnalyzer(stemming=True)


def raw_analyzer() -> Analyzer:
    """Return the non-stemming analyzer used for the prefix field."""
    return IndonesianAnalyzer(stemming=False)


def canonical(analyzer: Analyzer) -> Analyzer:
    """Return `analyzer` as a Whoosh filter chain, so a fast analyzer equals its reference."""
    return analyzer.reference() if isinstance(analyzer, IndonesianAnalyzer) else analyzer


def analysis_version(analyzer: Analyzer) -> int | None:
    """Return the analysis version an index analyzer was made with (None: not ours).

    Indexes made before the fast analyzer have the chain of filters pickled: the current
    reference chain, or the one of version 1 (without identifier parts).
    """
    if isinstance(analyzer, IndonesianAnalyzer):
        return analyzer.version
    for stemming in (True, False):
        if analyzer == reference_analyzer(stemming=stemming):
            return ANALYSIS_VERSION
        first = (RegexTokenizer(WORD_PATTERN) | LowercaseFilter()
                 | StopFilter(stoplist=STOPWORDS, minsize=1))
        if analyzer == (first | IndonesianStemFilter() if stemming else first):
            return 1
    return None


_STEMMING = indonesian_analyzer()
_RAW = raw_analyzer()


def analyze(text: str) -> list[str]:
    """Return the query terms (lowercased, stopwords removed, stemmed) of `text`.

    A hyphenated identifier stays one term here; `index_terms` also gives its parts.
    """
    return [t.text for t in _STEMMING(text, mode="query")]


def index_terms(text: str) -> list[str]:
    """Return the terms `text` is indexed under, in order (parts after their identifier)."""
    return [term for _, term in _STEMMING._kept(text)]


def raw_terms(text: str) -> list[str]:
    """Return the lowercased, unstemmed terms of `text` without stopwords."""
    return [t.text for t in _RAW(text, mode="query")]
