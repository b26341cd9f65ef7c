"""Regulation and decree numbers: recognised in documents and queries, in one normal form.

Indonesian regulations are cited by number and year in many wordings: ``Nomor 5 Tahun 2020``,
``NOMOR 5 TAHUN 2020``, ``No. 5 Th. 2020``, ``No 5/2020``, ``Nomor: 05 Tahun 2020``, ``UU
11/2008``, ``Perbawaslu 5/2020``. Each becomes the key ``5/2020``. A document is indexed with

- ``regref``: every key it mentions (title, metadata, text), so a query in one wording finds a
  document written in another;
- ``regno``: the key of the regulation the document *is*: the first number of a heading that
  starts with a regulation type (``PERATURAN …``, ``UNDANG-UNDANG …``, ``KEPUTUSAN …``, ``UU``,
  ``Perbawaslu`` …) at the start of the title or of a line of the first page, before its
  ``TENTANG`` and before the preamble (``Menimbang``, ``Mengingat``). A letter or report that
  cites the regulation, even in its title ("Laporan Sosialisasi Peraturan Bawaslu Nomor 5 Tahun
  2020") or first line, does not start with it, and a decree's "Mengingat" list comes after its
  own heading.

A query whose words form such a number (with an optional type and issuer before it, as in
"Peraturan Bawaslu Nomor 5 Tahun 2020") matches documents with the key in either field, or
with all the typed words as before; the regulation itself (``regno``) is ranked above every
document that only cites it (see `query.regulation_query`).

A number alone followed by a year is taken as a regulation number only with a slash (``5/2020``,
not inside a letter number such as ``005/HK.01/K.JI-29/05/2020``) or after a type word (``UU 11
Tahun 2008``); in a query, ``11 Tahun 2008`` is one too.
"""

from __future__ import annotations

import re

#: Regulation types that open a heading or come right before a bare number.
TYPES = (
    r"peraturan|undang-undang|uu|keputusan|kepmen\w*|perbawaslu|pkpu|perkpu|perpres|perppu|pp"
    r"|perda|pergub|perbup|perwal|permen\w*|instruksi|inpres|surat\s+edaran|edaran|se"
    r"|ketetapan|tap|qanun|maklumat|penetapan"
)
_KEYWORD = r"\b(?:nomor|nomer|no)\s*\.?\s*:?\s*"
_NUMBER = r"0*(?P<num{i}>\d{{1,4}})"
_YEAR = r"(?P<year{i}>(?:19|20)\d{{2}})"
_TAHUN = r"\s*(?:tahun|thn|th)\s*\.?\s*"
_SLASH = r"\s?/\s?"
_END = r"(?![\w/]|-\d)"

# Every wording, as alternatives numbered so that each has its own groups.
_FORMS = (
    _KEYWORD + _NUMBER + f"(?:{_TAHUN}|{_SLASH})" + _YEAR,  # Nomor 5 Tahun 2020, No. 5/2020
    rf"(?<![\w/.\-]){_NUMBER}/{_YEAR}",  # 5/2020, not inside a letter number
    rf"\b(?:{TYPES})\s+{_NUMBER}{_TAHUN}{_YEAR}",  # UU 11 Tahun 2008
)
MENTION_RE = re.compile(
    "(?:" + "|".join(f"(?:{form.format(i=i)})" for i, form in enumerate(_FORMS)) + ")" + _END,
    re.IGNORECASE)

#: The heading of a regulation: a type word at the start of the text or of a line.
_HEADING_RE = re.compile(rf"^[ \t]*(?:salinan\s+)?(?:{TYPES})\b", re.IGNORECASE | re.MULTILINE)
#: Words after which a number is no longer the document's own (its subject, its preamble, a
#: letter's subject line and the like).
_CUE_RE = re.compile(
    r"\b(?:tentang|menimbang|mengingat|memperhatikan|berdasarkan|menindaklanjuti|sehubungan"
    r"|merujuk|sesuai|sebagaimana|perihal|hal|dasar|atas|perubahan|pelaksanaan|mengenai)\b",
    re.IGNORECASE)
#: Characters of a heading searched for its number after the type word.
HEADING_REACH = 250
#: Characters of the first page searched for a heading.
FIRST_PAGE_MAX = 3000
#: Characters of a text searched for mentions.
SCAN_MAX = 2_000_000

# A query's regulation number, with an optional type and issuer words before it (a lexeme of
# the query parser: it starts where a word would and ends before a space, bracket or the end).
QUERY_RE = re.compile(
    rf"(?i:(?:(?:{TYPES})(?:\s+(?!(?:or|and|not)\b)[^\s()\"/]+?){{0,6}}?\s+)?"
    rf"(?:{_KEYWORD})?0*(?P<num>\d{{1,4}})(?:{_TAHUN}|{_SLASH})(?P<year>(?:19|20)\d{{2}}))"
    r"(?=[\s()]|$)")


def _key(match: re.Match[str]) -> str:
    groups = match.groupdict()
    num = next(v for k, v in groups.items() if k.startswith("num") and v is not None)
    year = next(v for k, v in groups.items() if k.startswith("year") and v is not None)
    return f"{int(num)}/{year}"


def mentions(*texts: str | None) -> list[str]:
    """Return the distinct keys of every regulation number `texts` mention, in order."""
    found: dict[str, None] = {}
    for text in texts:
        if text:
            for match in MENTION_RE.finditer(text, 0, min(len(text), SCAN_MAX)):
                found.setdefault(_key(match), None)
    return list(found)


def _heading_number(text: str) -> str | None:
    """Return the key of the first heading's number in `text`, None if it has none."""
    cue = _CUE_RE.search(text)
    head = text[:cue.start()] if cue else text
    for heading in _HEADING_RE.finditer(head):
        reach = head[heading.end():heading.end() + HEADING_REACH]
        match = MENTION_RE.search(reach)
        if match is not None:
            return _key(match)
    return None


def own_numbers(title: str, text: str) -> list[str]:
    """Return the key(s) of the regulation the document is, from its title and first page."""
    first_page = text.split("\f", 1)[0][:FIRST_PAGE_MAX]
    found = [key for key in (_heading_number(title), _heading_number(first_page)) if key]
    return list(dict.fromkeys(found))


def query_key(text: str) -> str | None:
    """Return the key of a query lexeme matched by QUERY_RE (None if it is not one)."""
    match = QUERY_RE.fullmatch(text.strip())
    return f"{int(match.group('num'))}/{match.group('year')}" if match else None
