"""Users and their administration: accounts, roles, clearances and passwords.

Signing in and sessions are in `services.auth`, API tokens in `services.tokens`, the throttling
of password guesses in `services.throttle`.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from config import HASH_METHOD
from earsip import audit
from earsip.access import ROLES, SECURITY_CLASSES, Principal, can
from earsip.errors import N_, Forbidden, NotFound, Throttled, ValidationError
from earsip.models import Office, User, UserRole, utcnow
from earsip.services import Archive
from earsip.services.access import throttle, tokens

MIN_PASSWORD = 10
TOO_MANY_WRONG = N_("Terlalu banyak percobaan kata sandi yang salah. Coba lagi dalam beberapa "
                    "menit.")


def hash_password(password: str, method: str = HASH_METHOD) -> str:
    """Return a hash of `password` by `method` (the configured one; production's by default:
    scrypt, memory-hard, N=2^15, r=8, p=1, 32 MiB)."""
    return generate_password_hash(password, method=method)


def hash_method(password_hash: str) -> str:
    """Return the method a stored hash was made with (e.g. `scrypt:32768:8:1`)."""
    return password_hash.split("$", 1)[0]


def check_new_password(password: str) -> None:
    """Raise ValidationError unless `password` is acceptable as a new password."""
    if len(password) < MIN_PASSWORD:
        raise ValidationError("Kata sandi minimal %(n)d karakter.", field="password",
                              params={"n": MIN_PASSWORD})
    if len(password) > 1024:
        raise ValidationError("Kata sandi terlalu panjang (maksimal 1024 karakter).",
                              field="password")


def check_roles(roles: list[str]) -> list[str]:
    """Return the sorted, distinct roles, or raise ValidationError."""
    bad = [r for r in roles if r not in ROLES]
    if bad or not roles:
        if not roles:
            raise ValidationError("Pilih sedikitnya satu peran.", field="roles")
        raise ValidationError("Peran tidak dikenal: %(bad)s. Pilihan: %(choices)s.",
                              field="roles",
                              params={"bad": ", ".join(bad), "choices": ", ".join(ROLES)})
    return sorted(set(roles))


def check_clearance(clearance: str) -> str:
    """Return `clearance` when it is a security class, or raise ValidationError."""
    if clearance not in SECURITY_CLASSES:
        raise ValidationError("Izin akses tidak dikenal: %(value)s. Pilihan: %(choices)s.",
                              field="clearance", params={"value": clearance,
                                                         "choices": ", ".join(SECURITY_CLASSES)})
    return clearance


EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def check_email(email: str | None) -> str | None:
    """Return the e-mail address trimmed (None when empty), or raise ValidationError."""
    text = (email or "").strip()
    if not text:
        return None
    if len(text) > 254 or not EMAIL.match(text):
        raise ValidationError("Alamat e-mail tidak sah: %(value)s.", field="email",
                              params={"value": text[:80]})
    return text


def create_user(session: Session, username: str, password: str, *, roles: list[str],
                clearance: str, actor: audit.Actor, full_name: str | None = None,
                must_change_password: bool = False, hash_with: str = HASH_METHOD,
                email: str | None = None, office_id: int | None = None) -> User:
    """Create a user with roles and a clearance (the password hashed by `hash_with`) in
    `office_id`: by default the actor's office, or (the system, the command line) the
    deployment's only office (refused when there are several)."""
    username = username.strip()
    if not username or len(username) > 80 or not username.replace(".", "").replace(
        "_", "").replace("-", "").isalnum():
        raise ValidationError("Nama pengguna hanya boleh huruf, angka, titik, _ dan -.",
                              field="username")
    check_new_password(password)
    roles = check_roles(roles)
    check_clearance(clearance)
    email = check_email(email)
    if session.scalar(select(User.id).where(func.lower(User.username) == username.lower())) \
            is not None:
        raise ValidationError("Pengguna %(name)s sudah ada.", field="username",
                              params={"name": username})
    if office_id is None:
        office_id = actor.office_id or office_for_new_user(session, None)
    user = User(office_id=office_id, username=username,
                full_name=(full_name or "").strip() or None,
                password_hash=hash_password(password, hash_with), clearance=clearance,
                roles=[UserRole(role=r) for r in roles],
                must_change_password=must_change_password, email=email)
    session.add(user)
    session.flush()
    audit.append(session, actor, "user.create", target_type="user", target_id=user.id,
                 details={"username": username, "full_name": user.full_name, "roles": roles,
                          "clearance": clearance})
    return user


def ensure_first_admin(session: Session, password: str | None, *,
                       hash_with: str = HASH_METHOD) -> str | None:
    """Create the `admin` user when no user exists; return the generated password, if any."""
    if session.scalar(select(User.id).limit(1)) is not None:
        return None
    generated = None
    if not password:
        generated = password = secrets.token_urlsafe(12)
    # The admin role alone does not read records (docs/ACCESS.md); the first account of a new
    # office is also its records officer, so it can file and search from the first minute.
    create_user(session, "admin", password, roles=["admin", "arsiparis"],
                clearance="sangat_rahasia", actor=audit.SYSTEM, full_name="Administrator",
                hash_with=hash_with)
    return generated


def office_for_new_user(session: Session, code: str | None) -> int:
    """Return the office a user made at the command line joins: the office `code`, or without
    one the deployment's only office (refused with a clear message when there are several)."""
    if code:
        found = session.scalar(select(Office.id).where(func.lower(Office.code) == code.lower()))
        if found is None:
            raise ValidationError("Satuan kerja %(code)s tidak ada (lihat `earsip office "
                                  "list`).", field="office", params={"code": code})
        return found
    ids = session.scalars(select(Office.id).order_by(Office.id).limit(2)).all()
    if len(ids) == 1:
        return ids[0]
    if not ids:
        raise ValidationError("Belum ada satuan kerja: jalankan `earsip init`.", field="office")
    raise ValidationError("Ada beberapa satuan kerja: sebutkan satuan kerja pengguna dengan "
                          "--office KODE (lihat `earsip office list`).", field="office")


def require(principal: Principal, permission: str) -> None:
    """Raise Forbidden unless the principal's roles grant `permission`."""
    if not can(principal.roles, permission):
        raise Forbidden("Anda tidak memiliki hak untuk tindakan ini.")


def add_user(archive: Archive, username: str, password: str, *, roles: list[str],
             clearance: str, actor: audit.Actor, full_name: str | None = None,
             must_change_password: bool = False, email: str | None = None,
             office: str | None = None) -> int:
    """Create a user in its own transaction (with its audit entry); return its id. The user
    joins the office whose code is `office`, else the actor's, else the only office."""
    with archive.db.write() as session:
        office_id = office_for_new_user(session, office) if office or not actor.office_id \
            else actor.office_id
        return create_user(session, username, password, roles=roles, clearance=clearance,
                           actor=actor, full_name=full_name,
                           must_change_password=must_change_password,
                           hash_with=archive.config.password_hash_method, email=email,
                           office_id=office_id).id


def temporary_password() -> str:
    """Return a new random password for an account an administrator creates or resets."""
    return secrets.token_urlsafe(12)


# --- Administration (admin pages and CLI) ---------------------------------------------------


@dataclass(frozen=True)
class UserView:
    """What the admin pages show of an account."""

    id: int
    username: str
    full_name: str | None
    roles: tuple[str, ...]
    clearance: str
    active: bool
    must_change_password: bool
    created_at: object
    last_login_at: object
    email: str | None = None


def _view(user: User) -> UserView:
    return UserView(user.id, user.username, user.full_name, tuple(sorted(user.role_names)),
                    user.clearance, user.active, user.must_change_password, user.created_at,
                    user.last_login_at, user.email)


def end_sessions(session: Session, user: User, actor: audit.Actor, reason: str) -> None:
    """End every browser session and revoke every API token of `user`.

    The caller audits the action (`reason`, e.g. `user.deactivate`); the revocation of any
    token has its own entry (`auth.token_revoke`).
    """
    user.session_version += 1
    tokens.revoke_for_user(session, user.id, actor, reason)


def list_users(archive: Archive) -> list[UserView]:
    """Return every account, by user name."""
    with archive.db.read() as session:
        return [_view(u) for u in session.scalars(select(User).order_by(User.username))]


def get_user(archive: Archive, user_id: int) -> UserView:
    """Return one account, or raise NotFound."""
    with archive.db.read() as session:
        user = session.get(User, user_id)
        if user is None:
            raise NotFound("Pengguna tidak ditemukan.")
        return _view(user)


def _load(session: Session, user_id: int) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise NotFound("Pengguna tidak ditemukan.")
    return user


def _other_active_admins(session: Session, user_id: int) -> int:
    return session.scalar(select(func.count(User.id)).join(UserRole).where(
        UserRole.role == "admin", User.active.is_(True), User.id != user_id)) or 0


_KEEP = object()


def update_user(archive: Archive, actor: audit.Actor, user_id: int, *, full_name: str | None,
                roles: list[str], clearance: str, email: str | None | object = _KEEP
                ) -> UserView:
    """Change a user's name, roles and clearance; audited with the old and new values.

    A lower clearance or a lost role takes effect on the user's next request: sessions read the
    user from the database every time.
    """
    roles = check_roles(roles)
    check_clearance(clearance)
    keep_email = email is _KEEP
    new_email = None if keep_email else check_email(email if isinstance(email, str) else None)
    with archive.db.write() as session:
        user = _load(session, user_id)
        if "admin" not in roles and "admin" in user.role_names and user.active \
                and _other_active_admins(session, user.id) == 0:
            raise ValidationError("Harus tetap ada satu administrator aktif.", field="roles")
        before = {"full_name": user.full_name, "roles": sorted(user.role_names),
                  "clearance": user.clearance}
        after = {"full_name": (full_name or "").strip() or None, "roles": roles,
                 "clearance": clearance}
        if not keep_email:  # the notifications' address (docs/DESK.md)
            before["email"], after["email"] = user.email, new_email
        changed = {k: {"old": before[k], "new": after[k]} for k in before if before[k] != after[k]}
        if changed:
            user.full_name = after["full_name"]  # type: ignore[assignment]  # str | None, in a dict of mixed values
            user.clearance = clearance
            if "email" in after:
                user.email = after["email"]  # type: ignore[assignment]  # str | None, in a dict of mixed values
            if before["roles"] != roles:
                user.roles = [UserRole(role=r) for r in roles]
            audit.append(session, actor, "user.update", target_type="user", target_id=user.id,
                         details={"username": user.username, "changes": changed})
        session.flush()
        return _view(user)


def set_active(archive: Archive, actor: audit.Actor, user_id: int, *, active: bool) -> UserView:
    """Deactivate (ending every session and token) or reactivate an account; audited."""
    with archive.db.write() as session:
        user = _load(session, user_id)
        if user.active == active:
            return _view(user)
        if not active:
            if actor.user_id == user.id:
                raise ValidationError("Anda tidak dapat menonaktifkan akun Anda sendiri.")
            if "admin" in user.role_names and _other_active_admins(session, user.id) == 0:
                raise ValidationError("Harus tetap ada satu administrator aktif.")
        user.active = active
        audit.append(session, actor, "user.activate" if active else "user.deactivate",
                     target_type="user", target_id=user.id, details={"username": user.username})
        if not active:
            end_sessions(session, user, actor, "user.deactivate")
        return _view(user)


def reset_password(archive: Archive, actor: audit.Actor, user_id: int,
                   password: str | None = None) -> str:
    """Set a temporary password (generated when not given) that must be changed at sign-in.

    Every session and API token of the user ends. Returns the temporary password.
    """
    password = password or temporary_password()
    check_new_password(password)
    with archive.db.write() as session:
        user = _load(session, user_id)
        user.password_hash = hash_password(password, archive.config.password_hash_method)
        user.must_change_password = True
        user.password_changed_at = utcnow()
        audit.append(session, actor, "user.password_reset", target_type="user",
                     target_id=user.id, details={"username": user.username})
        end_sessions(session, user, actor, "user.password_reset")
    return password


def change_password(archive: Archive, principal: Principal, current: str, new: str,
                    client_addr: str | None, *, device: str | None = None) -> int:
    """Change one's own password; every other session and token ends. Return the new version.

    Throttled like signing in: a wrong current password counts as a failed sign-in (per
    address, per account, or against `device`, a trusted-device id of this user), and past the
    limits the attempt is refused (Throttled) without checking the password. The caller starts
    a fresh session at the returned session version.
    """
    cfg = archive.config
    outcome = "changed"
    with archive.db.write() as session:
        throttle.close_ended(session, cfg)
        user = _load(session, principal.id)
        key = throttle.username_key(user.username)
        actor = principal.actor(client_addr)
        limit = throttle.limit_reached(session, cfg, key, client_addr, device)
        if limit:
            throttle.refuse(session, cfg, action="user.password_change", scope=limit, key=key,
                            client_addr=client_addr, user_id=user.id)
            outcome = "refused"
        elif not check_password_hash(user.password_hash, current):
            throttle.record_failure(session, key, client_addr, device)
            audit.append(session, actor, "user.password_change", target_type="user",
                         target_id=user.id, outcome="failure")
            outcome = "failure"
        else:
            check_new_password(new)
            if check_password_hash(user.password_hash, new):
                raise ValidationError("Kata sandi baru harus berbeda dari yang lama.",
                                      field="new_password")
            user.password_hash = hash_password(new, cfg.password_hash_method)
            user.must_change_password = False
            user.password_changed_at = utcnow()
            audit.append(session, actor, "user.password_change", target_type="user",
                         target_id=user.id)
            end_sessions(session, user, actor, "user.password_change")
            version = user.session_version
    if outcome == "refused":
        raise Throttled(TOO_MANY_WRONG)
    if outcome == "failure":
        raise ValidationError("Kata sandi saat ini salah.", field="current_password")
    return version
