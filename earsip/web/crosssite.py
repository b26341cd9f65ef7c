"""Links from other sites never write the audit trail in the signed-in user's name.

Another site can send the browser to any page of the archive (a link, a redirect, a script
setting `location`), and the browser sends the session cookie along with such a top-level GET
(the cookie is SameSite=Lax, so that links from e-mail keep working). Pages that show records
audit the reading (`document.view`, `document.download`, `search.query`, exports…), so such a
link would write entries, and a search's words, in the victim's name. The browser says where a
request comes from in `Sec-Fetch-Site` (Fetch Metadata): a signed-in user's GET that comes from
another site (`cross-site`, or `same-site`: a sibling host of the same domain) is answered
with a small page of our own that names the page asked for and links to it; following that link
is a same-origin request, which works as usual. A typed address, a bookmark or a link from a
desktop mail program (`none`), our own pages (`same-origin`) and clients that send no Fetch
Metadata at all (scripts; the API takes no cookies) are not affected (docs/ACCESS.md).
"""

from __future__ import annotations

from urllib.parse import quote

from flask import render_template, request
from flask_login import current_user

# Pages a link from another site may open directly. Each must write nothing to the audit trail
# (tests/test_tokens.py checks them): the start page is where links to the archive itself lead.
OPEN_TO_OTHER_SITES = frozenset({"auth.login", "pages.home", "static"})
# Sec-Fetch-Site values that mean "not one of our own pages, and not the user's own doing".
_FOREIGN = frozenset({"cross-site", "same-site"})


def confirm_cross_site() -> tuple[str, int] | None:
    """Answer a signed-in user's GET from another site with a page that asks first."""
    if request.method not in ("GET", "HEAD") or request.path.startswith("/api/"):
        return None
    if request.headers.get("Sec-Fetch-Site", "").strip().lower() not in _FOREIGN:
        return None
    if request.endpoint is None or request.endpoint in OPEN_TO_OTHER_SITES:
        return None
    if request.blueprint == "public":  # the public pages: nothing is read in anyone's name
        return None
    if not current_user.is_authenticated:
        return None  # nothing can be recorded in anyone's name; the sign-in page comes next
    query = request.query_string.decode("latin-1")
    target = request.script_root + quote(request.path) + (f"?{query}" if query else "")
    return render_template("auth/crosssite.html", target=target), 200
