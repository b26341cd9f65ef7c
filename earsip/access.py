"""Security classes and clearances: who may learn that a record exists. Standard library only."""

from __future__ import annotations

SECURITY_CLASSES = ("biasa", "terbatas", "rahasia", "sangat_rahasia")
SECURITY_LABELS = {
    "biasa": "Biasa/Terbuka",
    "terbatas": "Terbatas",
    "rahasia": "Rahasia",
    "sangat_rahasia": "Sangat Rahasia",
}
ROLES = ("admin", "arsiparis", "staf", "auditor", "pimpinan")


def level(security: str) -> int:
    """Return the rank of a security class (biasa 0 … sangat_rahasia 3)."""
    return SECURITY_CLASSES.index(security)


def may_see(clearance: str, security: str) -> bool:
    """Return True when a user with `clearance` may learn of a record of class `security`."""
    return level(security) <= level(clearance)


def classes_up_to(clearance: str) -> tuple[str, ...]:
    """Return the security classes visible to `clearance`."""
    return SECURITY_CLASSES[: level(clearance) + 1]


def normalize_security(value: str) -> str:
    """Return the canonical name of a security class given in a form people type."""
    v = value.strip().lower().replace(" ", "_").replace("-", "_")
    if v == "terbuka":
        v = "biasa"
    if v not in SECURITY_CLASSES:
        raise ValueError(value)
    return v


# What each role may do. The full matrix (and its test over the URL map) grows in a later issue;
# until then filing is for admin and arsiparis, reading for every role within its clearance.
PERMISSIONS: dict[str, frozenset[str]] = {
    "document.file": frozenset({"admin", "arsiparis"}),
    "document.read": frozenset(ROLES),
    "search": frozenset(ROLES),
    "classification.read": frozenset(ROLES),
    "classification.edit": frozenset({"admin"}),
    "user.manage": frozenset({"admin"}),
}


def can(roles: frozenset[str] | set[str], permission: str) -> bool:
    """Return True when any of `roles` grants `permission`."""
    return bool(PERMISSIONS[permission] & set(roles))
