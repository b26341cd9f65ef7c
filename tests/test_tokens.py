"""API tokens: a temporary password opens no API, owners list and revoke their tokens, and every
revocation (by the owner, a deactivation, a password reset) is audited."""

from __future__ import annotations

import re
import time

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from config import Config
from earsip.models import ApiToken, AuditEntry, User
from earsip.services import Archive
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.conftest import csrf_token as _csrf
from tests.conftest import sign_in as _login
from tests.helpers import database_write_lock


def _audit(archive: Archive, action: str) -> list[AuditEntry]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                    .order_by(AuditEntry.seq)))


def _user_id(archive: Archive, username: str) -> int:
    with archive.db.read() as session:
        return session.scalar(select(User.id).where(User.username == username))


def _token(client: FlaskClient, username: str, password: str = USER_PASSWORD) -> str:
    r = client.post("/api/v1/tokens", json={"username": username, "password": password})
    assert r.status_code == 201, r.get_json()
    return r.get_json()["token"]


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _works(client: FlaskClient, token: str) -> bool:
    status = client.get("/api/v1/classifications", headers=_bearer(token)).status_code
    assert status in (200, 401)
    return status == 200


def _temporary(response) -> str:
    return re.search(r'id="temporary-password">([^<]+)<',
                     response.get_data(as_text=True)).group(1)


# --- temporary passwords ------------------------------------------------------------------------

def test_a_temporary_password_gets_no_api_token_until_the_user_sets_their_own(
        app: Flask, archive: Archive, client: FlaskClient) -> None:
    admin = app.test_client()
    _login(admin)
    temporary = _temporary(admin.post("/admin/users/new", data={
        "csrf_token": _csrf(admin, "/admin/users/new"), "username": "baru",
        "roles": ["staf"], "clearance": "biasa"}))
    r = client.post("/api/v1/tokens", json={"username": "baru", "password": temporary})
    assert r.status_code == 403
    assert r.get_json()["error"]["code"] == "password_change_required"
    with archive.db.read() as session:
        assert session.scalars(select(ApiToken)).all() == []
    [refusal] = _audit(archive, "auth.token_issue")
    assert (refusal.actor_name, refusal.outcome, refusal.details) == (
        "baru", "refused", {"reason": "password_change_required"})

    browser = app.test_client()
    _login(browser, "baru", temporary)
    browser.post("/account/password", data={
        "csrf_token": _csrf(browser, "/account/password"), "current_password": temporary,
        "new_password": "sandi-pilihan-baru", "confirm_password": "sandi-pilihan-baru"})
    assert _works(client, _token(client, "baru", "sandi-pilihan-baru"))


def test_a_password_reset_by_an_admin_revokes_the_tokens_and_gives_no_new_one(
        app: Flask, archive: Archive, client: FlaskClient, make_user) -> None:
    make_user("rudi")
    token = _token(client, "rudi")
    admin = app.test_client()
    _login(admin)
    uid = _user_id(archive, "rudi")
    temporary = _temporary(admin.post(f"/admin/users/{uid}/password",
                                      data={"csrf_token": _csrf(admin, "/")}))
    assert not _works(client, token)
    r = client.post("/api/v1/tokens", json={"username": "rudi", "password": temporary})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "password_change_required"
    [revoked] = _audit(archive, "auth.token_revoke")
    assert (revoked.actor_name, revoked.target_id, revoked.details) == (
        "admin", str(uid), {"token_ids": [1], "reason": "user.password_reset"})


# --- listing and revoking through the API --------------------------------------------------------

def test_the_api_lists_the_callers_own_tokens_without_their_secrets(
        client: FlaskClient, make_user) -> None:
    make_user("sinta")
    make_user("tomi")
    first, second = _token(client, "sinta"), _token(client, "sinta")
    _token(client, "tomi")
    r = client.get("/api/v1/tokens", headers=_bearer(second))
    assert r.status_code == 200
    listed = r.get_json()
    assert [t["id"] for t in listed] == [2, 1]  # newest first, none of tomi's
    assert [t["current"] for t in listed] == [True, False]
    assert all(t["active"] and not t["revoked"] for t in listed)
    assert all(t["created_at"].endswith("Z") and t["expires_at"].endswith("Z") for t in listed)
    assert listed[0]["last_used_at"] is not None  # this request used it
    assert first not in r.get_data(as_text=True) and second not in r.get_data(as_text=True)
    assert set(listed[0]) == {"id", "created_at", "expires_at", "last_used_at", "revoked",
                              "revoked_at", "active", "current"}


def test_a_user_revokes_their_own_token_through_the_api_but_never_someone_elses(
        client: FlaskClient, archive: Archive, make_user) -> None:
    make_user("umar")
    make_user("vina")
    mine, spare = _token(client, "umar"), _token(client, "umar")
    hers = _token(client, "vina")
    assert client.delete("/api/v1/tokens/3", headers=_bearer(mine)).status_code == 404
    assert client.delete("/api/v1/tokens/999", headers=_bearer(mine)).status_code == 404
    assert _works(client, hers)
    assert client.delete("/api/v1/tokens/2", headers=_bearer(mine)).status_code == 204
    assert not _works(client, spare) and _works(client, mine)
    listed = client.get("/api/v1/tokens", headers=_bearer(mine)).get_json()
    assert [(t["id"], t["revoked"], t["revoked_at"] is not None) for t in listed] == [
        (2, True, True), (1, False, False)]
    assert client.delete("/api/v1/tokens/1", headers=_bearer(mine)).status_code == 204
    assert not _works(client, mine)  # a token may revoke itself: the API's sign-out
    entries = _audit(archive, "auth.token_revoke")
    assert [(e.actor_name, e.details) for e in entries] == [
        ("umar", {"token_ids": [2], "reason": "owner"}),
        ("umar", {"token_ids": [1], "reason": "owner"})]


# --- the tokens page ---------------------------------------------------------------------------

def test_the_tokens_page_lists_and_revokes_ones_own_tokens(
        app: Flask, archive: Archive, client: FlaskClient, make_user) -> None:
    make_user("wira")
    make_user("xena")
    first, second, third = (_token(client, "wira") for _ in range(3))
    other = _token(client, "xena")
    browser = app.test_client()
    _login(browser, "wira", USER_PASSWORD)
    assert "/account/tokens" in browser.get("/account/password").get_data(as_text=True)
    page = browser.get("/account/tokens").get_data(as_text=True)
    assert all(f"#{n}" in page for n in (1, 2, 3)) and "#4" not in page
    assert first not in page
    r = browser.post("/account/tokens/2/revoke", data={"csrf_token": _csrf(browser, "/")})
    assert r.status_code == 302
    assert not _works(client, second) and _works(client, first)
    assert browser.post("/account/tokens/4/revoke",
                        data={"csrf_token": _csrf(browser, "/")}).status_code == 404
    assert _works(client, other)
    browser.post("/account/tokens/revoke-all", data={"csrf_token": _csrf(browser, "/")})
    assert not _works(client, first) and not _works(client, third) and _works(client, other)
    assert [e.details for e in _audit(archive, "auth.token_revoke")] == [
        {"token_ids": [2], "reason": "owner"}, {"token_ids": [1, 3], "reason": "owner"}]
    assert "Cabut token" not in browser.get("/account/tokens").get_data(as_text=True)


def test_signing_out_of_the_browser_keeps_the_api_tokens(
        app: Flask, client: FlaskClient, make_user) -> None:
    make_user("yudi")
    token = _token(client, "yudi")
    browser = app.test_client()
    _login(browser, "yudi", USER_PASSWORD)
    browser.post("/logout", data={"csrf_token": _csrf(browser, "/")})
    assert _works(client, token)


def test_deactivating_a_user_revokes_their_tokens_and_audits_the_revocation(
        app: Flask, archive: Archive, client: FlaskClient, make_user) -> None:
    make_user("zaki")
    tokens = [_token(client, "zaki"), _token(client, "zaki")]
    admin = app.test_client()
    _login(admin)
    uid = _user_id(archive, "zaki")
    admin.post(f"/admin/users/{uid}/active", data={"csrf_token": _csrf(admin, "/"),
                                                    "active": "0"})
    assert not any(_works(client, t) for t in tokens)
    [revoked] = _audit(archive, "auth.token_revoke")
    assert (revoked.actor_name, revoked.target_id, revoked.details) == (
        "admin", str(uid), {"token_ids": [1, 2], "reason": "user.deactivate"})


def _last_used(archive: Archive) -> list[object]:
    with archive.db.read() as session:
        return list(session.scalars(select(ApiToken.last_used_at).order_by(ApiToken.id)))


def test_noting_a_tokens_use_never_makes_a_read_wait_for_the_database_lock(
        client: FlaskClient, archive: Archive, config: Config) -> None:
    token = _token(client, "admin", ADMIN_PASSWORD)
    with database_write_lock(config, table="api_tokens"):
        started = time.monotonic()
        assert _works(client, token)
        assert time.monotonic() - started < config.db_busy_timeout_s / 3
    assert _last_used(archive) == [None]  # skipped while locked
    assert _works(client, token)
    assert _last_used(archive) != [None]
