"""Message extraction for the English catalog: `python -m earsip.web.catalog` (`make messages`).

It collects every translatable message of the code and the templates: `_`/`gettext` calls, the
`N_` markers, and the first argument of every EarsipError class (their messages are templates,
see `earsip.errors`). Existing translations are kept; new messages arrive untranslated, and
`tests/test_i18n.py` fails until each has its English text.
"""

from __future__ import annotations

import datetime
import inspect
import sys
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.pofile import read_po, write_po

from earsip import errors
from earsip.web.i18n import CATALOGS

ROOT = Path(__file__).resolve().parents[2]
METHODS = [("earsip/**.py", "python"), ("templates/**.html", "jinja2")]
PO = CATALOGS / "en" / "LC_MESSAGES" / "messages.po"
HEADER = ("# English catalog of E-Arsip. The source messages are in Bahasa Indonesia.\n"
          "# Regenerate with `make messages`; translate every empty msgstr.")
# A fixed date, so that regenerating an unchanged catalog changes nothing.
STAMP = datetime.datetime(2026, 11, 30, tzinfo=datetime.UTC)


def keywords() -> dict[str, Any]:
    """Return the extraction keywords: gettext's, N_, and every error class name."""
    found: dict[str, Any] = dict(DEFAULT_KEYWORDS)
    found["N_"] = None
    for name, obj in vars(errors).items():
        if inspect.isclass(obj) and issubclass(obj, errors.EarsipError):
            found[name] = (1,)
    return found


def extract() -> Catalog:
    """Return a catalog of every message in the code and templates."""
    catalog = Catalog(locale="en", project="E-Arsip", version="1", charset="utf-8",
                      header_comment=HEADER, fuzzy=False, creation_date=STAMP,
                      revision_date=STAMP, copyright_holder="E-Arsip",
                      msgid_bugs_address="-", last_translator="E-Arsip", language_team="-")
    for method_map in METHODS:
        for filename, lineno, message, comments, context in extract_from_dir(
                str(ROOT), method_map=[method_map], keywords=keywords(),
                options_map={"templates/**.html": {"extensions": "jinja2.ext.i18n"}}):
            catalog.add(message, None, [(filename, lineno)], auto_comments=comments,
                        context=context)
    return catalog


def update() -> tuple[int, int]:
    """Rewrite the English .po from the sources, keeping translations; return (new, dropped)."""
    fresh = extract()
    with PO.open("rb") as f:
        old = read_po(f, locale="en")
    new = dropped = 0
    for message in fresh:
        if not message.id:
            continue
        previous = old.get(message.id, message.context)
        if previous is not None and previous.string:
            message.string = previous.string
        else:
            new += 1
    dropped = sum(1 for m in old if m.id and fresh.get(m.id, m.context) is None)
    with PO.open("wb") as f:
        write_po(f, fresh, width=100, omit_header=False, sort_output=True, no_location=True)
    return new, dropped


if __name__ == "__main__":
    if not PO.exists():
        PO.parent.mkdir(parents=True, exist_ok=True)
        with PO.open("wb") as f:
            write_po(f, Catalog(locale="en", fuzzy=False))
    added, removed = update()
    print(f"{PO.relative_to(ROOT)}: {added} untranslated, {removed} dropped")
    sys.exit(0)
