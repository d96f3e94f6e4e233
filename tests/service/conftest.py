"""The node under test: a real app in process over httpx's ASGI transport (starlette's
TestClient now wants another httpx package), on each engine (the `store` fixture)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from lexhub import identity
from lexhub.identity import IdentitySettings
from lexhub.model import UserRole
from lexhub.model.audit import AuditFilter
from lexhub.policy import parse_policies
from lexhub.service.app import create_app
from lexhub.store import Store
from tests.search.conftest import AGENCIES, INC, A, B, C, load_corpus, person, record


def agreement(doc_id: str, owner: str, grantee: str) -> str:
    """YAML of an agreement: `owner` grants `grantee` its incidents for investigations."""
    return f"""
id: {doc_id}
owner: {owner}
grantees: [{grantee}]
purposes: [criminal-investigation]
record_types: [incident]
max_sensitivity: standard
valid_from: 2000-01-01
valid_to: 2099-12-31
"""


POLICY = agreement("a-to-c", A, C)
RECORDS = (
    record("A-1", person("Okafor", "Chidi", "1985-04-02"), owner=A, type=INC),
    record("B-1", person("Okafor", "Chidi", "1985-04-02"), owner=B, type=INC),  # no grant
)


class ApiClient:
    """Synchronous calls into an ASGI app, one event loop per call."""

    def __init__(self, app: FastAPI) -> None:
        self.app = app

    def _call(self, method: str, url: str, **kw: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://node.test") as c:
                return await c.request(method, url, **kw)

        return asyncio.run(go())

    def get(self, url: str, **kw: Any) -> httpx.Response:
        return self._call("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> httpx.Response:
        return self._call("POST", url, **kw)


@pytest.fixture
def node(store: Store, tmp_path: Path) -> Iterator[tuple[ApiClient, str, Store]]:
    """A node with A's and B's records, A granting C, and an analyst of C with a token."""
    load_corpus(store, tmp_path, RECORDS)
    docs = parse_policies(POLICY, "p.yaml", agencies=[a.id for a in AGENCIES], groups=[])
    store.apply_policies(docs, by="test")
    settings = IdentitySettings()
    now = datetime.now(UTC)
    identity.add_user(store, settings, "analyst7", C, [UserRole.ANALYST], now=now, actor="t")
    token = identity.create_token(store, settings, "analyst7", name="t", now=now).token
    yield ApiClient(create_app(store.url)), token, store


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def entries(store: Store, kind: str) -> list[dict[str, Any]]:
    """The audit entries of one kind, oldest first."""
    return [e.data for e in store.audit_entries(AuditFilter(kind=kind), 1000)]


def token_for(
    store: Store, username: str, agency: str, role: UserRole, *, oversight: bool = False
) -> str:
    """A new user holding `role`, and a token of theirs."""
    settings = IdentitySettings()
    now = datetime.now(UTC)
    identity.add_user(store, settings, username, agency, [role], now=now, actor="t",
                      oversight=oversight)  # fmt: skip
    return identity.create_token(store, settings, username, name="t", now=now).token
