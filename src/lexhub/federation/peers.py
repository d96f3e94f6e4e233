"""The peer registry as operators change it, and `peer check`.

Whom a node trusts to speak for which agencies is governance, like an agreement: every
registration, change and removal is an audit entry (`peer-change`) written in the same
transaction as the change.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

import httpx

from lexhub.audit import append_entry, commit_audited
from lexhub.audit.chain import utc_now
from lexhub.errors import InputError, NotFound
from lexhub.federation.identity import NodeIdentity
from lexhub.federation.transport import PREFIX, peer_client, send_signed, status_of
from lexhub.model.agency import validate_ori
from lexhub.model.audit import AuditEvent, AuditKind
from lexhub.model.federation import Peer, PeerKey, validate_node_name
from lexhub.store import Store

__all__ = ["PeerCheck", "add_peer", "check_peer", "find_peer", "remove_peer"]


def add_peer(
    store: Store,
    name: str,
    url: str,
    keys: Sequence[PeerKey],
    agencies: Sequence[str],
    *,
    actor: str,
    now: Callable[[], datetime] = utc_now,
) -> Peer:
    """Register (or update) a peer: its URL and agencies are replaced, `keys` are added
    to those it already has. A key not on record means the peer rotated: its older keys
    are retired in the same transaction (audited as `retired`) and verify nothing from then
    on, so a leaked key the peer rotated away from stops working here. Raises InputError
    naming the bad argument."""
    try:
        validate_node_name(name)
    except ValueError as e:
        raise InputError("NAME", None, None, str(e)) from None
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise InputError("URL", None, None, f"{url!r} is not an http(s) URL")
    oris = []
    for a in agencies:
        try:
            oris.append(validate_ori(a.strip().upper()))
        except ValueError as e:
            raise InputError("--agencies", None, None, f"{a!r}: {e}") from None
    if not oris:
        raise InputError("--agencies", None, None, "a peer must speak for at least one agency")
    if not keys and store.peer(name) is None:
        raise InputError("--public-key", None, None, "a new peer needs its public key")
    at = now().astimezone(UTC)
    with store.transaction() as tx:
        before = store.peer(name)
        store.peer_put(name, url.rstrip("/"), oris, keys, at)
        after = store.peer(name)
        was = {k.key_id for k in before.active_keys} if before else set()
        now_active = {k.key_id for k in after.active_keys} if after else set()
        append_entry(
            store,
            AuditEvent(
                AuditKind.PEER_CHANGE, actor=actor,
                details={"action": "add", "peer": name, "url": url.rstrip("/"),
                         "agencies": sorted(set(oris)), "keys": [k.key_id for k in keys],
                         "retired": sorted(was - now_active)},
            ),
            now=lambda: at,
        )  # fmt: skip
        commit_audited(tx)
    peer = store.peer(name)
    assert peer is not None
    return peer


def remove_peer(
    store: Store, name: str, *, actor: str, now: Callable[[], datetime] = utc_now
) -> None:
    """Stop accepting the peer's requests and sending it ours. Raises NotFound."""
    at = now().astimezone(UTC)
    with store.transaction() as tx:
        store.peer_remove(name, at)
        append_entry(
            store,
            AuditEvent(AuditKind.PEER_CHANGE, actor=actor,
                       details={"action": "remove", "peer": name}),
            now=lambda: at,
        )  # fmt: skip
        commit_audited(tx)


@dataclass(frozen=True)
class PeerCheck:
    """`health`: GET /healthz; `node`: the name its /federation/v1/node gives, and whether
    one of its keys is one we hold for it; `signed`: our signed ping's status."""

    peer: str
    url: str
    health: str
    node: str | None
    key_known: bool | None
    signed: str
    detail: str | None = None

    @property
    def ok(self) -> bool:
        return (self.health, self.signed, self.node, self.key_known) == (
            "ok", "ok", self.peer, True,
        )  # fmt: skip

    def to_dict(self) -> dict[str, Any]:
        return {"peer": self.peer, "url": self.url, "ok": self.ok, "health": self.health,
                "node": self.node, "key_known": self.key_known, "signed": self.signed,
                "detail": self.detail}  # fmt: skip


async def _get(client: httpx.AsyncClient, url: str, deadline: float) -> tuple[str, Any]:
    try:
        async with asyncio.timeout(deadline):
            r = await client.get(url)
    except (TimeoutError, httpx.TimeoutException):
        return "timeout", None
    except httpx.HTTPError:
        return "error", None
    try:
        return status_of(r.status_code), r.json()
    except ValueError:
        return status_of(r.status_code), None


async def check_peer(
    identity: NodeIdentity,
    peer: Peer,
    *,
    deadline: float = 5.0,
    client: httpx.AsyncClient | None = None,
    now: Callable[[], datetime] = utc_now,
) -> PeerCheck:
    """Is the peer up, is it who we registered, and does it accept our signature?"""
    own = client is None
    http = client or peer_client(deadline)
    base = peer.url.rstrip("/")
    try:
        health, _ = await _get(http, f"{base}/healthz", deadline)
        info_status, info = await _get(http, f"{base}{PREFIX}/node", deadline)
        ping = await send_signed(http, identity, peer, "GET", f"{PREFIX}/ping",
                                 deadline=deadline, now=now)  # fmt: skip
    finally:
        if own:
            await http.aclose()
    name = info.get("name") if info_status == "ok" and isinstance(info, dict) else None
    key_known = None
    if isinstance(info, dict) and isinstance(info.get("keys"), list):
        ours = {k.key_id for k in peer.active_keys}
        key_known = any(isinstance(k, dict) and k.get("key_id") in ours for k in info["keys"])
    return PeerCheck(peer.name, peer.url, health, name, key_known, ping.status, ping.detail)


def find_peer(store: Store, name: str) -> Peer:
    """The active peer `name`; NotFound otherwise."""
    peer = store.peer(name)
    if peer is None or not peer.active:
        raise NotFound(f"no registered peer {name!r}")
    return peer
