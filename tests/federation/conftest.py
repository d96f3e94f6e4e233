"""Nodes for the federation tests: each a database with some agencies' records and its own
agreements, a federation identity in its own key directory, and its /federation/v1 router
on a FastAPI app (served in process over httpx's ASGI transport, or by uvicorn on
loopback where a node must die or stall).

The region (all names fictitious): `north` holds the county sheriff's (A) records, `south`
the city police's (B), `east` the valley police's (C). East's analyst searches everyone.
North's sheriff opens incidents to C; south's city opens incidents to C but prohibits civil
immigration enforcement, and keeps its field interviews to itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from lexhub.audit.chain import utc_now
from lexhub.federation import AnsweringNode, NodeIdentity, add_peer, ensure_node_key
from lexhub.model import Purpose, Record, RecordType, RequestContext, UserRole
from lexhub.model.audit import AuditFilter
from lexhub.model.federation import PeerKey
from lexhub.policy import parse_policies
from lexhub.service.app import create_app
from lexhub.service.federation_api import federation_router
from lexhub.store import Store, open_store
from tests.search.conftest import AGENCIES, INC, A, B, C, load_corpus, person, record

T = TypeVar("T")

FI = RecordType.FIELD_INTERVIEW
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

POLICIES = {
    "north": """
id: a-to-c
owner: {a}
grantees: [{c}]
purposes: [criminal-investigation, civil-immigration-enforcement]
record_types: [incident]
max_sensitivity: standard
valid_from: 2000-01-01
valid_to: 2099-12-31
""",
    "south": """
id: b-to-c
owner: {b}
grantees: [{c}]
purposes: [criminal-investigation, civil-immigration-enforcement]
record_types: [incident]
max_sensitivity: standard
valid_from: 2000-01-01
valid_to: 2099-12-31
---
owner_policy:
  owner: {b}
  prohibited_purposes: [civil-immigration-enforcement]
""",
    "east": "",
}

OKAFOR = ("Okafor", "Chidi", "1985-04-02")
RECORDS: dict[str, tuple[Record, ...]] = {
    "north": (
        record("A-1", person(*OKAFOR), owner=A, type=INC),
        record("A-2", person("Okafor", "Chidi", "1985-04-03"), owner=A, type=INC),
        record("A-3", person(*OKAFOR), owner=A, type=FI),  # not granted: field interview
    ),
    "south": (
        record("B-1", person(*OKAFOR), owner=B, type=INC),
        record("B-2", person(*OKAFOR), owner=B, type=FI),  # withheld: field interview
    ),
    "east": (record("C-1", person(*OKAFOR), owner=C, type=INC),),
}
SPEAKS_FOR = {"north": A, "south": B, "east": C}


def analyst(purpose: Purpose = Purpose.CRIMINAL_INVESTIGATION, agency: str = C) -> RequestContext:
    return RequestContext("analyst7", agency, UserRole.ANALYST, purpose, "26-0117")


@dataclass
class Node:
    name: str
    db: str
    key_dir: Path
    identity: NodeIdentity
    now: Callable[[], datetime] = utc_now
    app: FastAPI = field(init=False)

    def __post_init__(self) -> None:
        self.app = make_app(self.db, self.identity, self.now)

    @property
    def url(self) -> str:
        return f"http://{self.name}.test"

    def store(self) -> Store:
        return open_store(self.db)

    def entries(self, kind: str | None = None) -> list[dict[str, Any]]:
        with self.store() as s:
            return [e.data for e in s.audit_entries(AuditFilter(kind=kind), 1000)]


def make_app(db: str, identity: NodeIdentity, now: Callable[[], datetime]) -> FastAPI:
    """The node's app as `lexhub serve` builds it, with the test's clock."""
    router = federation_router(db, identity, node=AnsweringNode(identity, now=now))
    return create_app(db, node=identity, routers=[router], now=now)


def make_node(name: str, db: str, tmp: Path, *, now: Callable[[], datetime] = utc_now) -> Node:
    """A migrated database with the region's agencies, this node's records and agreements."""
    key_dir = tmp / f"{name}-keys"
    with open_store(db) as s:
        s.migrate()
        load_corpus(s, tmp, RECORDS.get(name, ()))
        if POLICIES.get(name, "").strip():
            docs = parse_policies(
                POLICIES[name].format(a=A, b=B, c=C), f"{name}.yaml",
                agencies=[a.id for a in AGENCIES], groups=[],
            )  # fmt: skip
            s.apply_policies(docs, by="test")
    return Node(name, db, key_dir, ensure_node_key(key_dir, name), now)


def register(
    node: Node, peer: Node, *, url: str | None = None, agencies: Sequence[str] = ()
) -> None:
    """`node` registers `peer` with its current public key."""
    k = peer.identity.active
    with node.store() as s:
        add_peer(
            s, peer.name, url or peer.url, [PeerKey(k.key_id, k.public_key, NOW)],
            list(agencies) or [SPEAKS_FOR[peer.name]], actor="test",
        )  # fmt: skip


def asgi_client(*nodes: Node | tuple[str, ASGIApp]) -> httpx.AsyncClient:
    """One client reaching each node's app at http://NAME.test, in process."""
    mounts: dict[str, httpx.AsyncBaseTransport] = {}
    for n in nodes:
        name, app = (n.name, n.app) if isinstance(n, Node) else n
        mounts[f"http://{name}.test"] = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(mounts=mounts)


def run(coro: Awaitable[T]) -> T:
    async def main() -> T:
        return await coro

    return asyncio.run(main())


class Held:
    """An ASGI wrapper that, once engaged, holds every search until released: a node that
    has stalled. The held request waits on an event in a worker thread, so the server itself
    (and the test's event loop) keeps running."""

    def __init__(self, app: ASGIApp, *, engaged: bool = True) -> None:
        self.app = app
        self.engaged = threading.Event()
        self.release = threading.Event()
        self.entered = threading.Event()
        if engaged:
            self.engaged.set()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            self.engaged.is_set()
            and scope["type"] == "http"
            and scope["path"].startswith("/federation/v1/search")
        ):
            self.entered.set()
            await asyncio.to_thread(self.release.wait)
        await self.app(scope, receive, send)


@dataclass
class Clock:
    """A clock the test moves."""

    at: datetime = NOW

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> None:
        self.at += timedelta(seconds=seconds)


def sqlite_db(tmp: Path, name: str) -> str:
    return f"sqlite:///{tmp}/{name}.db"


def iter_statuses(result: Any) -> Iterator[tuple[str, str]]:
    for s in result.nodes:
        yield s.node, s.status
