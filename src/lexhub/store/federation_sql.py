"""The federation tables (issue 5): the FederationStore protocol and its SQL for both engines.

The store keeps rows only; signatures, freshness and who may speak for whom are decided in
`lexhub.federation`. The one rule that must hold under concurrency lives here: a nonce is
accepted once (`peer_use_nonce` is a single INSERT that conflicts on the primary key), so
two copies of a request racing each other cannot both get through.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol, cast

from lexhub.errors import NotFound
from lexhub.model.audit import Checkpoint
from lexhub.model.federation import HeldCheckpoint, Peer, PeerKey
from lexhub.store.audit_sql import _dt

if TYPE_CHECKING:
    from lexhub.store.sql import SqlStore

__all__ = ["FederationSqlMixin", "FederationStore"]


class FederationStore(Protocol):
    """The federation part of the Store interface. Writes run in the caller's transaction
    when one is open, else each on its own (autocommit)."""

    def peer_put(
        self, name: str, url: str, agencies: Sequence[str], keys: Sequence[PeerKey], at: datetime
    ) -> None:
        """Register `name`, or update it (and bring a removed peer back): its URL and agencies
        are replaced; keys are ADDED to those on record, never dropped. When `keys` holds a
        key not on record (the peer rotated), every other key on record is retired at `at`;
        a retired key stays retired even if given again."""

    def peer_remove(self, name: str, at: datetime) -> None:
        """Mark the peer removed; its requests are refused from now on. Raises NotFound."""

    def peers(self, include_removed: bool = False) -> list[Peer]:
        """Registered peers by name."""

    def peer(self, name: str) -> Peer | None:
        """The peer of this name, removed or not."""

    def peer_use_nonce(self, peer: str, nonce: str, expires_at: datetime, now: datetime) -> bool:
        """Record the nonce of an accepted request; False if it was seen before (a replay).
        Nonces expired at `now` are dropped first."""

    def peer_keep_checkpoint(self, held: HeldCheckpoint) -> None:
        """Keep an audit checkpoint a peer sent (witnessing)."""

    def peer_checkpoints(self, peer: str) -> list[HeldCheckpoint]:
        """The checkpoints kept from `peer`, oldest first."""


class FederationSqlMixin:
    """SQL of the federation tables, shared by both engines."""

    @property
    def _fed_store(self) -> SqlStore:
        return cast("SqlStore", self)

    def peer_put(
        self, name: str, url: str, agencies: Sequence[str], keys: Sequence[PeerKey], at: datetime
    ) -> None:
        s = self._fed_store
        with s._errors("peer registration"):
            s._x(
                "INSERT INTO peers (name, url, added_at) VALUES (?, ?, ?) ON CONFLICT (name)"
                " DO UPDATE SET url = excluded.url, removed_at = NULL",
                (name, url, s._ts(at)),
            )
            s._x("DELETE FROM peer_agencies WHERE peer = ?", (name,))
            s._many(
                "INSERT INTO peer_agencies (peer, agency) VALUES (?, ?)",
                [(name, a) for a in sorted(set(agencies))],
            )
            known = {r[0] for r in s._x("SELECT key_id FROM peer_keys WHERE peer = ?", (name,))}
            new = [k for k in keys if k.key_id not in known]
            if new and known:
                given = {k.key_id for k in keys}
                s._many(
                    "UPDATE peer_keys SET retired_at = ?"
                    " WHERE peer = ? AND key_id = ? AND retired_at IS NULL",
                    [(s._ts(at), name, key_id) for key_id in sorted(known - given)],
                )
            s._many(
                "INSERT INTO peer_keys (peer, key_id, public_key, added_at) VALUES (?, ?, ?, ?)",
                [(name, k.key_id, k.public_key, s._ts(k.added_at)) for k in new],
            )

    def peer_remove(self, name: str, at: datetime) -> None:
        s = self._fed_store
        with s._errors("peer removal"):
            n = s._x(
                "UPDATE peers SET removed_at = ? WHERE name = ? AND removed_at IS NULL",
                (s._ts(at), name),
            ).rowcount
        if n != 1:
            raise NotFound(f"no registered peer {name!r}")

    def _peers_where(self, where: str, params: Sequence[Any]) -> list[Peer]:
        s = self._fed_store
        with s._reading("peer read"):
            rows = s._x(
                f"SELECT name, url, added_at, removed_at FROM peers {where} ORDER BY name", params
            ).fetchall()
            names = [r[0] for r in rows]
            agencies: dict[str, list[str]] = {n: [] for n in names}
            keys: dict[str, list[PeerKey]] = {n: [] for n in names}
            for peer, agency in s._x("SELECT peer, agency FROM peer_agencies ORDER BY agency"):
                if peer in agencies:
                    agencies[peer].append(agency)
            for peer, key_id, public, added, retired in s._x(
                "SELECT peer, key_id, public_key, added_at, retired_at FROM peer_keys"
                " ORDER BY added_at, key_id"
            ):
                if peer in keys:
                    gone = None if retired is None else _dt(retired)
                    keys[peer].append(PeerKey(key_id, public, _dt(added), gone))
        return [
            Peer(
                r[0], r[1], tuple(agencies[r[0]]), tuple(keys[r[0]]), _dt(r[2]),
                None if r[3] is None else _dt(r[3]),
            )
            for r in rows
        ]  # fmt: skip

    def peers(self, include_removed: bool = False) -> list[Peer]:
        return self._peers_where("" if include_removed else "WHERE removed_at IS NULL", ())

    def peer(self, name: str) -> Peer | None:
        found = self._peers_where("WHERE name = ?", (name,))
        return found[0] if found else None

    def peer_use_nonce(self, peer: str, nonce: str, expires_at: datetime, now: datetime) -> bool:
        s = self._fed_store
        with s._errors("nonce check"):
            s._x("DELETE FROM peer_nonces WHERE expires_at < ?", (s._ts(now),))
            inserted = s._x(
                "INSERT INTO peer_nonces (peer, nonce, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT (peer, nonce) DO NOTHING",
                (peer, nonce, s._ts(expires_at)),
            ).rowcount
        return bool(inserted == 1)

    def peer_keep_checkpoint(self, held: HeldCheckpoint) -> None:
        s = self._fed_store
        c = held.checkpoint
        with s._errors("peer checkpoint"):
            s._x(
                "INSERT INTO peer_checkpoints (peer, size, head, at, key_id, signature,"
                " received_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (held.peer, c.size, c.head, s._ts(c.at), c.key_id, c.signature,
                 s._ts(held.received_at)),
            )  # fmt: skip

    def peer_checkpoints(self, peer: str) -> list[HeldCheckpoint]:
        s = self._fed_store
        with s._errors("peer read"):
            rows = s._x(
                "SELECT size, head, at, key_id, signature, received_at FROM peer_checkpoints"
                " WHERE peer = ? ORDER BY id",
                (peer,),
            ).fetchall()
        return [
            HeldCheckpoint(peer, Checkpoint(int(r[0]), r[1], _dt(r[2]), r[3], r[4]), _dt(r[5]))
            for r in rows
        ]
