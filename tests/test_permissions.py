"""Every route of the app, for every role, against the matrix written in docs/ACCESS.md."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from config import PROJECT_ROOT
from earsip.access import PERMISSIONS, ROLES, Principal
from earsip.models import (
    ApiToken,
    AuditEntry,
    Classification,
    DeclassificationRequest,
    Document,
    Job,
    User,
    UserRole,
)
from earsip.schemas.base import parse
from earsip.schemas.desk import DispositionInput
from earsip.schemas.retention import DisposalProposal, HoldInput
from earsip.services import Archive
from earsip.services.cases import routing
from earsip.services.desk import dispositions
from earsip.services.retention.destruction_views import get_list
from tests.conftest import USER_PASSWORD
from tests.filegen import make_text_pdf
from tests.helpers import principal_of

DOC = PROJECT_ROOT / "docs" / "ACCESS.md"


def _table(name: str) -> list[list[str]]:
    text = DOC.read_text()
    body = text.split(f"<!-- {name} -->", 1)[1].split(f"<!-- /{name} -->", 1)[0]
    rows = [line.strip().strip("|").split("|") for line in body.strip().splitlines()]
    return [[cell.strip() for cell in row] for row in rows[2:]]  # skip header and rule


def documented_matrix() -> dict[str, set[str]]:
    """Return permission -> roles granted, as docs/ACCESS.md writes it."""
    header = [c.strip() for c in DOC.read_text().split("<!-- permission-matrix -->", 1)[1]
              .strip().splitlines()[0].strip().strip("|").split("|")]
    roles = header[2:]
    assert sorted(roles) == sorted(ROLES)
    return {row[0].strip("`"): {r for r, mark in zip(roles, row[2:], strict=True) if mark == "✓"}
            for row in _table("permission-matrix")}


def documented_routes() -> dict[tuple[str, str], str | None]:
    """Return (method, rule) -> permission (None for public), as docs/ACCESS.md writes it."""
    routes: dict[tuple[str, str], str | None] = {}
    for methods, path, permission in _table("route-table"):
        for method in methods.split(","):
            routes[(method.strip(), path.strip("`"))] = \
                None if permission == "public" else permission.strip("`")
    return routes


def app_routes(app: Flask) -> dict[tuple[str, str], str | None]:
    """Return (method, rule) -> the permission the view enforces."""
    found: dict[tuple[str, str], str | None] = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        view = app.view_functions[rule.endpoint]
        assert hasattr(view, "required_permission"), \
            f"{rule.rule} declares no permission (use requires(), token_required() or public)"
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            found[(method, rule.rule)] = view.required_permission
    return found


def test_the_documented_matrix_is_the_one_the_code_enforces() -> None:
    assert documented_matrix() == {p: set(r) for p, r in PERMISSIONS.items()}


def test_every_route_of_the_app_is_in_the_documented_route_table(app: Flask) -> None:
    assert app_routes(app) == documented_routes()


@pytest.fixture
def world(archive: Archive, make_user: Callable[..., str], tmp_path: Path) -> dict[str, object]:
    """One user per role, a victim account for the admin routes, and one biasa document."""
    for role in ROLES:
        make_user(f"only-{role}", roles=(role,), clearance="sangat_rahasia")
    victim = make_user("korban", roles=("staf",))
    pdf = make_text_pdf(tmp_path / "surat.pdf", ["Surat undangan rapat pleno"])
    from earsip import audit
    from earsip.services.records import ingest
    from earsip.services.records.documents import parse_input

    with open(pdf, "rb") as f:
        filed = ingest.file_document(archive, audit.SYSTEM, f, "surat.pdf", parse_input({
            "title": "Undangan rapat", "classification": "KA.00",
            "document_date": "2024-03-15"}), clearance="sangat_rahasia")
    with archive.db.read() as session:
        victim_id = session.scalar(select(User.id).where(User.username == victim))
    from earsip.access import Principal
    from earsip.services.retention.holds import place_hold

    officer = Principal(1, "admin", frozenset({"arsiparis"}), "sangat_rahasia")
    hold = place_hold(archive, officer, HoldInput(reference="R/1", reason="uji",
                                                  document_ids=[filed.document_id]))
    from earsip.services.retention.destruction import propose
    from earsip.services.retention.destruction_views import get_list

    with open(make_text_pdf(tmp_path / "lama.pdf", ["Surat edaran lama"]), "rb") as f:
        old = ingest.file_document(archive, audit.SYSTEM, f, "lama.pdf", parse_input({
            "title": "Surat edaran lama", "classification": "KA.00",
            "document_date": "2015-03-15"}), clearance="sangat_rahasia")
    list_id = propose(archive, officer, DisposalProposal(document_ids=[old.document_id]))
    item_id = get_list(archive, officer, list_id).items[0].id
    from earsip.schemas.transfers import Handover
    from earsip.services.retention.transfer import prepare

    with open(make_text_pdf(tmp_path / "dipa.pdf", ["DIPA 2010"]), "rb") as f:
        dipa = ingest.file_document(archive, audit.SYSTEM, f, "dipa.pdf", parse_input({
            "title": "DIPA 2010", "classification": "KU.00.00",
            "document_date": "2010-01-05"}), clearance="sangat_rahasia")
    from tests.helpers import handing

    transfer_id = prepare(archive, officer, handing([dipa.document_id], Handover(
        recipient_institution="Dinas Kearsipan", recipient_name="Rina",
        recipient_position="Kepala Bidang", official_name="Siti",
        official_position="Kepala Sekretariat")))
    from earsip.services.operations import jobs

    job_id = jobs.request(archive, audit.SYSTEM, "fixity")
    from earsip.services.access import tokens

    with archive.db.write() as session:  # the victim's: every other user gets 404 for it
        tokens.issue(session, session.get(User, victim_id), ttl_days=1, client_addr=None)
        token_id = session.scalar(select(ApiToken.id))
    return {"document_id": filed.document_id, "user_id": victim_id, "code": "KA.00",
            "hold_id": hold.id, "list_id": list_id, "item_id": item_id, "seq": 1,
            "transfer_id": transfer_id, "job_id": job_id, "kind": "fixity",
            "token_id": token_id, "request_id": 1, "letter_id": 1, "disposition_id": 1,
            "number_id": 1, "case_id": 1, "step_id": 1, "registration_number": "0001/LSP/2026"}


def _concrete(rule: str, values: dict[str, object], role: str | None = None) -> str:
    def value(m: re.Match[str]) -> str:
        name = m.group(1).split(":")[-1]
        assert name in values, f"no test value for the URL parameter {name} of {rule}"
        given = values[name]
        # A value of each user's own (a disposition addressed to them), by role.
        return str(given[role] if isinstance(given, dict) else given)

    return re.sub(r"<([^>]+)>", value, rule)


def _browser(app: Flask, username: str) -> tuple[FlaskClient, str]:
    c = app.test_client()
    token = _csrf(c)
    r = c.post("/login", data={"username": username, "password": USER_PASSWORD,
                               "csrf_token": token})
    assert r.status_code == 302, username
    return c, _csrf(c, "/account/password")


def _csrf(c: FlaskClient, path: str = "/login") -> str:
    html = c.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


LAST = ("/api/v1/tokens/revoke-all", "/account/tokens/revoke-all", "/logout")


def _order(item: tuple[tuple[str, str], str | None]) -> tuple[int, str, str]:
    (method, rule), _ = item
    # Revoking one's API tokens (the API calls need one; by the API with one), and signing
    # out, last.
    return (LAST.index(rule) + 1 if rule in LAST else 0, rule, method)


OWNED_CASE = {"ppid": "case_request", "pimpinan": "case_objection",
              "penanganan_pelanggaran": "case_report", "petugas_layanan": "case_consult"}

# Routes that exist only to refuse (deleting a document outside the destruction procedure).
ALWAYS_REFUSED = {("DELETE", "/api/v1/documents/<int:document_id>"),
                  ("POST", "/documents/<int:document_id>/delete")}


def _last_action(app: Flask) -> str:
    with app.extensions["earsip"].db.read() as session:
        return session.scalar(select(AuditEntry.action).order_by(AuditEntry.seq.desc()).limit(1))


@pytest.fixture
def messy(archive: Archive, make_user: Callable[..., str], tmp_path: Path) -> dict[str, object]:
    """The crawl's messy archive (tests/world.py), one user per role at the top clearance and
    one at the lowest, a victim account; ids of objects that exist, with a searchable copy."""
    from tests import world as world_module

    built = world_module.build(archive, tmp_path / "world")
    for role in ROLES:
        make_user(f"only-{role}", roles=(role,), clearance="sangat_rahasia")
        make_user(f"low-{role}", roles=(role,), clearance="biasa")
    victim = make_user("korban", roles=("staf",))
    with archive.db.read() as session:
        victim_id = session.scalar(select(User.id).where(User.username == victim))
        job_id = session.scalar(select(Job.id).where(Job.document_id == built.ids["ocrfailed"]))
    officer = Principal(1, "admin", frozenset({"arsiparis"}), "sangat_rahasia")
    item_id = get_list(archive, officer, built.ids["list_submitted"]).items[0].id
    from earsip.services.access import tokens

    with archive.db.write() as session:  # the victim's: every other user gets 404 for it
        tokens.issue(session, session.get(User, victim_id), ttl_days=1, client_addr=None)
        token_id = session.scalar(select(ApiToken.id).order_by(ApiToken.id.desc()))
        request_id = session.scalar(select(DeclassificationRequest.id))
    # The world's letter, routed from the desk to each of these users (their own step).
    desk = principal_of(archive, "loket")
    steps = dispositions.dispose(archive, desk, built.ids["letter_open"], parse(
        DispositionInput, {"to": [f"only-{role}" for role in ROLES],
                           "instruction": "pelajari"}))
    own = {s.to.removeprefix("only-"): s.id for s in steps}
    # The world's request, routed by its owner to each of these users (they read it).
    case_steps = routing.route(archive, principal_of(archive, "ppid-sr"),
                               built.ids["case_request"], parse(DispositionInput, {
                                   "to": [f"only-{role}" for role in ROLES],
                                   "instruction": "siapkan informasi"}))
    own_step = {s.to.removeprefix("only-"): s.id for s in case_steps}
    return {"token_id": token_id, "request_id": request_id,
            "letter_id": built.ids["letter_open"], "disposition_id": own,
            "number_id": built.ids["number_issued"],
            "document_id": built.ids["ocrdone"], "user_id": victim_id, "code": "KA.00",
            "hold_id": built.ids["hold"], "list_id": built.ids["list_submitted"],
            "item_id": item_id, "seq": 1, "transfer_id": built.ids["transfer_prepared"],
            "job_id": job_id, "kind": "fixity", "top_secret_id": built.ids["top"],
            # The case each role owns (a request for the PPID, the objection for the
            # leadership, the report for the violations unit, a consultation for the desk).
            "case_id": {role: built.ids[OWNED_CASE.get(role, "case_request")] for role in ROLES},
            # With its tracking code: the public's tracking answers only with both.
            "step_id": own_step,
            "registration_number": f"{built.titles['case_number']}"
                                   f"?code={built.titles['case_code']}"}


def test_every_role_gets_exactly_the_routes_the_matrix_grants(
        app: Flask, messy: dict[str, object], token_for: Callable[[str], dict[str, str]]) -> None:
    world = messy
    matrix = documented_matrix()
    routes = sorted(documented_routes().items(), key=_order)
    for role in ROLES:
        user = f"only-{role}"
        browser, csrf = _browser(app, user)
        api = app.test_client()
        headers = token_for(user)
        for (method, rule), permission in routes:
            allowed = permission is None or role in matrix[permission]
            url = _concrete(rule, world, role)
            is_api = rule.startswith("/api/")
            c = api if is_api else browser
            kwargs: dict[str, object] = {"headers": headers} if is_api else {}
            if method == "POST" and not is_api:
                kwargs["data"] = {"csrf_token": csrf}
            r = c.open(url, method=method, **kwargs)
            r.close()
            where = f"{role} {method} {url} -> {r.status_code}"
            assert r.status_code < 500, where
            if allowed and (method, rule) in ALWAYS_REFUSED:
                # Past the permission check, the request reaches the refusal itself.
                assert r.status_code == 403 and _last_action(app) == "document.delete", where
            elif allowed and "<int:token_id>" in rule:
                # Another user's token: it exists, but to everyone else it does not.
                assert r.status_code == 404, where
            elif allowed:
                # Allowed means reached: not refused, and not "not found" either (every id in
                # the world exists and is within this user's clearance).
                assert r.status_code not in (401, 404), where
                # A 403 past the permission check is a rule of the step itself (separation of
                # duties), never the role refusal, which is audited as access.refused.
                assert r.status_code != 403 or _last_action(app) != "access.refused", where
                assert "/login" not in r.headers.get("Location", "") or rule == "/logout", where
            else:
                assert r.status_code == 403, where


def test_below_its_clearance_a_document_answers_every_route_as_if_it_did_not_exist(
        app: Flask, messy: dict[str, object], token_for: Callable[[str], dict[str, str]]) -> None:
    routes = [(m, rule) for (m, rule), _ in documented_routes().items()
              if "<int:document_id>" in rule and (m, rule) not in ALWAYS_REFUSED]
    assert len(routes) > 8
    def status(who: tuple[FlaskClient, str, dict[str, str]], method: str, rule: str,
               document_id: object) -> int:
        browser, csrf, headers = who
        url = _concrete(rule, {**messy, "document_id": document_id})
        is_api = rule.startswith("/api/")
        kwargs: dict[str, object] = {"headers": headers} if is_api else {}
        if method == "POST" and not is_api:
            kwargs["data"] = {"csrf_token": csrf}
        r = (app.test_client() if is_api else browser).open(url, method=method, **kwargs)
        r.close()
        return r.status_code

    for role in ("arsiparis", "staf", "auditor", "pimpinan"):
        who = (*_browser(app, f"low-{role}"), token_for(f"low-{role}"))
        for method, rule in routes:
            hidden = status(who, method, rule, messy["top_secret_id"])
            missing = status(who, method, rule, 987654)
            where = f"low-{role} {method} {rule}: hidden {hidden}, missing {missing}"
            assert hidden == missing and hidden >= 400, where


def test_without_signing_in_only_the_public_routes_answer(app: Flask,
                                                          world: dict[str, object]) -> None:
    c = app.test_client()
    for (method, rule), permission in documented_routes().items():
        url = _concrete(rule, world)
        r = c.open(url, method=method)
        r.close()
        where = f"{method} {url} -> {r.status_code}"
        if permission is None:
            assert r.status_code not in (401, 403) and "/login?" not in \
                r.headers.get("Location", ""), where
        elif rule.startswith("/api/"):
            assert r.status_code == 401, where
        elif method == "GET":
            assert r.status_code == 302 and "/login" in r.headers["Location"], where
        else:
            # A form post without a session: sent to sign in, or refused by the CSRF check.
            assert r.status_code in (302, 400), where
            assert r.status_code == 400 or "/login" in r.headers["Location"], where


def test_a_refused_request_is_audited(app: Flask, world: dict[str, object],
                                      archive: Archive) -> None:
    from earsip.models import AuditEntry

    browser, _ = _browser(app, "only-staf")
    assert browser.get("/admin/users").status_code == 403
    with archive.db.read() as session:
        entry = session.scalars(select(AuditEntry).where(
            AuditEntry.action == "access.refused")).one()
        assert (entry.actor_name, entry.target_id, entry.outcome) == \
            ("only-staf", "/admin/users", "refused")
        assert entry.details == {"permission": "user.manage", "method": "GET"}


def _state(archive: Archive) -> list[object]:
    with archive.db.read() as session:
        return [
            session.execute(select(User.id, User.username, User.full_name, User.clearance,
                                   User.active, User.session_version, User.password_hash,
                                   User.must_change_password).order_by(User.id)).all(),
            session.execute(select(UserRole.user_id, UserRole.role)
                            .order_by(UserRole.user_id, UserRole.role)).all(),
            session.execute(select(ApiToken.id, ApiToken.revoked).order_by(ApiToken.id)).all(),
            session.execute(select(Document.id, Document.title, Document.security,
                                   Document.classification_code).order_by(Document.id)).all(),
            session.execute(select(Classification.code, Classification.name,
                                   Classification.active_years)
                            .order_by(Classification.code)).all(),
        ]


def test_no_get_request_of_any_role_changes_anything(
        app: Flask, world: dict[str, object], archive: Archive,
        token_for: Callable[[str], dict[str, str]]) -> None:
    sessions = {role: _browser(app, f"only-{role}")[0] for role in ROLES}
    tokens = {role: token_for(f"only-{role}") for role in ROLES}
    before = _state(archive)
    for (method, rule), _ in documented_routes().items():
        if method != "GET":
            continue
        for role in ROLES:
            url = _concrete(rule, world)
            if rule.startswith("/api/"):
                app.test_client().get(url, headers=tokens[role]).close()
            else:
                sessions[role].get(url).close()
    assert _state(archive) == before


def test_every_browser_post_without_the_csrf_token_is_refused(
        app: Flask, world: dict[str, object], archive: Archive) -> None:
    browser, _ = _browser(app, "only-admin")
    before = _state(archive)
    for (method, rule), _ in documented_routes().items():
        if method == "POST" and not rule.startswith("/api/"):
            r = browser.post(_concrete(rule, world), data={"active": "0"})
            assert r.status_code == 400, f"POST {rule} -> {r.status_code}"
    assert _state(archive) == before
