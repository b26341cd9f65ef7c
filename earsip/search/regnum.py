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

#: Regulation types that open a heading or come right before a bare number (kepmen and
#: permen also as the start of a word: Permenkominfo).
TYPE_WORDS = (
    "peraturan", "undang-undang", "uu", "keputusan", "kepmen", "perbawaslu", "pkpu", "perkpu",
    "perpres", "perppu", "pp", "perda", "pergub", "perbup", "perwal", "permen", "instruksi",
    "inpres", "surat edaran", "edaran", "se", "ketetapan", "tap", "qanun", "maklumat",
    "penetapan",
)


def _alternation(upper: bool) -> str:
    words = []
    for word in TYPE_WORDS:
        pattern = re.escape(word.upper() if upper else word).replace(r"\ ", r"\s+")
        words.append(pattern + ("[^\\W\\d_]*" if word in ("kepmen", "permen") else ""))
    return "|".join(words)


TYPES = _alternation(upper=False)
_KEYWORD = r"\b(?:nomor|nomer|no)\s*\.?\s*:?\s*"
_NUMBER = r"0*(?P<num{i}>\d{{1,4}})"
_YEAR = r"(?P<year{i}>(?:19|20)\d{{2}})"
_TAHUN = r"\s*(?:tahun|thn|th)\s*\.?\s*"
_SLASH = r"\s?/\s?"
_END = r"(?![\w/]|-\d)"

# Every wording, as alternatives numbered so that each has its own groups.
_FORMS = (
    _KEYWORD + _NUMBER + f"(?:{_TAHUN}|{_SLASH})" + _YEAR,  # Nomor 5 Tahun 2020, No. 5/2020
    # A ministerial regulation numbered the older way: Nomor 38/PER/M.KOMINFO/09/2007.
    _KEYWORD + _NUMBER + r"\s*/\s*PER\s*/\s*[^/\s]+\s*/\s*(?:\d{{1,2}}\s*/\s*)?" + _YEAR,
    rf"(?<![\w/.\-]){_NUMBER}/{_YEAR}",  # 5/2020, not inside a letter number
    rf"\b(?:{TYPES})\s+{_NUMBER}{_TAHUN}{_YEAR}",  # UU 11 Tahun 2008
)
MENTION_RE = re.compile(
    "(?:" + "|".join(f"(?:{form.format(i=i)})" for i, form in enumerate(_FORMS)) + ")" + _END,
    re.IGNORECASE)

#: The heading of a regulation: a type word at the start of the title (as typed), or in
#: capitals at the start of a line of the first page (headings of legislation are set in
#: capitals; a citation that a line break brings to the start of a line is not).
_TITLE_HEADING_RE = re.compile(rf"^[^\w\n]*(?:salinan\s+)?(?:{TYPES})\b", re.IGNORECASE)
_PAGE_HEADING_RE = re.compile(rf"^[^\w\n]*(?:{_alternation(upper=True)})\b", re.MULTILINE)
#: Words after which a number is no longer the heading's own: its subject (TENTANG), the
#: preamble, a letter's subject line and the like.
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


def _heading_numbers(text: str, headings: re.Pattern[str]) -> list[str]:
    """Return the keys of the numbers of the first heading that has any before its subject
    (a joint regulation has one number per issuer)."""
    for heading in headings.finditer(text):
        reach = text[heading.end():heading.end() + HEADING_REACH]
        cue = _CUE_RE.search(reach)
        found = [_key(m) for m in MENTION_RE.finditer(reach, 0, cue.start() if cue else
                                                      len(reach))]
        if found:
            return found
    return []


def own_numbers(title: str, text: str) -> list[str]:
    """Return the key(s) of the regulation the document is, from its title and first page."""
    first_page = text.split("\f", 1)[0][:FIRST_PAGE_MAX]
    found = (_heading_numbers(title, _TITLE_HEADING_RE)
             + _heading_numbers(first_page, _PAGE_HEADING_RE))
    return list(dict.fromkeys(found))


def query_key(text: str) -> str | None:
    """Return the key of a query lexeme matched by QUERY_RE (None if it is not one)."""
    match = QUERY_RE.fullmatch(text.strip())
    return f"{int(match.group('num'))}/{match.group('year')}" if match else None
