"""TOTP seeds sealed at rest with a key that lives outside the database.

A TOTP seed must be readable to check a code, so it cannot be hashed. With a `SealingKey`
(32 random bytes in a file only its owner may read) each seed is stored as
`aesgcm1:<base64 nonce+ciphertext>`, bound to its username (AES-GCM associated data), so a
copied database, backup or dump does not give the second factor away, and a sealed seed
moved to another account does not open. Without a key the seed is stored as
`plain:<seed>`: the known limitation stated in docs/identity.md.
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from lexhub.errors import AccessDenied, InputError

__all__ = ["SealingKey", "open_seed", "seal_seed"]

_SEALED = "aesgcm1:"
_PLAIN = "plain:"


@dataclass(frozen=True)
class SealingKey:
    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.key) != 32:
            raise ValueError("a sealing key is 32 bytes")

    @classmethod
    def generate(cls) -> SealingKey:
        return cls(secrets.token_bytes(32))

    @classmethod
    def load(cls, path: Path) -> SealingKey:
        """Raises InputError if the file is unreadable, malformed, or readable by others."""
        try:
            mode = path.stat().st_mode
            text = path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(str(path), None, None, f"cannot read the key file: {e}") from None
        if mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise InputError(
                str(path), None, None, "the key file is readable by others: chmod 600 it"
            )
        try:
            return cls(base64.b64decode(text, validate=True))
        except ValueError:
            raise InputError(str(path), None, None, "not a lexhub sealing key") from None

    def write(self, path: Path) -> None:
        """Create the key file, owner-only from the first byte; never overwrite one."""
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except OSError as e:
            raise InputError(str(path), None, None, f"cannot create the key file: {e}") from None
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(base64.b64encode(self.key).decode("ascii") + "\n")


def _aad(username: str) -> bytes:
    return b"lexhub-totp:" + username.encode("utf-8")


def seal_seed(seed: str, username: str, key: SealingKey | None) -> str:
    if key is None:
        return _PLAIN + seed
    nonce = secrets.token_bytes(12)
    sealed = AESGCM(key.key).encrypt(nonce, seed.encode("ascii"), _aad(username))
    return _SEALED + base64.b64encode(nonce + sealed).decode("ascii")


def open_seed(stored: str, username: str, key: SealingKey | None) -> str:
    """The seed. Raises AccessDenied when it is sealed and the key is missing or wrong
    (fail closed: no second factor, no login)."""
    if stored.startswith(_PLAIN):
        return stored[len(_PLAIN) :]
    if not stored.startswith(_SEALED):
        raise AccessDenied(f"user {username}: the stored second factor is not readable")
    if key is None:
        raise AccessDenied(f"user {username}: the second factor is sealed; the key is needed")
    raw = base64.b64decode(stored[len(_SEALED) :])
    try:
        return AESGCM(key.key).decrypt(raw[:12], raw[12:], _aad(username)).decode("ascii")
    except InvalidTag:
        raise AccessDenied(
            f"user {username}: the second factor does not open with this key"
        ) from None
