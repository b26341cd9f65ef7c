"""Accounts and sessions: hashing, throttling, session ends and timeouts, headers, admin pages."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.security import check_password_hash, generate_password_hash

from config import Config
from earsip import create_app
from earsip.audit import SYSTEM
from earsip.errors import AuthError
from earsip.models import AuditEntry, LoginFailure, LoginThrottle, User
from earsip.services import Archive
from earsip.services.access import auth as auth_service
from earsip.services.access import users
from tests import filegen
from tests.conftest import ADMIN_PASSWORD, USER_PASSWORD
from tests.conftest import csrf_token as _csrf
from tests.conftest import sign_in as _login

WRONG = "Nama pengguna atau kata sandi salah."
TOO_MANY = "Terlalu banyak percobaan masuk yang gagal"






def _signed_in(client: FlaskClient) -> bool:
    r = client.get("/")
    return r.status_code == 200


def _from(app: Flask, address: str) -> FlaskClient:
    c = app.test_client()
    c.environ_base["REMOTE_ADDR"] = address
    return c


def _audit(archive: Archive, action: str) -> list[AuditEntry]:
    with archive.db.read() as session:
        return list(session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                    .order_by(AuditEntry.seq)))


@pytest.fixture
def strict_app(archive: Archive, config: Config) -> Iterator[Flask]:
    """An app with small throttling limits: 3 per account, 5 per address, in 15 minutes."""
    application = create_app(dataclasses.replace(config, login_max_per_account=3,
                                                 login_max_per_address=5))
    yield application
    application.extensions["earsip"].close()


# --- passwords ---------------------------------------------------------------------------------

def test_production_stores_passwords_as_memory_hard_scrypt_hashes(
        archive: Archive, config: Config) -> None:
    production = dataclasses.replace(archive, config=dataclasses.replace(
        config, password_hash_method=Config().password_hash_method))
    users.add_user(production, "budi", USER_PASSWORD, roles=["staf"], clearance="biasa",
                   actor=SYSTEM)
    with archive.db.read() as session:
        stored = session.scalar(select(User.password_hash).where(User.username == "budi"))
    assert stored.startswith("scrypt:32768:8:1$")
    assert USER_PASSWORD not in stored


def test_the_hash_method_is_configured_production_keeps_scrypt_and_the_tests_pay_little(
        config: Config) -> None:
    base = {"EARSIP_SECRET_KEY": "x", "EARSIP_INSTANCE_DIR": str(config.instance_dir)}
    assert Config.from_env(base).password_hash_method == "scrypt:32768:8:1"
    assert Config.from_env({**base, "EARSIP_PASSWORD_HASH": "pbkdf2:sha256:1000"}
                           ).password_hash_method == "pbkdf2:sha256:1000"
    for unusable in ("md5", "scrypt:100:8:1", "scrypt:16:8:1", "pbkdf2:sha256:0"):
        with pytest.raises(SystemExit):
            Config.from_env({**base, "EARSIP_PASSWORD_HASH": unusable})
    n = int(config.password_hash_method.split(":")[1])
    assert config.password_hash_method.startswith("scrypt:") and n <= 1024


def test_hashes_of_other_methods_still_verify_and_take_the_configured_method_at_sign_in(
        app: Flask, archive: Archive, config: Config, make_user) -> None:
    for name, method in (("lama", "scrypt:32768:8:1"), ("pbkdf", "pbkdf2:sha256:1000")):
        make_user(name)
        with archive.db.write() as session:
            session.execute(update(User).where(User.username == name).values(
                password_hash=generate_password_hash(USER_PASSWORD, method=method)))
        assert _login(app.test_client(), name, USER_PASSWORD).status_code == 302
        with archive.db.read() as session:
            stored = session.scalar(select(User.password_hash).where(User.username == name))
        assert stored.startswith(config.password_hash_method + "$")
        assert check_password_hash(stored, USER_PASSWORD)


def test_an_unknown_user_is_checked_against_a_hash_of_the_configured_method(
        archive: Archive, config: Config, monkeypatch: pytest.MonkeyPatch) -> None:
    configured = dataclasses.replace(archive, config=dataclasses.replace(
        config, password_hash_method="pbkdf2:sha256:1000"))
    users.add_user(configured, "ada", USER_PASSWORD, roles=["staf"], clearance="biasa",
                   actor=SYSTEM)
    checked: list[str] = []

    def spy(stored: str, password: str) -> bool:
        checked.append(stored.split("$", 1)[0])
        return check_password_hash(stored, password)

    monkeypatch.setattr(auth_service, "check_password_hash", spy)
    for name in ("ada", "tidak-ada"):  # a wrong password for a user, and no such user
        with pytest.raises(AuthError):
            auth_service.login(configured, name, "tebakan-salah", "10.1.1.1")
    assert checked == ["pbkdf2:sha256:1000", "pbkdf2:sha256:1000"]


def test_unknown_user_wrong_password_and_deactivated_account_get_the_same_answer(
        client: FlaskClient, app: Flask, make_user) -> None:
    make_user("tidakaktif")
    admin = app.test_client()
    _login(admin)
    uid = _user_id(app, "tidakaktif")
    admin.post(f"/admin/users/{uid}/active", data={"csrf_token": _csrf(admin, "/"), "active": "0"})
    answers = [_login(client, name, pw) for name, pw in (
        ("admin", "salah-sekali"), ("siapa-ini", "salah-sekali"), ("tidakaktif", USER_PASSWORD))]
    assert {r.status_code for r in answers} == {401}
    bodies = {re.sub(r'value="[^"]*"', "", r.get_data(as_text=True)) for r in answers}
    assert all(WRONG in b for b in bodies)


# --- throttling --------------------------------------------------------------------------------

def test_guessing_an_account_from_strangers_browsers_is_throttled_but_its_owner_gets_in(
        strict_app: Flask, make_user) -> None:
    make_user("siti")
    owner = _from(strict_app, "10.0.0.1")
    assert _login(owner, "siti", USER_PASSWORD).status_code == 302  # a trusted browser now
    owner.post("/logout", data={"csrf_token": _csrf(owner, "/")})
    for i in range(3):  # three addresses, so the per-address limit is not what stops them
        assert _login(_from(strict_app, f"10.9.0.{i}"), "siti", "tebakan-salah").status_code == 401
    stranger = _from(strict_app, "10.9.0.99")
    r = _login(stranger, "siti", USER_PASSWORD)  # even the right password, from a stranger
    assert r.status_code == 429 and TOO_MANY in r.get_data(as_text=True)
    assert not _signed_in(stranger)
    assert _login(owner, "siti", USER_PASSWORD).status_code == 302  # not locked out
    assert _signed_in(owner)


def test_throttling_an_unknown_account_looks_the_same_as_a_real_one(
        strict_app: Flask, make_user) -> None:
    make_user("nyata")
    answers = {}
    for name in ("nyata", "khayalan"):
        for i in range(3):
            _login(_from(strict_app, f"10.8.{len(answers)}.{i}"), name, "tebakan-salah")
        r = _login(_from(strict_app, "10.8.9.9"), name, "tebakan-salah")
        answers[name] = (r.status_code, TOO_MANY in r.get_data(as_text=True))
    assert answers["nyata"] == answers["khayalan"] == (429, True)


def test_one_address_guessing_many_accounts_is_throttled_and_other_addresses_are_not(
        strict_app: Flask, make_user) -> None:
    make_user("andi")
    attacker = _from(strict_app, "10.7.0.1")
    for i in range(5):
        assert _login(attacker, f"korban{i}", "tebakan-salah").status_code == 401
    assert _login(attacker, "andi", USER_PASSWORD).status_code == 429
    assert _login(_from(strict_app, "10.7.0.2"), "andi", USER_PASSWORD).status_code == 302


def test_throttling_ends_when_the_failures_leave_the_window(
        strict_app: Flask, archive: Archive, make_user) -> None:
    make_user("rina")
    for i in range(3):
        _login(_from(strict_app, f"10.6.0.{i}"), "rina", "tebakan-salah")
    assert _login(_from(strict_app, "10.6.1.1"), "rina", USER_PASSWORD).status_code == 429
    with archive.db.write() as session:
        session.execute(update(LoginFailure).values(
            at=LoginFailure.at - dt.timedelta(minutes=16)))
    assert _login(_from(strict_app, "10.6.1.1"), "rina", USER_PASSWORD).status_code == 302


def test_the_api_token_endpoint_is_throttled_too(strict_app: Flask, make_user) -> None:
    make_user("tono")
    c = _from(strict_app, "10.5.0.1")
    for _ in range(3):
        assert c.post("/api/v1/tokens", json={"username": "tono", "password": "x"}
                      ).status_code == 401
    r = c.post("/api/v1/tokens", json={"username": "tono", "password": USER_PASSWORD})
    assert r.status_code == 429 and r.get_json()["error"]["code"] == "too_many_attempts"


def test_failed_and_refused_sign_ins_are_audited(strict_app: Flask, archive: Archive) -> None:
    c = _from(strict_app, "10.4.0.1")
    for _ in range(4):
        _login(c, "admin", "tebakan-salah")
    outcomes = [(e.outcome, e.client_addr) for e in _audit(archive, "auth.login")]
    assert outcomes == [("failure", "10.4.0.1")] * 3 + [("refused", "10.4.0.1")]


def test_a_trusted_browser_signs_in_while_its_shared_office_address_is_throttled(
        strict_app: Flask, make_user) -> None:
    make_user("wulan")
    office = "10.3.0.1"  # one NAT address for the whole office
    owner = _from(strict_app, office)
    assert _login(owner, "wulan", USER_PASSWORD).status_code == 302  # a trusted browser now
    owner.post("/logout", data={"csrf_token": _csrf(owner, "/")})
    guesser = _from(strict_app, office)
    for i in range(5):
        assert _login(guesser, f"korban{i}", "tebakan-salah").status_code == 401
    assert _login(_from(strict_app, office), "wulan", USER_PASSWORD).status_code == 429
    assert _login(owner, "wulan", USER_PASSWORD).status_code == 302
    assert _signed_in(owner)
    owner.post("/logout", data={"csrf_token": _csrf(owner, "/")})
    for _ in range(3):  # the trusted browser's own budget still holds
        assert _login(owner, "wulan", "tebakan-salah").status_code == 401
    assert _login(owner, "wulan", USER_PASSWORD).status_code == 429


def _window_passes(archive: Archive) -> None:
    later = dt.timedelta(minutes=16)
    with archive.db.write() as session:
        for row in session.scalars(select(LoginFailure)):
            row.at -= later
        for run in session.scalars(select(LoginThrottle)):
            run.started_at -= later
            run.last_at -= later


def test_a_flood_of_throttled_sign_ins_writes_one_entry_and_one_summary_after_its_window(
        strict_app: Flask, archive: Archive) -> None:
    c = _from(strict_app, "10.4.1.1")
    for _ in range(3):
        assert _login(c, "admin", "tebakan-salah").status_code == 401
    for _ in range(57):
        assert _login(c, "admin", "tebakan-salah").status_code == 429
    refused = [e for e in _audit(archive, "auth.login") if e.outcome == "refused"]
    assert len(refused) == 1
    assert refused[0].details == {"reason": "throttled", "limit": "account", "window_minutes": 15}
    assert _audit(archive, "auth.throttled") == []
    _window_passes(archive)
    assert _login(_from(strict_app, "10.4.1.2"), "admin", ADMIN_PASSWORD).status_code == 302
    [summary] = _audit(archive, "auth.throttled")
    assert (summary.actor_name, summary.client_addr, summary.outcome) == (
        "admin", "10.4.1.1", "refused")
    assert summary.details["action"] == "auth.login" and summary.details["refused"] == 57
    assert summary.details["first_at"] <= summary.details["last_at"]
    _login(_from(strict_app, "10.4.1.3"), "admin", ADMIN_PASSWORD)
    assert len(_audit(archive, "auth.throttled")) == 1  # written once


def test_guessing_ever_new_user_names_from_one_address_writes_one_entry_for_the_address(
        strict_app: Flask, archive: Archive) -> None:
    c = _from(strict_app, "10.4.2.1")
    for i in range(5):
        assert _login(c, f"nama{i}", "tebakan-salah").status_code == 401
    for i in range(20):
        assert _login(c, f"lain{i}", "tebakan-salah").status_code == 429
    refused = [e for e in _audit(archive, "auth.login") if e.outcome == "refused"]
    assert [(e.client_addr, e.details["limit"]) for e in refused] == [("10.4.2.1", "address")]


def test_wrong_current_passwords_count_as_failed_sign_ins_and_are_throttled(
        strict_app: Flask, archive: Archive, make_user) -> None:
    make_user("fajar")
    c = _from(strict_app, "10.2.0.1")
    assert _login(c, "fajar", USER_PASSWORD).status_code == 302

    def change(current: str):
        return c.post("/account/password", data={
            "csrf_token": _csrf(c, "/account/password"), "current_password": current,
            "new_password": "kata-sandi-baru-1", "confirm_password": "kata-sandi-baru-1"})

    for _ in range(3):
        assert change("bukan-sandinya").status_code == 400
    r = change(USER_PASSWORD)  # even the right one, now
    assert r.status_code == 429 and "Terlalu banyak" in r.get_data(as_text=True)
    assert [e.outcome for e in _audit(archive, "user.password_change")] == \
        ["failure"] * 3 + ["refused"]
    c.post("/logout", data={"csrf_token": _csrf(c, "/")})
    assert _login(c, "fajar", USER_PASSWORD).status_code == 429  # the same budget as sign-in
    # The password did not change: from elsewhere the old one still signs in.
    assert _login(_from(strict_app, "10.2.0.9"), "fajar", USER_PASSWORD).status_code == 302


# --- sessions ----------------------------------------------------------------------------------

def test_signing_in_starts_a_new_session(client: FlaskClient) -> None:
    with client.session_transaction() as s:
        s["planted"] = "by someone else"
    _login(client)
    with client.session_transaction() as s:
        assert "planted" not in s
        assert {"login_at", "seen_at", "_user_id"} <= set(s)


def test_signing_out_ends_every_session_of_that_user(app: Flask) -> None:
    laptop, phone = app.test_client(), app.test_client()
    _login(laptop)
    _login(phone)
    old_cookie = phone.get_cookie("earsip").value
    laptop.post("/logout", data={"csrf_token": _csrf(laptop, "/")})
    assert not _signed_in(phone)
    replay = app.test_client()
    replay.set_cookie("earsip", old_cookie)
    assert not _signed_in(replay)


def test_changing_the_password_ends_the_other_sessions_and_tokens_but_not_this_one(
        app: Flask, make_user, token_for) -> None:
    make_user("dewi")
    here, there = app.test_client(), app.test_client()
    _login(here, "dewi", USER_PASSWORD)
    _login(there, "dewi", USER_PASSWORD)
    old_cookie = here.get_cookie("earsip").value
    headers = token_for("dewi")
    r = here.post("/account/password", data={
        "csrf_token": _csrf(here, "/account/password"), "current_password": USER_PASSWORD,
        "new_password": "kata-sandi-baru-1", "confirm_password": "kata-sandi-baru-1"})
    assert r.status_code == 302
    assert _signed_in(here)
    assert not _signed_in(there)
    replay = app.test_client()
    replay.set_cookie("earsip", old_cookie)
    assert not _signed_in(replay)
    assert app.test_client().get("/api/v1/classifications", headers=headers).status_code == 401
    assert _login(app.test_client(), "dewi", "kata-sandi-baru-1").status_code == 302


def test_a_wrong_current_password_changes_nothing_and_is_audited(
        app: Flask, archive: Archive, make_user) -> None:
    make_user("eko")
    c = app.test_client()
    _login(c, "eko", USER_PASSWORD)
    r = c.post("/account/password", data={
        "csrf_token": _csrf(c, "/account/password"), "current_password": "bukan-ini-sandinya",
        "new_password": "kata-sandi-baru-1", "confirm_password": "kata-sandi-baru-1"})
    assert r.status_code == 400 and "Kata sandi saat ini salah." in r.get_data(as_text=True)
    assert _signed_in(c)
    assert [e.outcome for e in _audit(archive, "user.password_change")] == ["failure"]
    assert _login(app.test_client(), "eko", USER_PASSWORD).status_code == 302


def test_a_session_ends_after_the_idle_timeout(client: FlaskClient, config: Config) -> None:
    _login(client)
    with client.session_transaction() as s:
        s["seen_at"] = time.time() - config.session_idle_minutes * 60 - 5
    r = client.get("/search")
    assert r.status_code == 302 and "/login" in r.headers["Location"]
    assert "Sesi Anda telah berakhir" in client.get(r.headers["Location"]).get_data(as_text=True)
    assert not _signed_in(client)


def test_a_used_session_ends_after_the_absolute_timeout(client: FlaskClient,
                                                        config: Config) -> None:
    _login(client)
    with client.session_transaction() as s:
        s["login_at"] = time.time() - config.session_max_hours * 3600 - 5
        s["seen_at"] = time.time()
    assert not _signed_in(client)


def test_the_timeouts_are_configurable(config: Config) -> None:
    env = {"EARSIP_SESSION_IDLE_MINUTES": "5", "EARSIP_SESSION_MAX_HOURS": "2",
           "EARSIP_SECRET_KEY": "x", "EARSIP_INSTANCE_DIR": str(config.instance_dir)}
    loaded = Config.from_env(env)
    assert (loaded.session_idle_minutes, loaded.session_max_hours) == (5, 2)


def test_activity_keeps_a_session_alive_past_the_idle_timeout(client: FlaskClient,
                                                              config: Config) -> None:
    _login(client)
    with client.session_transaction() as s:
        s["seen_at"] = time.time() - config.session_idle_minutes * 60 + 60  # a minute left
    assert _signed_in(client)  # this request refreshes the idle clock
    with client.session_transaction() as s:
        assert time.time() - s["seen_at"] < 5


# --- next=, headers, production cookies -----------------------------------------------------------

@pytest.mark.parametrize("target", [
    "//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)",
    "/%0d%0aSet-Cookie:x=1", "\\\\evil.example\\x", "http:/evil.example",
])
def test_login_never_follows_a_next_that_leaves_the_site(client: FlaskClient,
                                                         target: str) -> None:
    r = _login(client, next_=target)
    assert r.status_code == 302
    assert r.headers["Location"] in ("/", "/%0d%0aSet-Cookie:x=1")


def test_content_and_pages_are_not_stored_by_caches_but_the_style_sheet_is(
        client: FlaskClient, upload, tmp_path: Path) -> None:
    doc_id = upload(filegen.make_text_pdf(tmp_path / "a.pdf", ["isi"])).get_json()["id"]
    _login(client)
    for path in ("/", f"/documents/{doc_id}", f"/documents/{doc_id}/download", "/login"):
        r = client.get(path)
        r.close()
        assert r.headers["Cache-Control"] == "no-store", path
        assert r.headers["X-Content-Type-Options"] == "nosniff"
        assert "frame-ancestors 'none'" in r.headers["Content-Security-Policy"]
        assert "'unsafe-inline'" not in r.headers["Content-Security-Policy"]
        assert r.headers["Referrer-Policy"] == "same-origin"
    static = client.get("/static/style.css")
    static.close()
    assert "no-store" not in static.headers.get("Cache-Control", "")
    assert "Strict-Transport-Security" not in static.headers  # not in development


def test_the_pages_have_no_inline_script(client: FlaskClient) -> None:
    _login(client)
    for path in ("/", "/search?q=x", "/documents/new", "/admin/users", "/account/password",
                 "/classifications"):
        html = client.get(path).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)", html), path
        assert not re.search(r"\son[a-z]+=", html), path


def test_production_cookies_are_secure_host_only_and_http_only(config: Config,
                                                                archive: Archive) -> None:
    env = {"EARSIP_ENV": "production", "EARSIP_SECRET_KEY": "k" * 32,
           "EARSIP_DATABASE_URL": config.database_url,
           "EARSIP_UPLOAD_DIR": str(config.upload_dir), "EARSIP_INDEX_DIR": str(config.index_dir),
           "EARSIP_INSTANCE_DIR": str(config.instance_dir)}
    production = Config.from_env(env)
    assert production.session_cookie_secure
    app = create_app(production)
    try:
        c = app.test_client()
        html = c.get("/login", base_url="https://localhost").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
        r = c.post("/login", base_url="https://localhost", data={
            "username": "admin", "password": ADMIN_PASSWORD, "csrf_token": token},
            headers={"Referer": "https://localhost/login"})
        assert r.status_code == 302
        cookies = r.headers.getlist("Set-Cookie")
        session_cookie = next(h for h in cookies if h.startswith("__Host-earsip="))
        device_cookie = next(h for h in cookies if h.startswith("earsip_device="))
        for header in (session_cookie, device_cookie):
            assert "Secure" in header and "HttpOnly" in header and "SameSite=Lax" in header
        assert "Domain=" not in session_cookie and "Path=/" in session_cookie
        assert r.headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.extensions["earsip"].close()


# --- admin pages -------------------------------------------------------------------------------

def _user_id(app: Flask, username: str) -> int:
    archive = app.extensions["earsip"]
    with archive.db.read() as session:
        return session.scalar(select(User.id).where(User.username == username))


def test_an_admin_creates_a_user_who_must_choose_a_password_at_first_sign_in(
        app: Flask, archive: Archive) -> None:
    admin = app.test_client()
    _login(admin)
    r = admin.post("/admin/users/new", data={
        "csrf_token": _csrf(admin, "/admin/users/new"), "username": "wati",
        "full_name": "Wati Rahayu", "roles": ["staf", "auditor"], "clearance": "terbatas"})
    assert r.status_code == 200
    temporary = re.search(r'id="temporary-password">([^<]+)<', r.get_data(as_text=True)).group(1)
    assert "wati" in admin.get("/admin/users").get_data(as_text=True)
    [created] = _audit(archive, "user.create")[1:]  # the first is the initial admin
    assert created.actor_name == "admin" and created.details["roles"] == ["auditor", "staf"]
    assert temporary not in str(created.details)

    wati = app.test_client()
    r = _login(wati, "wati", temporary)
    assert r.headers["Location"] == "/account/password"
    assert wati.get("/search").headers["Location"] == "/account/password"
    r = wati.post("/account/password", data={
        "csrf_token": _csrf(wati, "/account/password"), "current_password": temporary,
        "new_password": "sandi-pilihan-wati", "confirm_password": "sandi-pilihan-wati"})
    assert r.status_code == 302
    assert wati.get("/search").status_code == 200


def test_an_admin_edit_is_audited_with_old_and_new_values_and_applies_at_once(
        app: Flask, archive: Archive, make_user, upload, tmp_path: Path) -> None:
    doc_id = upload(filegen.make_text_pdf(tmp_path / "r.pdf", ["nota dinas rahasia"]),
                    security="rahasia").get_json()["id"]
    make_user("yanto", roles=("staf",), clearance="rahasia")
    yanto = app.test_client()
    _login(yanto, "yanto", USER_PASSWORD)
    assert yanto.get(f"/documents/{doc_id}").status_code == 200
    admin = app.test_client()
    _login(admin)
    uid = _user_id(app, "yanto")
    r = admin.post(f"/admin/users/{uid}", data={
        "csrf_token": _csrf(admin, f"/admin/users/{uid}"), "full_name": "Yanto",
        "roles": ["staf"], "clearance": "biasa"})
    assert r.status_code == 302
    # The very next request of the signed-in user already uses the lower clearance.
    assert yanto.get(f"/documents/{doc_id}").status_code == 404
    assert "0 dokumen ditemukan" in yanto.get("/search?q=nota").get_data(as_text=True)
    [entry] = _audit(archive, "user.update")
    assert entry.details["changes"] == {
        "full_name": {"old": None, "new": "Yanto"},
        "clearance": {"old": "rahasia", "new": "biasa"}}
    # Taking a role away takes effect at once too.
    admin.post(f"/admin/users/{uid}", data={
        "csrf_token": _csrf(admin, f"/admin/users/{uid}"), "roles": ["admin"],
        "clearance": "biasa"})
    assert yanto.get("/search").status_code == 403


def test_deactivating_a_user_ends_their_sessions_and_tokens_and_is_audited(
        app: Flask, archive: Archive, make_user, token_for) -> None:
    make_user("joko")
    joko = app.test_client()
    _login(joko, "joko", USER_PASSWORD)
    headers = token_for("joko")
    admin = app.test_client()
    _login(admin)
    uid = _user_id(app, "joko")
    admin.post(f"/admin/users/{uid}/active", data={"csrf_token": _csrf(admin, "/"),
                                                    "active": "0"})
    assert not _signed_in(joko)
    assert app.test_client().get("/api/v1/classifications", headers=headers).status_code == 401
    assert _login(app.test_client(), "joko", USER_PASSWORD).status_code == 401
    assert [e.details["username"] for e in _audit(archive, "user.deactivate")] == ["joko"]
    admin.post(f"/admin/users/{uid}/active", data={"csrf_token": _csrf(admin, "/"),
                                                    "active": "1"})
    assert _login(app.test_client(), "joko", USER_PASSWORD).status_code == 302
    assert len(_audit(archive, "user.activate")) == 1


def test_a_password_reset_ends_the_users_sessions_and_forces_a_new_password(
        app: Flask, archive: Archive, make_user) -> None:
    make_user("lina")
    lina = app.test_client()
    _login(lina, "lina", USER_PASSWORD)
    admin = app.test_client()
    _login(admin)
    uid = _user_id(app, "lina")
    r = admin.post(f"/admin/users/{uid}/password", data={"csrf_token": _csrf(admin, "/")})
    temporary = re.search(r'id="temporary-password">([^<]+)<', r.get_data(as_text=True)).group(1)
    assert not _signed_in(lina)
    assert _login(app.test_client(), "lina", USER_PASSWORD).status_code == 401
    again = app.test_client()
    assert _login(again, "lina", temporary).headers["Location"] == "/account/password"
    [entry] = _audit(archive, "user.password_reset")
    assert entry.actor_name == "admin" and temporary not in str(entry.details)


def test_the_last_active_admin_cannot_be_deactivated_or_demoted(app: Flask) -> None:
    admin = app.test_client()
    _login(admin)
    uid = _user_id(app, "admin")
    r = admin.post(f"/admin/users/{uid}", data={
        "csrf_token": _csrf(admin, f"/admin/users/{uid}"), "roles": ["arsiparis"],
        "clearance": "sangat_rahasia"})
    assert r.status_code == 400 and "administrator aktif" in r.get_data(as_text=True)
    admin.post(f"/admin/users/{uid}/active", data={"csrf_token": _csrf(admin, "/"),
                                                    "active": "0"})
    assert _signed_in(admin)


def test_a_new_user_name_must_be_unique_regardless_of_case(app: Flask, make_user) -> None:
    make_user("Sari")
    admin = app.test_client()
    _login(admin)
    r = admin.post("/admin/users/new", data={
        "csrf_token": _csrf(admin, "/admin/users/new"), "username": "sari",
        "roles": ["staf"], "clearance": "biasa"})
    assert r.status_code == 400 and "sudah ada" in r.get_data(as_text=True)


def test_an_unknown_user_page_is_not_found(app: Flask) -> None:
    admin = app.test_client()
    _login(admin)
    assert admin.get("/admin/users/9999").status_code == 404
    assert admin.post("/admin/users/9999/password",
                      data={"csrf_token": _csrf(admin, "/")}).status_code == 404


def test_sign_in_accepts_the_user_name_in_any_case(app: Flask, make_user) -> None:
    make_user("Bambang")
    assert _login(app.test_client(), "bambang", USER_PASSWORD).status_code == 302


def test_the_first_account_is_admin_and_records_officer_with_the_top_clearance(
        archive: Archive) -> None:
    from earsip.services.access import users

    [admin] = users.list_users(archive)
    assert admin.roles == ("admin", "arsiparis") and admin.clearance == "sangat_rahasia"

