"""Highlighted excerpts of a document's text for a results page, bounded for multi-MB text."""

from __future__ import annotations

import re
from html import escape

from earsip.search.analysis import WORD_RE, stem
from earsip.search.query import highlight_spec

#: Characters of the text searched for matches; a match further in is not shown.
SCAN_LIMIT = 2_000_000
#: Candidate words stemmed and checked before giving up.
MAX_CANDIDATES = 2_000
MAX_FRAGMENTS = 3
_ELLIPSIS = "\u2026"
_SPACE_RE = re.compile(r"\s+")
_STEMMABLE_RE = re.compile(r"[a-z]+(?:-[a-z]+)*")


def _needle(term: str) -> str:
    # A stemmed word contains its root except, sometimes, the root's first letter
    # (meN-/peN- assimilation: menyapu -> sapu, memukul -> pukul), so the root minus its first
    # letter finds every candidate; candidates are then confirmed by stemming them.
    if len(term) >= 4 and _STEMMABLE_RE.fullmatch(term):
        return term[1:]
    return term


def _token_start(text: str, pos: int) -> int:
    while pos > 0:
        prev = text[pos - 1]
        joined = prev in "-." and pos > 1 and (text[pos - 2].isalnum() or text[pos - 2] == "_")
        if not (prev.isalnum() or prev == "_" or joined):
            break
        pos -= 1
    return pos


def _pattern(terms: set[str], prefixes: list[str]) -> re.Pattern[str] | None:
    needles = {_needle(t) for t in terms} | set(prefixes)
    needles.discard("")
    if not needles:
        return None
    return re.compile(
        "|".join(re.escape(n) for n in sorted(needles, key=len, reverse=True)), re.IGNORECASE
    )


def _part_matches(word: str, terms: set[str], prefixes: tuple[str, ...]) -> bool:
    """Return whether a part of a hyphenated identifier (TOPAS-8820) is what was searched."""
    return any(part and (part in terms or part.startswith(prefixes) or stem(part) in terms)
               for part in word.split("-"))


def find_matches(
    terms: set[str], prefixes: list[str], text: str, *, limit: int = 50,
    pattern: re.Pattern[str] | None = None,
) -> list[tuple[int, int]]:
    """Return up to `limit` (start, end) spans of words in `text` matching `terms`/`prefixes`."""
    if pattern is None:
        pattern = _pattern(terms, prefixes)
    if pattern is None or not text:
        return []
    end_of_scan = min(len(text), SCAN_LIMIT)
    spans: list[tuple[int, int]] = []
    pos = 0
    checked = 0
    prefix_tuple = tuple(prefixes)
    while len(spans) < limit and checked < MAX_CANDIDATES:
        m = pattern.search(text, pos, end_of_scan)
        if m is None:
            break
        checked += 1
        start = _token_start(text, m.start())
        token_match = WORD_RE.match(text, start)
        if token_match is None or token_match.end() <= m.start():
            pos = m.end()
            continue
        pos = token_match.end()
        word = token_match.group().lower()
        if (word in terms or word.startswith(prefix_tuple) or stem(word) in terms
                or ("-" in word and _part_matches(word, terms, prefix_tuple))):
            spans.append((start, token_match.end()))
    return spans


def _clean(piece: str) -> str:
    return escape(_SPACE_RE.sub(" ", piece))


def _snap_start(text: str, start: int, hit_start: int) -> int:
    if start <= 0:
        return 0
    space = text.find(" ", start, hit_start)
    return space + 1 if space != -1 else start


def _snap_end(text: str, end: int, hit_end: int) -> int:
    if end >= len(text):
        return len(text)
    space = text.rfind(" ", hit_end, end)
    return space if space != -1 else end


def _fallback(text: str, max_chars: int) -> str:
    head = _SPACE_RE.sub(" ", text[: max_chars * 2]).strip()
    if len(head) <= max_chars and len(text) <= max_chars * 2:
        return escape(head)
    cut = head[:max_chars]
    space = cut.rfind(" ")
    if space > max_chars // 2:
        cut = cut[:space]
    return escape(cut) + _ELLIPSIS


class Highlighter:
    """Snippets for one query: its terms and search pattern are worked out once."""

    def __init__(self, query_text: str, *, max_chars: int = 300) -> None:
        self.terms, self.prefixes = highlight_spec(query_text)
        self.pattern = _pattern(self.terms, self.prefixes)
        self.max_chars = max_chars

    def __call__(self, text: str) -> str:
        """Return escaped fragments of `text` with the query's matches wrapped in <mark>."""
        spans = find_matches(self.terms, self.prefixes, text, pattern=self.pattern)
        return _render(text, spans, self.max_chars)


def make_snippet(query_text: str, text: str, *, max_chars: int = 300) -> str:
    """Return escaped fragments of `text` with query matches wrapped in <mark>."""
    return Highlighter(query_text, max_chars=max_chars)(text)


def _render(text: str, spans: list[tuple[int, int]], max_chars: int) -> str:
    if not spans:
        return _fallback(text, max_chars)

    # Spread the budget over up to MAX_FRAGMENTS separate places where matches occur.
    clusters = 1
    last = spans[0][0]
    for start, _ in spans[1:]:
        if start - last > max_chars // MAX_FRAGMENTS:
            clusters += 1
            last = start
    size = max(max_chars // min(clusters, MAX_FRAGMENTS), 40)

    fragments: list[str] = []
    previous_end = 0
    i = 0
    while i < len(spans) and len(fragments) < MAX_FRAGMENTS:
        hit_start, hit_end = spans[i]
        start = _snap_start(text, max(previous_end, hit_start - size // 3), hit_start)
        end = _snap_end(text, min(len(text), start + size), hit_end)
        end = max(end, hit_end)
        parts = [_ELLIPSIS] if start > 0 else []
        cursor = start
        while i < len(spans) and spans[i][1] <= end:
            s, e = spans[i]
            parts.append(_clean(text[cursor:s]))
            parts.append(f"<mark>{escape(text[s:e])}</mark>")
            cursor = e
            i += 1
        parts.append(_clean(text[cursor:end]))
        if end < len(text):
            parts.append(_ELLIPSIS)
        fragments.append("".join(parts).strip())
        previous_end = end
    return " ".join(fragments)
