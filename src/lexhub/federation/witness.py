"""Witnessing: nodes keep each other's signed audit checkpoints.

A node's checkpoints prove nothing against its own operator, who holds both the database
and the audit key and could rewrite the log and sign it again. Copies held by peers do:
`exchange_checkpoints` sends this node's latest checkpoint to every peer and keeps each
peer's latest; `peer_anchors` asks every peer for the checkpoints of THIS node it keeps,
so `lexhub audit verify --against-peers` can check that the local chain still ends, at
each of those sizes, in the head the peer was given. A checkpoint whose head does not match
the local chain at its size means the history was rewritten after it was sent.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TypeVar

import httpx

from lexhub.audit import Anchor
from lexhub.audit.chain import utc_now
from lexhub.audit.checkpoint import checkpoint_from_dict, checkpoint_to_dict, signature_valid
from lexhub.federation.identity import NodeIdentity
from lexhub.federation.transport import PREFIX, peer_client, send_signed
from lexhub.model.audit import AuditKey, Checkpoint
from lexhub.model.federation import HeldCheckpoint, Peer
from lexhub.store import Store

__all__ = ["PeerHeld", "exchange_checkpoints", "peer_anchors"]

T = TypeVar("T")


@dataclass(frozen=True)
class PeerHeld:
    """What one peer holds of this node: its status and the checkpoints it returned;
    `unsigned`: how many of them our audit keys do not verify."""

    peer: str
    status: str
    checkpoints: tuple[Checkpoint, ...] = ()
    unsigned: int = 0
    detail: str | None = None


async def _fan(
    peers: Sequence[Peer],
    one: Callable[[httpx.AsyncClient, Peer], Awaitable[T]],
    client: httpx.AsyncClient | None,
    deadline: float,
) -> list[T]:
    own = client is None
    http = client or peer_client(deadline)
    try:
        return list(await asyncio.gather(*(one(http, p) for p in peers)))
    finally:
        if own:
            await http.aclose()


async def exchange_checkpoints(
    store: Store,
    identity: NodeIdentity,
    checkpoint: Checkpoint,
    *,
    deadline: float = 5.0,
    client: httpx.AsyncClient | None = None,
    now: Callable[[], datetime] = utc_now,
) -> dict[str, dict[str, str]]:
    """Send `checkpoint` to every active peer and keep each peer's latest one. Returns
    per peer the status of sending ("sent") and of fetching ("received")."""
    peers = store.peers()
    body = json.dumps({"checkpoint": checkpoint_to_dict(checkpoint)}).encode("utf-8")

    async def one(http: httpx.AsyncClient, p: Peer) -> tuple[str, str, str, Checkpoint | None]:
        sent = await send_signed(http, identity, p, "POST", f"{PREFIX}/checkpoints",
                                 body=body, deadline=deadline, now=now)  # fmt: skip
        got = await send_signed(http, identity, p, "GET", f"{PREFIX}/checkpoints",
                                deadline=deadline, now=now)  # fmt: skip
        theirs = None
        status = got.status
        if got.status == "ok":
            try:
                theirs = checkpoint_from_dict(got.data["checkpoint"])
            except (KeyError, TypeError, ValueError):
                status = "error"
        return p.name, sent.status, status, theirs

    out: dict[str, dict[str, str]] = {}
    for result in await _fan(peers, one, client, deadline):
        name, sent, received, theirs = result
        if theirs is not None:
            store.peer_keep_checkpoint(HeldCheckpoint(name, theirs, now()))
        out[name] = {"sent": sent, "received": received}
    return out


async def peer_anchors(
    store: Store,
    identity: NodeIdentity,
    keys: Sequence[AuditKey] | None = None,
    *,
    deadline: float = 5.0,
    client: httpx.AsyncClient | None = None,
    now: Callable[[], datetime] = utc_now,
) -> tuple[list[Anchor], list[PeerHeld]]:
    """Anchors (size, head, "peer NAME") from every checkpoint of this node that a peer
    holds, and what each peer answered. ALL are compared, also those our audit keys (`keys`,
    default those on record) do not verify (counted in `unsigned`): an operator who rewrote
    the log may have replaced the keys too, and a peer that forges checkpoints should be
    noticed, not ignored."""
    trusted = {k.key_id: k for k in (store.audit_keys() if keys is None else keys)}

    async def one(http: httpx.AsyncClient, p: Peer) -> PeerHeld:
        reply = await send_signed(http, identity, p, "GET", f"{PREFIX}/checkpoints/held",
                                  deadline=deadline, now=now)  # fmt: skip
        if reply.status != "ok":
            return PeerHeld(p.name, reply.status, detail=reply.detail)
        try:
            held = [checkpoint_from_dict(d) for d in reply.data["checkpoints"]]
        except (KeyError, TypeError, ValueError) as e:
            return PeerHeld(p.name, "error", detail=f"unreadable answer: {e}")
        unsigned = sum(
            not (c.key_id in trusted and signature_valid(c, trusted[c.key_id].public_key))
            for c in held
        )
        return PeerHeld(p.name, "ok", tuple(held), unsigned)

    answers = await _fan(store.peers(), one, client, deadline)
    anchors = [
        Anchor(c.size, c.head, f"checkpoint held by peer {a.peer}")
        for a in answers for c in a.checkpoints
    ]  # fmt: skip
    return anchors, answers
