"""Read an Indonesian official letter's header fields from its text (prefill of the letter desk).

The text is what extraction gave (a PDF's text layer, or Tesseract's reading of a scan). Found:
the letter number (``Nomor :`` / ``No.`` / unlabelled; tata naskah dinas patterns and older
ones, Roman months), the classification code inside it (``PM.00.02``), the letter date (the
place-and-date line, ``Mojokerto, 12 Maret 2024``, preferred over dates in the body), the subject
(``Perihal :`` / ``Hal :``, continued on the following lines) and the sender (the letterhead's
upper-case institution lines). Every field is a proposal the clerk confirms; a field not found is
None. Standard library only; the work is capped so any input returns quickly and never raises.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from earsip.letterdates import _find_date
from earsip.lettertext import _BODY_START, _DATE, _DIGITISH, _JUNK, _PLACE, _head, _lines


@dataclass(frozen=True)
class LetterFields:
    """The fields read from a letter's text; each None when not found."""

    letter_number: str | None = None
    letter_date: dt.date | None = None
    subject: str | None = None
    sender: str | None = None
    classification: str | None = None


# --------------------------------------------------------------------------- letter number

_NUMBER_LABEL = re.compile(
    rf"^{_JUNK}(?:nomor surat|nomor|nomer|nornor|n0mor|no(?![a-z]))\s*[.:;]?\s*[:;]?\s*"
    r"(?P<value>\S.*)$",
    re.IGNORECASE)
# A token of letter-number characters with at least two slashes (OCR may space the slashes).
_NUMBER_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9.\-]{0,30}(?:\s?/\s?[A-Za-z0-9()][A-Za-z0-9.\-()]"
                           r"{0,30}){2,8}")
_INNER_SPACE = re.compile(r"(?<=[A-Za-z0-9][.\-]) (?=[0-9])")  # OCR's "HK. 01.00", "JI- 17"
_BESIDE_NUMBER = re.compile(r"\s(?=[A-Z][a-z]+(?: [A-Z][a-z]+){0,3} ?,)|\s(?=Kepada|Yth)")
_CODE = re.compile(r"[A-Z]{2}(?:\.[0-9]{2}){1,3}")
_CODE_OCR = re.compile(r"[A-Z]{2}(?:\.[0-9OoIl]{2}){1,3}")
_ROMAN_MONTH = re.compile(r"(?:I|II|III|IV|V|VI|VII|VIII|IX|X|XI|XII)")
_ROMAN_OCR = re.compile(r"[IVX][IVX1l]*|[1l][IVX][IVX1l]*")
_YEAR = re.compile(r"(?:19|20)[0-9]{2}")
_NOT_A_NUMBER = re.compile(r"www|http|@|\.go\.id|\.ac\.id|\.com|\.or\.id", re.IGNORECASE)


def _fix_segment(segment: str) -> str:
    """Return a number segment with OCR's letter-for-digit slips undone where that is safe."""
    if _CODE_OCR.fullmatch(segment):
        head, rest = segment[:2], segment[2:]
        return head + rest.translate(_DIGITISH)
    parts = segment.split(".")
    fixed = []
    for part in parts:
        # Only a part that already has a digit and otherwise only look-alikes: "2O24", "O6".
        if part and any(c.isdigit() for c in part) and all(c.isdigit() or c in "OoIl"
                                                           for c in part):
            part = part.translate(_DIGITISH)
        fixed.append(part)
    return ".".join(fixed)


def _clean_number(raw: str) -> str | None:
    """Return a letter number cut from `raw` and checked, or None when it is not one."""
    raw = _INNER_SPACE.sub("", raw)
    match = _NUMBER_TOKEN.search(raw)
    if match is None or _NOT_A_NUMBER.search(raw[:match.end() + 10]):
        return None
    token = re.sub(r"\.{2,}", ".", re.sub(r"\s?/\s?", "/", match.group(0))).strip(".-")
    segments = [_fix_segment(s) for s in token.split("/")]
    if len(segments) >= 3 and _YEAR.fullmatch(segments[-1]) and _ROMAN_OCR.fullmatch(
            segments[-2]) and not _ROMAN_MONTH.fullmatch(segments[-2]):
        roman = segments[-2].replace("1", "I").replace("l", "I")
        if _ROMAN_MONTH.fullmatch(roman):
            segments[-2] = roman  # "V1/2018": the month VI with its I read as 1
    if any(not s for s in segments):
        return None
    if len(segments) == 3 and all(s.isdigit() for s in segments):
        return None  # a numeric date (12/03/2024), not a number
    last = segments[-1]
    if not (_YEAR.fullmatch(last) or _ROMAN_MONTH.fullmatch(last)
            or any(_YEAR.fullmatch(s) for s in segments)):
        return None
    if not any(c.isdigit() for c in segments[0] + segments[1]):
        return None
    return "/".join(segments)


def _labelled_number(value: str) -> str | None:
    """Return the number after a label. OCR breaks a number with spaces ("K1/1 2/2023",
    "PR.01 .00", "PROV JT-07"): when the value, up to a place-and-date or the addressee column
    beside it, is one number once its spaces are gone, that number is taken."""
    head = _BESIDE_NUMBER.split(value, maxsplit=1)[0]
    head = re.sub(r"[^\w/.\- ]+", " ", head).strip(" .")  # specks: "… 02/2022 ©"
    joined = head.replace(" ", "")
    if " " in head and _NUMBER_TOKEN.fullmatch(joined):
        number = _clean_number(joined)
        if number:
            return number
    return _clean_number(value)


def _find_number(lines: list[str]) -> str | None:
    """Return the letter number: after a label at a line's start in the header, else a bare
    one in the header, else a labelled line standing alone further down."""
    head = _head(lines)
    for line in head:
        label = _NUMBER_LABEL.match(line)
        if label:
            number = _labelled_number(label.group("value")[:120])
            if number:
                return number
    for line in head:
        number = _clean_number(line[:160])
        if number and (line.startswith(number[:3]) or line[:1] in ":;"
                       or len(line) <= len(number) + 40):
            return number
    for line in lines[len(head):]:
        label = _NUMBER_LABEL.match(line)
        if label and len(label.group("value")) <= 60:
            number = _clean_number(label.group("value"))
            if number and len(label.group("value")) <= len(number) + 4:
                return number
    return None


def _classification(number: str | None) -> str | None:
    """Return the classification code that is one segment of the number, if any."""
    if not number:
        return None
    for segment in number.split("/"):
        if _CODE.fullmatch(segment):
            return segment
    return None


# --------------------------------------------------------------------------- subject

_SUBJECT_LABEL = re.compile(
    rf"^{_JUNK}(?:perihal|prihal|perlhal|peri hal|hal)(?![a-z])\s*[:;.\-]?\s*[:;]?\s*(?P<v>.*)$",
    re.IGNORECASE)
_NEXT_LABEL = re.compile(
    rf"^{_JUNK}(?:lampiran|lamp\.|kepada|yth|sifat|nomor|no\.|tanggal|dengan hormat|di\s*-|di$"
    r"|di tempat|tempat$|tembusan|assalamu|salam|sehubungan|berdasarkan|menindaklanjuti"
    r"|bersama ini|perihal|hal\b)",
    re.IGNORECASE)
# The right column (the addressee block) that a two-column header pours into the subject.
# A colon OCR read as "1", "l" or "|" between the label and a capitalised subject.
_MISREAD_COLON = re.compile(r"^[\W_]*[1lI|][\W_]*\s+(?=[A-Z][a-z])")
_CUT = re.compile(r"\s[\W_]{0,2}(?:Kepada|Yth\.?)\b.*$|\s[\W_]{0,2}(?:di ?-|di|Tempat)[\W_]{0,3}$")


def _continues(line: str) -> bool:
    """Tell whether a line may continue a subject (not blank, not a label, short)."""
    return bool(line) and not _NEXT_LABEL.match(line) and not _BODY_START.match(line) \
        and len(line) <= 90 and not (_PLACE.match(line) and _DATE.search(line)) \
        and not _NUMBER_LABEL.match(line)


def _isolated(lines: list[str], index: int) -> bool:
    """Tell whether lines[index] is a short fragment followed by a label (Kepada, Lampiran…):
    a subject's continuation that OCR set apart with a blank line."""
    if index >= len(lines) or not _continues(lines[index]) or len(lines[index]) > 60:
        return False
    following = [line for line in lines[index + 1:index + 4] if line]
    return bool(following) and bool(_NEXT_LABEL.match(following[0]))


def _find_subject(lines: list[str]) -> str | None:
    """Return the subject after Perihal/Hal, joined with its continuation lines."""
    for index, line in enumerate(_head(lines)):
        label = _SUBJECT_LABEL.match(line)
        if not label:
            continue
        value = _CUT.sub("", label.group("v")).strip(" :;-.|_\"'“”‘’")
        value = _MISREAD_COLON.sub("", value)
        if not value or not any(c.isalpha() for c in value):
            continue
        parts = [value]
        follow_at = index + 1
        while len(parts) < 4 and follow_at < len(lines) and not parts[-1].endswith((".", ":")):
            follow = lines[follow_at]
            if not follow and _isolated(lines, follow_at + 1):
                follow_at += 1  # OCR may set a continuation apart with a blank line
                follow = lines[follow_at]
            if not _continues(follow):
                break
            parts.append(_CUT.sub("", follow).strip(" :;-.|"))
            follow_at += 1
        return " ".join(p for p in parts if p).strip(" :;|") or None
    return None


# --------------------------------------------------------------------------- sender

_CONTACT = re.compile(
    rf"^{_JUNK}(?:jalan|jln?\.?|jl\b)|telp|telep|phone|fax|faks|website|laman|e-?mail|surel|www\.|http"
    r"|kode pos|@|\.go\.id|\.ac\.id|\.or\.id|\.com\b|\(0\d", re.IGNORECASE)
_STOP = re.compile(
    rf"^{_JUNK}(?:surat|nota dinas|undangan|nomor|no\.|perihal|hal\b|kepada|yth|lampiran|sifat"
    r"|keputusan|pengumuman|berita acara|memorandum)", re.IGNORECASE)
_ACRONYMS = frozenset({
    "RI", "KPU", "DPR", "DPRD", "DPD", "DPC", "DPW", "DPP", "PAC", "KPUD", "PPK", "PPS", "KPPS",
    "TNI", "POLRI", "POLRES", "BUMN", "BUMD", "PT", "CV", "UIN", "IAIN", "STIE", "STAI", "HAM",
    "ASN", "PNS", "BPBD", "BPKAD", "BAPPEDA", "RSUD", "SMA", "SMK", "SMP", "SD", "MUI", "NU",
    "LSM", "PPID", "BPS", "BPN", "UPT", "UPTD", "PKK", "RT", "RW", "TK", "KB", "JI",
})
_SMALL = frozenset({"dan", "di", "ke", "dari", "untuk", "atau", "yang", "pada", "serta", "of",
                    "and", "the", "for"})
_REGION = re.compile(r"^PEMERINTAH\s+(?P<region>(?:KOTA|KABUPATEN|PROVINSI|DESA|KELURAHAN)\s.+)$")
_UNIT = re.compile(r"^(?:DINAS|BADAN|KANTOR|SEKRETARIAT|INSPEKTORAT|SATUAN|RUMAH SAKIT"
                   r"|KECAMATAN|KELURAHAN|BAGIAN|UNIT)\b")


def _is_upper(line: str) -> bool:
    """Tell whether (nearly) all of a line's letters are capitals."""
    letters = [c for c in line if c.isalpha()]
    return bool(letters) and sum(1 for c in letters if c.isupper()) / len(letters) >= 0.85


def _title(line: str) -> str:
    """Return an upper-case line in title case, acronyms and small words kept as they are."""
    words = []
    if not _is_upper(line):
        return line  # a letterhead already set in title case keeps its own spelling
    for i, word in enumerate(line.split()):
        bare = word.strip("()[],.;:")
        if bare.upper() in _ACRONYMS or any(c.isdigit() for c in bare) or (
                len(bare) <= 4 and bare.isalpha() and not set(bare.upper()) & set("AIUEO")):
            words.append(word.upper())
        elif i > 0 and word.lower() in _SMALL:
            words.append(word.lower())
        else:
            words.append("-".join(p[:1].upper() + p[1:].lower() for p in word.split("-")))
    return " ".join(words)


_INSTITUTION = re.compile(
    r"^(?:badan|komisi|pemerintah|dinas|kantor|kementerian|sekretariat|dewan|partai|universitas"
    r"|institut|sekolah|politeknik|fakultas|yayasan|lembaga|perkumpulan|panitia|majelis"
    r"|pengurus|kepolisian|kejaksaan|pengadilan|rumah sakit|inspektorat|kecamatan|kelurahan"
    r"|desa|provinsi|kabupaten|kota|republik)\b", re.IGNORECASE)


def _is_heading(line: str, *, first: bool) -> bool:
    """Tell whether a line is a name line of a letterhead: upper case, or (a letterhead set in
    title case) each word capitalised, the first line naming an institution."""
    letters = [c for c in line if c.isalpha()]
    if len(letters) < 4 or len(line) > 90:
        return False
    if _is_upper(line):
        return True
    words = [w for w in line.split() if w[:1].isalpha()]
    capitalised = all(w[:1].isupper() or w.lower() in _SMALL for w in words)
    return capitalised and (not first or bool(_INSTITUTION.match(line)))


def _find_sender(lines: list[str]) -> str | None:
    """Return the institution named by the letterhead's upper-case lines."""
    names: list[str] = []
    for line in lines[:12]:
        letters = sum(1 for c in line if c.isalpha())
        if not line or letters < 3:
            if names and letters == 0 and line:
                break
            continue  # blank, or the specks a scanned logo leaves
        if _CONTACT.search(line):
            if names:
                break
            continue
        if _is_heading(line, first=not names) and not _STOP.match(line):
            cleaned = re.sub(r"[^\w\s.,()'&\-/]", "", line).strip(" .,-")
            if _is_upper(cleaned):  # OCR's stray lower-case specks: "KOTA MOJOKERTO tg"
                cleaned = re.sub(r"(?: [a-z]{1,3})+$", "", cleaned)
            if cleaned:
                names.append(cleaned)
            if len(names) == 4:
                break
            continue
        if names or _STOP.match(line) or _NUMBER_LABEL.match(line):
            break
    if not names:
        return None
    region = _REGION.match(names[0])
    if region and len(names) >= 2 and _UNIT.match(names[1]):
        names = [*names[1:], region.group("region")]
    return " ".join(_title(n) for n in names)


# --------------------------------------------------------------------------- entry point


def parse_letter(text: str, *, today: dt.date | None = None) -> LetterFields:
    """Read the number, date, subject, sender and classification code from a letter's text."""
    try:
        if not isinstance(text, str) or not text.strip():
            return LetterFields()
        lines = _lines(text)
        number = _find_number(lines)
        return LetterFields(
            letter_number=number,
            letter_date=_find_date(lines, today or dt.date.today()),
            subject=_find_subject(lines),
            sender=_find_sender([ln for ln in lines if ln][:40] if lines else []),
            classification=_classification(number),
        )
    except Exception:  # noqa: BLE001 - a proposal never breaks the form; nothing found instead
        return LetterFields()
