"""The JSON API on both engines: bearer tokens, problem details, audited and scoped search
and retrieval, health. Requests go to the real app in process, over httpx's ASGI transport
(starlette's TestClient now wants another httpx package)."""

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
from lexhub.federation import add_peer, ensure_node_key
from lexhub.identity import IdentitySettings
from lexhub.model import UserRole
from lexhub.model.audit import AuditFilter
from lexhub.model.federation import PeerKey
from lexhub.policy import parse_policies
from lexhub.service.app import MAX_BODY_BYTES, create_app
from lexhub.service.limits import RateLimited, TokenBuckets
from lexhub.store import Store
from tests.search.conftest import AGENCIES, INC, A, B, C, load_corpus, person, record

POLICY = f"""
id: a-to-c
owner: {A}
grantees: [{C}]
purposes: [criminal-investigation]
record_types: [incident]
max_sensitivity: standard
valid_from: 2000-01-01
valid_to: 2099-12-31
"""
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


SEARCH = {"purpose": "criminal-investigation", "case_number": "26-0117",
          "query": {"kind": "person", "last": "okafor", "first": "chidi"}}  # fmt: skip


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


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _entries(store: Store, kind: str) -> list[dict[str, object]]:
    return [e.data for e in store.audit_entries(AuditFilter(kind=kind), 1000)]


def test_no_or_bad_token_is_a_401_problem(node: tuple[ApiClient, str, Store]) -> None:
    client, _, _ = node
    for headers in ({}, {"Authorization": "Bearer lxh_nottoken"}, {"Authorization": "Basic x"}):
        r = client.post("/api/v1/search", json=SEARCH, headers=headers)
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == "Bearer"
        body = r.json()
        assert body["status"] == 401 and body["title"] == "Unauthorized" and body["detail"]


def test_search_is_scoped_and_audited_before_it_answers(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, token, store = node
    r = client.post("/api/v1/search", json=SEARCH, headers=_auth(token))
    assert r.status_code == 200, r.text
    hits = r.json()["hits"]
    assert hits and {h["owner"] for h in hits} == {A}  # B granted nothing to C
    assert r.headers["cache-control"] == "no-store"
    (entry,) = _entries(store, "search")
    assert entry["context"]["user"] == "analyst7"  # type: ignore[index]
    assert [d["owner"] for d in entry["disclosed"]] == [A]  # type: ignore[attr-defined]


def test_a_context_that_may_not_run_is_refused_naming_the_field(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, token, _ = node
    r = client.post("/api/v1/search", json={**SEARCH, "case_number": None}, headers=_auth(token))
    assert r.status_code == 422
    assert r.json()["field"] == "case_number"
    r = client.post("/api/v1/search", json={**SEARCH, "purpose": "curiosity"}, headers=_auth(token))
    assert r.status_code == 422 and r.json()["field"] == "purpose"
    r = client.post("/api/v1/search", json={**SEARCH, "query": {"kind": "person", "ssn": "1"}},
                    headers=_auth(token))  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "query.ssn"


def test_out_of_scope_record_answers_exactly_like_an_unknown_one(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, token, store = node
    params = {"purpose": "criminal-investigation", "case_number": "26-0117"}
    seen = client.get(f"/api/v1/records/{A}/A-1", params=params, headers=_auth(token))
    assert seen.status_code == 200, seen.text
    assert seen.json()["record"]["source_id"] == "A-1"
    hidden = client.get(f"/api/v1/records/{B}/B-1", params=params, headers=_auth(token))
    unknown = client.get(f"/api/v1/records/{B}/B-404", params=params, headers=_auth(token))
    assert hidden.status_code == unknown.status_code == 404
    # Alike but for the id asked for (in detail and instance), headers included.
    assert hidden.text.replace("B-1", "X") == unknown.text.replace("B-404", "X")
    same = lambda r: {k: v for k, v in r.headers.items() if k != "content-length"}  # noqa: E731
    assert same(hidden) == same(unknown)
    assert len(_entries(store, "retrieval")) == 1  # each attempt audited, alike for both
    assert len(_entries(store, "denied")) == 2


def test_health_readiness_limits_and_openapi(node: tuple[ApiClient, str, Store]) -> None:
    client, token, store = node
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["audit_entries"] == store.audit_head()[0]
    big = client.post("/api/v1/search", content=b"x" * (MAX_BODY_BYTES + 1),
                      headers={**_auth(token), "content-type": "application/json"})  # fmt: skip
    assert big.status_code == 413
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/search" in paths and "/api/v1/records/{owner}/{source_id}" in paths


def test_a_token_over_its_rate_gets_429_with_retry_after_until_the_bucket_refills(
    node: tuple[ApiClient, str, Store],
) -> None:
    _, token, store = node
    clock = [100.0]
    client = ApiClient(create_app(store.url, limits=TokenBuckets(0.5, 2, clock=lambda: clock[0])))
    answers = [client.post("/api/v1/search", json=SEARCH, headers=_auth(token)) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert answers[2].headers["retry-after"] == "2"  # one request's worth at 0.5/s
    assert answers[2].json()["status"] == 429
    assert len(_entries(store, "search")) == 2  # the refused request disclosed nothing
    clock[0] += 2.0
    assert client.post("/api/v1/search", json=SEARCH, headers=_auth(token)).status_code == 200


def test_buckets_are_per_token() -> None:
    buckets = TokenBuckets(1.0, 1, clock=lambda: 0.0)
    buckets.take("a")
    buckets.take("b")
    with pytest.raises(RateLimited):
        buckets.take("a")


def test_metrics_count_requests_by_route_and_searches_by_purpose(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, token, store = node
    client.post("/api/v1/search", json=SEARCH, headers=_auth(token))
    client.get(f"/api/v1/records/{B}/B-1", params={"purpose": "criminal-investigation",
               "case_number": "1"}, headers=_auth(token))  # fmt: skip
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    text = r.text
    assert 'lexhub_searches_total{purpose="criminal-investigation"} 1.0' in text
    assert f"lexhub_audit_entries {float(store.audit_head()[0])}" in text
    assert ('lexhub_http_requests_total{method="GET",route="/api/v1/records/{owner}/'
            '{source_id:path}",status="404"} 1.0') in text  # fmt: skip
    assert "B-1" not in text  # the route template, never the path with its record id


def test_federated_search_labels_hits_by_node_and_reports_a_dead_peer(
    node: tuple[ApiClient, str, Store], tmp_path: Path
) -> None:
    _, token, store = node
    assert (
        ApiClient(create_app(store.url))
        .post("/api/v1/federated-search", json=SEARCH, headers=_auth(token))
        .status_code
        == 404
    )  # no federation identity: no fan-out
    here = ensure_node_key(tmp_path / "keys", "here")
    gone = ensure_node_key(tmp_path / "gone-keys", "gone").active
    key = PeerKey(gone.key_id, gone.public_key, datetime.now(UTC))
    add_peer(store, "gone", "http://127.0.0.1:9", [key], [B], actor="test")  # nothing listens
    client = ApiClient(create_app(store.url, node=here))
    r = client.post("/api/v1/federated-search", json={**SEARCH, "deadline": 1.0},
                    headers=_auth(token))  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert {n["node"]: n["status"] for n in body["nodes"]} == {"here": "ok", "gone": "error"}
    assert body["hits"] and {(h["node"], h["owner"]) for h in body["hits"]} == {("here", A)}
    (entry,) = _entries(store, "federation")
    assert entry["details"]["nodes"]["gone"]["status"] == "error"  # type: ignore[index]


def _token_for(store: Store, username: str, agency: str, role: UserRole) -> str:
    settings = IdentitySettings()
    now = datetime.now(UTC)
    identity.add_user(store, settings, username, agency, [role], now=now, actor="t")
    return identity.create_token(store, settings, username, name="t", now=now).token


def test_explain_and_verify_need_their_roles_and_an_owner_explains_only_its_own(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, analyst, store = node
    admin_a = _token_for(store, "records.a", A, UserRole.RECORDS_ADMIN)
    auditor = _token_for(store, "auditor", A, UserRole.AUDITOR)
    ask = {"requester": C, "purpose": "criminal-investigation"}
    assert client.get("/api/v1/agreements/explain", params=ask,
                      headers=_auth(analyst)).status_code == 403  # fmt: skip
    assert client.get("/api/v1/audit/verify", headers=_auth(analyst)).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=_auth(admin_a)).status_code == 403

    mine = client.get("/api/v1/agreements/explain", params=ask, headers=_auth(admin_a)).json()
    assert {d["owner"] for d in mine} == {A}
    assert {d["record_type"] for d in mine if d["outcome"] == "allowed"} == {"incident"}
    other = client.get("/api/v1/agreements/explain", params={**ask, "owner": B},
                       headers=_auth(admin_a))  # fmt: skip
    assert other.status_code == 403
    theirs = client.get("/api/v1/agreements/explain", params={**ask, "owner": B},
                        headers=_auth(auditor)).json()  # fmt: skip
    assert {d["owner"] for d in theirs} == {B}
    assert {d["outcome"] for d in theirs} == {"denied"}  # B granted nothing to C

    before = store.audit_head()[0]
    report = client.get("/api/v1/audit/verify", headers=_auth(auditor)).json()
    assert report["ok"] is True and report["problem_count"] == 0
    assert report["entries"] == before + 1  # the read of the log is itself an entry
