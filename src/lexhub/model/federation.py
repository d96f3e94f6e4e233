"""Federation peers as the node keeps them: who they are, which keys they sign with, which
agencies they may speak for, and the audit checkpoints of theirs this node witnesses.

A peer is known by its own node name: the name it puts in the `keyid` of every request it
signs (`NAME:KEYID`). Keys are never forgotten (a rotated key stays on record, so what it
signed can still be explained); a removed peer keeps its row with `removed_at` set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from lexhub.model.audit import Checkpoint

__all__ = ["HeldCheckpoint", "Peer", "PeerKey", "validate_node_name"]

_NODE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,62}")


def validate_node_name(name: str) -> str:
    """Lower-case letters, digits and hyphens, 1-63 characters, starting with a letter or
    digit: it travels in signature parameters and URLs. Raises ValueError otherwise."""
    if not _NODE_NAME.fullmatch(name):
        raise ValueError(
            f"{name!r} is not a node name: 1-63 lower-case letters, digits or hyphens, "
            "starting with a letter or digit"
        )
    return name


@dataclass(frozen=True)
class PeerKey:
    """A peer's federation public key (raw Ed25519, base64); `key_id` as in audit keys.
    `retired_at`: set when a newer key of the peer was registered; a retired key verifies
    nothing any more (it may have been rotated away from because it leaked)."""

    key_id: str
    public_key: str
    added_at: datetime
    retired_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.retired_at is None


@dataclass(frozen=True)
class Peer:
    name: str
    url: str
    agencies: tuple[str, ...]
    keys: tuple[PeerKey, ...]
    added_at: datetime
    removed_at: datetime | None = None

    @property
    def active(self) -> bool:
        return self.removed_at is None

    def key(self, key_id: str) -> PeerKey | None:
        """The key `key_id` on record, retired or not (callers check `active`)."""
        return next((k for k in self.keys if k.key_id == key_id), None)

    @property
    def active_keys(self) -> tuple[PeerKey, ...]:
        return tuple(k for k in self.keys if k.active)


@dataclass(frozen=True)
class HeldCheckpoint:
    """An audit checkpoint a peer sent this node to keep (witnessing)."""

    peer: str
    checkpoint: Checkpoint
    received_at: datetime
