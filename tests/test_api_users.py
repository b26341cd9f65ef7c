"""User accounts through the API: the Pengguna pages' use cases, guards and audit entries."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select

from earsip.models import AuditEntry
from earsip.services import Archive

Headers = Callable[..., dict[str, str]]


def test_an_administrator_creates_changes_deactivates_and_resets_an_account_by_api(
        client: FlaskClient, token_for: Headers, archive: Archive) -> None:
    admin = token_for()
    r = client.post("/api/v1/users", headers=admin, json={
        "username": "rina", "full_name": "Rina Wulandari", "roles": ["staf"],
        "clearance": "biasa"})
    assert r.status_code == 201, r.get_json()
    made = r.get_json()
    user_id = made["user"]["id"]
    assert made["user"]["must_change_password"] is True and made["temporary_password"]
    assert r.headers["Location"] == f"/api/v1/users/{user_id}"
    # A temporary password opens no API token.
    r = client.post("/api/v1/tokens", json={"username": "rina",
                                            "password": made["temporary_password"]})
    assert r.status_code == 403 and r.get_json()["error"]["code"] == "password_change_required"
    r = client.patch(f"/api/v1/users/{user_id}", json={"roles": ["staf", "auditor"]},
                     headers=admin)
    assert r.status_code == 200
    assert (r.get_json()["roles"], r.get_json()["clearance"], r.get_json()["full_name"]) == \
        (["auditor", "staf"], "biasa", "Rina Wulandari")
    r = client.post(f"/api/v1/users/{user_id}/active", json={"active": False}, headers=admin)
    assert r.status_code == 200 and r.get_json()["active"] is False
    r = client.post(f"/api/v1/users/{user_id}/password", headers=admin)
    assert r.status_code == 200 and r.get_json()["temporary_password"]
    assert r.get_json()["temporary_password"] != made["temporary_password"]
    assert user_id in [u["id"] for u in client.get("/api/v1/users", headers=admin).get_json()]
    assert "password_hash" not in client.get(f"/api/v1/users/{user_id}",
                                             headers=admin).get_json()
    with archive.db.read() as session:
        actions = list(session.scalars(select(AuditEntry.action).where(
            AuditEntry.target_type == "user", AuditEntry.target_id == str(user_id),
            AuditEntry.action.like("user.%"))
            .order_by(AuditEntry.seq)))
    assert actions == ["user.create", "user.update", "user.deactivate", "user.password_reset"]


def test_the_accounts_guards_hold_through_the_api_and_name_the_field(
        client: FlaskClient, token_for: Headers, make_user: Callable[..., str]) -> None:
    admin = token_for()
    r = client.post("/api/v1/users", headers=admin, json={
        "username": "x", "roles": ["raja"], "clearance": "biasa"})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "roles"
    r = client.post("/api/v1/users", headers={**admin, "Accept-Language": "en"}, json={
        "username": "x", "roles": ["staf"], "clearance": "biasa", "full_name": 3})
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "full_name"
    me = next(u for u in client.get("/api/v1/users", headers=admin).get_json()
              if u["username"] == "admin")
    r = client.post(f"/api/v1/users/{me['id']}/active", json={"active": False}, headers=admin)
    assert r.status_code == 400  # not one's own account
    r = client.patch(f"/api/v1/users/{me['id']}", json={"roles": ["staf"]}, headers=admin)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "roles"
    r = client.post(f"/api/v1/users/{me['id']}/active", json={"active": "no"}, headers=admin)
    assert r.status_code == 400 and r.get_json()["error"]["field"] == "active"
    assert client.get("/api/v1/users/999999", headers=admin).status_code == 404
    officer = token_for(make_user("petugas", roles=("arsiparis",), clearance="sangat_rahasia"))
    assert client.get("/api/v1/users", headers=officer).status_code == 403
    assert client.post(f"/api/v1/users/{me['id']}/password",
                       headers=officer).status_code == 403
