"""The server's Ed25519 key, which signs audit checkpoints, and checking such signatures.

Only the standard library and `cryptography`: nothing here knows about the database or the web.
The key is kept as an unencrypted PKCS#8 PEM file readable by its owner only; the public half is
what auditors keep to check checkpoints later (`key_id` names it in a checkpoint).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)

from earsip.atomic import create_once
from earsip.errors import StorageError

SigningKey = Ed25519PrivateKey


def _parse(data: bytes, path: Path) -> Ed25519PrivateKey:
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError) as e:
        raise StorageError("Berkas %(path)s bukan kunci Ed25519 yang sah.",
                           params={"path": str(path)}) from e
    if not isinstance(key, Ed25519PrivateKey):
        raise StorageError("Berkas %(path)s bukan kunci Ed25519 yang sah.",
                           params={"path": str(path)})
    return key


def load_key(path: Path) -> Ed25519PrivateKey:
    """Return the private key kept in `path`; raise StorageError when it is absent or invalid."""
    try:
        data = path.read_bytes()
    except OSError as e:
        raise StorageError("Kunci tanda tangan audit %(path)s tidak dapat dibaca: %(reason)s",
                           params={"path": str(path), "reason": e.strerror or e}) from e
    return _parse(data, path)


def load_or_create_key(path: Path) -> Ed25519PrivateKey:
    """Return the private key kept in `path`, creating it (mode 0600) on first use."""
    if path.exists():
        return load_key(path)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        # Never replaces: the first process to get here wins, the others read its key, so
        # concurrent first starts end up with one key.
        created = create_once(path, pem, mode=0o600)
    except OSError as e:
        raise StorageError("Kunci tanda tangan audit %(path)s tidak dapat dibuat: %(reason)s",
                           params={"path": str(path), "reason": e.strerror or e}) from e
    return key if created else load_key(path)


def public_key_pem(key: Ed25519PrivateKey) -> str:
    """Return the public half of `key` as a SubjectPublicKeyInfo PEM."""
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()


def _public_key(public_pem: str | bytes) -> Ed25519PublicKey | None:
    data = public_pem.encode() if isinstance(public_pem, str) else public_pem
    try:
        key = serialization.load_pem_public_key(data)
    except (ValueError, TypeError):
        return None
    return key if isinstance(key, Ed25519PublicKey) else None


def key_id(public_pem: str | bytes) -> str:
    """Return the first 16 hex digits of the SHA-256 of the raw public key in `public_pem`."""
    key = _public_key(public_pem)
    if key is None:
        raise StorageError("Kunci publik audit tidak sah.")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    """Return the Ed25519 signature of `data` in hex (128 digits)."""
    return key.sign(data).hex()


def verify(public_pem: str | bytes, data: bytes, signature: str) -> bool:
    """Return True when `signature` (hex) is a valid signature of `data` under `public_pem`."""
    key = _public_key(public_pem)
    if key is None:
        return False
    try:
        key.verify(bytes.fromhex(signature), data)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
