"""The review findings of issue 5 on both engines: who asks is checked before what they
send, a flood of refused requests cannot grow the audit chain, a body cannot outgrow its
limit by arriving in chunks, and the operational endpoints say no more than they must."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

from lexhub.federation import NodeStatus, ensure_node_key
from lexhub.model import UserRole
from lexhub.service.app import MAX_BODY_BYTES, create_app
from lexhub.service.federation_api import federation_router
from lexhub.service.limits import RefusalLimit
from lexhub.service.metrics import NodeMetrics
from lexhub.store import Store
from tests.search.conftest import A
from tests.service.conftest import ApiClient, auth, entries, token_for
from tests.service.test_api import SEARCH

Node = tuple[ApiClient, str, Store]


def _chunks(total: int, size: int = 64 * 1024) -> AsyncIterator[bytes]:
    async def gen() -> AsyncIterator[bytes]:
        sent = 0
        while sent < total:
            yield b" " * min(size, total - sent)
            sent += size

    return gen()


def test_a_malformed_body_without_a_valid_token_gets_401_not_422(node: Node) -> None:
    client, token, store = node
    bad = {"content": b"{not json", "headers": {"content-type": "application/json"}}
    assert client.post("/api/v1/search", **bad).status_code == 401
    r = client.post("/api/v1/search", content=b'{"purpose": 3}',
                    headers={**auth("lxh_0123456789abcdef_nope"),
                             "content-type": "application/json"})  # fmt: skip
    assert (r.status_code, r.json()["status"]) == (401, 401)
    valid = client.post("/api/v1/search", content=b"{not json",
                        headers={**auth(token), "content-type": "application/json"})  # fmt: skip
    assert valid.status_code == 422


def test_refused_tokens_over_the_per_address_limit_are_counted_not_chained(node: Node) -> None:
    _, _, store = node
    limit = RefusalLimit(rate=1.0, burst=3, clock=lambda: 0.0)
    client = ApiClient(create_app(store.url, refusals=limit))
    before = len(entries(store, "denied"))
    for i in range(7):
        r = client.post("/api/v1/search", json=SEARCH, headers=auth(f"not-a-token-{i}"))
        assert r.status_code == 401
    assert len(entries(store, "denied")) - before == 3
    operator = token_for(store, "ops", A, UserRole.NODE_ADMIN)
    text = client.get("/metrics", headers=auth(operator)).text
    assert 'lexhub_refusals_unaudited_total{area="api"} 4.0' in text


def test_unsigned_federation_requests_over_the_limit_are_counted_and_claims_are_bounded(
    store: Store, tmp_path: Path
) -> None:
    identity = ensure_node_key(tmp_path / "keys", "here")
    limit = RefusalLimit(rate=1.0, burst=2, clock=lambda: 0.0)
    router = federation_router(store.url, identity, refusals=limit)
    client = ApiClient(create_app(store.url, routers=[router], refusals=limit))
    long_path = "/federation/v1/records/" + A + "/" + "x" * 5000
    for _ in range(4):
        assert client.get(long_path).status_code == 401
    refused = entries(store, "peer-refused")
    assert len(refused) == 2 and limit.unaudited == {"federation": 2}
    assert all(len(e["details"]["path"]) <= 203 for e in refused)  # type: ignore[index]


def test_a_chunked_body_over_the_limit_is_refused_413_as_it_arrives(
    node: Node, tmp_path: Path
) -> None:
    client, token, store = node
    headers = {**auth(token), "content-type": "application/json"}
    r = client.post("/api/v1/search", content=_chunks(MAX_BODY_BYTES + 1), headers=headers)
    assert r.status_code == 413 and r.json()["status"] == 413
    assert r.headers["content-type"] == "application/problem+json"
    identity = ensure_node_key(tmp_path / "keys", "here")
    app = create_app(store.url, routers=[federation_router(store.url, identity)])
    fed = ApiClient(app).post("/federation/v1/search", content=_chunks(2 * MAX_BODY_BYTES))
    assert fed.status_code == 413
    small = client.post("/api/v1/search", content=_small(), headers=headers)
    assert small.status_code == 200, small.text


def _small() -> AsyncIterator[bytes]:
    import json

    data = json.dumps(SEARCH).encode()

    async def gen() -> AsyncIterator[bytes]:
        yield data[:10]
        yield data[10:]

    return gen()


def test_readyz_says_ready_only_and_metrics_need_a_node_administrator(node: Node) -> None:
    client, analyst, store = node
    assert client.get("/readyz").json() == {"status": "ready"}
    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers=auth(analyst)).status_code == 403
    operator = token_for(store, "ops", A, UserRole.NODE_ADMIN)
    assert client.get("/metrics", headers=auth(operator)).status_code == 200


def test_metrics_keep_each_peers_latest_status_and_latency() -> None:
    metrics = NodeMetrics()
    metrics.federated_round([
        NodeStatus("here", "ok", local=True),
        NodeStatus("north", "ok", seconds=0.25),
        NodeStatus("south", "timeout", seconds=2.0),
    ])  # fmt: skip
    metrics.federated_round([NodeStatus("north", "refused", seconds=0.01)])
    text = metrics.render().decode()
    assert 'lexhub_peer_status{peer="north",status="refused"} 1.0' in text
    assert 'lexhub_peer_status{peer="north",status="ok"} 0.0' in text
    assert 'lexhub_peer_status{peer="south",status="timeout"} 1.0' in text
    assert 'lexhub_peer_seconds{peer="north"} 0.01' in text
    assert 'peer="here"' not in text  # the local node is not a peer
