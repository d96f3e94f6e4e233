"""The node's federation identity: its name and its Ed25519 federation key pair.

SEPARATE from the audit key (lexhub.audit.keys): the federation key signs requests to peers
and is used on every request, the audit key signs checkpoints and rarely leaves its file;
losing one must not compromise the other. Both live in the key directory:

    federation-node.json          name, every public key (active one has retired_at null)
    federation-<key id>.pem       each private key, mode 0600 (PKCS#8)

Rotation adds a key and retires the old one; old public keys stay in the JSON file, and
peers keep every key they were given, so what an old key signed can still be explained.
Peers must be given the new public key (`lexhub peer identity --export`) BEFORE requests are
signed with it: the node signs with its newest key, which a peer that does not know it
refuses (unauthorized).
"""

from __future__ import annotations

import base64
import json
import os
import socket
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lexhub.audit.chain import utc_now
from lexhub.audit.keys import key_id_of, load_public_key, public_key_of, read_private_key
from lexhub.errors import InputError
from lexhub.model.federation import PeerKey, validate_node_name

__all__ = [
    "NodeIdentity",
    "NodeKey",
    "ensure_node_key",
    "public_key_pem",
    "read_public_key_file",
    "rotate_node_key",
]

NODE_FILE = "federation-node.json"


@dataclass(frozen=True)
class NodeKey:
    key_id: str
    public_key: str  # raw Ed25519, base64
    created_at: datetime
    retired_at: datetime | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "key_id": self.key_id,
            "public_key": self.public_key,
            "created_at": self.created_at.isoformat(),
            "retired_at": None if self.retired_at is None else self.retired_at.isoformat(),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> NodeKey:
        retired = d.get("retired_at")
        return cls(
            str(d["key_id"]),
            str(d["public_key"]),
            datetime.fromisoformat(d["created_at"]),
            None if retired is None else datetime.fromisoformat(retired),
        )


@dataclass(frozen=True)
class NodeIdentity:
    """Who this node is to its peers, with the private half of its active key."""

    name: str
    keys: tuple[NodeKey, ...]  # oldest first; the last is active
    private: Ed25519PrivateKey

    @property
    def active(self) -> NodeKey:
        return self.keys[-1]

    @property
    def keyid(self) -> str:
        """The RFC 9421 `keyid` of this node's signatures: NAME:KEYID."""
        return f"{self.name}:{self.active.key_id}"

    def public_info(self) -> dict[str, Any]:
        """What `GET /federation/v1/node` and `peer identity --json` show."""
        return {"name": self.name, "keys": [k.to_dict() for k in self.keys]}


def _private_path(key_dir: Path, key_id: str) -> Path:
    return key_dir / f"federation-{key_id}.pem"


def _write_private(key_dir: Path, private: Ed25519PrivateKey) -> str:
    """Create the key file 0600 (never widened) in a 0700 directory; the key id."""
    os.makedirs(key_dir, mode=0o700, exist_ok=True)
    key_id = key_id_of(public_key_of(private))
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    fd = os.open(_private_path(key_dir, key_id), os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(pem)
    return key_id


def _save(key_dir: Path, name: str, keys: list[NodeKey]) -> None:
    """Replace the node file atomically: a crash leaves the old file or the new one."""
    tmp = key_dir / f".{NODE_FILE}.tmp"
    tmp.write_text(
        json.dumps({"name": name, "keys": [k.to_dict() for k in keys]}, indent=2) + "\n",
        encoding="utf-8",
    )
    os.replace(tmp, key_dir / NODE_FILE)


def _load_private(key_dir: Path, key: NodeKey) -> Ed25519PrivateKey:
    path = _private_path(key_dir, key.key_id)
    return read_private_key(path, f"federation key {key.key_id}", key.public_key)


def _default_name() -> str:
    """The host name made into a node name (a first run without --name)."""
    cleaned = "".join(c if c.isalnum() else "-" for c in socket.gethostname().lower())
    return cleaned.strip("-")[:63] or "lexhub-node"


def _new_key(key_dir: Path, now: datetime) -> NodeKey:
    private = Ed25519PrivateKey.generate()
    return NodeKey(_write_private(key_dir, private), public_key_of(private), now)


def ensure_node_key(
    key_dir: str | Path,
    name: str | None = None,
    *,
    now: Callable[[], datetime] = utc_now,
) -> NodeIdentity:
    """This node's identity, created on first use (name: `name`, else the host name).
    Idempotent. Raises InputError if `name` differs from the name on record (peers know
    the node by it; it is never renamed silently), Conflict if a key file is missing or
    does not match, AccessDenied if it is readable by others."""
    key_dir = Path(key_dir)
    node_file = key_dir / NODE_FILE
    if name is not None:
        try:
            validate_node_name(name)
        except ValueError as e:
            raise InputError("--name", None, None, str(e)) from None
    if not node_file.exists():
        key = _new_key(key_dir, now())
        _save(key_dir, name or _default_name(), [key])
    data = json.loads(node_file.read_text(encoding="utf-8"))
    keys = tuple(NodeKey.from_dict(k) for k in data["keys"])
    if name is not None and name != data["name"]:
        raise InputError(
            "--name", None, None,
            f"this node is {data['name']!r} (in {node_file}); peers know it by that name",
        )  # fmt: skip
    return NodeIdentity(str(data["name"]), keys, _load_private(key_dir, keys[-1]))


def rotate_node_key(key_dir: str | Path, *, now: Callable[[], datetime] = utc_now) -> NodeIdentity:
    """A new active federation key; the old one is retired and stays listed (its private
    file is left for the operator to delete)."""
    key_dir = Path(key_dir)
    current = ensure_node_key(key_dir, now=now)
    at = now()
    new = _new_key(key_dir, at)
    retired = [k if k.retired_at else NodeKey(k.key_id, k.public_key, k.created_at, at)
               for k in current.keys]  # fmt: skip
    _save(key_dir, current.name, [*retired, new])
    return ensure_node_key(key_dir, now=now)


def public_key_pem(public_b64: str) -> str:
    """The SubjectPublicKeyInfo PEM of a raw key: the file given to `peer add --public-key`."""
    pem = load_public_key(public_b64).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return pem.decode("ascii")


def read_public_key_file(path: Path, *, now: Callable[[], datetime] = utc_now) -> PeerKey:
    """A peer's public key from a PEM file (or one line of raw base64). Raises InputError
    naming the file for anything that is not an Ed25519 public key."""
    text = path.read_text(encoding="utf-8").strip()
    try:
        if text.startswith("-----BEGIN"):
            loaded = serialization.load_pem_public_key(text.encode("ascii"))
            if not isinstance(loaded, Ed25519PublicKey):
                raise ValueError("not an Ed25519 key")
            raw = loaded.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
            public = base64.b64encode(raw).decode("ascii")
        else:
            load_public_key(text)
            public = text
    except ValueError as e:
        raise InputError(str(path), None, None, f"not an Ed25519 public key: {e}") from None
    return PeerKey(key_id_of(public), public, now())
