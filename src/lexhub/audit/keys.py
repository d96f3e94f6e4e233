"""The audit signing key: Ed25519, separate from every other key of the node.

The private key lives in a file in the key directory (default `./lexhub-keys`, or
LEXHUB_KEY_DIR at the CLI), mode 0600, named after its key id; only public keys go into
the database, where every key ever used stays on record (retired, not deleted) so old
checkpoints remain verifiable after a rotation.
"""

from __future__ import annotations

import base64
import hashlib
import os
import stat
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lexhub.audit.chain import append_entry, commit_audited, utc_now
from lexhub.errors import AccessDenied, Conflict, NotFound
from lexhub.model.audit import AuditEvent, AuditKey, AuditKind
from lexhub.store import Store

__all__ = [
    "read_private_key",
    "DEFAULT_KEY_DIR",
    "ensure_audit_key",
    "key_id_of",
    "load_public_key",
    "load_signing_key",
    "private_key_path",
    "public_key_of",
    "rotate_audit_key",
]

DEFAULT_KEY_DIR = "./lexhub-keys"


def key_id_of(public_b64: str) -> str:
    """The first 16 hex digits of SHA-256 over the raw public key."""
    return hashlib.sha256(base64.b64decode(public_b64)).hexdigest()[:16]


def public_key_of(private: Ed25519PrivateKey) -> str:
    raw = private.public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw
    )
    return base64.b64encode(raw).decode("ascii")


def load_public_key(public_b64: str) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(base64.b64decode(public_b64))


def read_private_key(path: Path, name: str, public_key: str) -> Ed25519PrivateKey:
    """The Ed25519 private key in `path`, the private half of `name` (whose public key is
    `public_key`). Conflict if the file is missing or holds another key, AccessDenied if
    group or others may read it: a signing key anyone on the host can read signs nothing."""
    if not path.exists():
        raise Conflict(f"{name} is on record but {path} does not exist")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise AccessDenied(f"{path} is readable by others (mode {mode:o}): chmod 600 it")
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey) or public_key_of(loaded) != public_key:
        raise Conflict(f"{path} is not the private half of {name}")
    return loaded


def private_key_path(key_dir: str | Path, key_id: str) -> Path:
    return Path(key_dir) / f"audit-{key_id}.pem"


def _write_private(key_dir: str | Path, private: Ed25519PrivateKey) -> str:
    """Write the key readable by its owner only (created 0600, never widened); its id."""
    os.makedirs(key_dir, mode=0o700, exist_ok=True)
    key_id = key_id_of(public_key_of(private))
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd = os.open(private_key_path(key_dir, key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key_id


def _new_key(
    store: Store, key_dir: str | Path, actor: str, now: datetime, *, rotate: bool
) -> AuditKey | None:
    """Generate a key, then record it (retiring the active one) with its audit entry, in one
    transaction that holds the chain lock. Without `rotate`, None (and nothing kept) if
    another process recorded an active key first."""
    private = Ed25519PrivateKey.generate()
    public = public_key_of(private)
    key_id = _write_private(key_dir, private)
    key = AuditKey(key_id, public, now)
    with store.transaction() as tx:
        store.audit_lock_head()
        previous = [k.key_id for k in store.audit_keys() if k.retired_at is None]
        if previous and not rotate:
            private_key_path(key_dir, key_id).unlink()
            return None
        store.audit_put_key(key)
        details = {"key_id": key_id, "public_key": public, "retired": previous}
        append_entry(
            store,
            AuditEvent(AuditKind.AUDIT_KEY, actor=actor, details=details),
            now=lambda: now,
        )
        commit_audited(tx)
    return key


def ensure_audit_key(
    store: Store,
    key_dir: str | Path = DEFAULT_KEY_DIR,
    *,
    actor: str = "lexhub init",
    now: Callable[[], datetime] = utc_now,
) -> AuditKey:
    """The active audit key, created (private file in `key_dir`, public key in the
    database, an audit entry) if the node has none. Idempotent: `lexhub init` calls it on
    every run. Raises Conflict if the database names an active key whose private file is
    not in `key_dir`, AccessDenied if that file is readable by others."""
    active = [k for k in store.audit_keys() if k.retired_at is None]
    if active:
        load_signing_key(store, key_dir)  # the file is there, private and matching
        return active[-1]
    created = _new_key(store, key_dir, actor, now(), rotate=False)
    if created is None:
        return ensure_audit_key(store, key_dir, actor=actor, now=now)
    return created


def rotate_audit_key(
    store: Store,
    key_dir: str | Path = DEFAULT_KEY_DIR,
    *,
    actor: str,
    now: Callable[[], datetime] = utc_now,
) -> AuditKey:
    """A new active key; the old one is retired but stays on record (its public key in the
    database, its private file untouched: delete it once nothing needs to sign with it,
    at once if it may have leaked). The rotation is itself an audit entry."""
    created = _new_key(store, key_dir, actor, now(), rotate=True)
    assert created is not None  # rotate=True always records its key
    return created


def load_signing_key(store: Store, key_dir: str | Path) -> tuple[AuditKey, Ed25519PrivateKey]:
    """The active key and its private half. Raises NotFound without an active key,
    Conflict if the file is missing or does not match, AccessDenied if group or others
    may read it."""
    active = [k for k in store.audit_keys() if k.retired_at is None]
    if not active:
        raise NotFound("no audit key on record: run `lexhub init`")
    key = active[-1]
    path = private_key_path(key_dir, key.key_id)
    return key, read_private_key(path, f"audit key {key.key_id}", key.public_key)
