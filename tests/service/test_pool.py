"""Stores kept between requests (service.pool) on both engines: a request reuses an idle
connection, still sees every change committed elsewhere (a revoked agreement, a revoked
token), and a connection whose request failed in the store is closed, never lent again."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from lexhub import identity
from lexhub.errors import NotFound, StoreError
from lexhub.identity import IdentitySettings
from lexhub.service.app import create_app
from lexhub.service.pool import StorePool
from lexhub.store import Store, open_store
from tests.search.conftest import A
from tests.service.conftest import ApiClient, auth

SEARCH = {"purpose": "criminal-investigation", "case_number": "26-0117",
          "query": {"kind": "person", "last": "okafor", "first": "chidi"}}  # fmt: skip


def counting(url: str) -> tuple[Callable[[], Store], list[Store]]:
    opened: list[Store] = []

    def opener() -> Store:
        s = open_store(url)
        opened.append(s)
        return s

    return opener, opened


def test_requests_reuse_one_connection(node: tuple[ApiClient, str, Store]) -> None:
    _, token, store = node
    opener, opened = counting(store.url)
    client = ApiClient(create_app(opener))
    for _ in range(5):
        assert client.post("/api/v1/search", json=SEARCH, headers=auth(token)).status_code == 200
    assert len(opened) == 1  # one request at a time: one connection, opened once


def test_a_kept_connection_sees_an_agreement_revoked_elsewhere(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, token, store = node
    first = client.post("/api/v1/search", json=SEARCH, headers=auth(token)).json()
    assert [h["source_id"] for h in first["hits"]] == ["A-1"]
    with open_store(store.url) as other:  # another process's connection, say the CLI's
        other.revoke_policy("a-to-c", by="test")
    after = client.post("/api/v1/search", json=SEARCH, headers=auth(token)).json()
    assert A in first["owners_searched"]
    assert after["hits"] == [] and A not in after["owners_searched"]


def test_a_kept_connection_sees_a_token_revoked_elsewhere(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, token, store = node
    assert client.post("/api/v1/search", json=SEARCH, headers=auth(token)).status_code == 200
    token_id = token.split("_")[1]
    with open_store(store.url) as other:
        identity.revoke_token(other, IdentitySettings(), token_id, now=datetime.now(UTC))
    assert client.post("/api/v1/search", json=SEARCH, headers=auth(token)).status_code == 401


def test_a_refusal_keeps_the_store_and_a_store_failure_closes_it(store: Store) -> None:
    opener, opened = counting(store.url)
    pool = StorePool(opener, keep=4)
    with pytest.raises(NotFound), pool.lease():
        raise NotFound("no such record")
    assert pool.idle() == 1  # a 404 leaves the connection as it was
    with pytest.raises(StoreError), pool.lease() as s:
        assert s is opened[0]
        raise StoreError("connection lost")
    assert pool.idle() == 0
    with pytest.raises(StoreError):
        opened[0].audit_head()  # closed, not kept
    with pool.lease() as s:
        assert s is opened[1]  # a new connection
        assert s.audit_head()[0] >= 0


def test_at_most_keep_idle_stores_after_a_burst(store: Store) -> None:
    opener, opened = counting(store.url)
    pool = StorePool(opener, keep=2)
    with pool.lease() as a, pool.lease() as b, pool.lease() as c:
        assert len({id(a), id(b), id(c)}) == 3  # never one Store lent twice at once
    assert len(opened) == 3 and pool.idle() == 2
    with pytest.raises(StoreError):
        opened[0].audit_head()  # the one returned last, past `keep`, was closed
    pool.close()
    assert pool.idle() == 0
