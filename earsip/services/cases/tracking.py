"""Tracking codes: the secret a member of the public is given with their registration number,
to follow their case and to object to its outcome. Only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# 12 characters without look-alikes (0/O, 1/I/L), written in groups of four.
ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def new_tracking_code() -> str:
    """Return a fresh tracking code (about 59 bits), e.g. `K7QM-2XHD-P9TA`."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return "-".join(raw[i:i + 4] for i in range(0, 12, 4))


def tracking_hash(code: str) -> str:
    """Return what is stored of a tracking code (typed with or without dashes, any case)."""
    normal = "".join(c for c in code.upper() if c.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def code_matches(stored: str | None, given: str) -> bool:
    """Compare a given tracking code with the stored hash in constant time."""
    return stored is not None and hmac.compare_digest(stored, tracking_hash(given))
