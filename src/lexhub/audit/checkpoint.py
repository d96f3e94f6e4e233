"""Signed checkpoints of the chain head.

A checkpoint says "the first `size` entries of this log end in hash `head`", signed with
the audit key. The signed text is a short, line-oriented note (like a transparency log's
checkpoint) so it can be copied out of the node and kept by peers, owners and the oversight
body (witnessing), and checked with nothing but the public key:

    lexhub-audit-checkpoint/1
    size 42
    head 6f1c...e0 (64 hex digits)
    time 2026-03-01T12:00:00.000000Z
    key 0123456789abcdef
"""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lexhub.audit.chain import utc_now
from lexhub.audit.keys import load_public_key, load_signing_key
from lexhub.model.audit import Checkpoint
from lexhub.store import Store

__all__ = [
    "CHECKPOINT_HEADER",
    "checkpoint_from_dict",
    "checkpoint_text",
    "checkpoint_to_dict",
    "create_checkpoint",
    "sign_checkpoint",
    "signature_valid",
]

CHECKPOINT_HEADER = "lexhub-audit-checkpoint/1"


def _time(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def checkpoint_text(size: int, head: str, at: datetime, key_id: str) -> str:
    """The exact text that is signed (UTF-8, every line ending in a newline)."""
    return f"{CHECKPOINT_HEADER}\nsize {size}\nhead {head}\ntime {_time(at)}\nkey {key_id}\n"


def sign_checkpoint(
    private: Ed25519PrivateKey, key_id: str, size: int, head: str, at: datetime
) -> Checkpoint:
    signature = private.sign(checkpoint_text(size, head, at, key_id).encode("utf-8"))
    return Checkpoint(size, head, at, key_id, base64.b64encode(signature).decode("ascii"))


def signature_valid(checkpoint: Checkpoint, public_b64: str) -> bool:
    c = checkpoint
    try:
        load_public_key(public_b64).verify(
            base64.b64decode(c.signature),
            checkpoint_text(c.size, c.head, c.at, c.key_id).encode("utf-8"),
        )
    except (InvalidSignature, ValueError):
        return False
    return True


def create_checkpoint(
    store: Store, key_dir: str | Path, *, now: Callable[[], datetime] = utc_now
) -> Checkpoint:
    """Sign the committed head with the active audit key and keep the checkpoint.
    Raises what `load_signing_key` raises."""
    key, private = load_signing_key(store, key_dir)
    size, head = store.audit_head()
    checkpoint = sign_checkpoint(private, key.key_id, size, head, now())
    store.audit_add_checkpoint(checkpoint)
    return checkpoint


def checkpoint_to_dict(c: Checkpoint) -> dict[str, Any]:
    """The exported form: the signed text itself, and the signature."""
    return {"text": checkpoint_text(c.size, c.head, c.at, c.key_id), "signature": c.signature}


def checkpoint_from_dict(d: dict[str, Any]) -> Checkpoint:
    """Parse an exported checkpoint. Raises ValueError if the text is not in the format."""
    lines = str(d["text"]).split("\n")
    if len(lines) != 6 or lines[0] != CHECKPOINT_HEADER or lines[5] != "":
        raise ValueError("not a lexhub-audit-checkpoint/1 text")
    fields = dict(line.split(" ", 1) for line in lines[1:5])
    if set(fields) != {"size", "head", "time", "key"}:
        raise ValueError("checkpoint text lines must be size, head, time, key")
    at = datetime.fromisoformat(fields["time"].replace("Z", "+00:00"))
    c = Checkpoint(int(fields["size"]), fields["head"], at, fields["key"], str(d["signature"]))
    if checkpoint_text(c.size, c.head, c.at, c.key_id) != d["text"]:
        raise ValueError("checkpoint text is not in canonical form")
    return c
