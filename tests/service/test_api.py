"""The JSON API on both engines: bearer tokens, problem details, audited and scoped search
and retrieval, health. Requests go to the real app in process, over httpx's ASGI transport
(starlette's TestClient now wants another httpx package)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from lexhub.errors import StoreError
from lexhub.federation import add_peer, ensure_node_key
from lexhub.model import UserRole
from lexhub.model.federation import PeerKey
from lexhub.service.app import MAX_BODY_BYTES, create_app
from lexhub.service.limits import RateLimited, TokenBuckets
from lexhub.store import Store
from tests.search.conftest import A, B, C
from tests.service.conftest import ApiClient, auth, entries, token_for

SEARCH = {"purpose": "criminal-investigation", "case_number": "26-0117",
          "query": {"kind": "person", "last": "okafor", "first": "chidi"}}  # fmt: skip


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
    r = client.post("/api/v1/search", json=SEARCH, headers=auth(token))
    assert r.status_code == 200, r.text
    hits = r.json()["hits"]
    assert hits and {h["owner"] for h in hits} == {A}  # B granted nothing to C
    assert r.headers["cache-control"] == "no-store"
    (entry,) = entries(store, "search")
    assert entry["context"]["user"] == "analyst7"  # type: ignore[index]
    assert [d["owner"] for d in entry["disclosed"]] == [A]  # type: ignore[attr-defined]


def test_a_context_that_may_not_run_is_refused_naming_the_field(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, token, _ = node
    r = client.post("/api/v1/search", json={**SEARCH, "case_number": None}, headers=auth(token))
    assert r.status_code == 422
    assert r.json()["field"] == "case_number"
    r = client.post("/api/v1/search", json={**SEARCH, "purpose": "curiosity"}, headers=auth(token))
    assert r.status_code == 422 and r.json()["field"] == "purpose"
    r = client.post("/api/v1/search", json={**SEARCH, "query": {"kind": "person", "ssn": "1"}},
                    headers=auth(token))  # fmt: skip
    assert r.status_code == 422 and r.json()["field"] == "query.ssn"


def test_out_of_scope_record_answers_exactly_like_an_unknown_one(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, token, store = node
    params = {"purpose": "criminal-investigation", "case_number": "26-0117"}
    seen = client.get(f"/api/v1/records/{A}/A-1", params=params, headers=auth(token))
    assert seen.status_code == 200, seen.text
    assert seen.json()["record"]["source_id"] == "A-1"
    hidden = client.get(f"/api/v1/records/{B}/B-1", params=params, headers=auth(token))
    unknown = client.get(f"/api/v1/records/{B}/B-404", params=params, headers=auth(token))
    assert hidden.status_code == unknown.status_code == 404
    # Alike but for the id asked for (in detail and instance), headers included.
    assert hidden.text.replace("B-1", "X") == unknown.text.replace("B-404", "X")
    same = lambda r: {k: v for k, v in r.headers.items() if k != "content-length"}  # noqa: E731
    assert same(hidden) == same(unknown)
    assert len(entries(store, "retrieval")) == 1  # each attempt audited, alike for both
    assert len(entries(store, "denied")) == 2


def test_health_readiness_limits_and_openapi(node: tuple[ApiClient, str, Store]) -> None:
    client, token, store = node
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"status": "ready"}  # nothing about the audit chain
    big = client.post("/api/v1/search", content=b"x" * (MAX_BODY_BYTES + 1),
                      headers={**auth(token), "content-type": "application/json"})  # fmt: skip
    assert big.status_code == 413
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/search" in paths and "/api/v1/records/{owner}/{source_id}" in paths


def test_a_token_over_its_rate_gets_429_with_retry_after_until_the_bucket_refills(
    node: tuple[ApiClient, str, Store],
) -> None:
    _, token, store = node
    clock = [100.0]
    client = ApiClient(create_app(store.url, limits=TokenBuckets(0.5, 2, clock=lambda: clock[0])))
    answers = [client.post("/api/v1/search", json=SEARCH, headers=auth(token)) for _ in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]
    assert answers[2].headers["retry-after"] == "2"  # one request's worth at 0.5/s
    assert answers[2].json()["status"] == 429
    assert len(entries(store, "search")) == 2  # the refused request disclosed nothing
    clock[0] += 2.0
    assert client.post("/api/v1/search", json=SEARCH, headers=auth(token)).status_code == 200


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
    client.post("/api/v1/search", json=SEARCH, headers=auth(token))
    client.get(f"/api/v1/records/{B}/B-1", params={"purpose": "criminal-investigation",
               "case_number": "1"}, headers=auth(token))  # fmt: skip
    operator = token_for(store, "ops", A, UserRole.NODE_ADMIN)
    r = client.get("/metrics", headers=auth(operator))
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
        .post("/api/v1/federated-search", json=SEARCH, headers=auth(token))
        .status_code
        == 404
    )  # no federation identity: no fan-out
    here = ensure_node_key(tmp_path / "keys", "here")
    gone = ensure_node_key(tmp_path / "gone-keys", "gone").active
    key = PeerKey(gone.key_id, gone.public_key, datetime.now(UTC))
    add_peer(store, "gone", "http://127.0.0.1:9", [key], [B], actor="test")  # nothing listens
    client = ApiClient(create_app(store.url, node=here))
    r = client.post("/api/v1/federated-search", json={**SEARCH, "deadline": 1.0},
                    headers=auth(token))  # fmt: skip
    assert r.status_code == 200, r.text
    body = r.json()
    assert {n["node"]: n["status"] for n in body["nodes"]} == {"here": "ok", "gone": "error"}
    assert body["hits"] and {(h["node"], h["owner"]) for h in body["hits"]} == {("here", A)}
    (entry,) = entries(store, "federation")
    assert entry["details"]["nodes"]["gone"]["status"] == "error"  # type: ignore[index]


def test_explain_and_verify_need_their_roles_and_an_owner_explains_only_its_own(
    node: tuple[ApiClient, str, Store],
) -> None:
    client, analyst, store = node
    admin_a = token_for(store, "records.a", A, UserRole.RECORDS_ADMIN)
    auditor = token_for(store, "auditor", A, UserRole.AUDITOR, oversight=True)
    own_auditor = token_for(store, "auditor.a", A, UserRole.AUDITOR)
    ask = {"requester": C, "purpose": "criminal-investigation"}
    assert client.get("/api/v1/agreements/explain", params=ask,
                      headers=auth(analyst)).status_code == 403  # fmt: skip
    assert client.get("/api/v1/audit/verify", headers=auth(analyst)).status_code == 403
    assert client.get("/api/v1/audit/verify", headers=auth(admin_a)).status_code == 403

    mine = client.get("/api/v1/agreements/explain", params=ask, headers=auth(admin_a)).json()
    assert {d["owner"] for d in mine} == {A}
    assert {d["record_type"] for d in mine if d["outcome"] == "allowed"} == {"incident"}
    other = client.get("/api/v1/agreements/explain", params={**ask, "owner": B},
                       headers=auth(admin_a))  # fmt: skip
    assert other.status_code == 403
    assert client.get("/api/v1/agreements/explain", params={**ask, "owner": B},
                      headers=auth(own_auditor)).status_code == 403  # fmt: skip
    theirs = client.get("/api/v1/agreements/explain", params={**ask, "owner": B},
                        headers=auth(auditor)).json()  # fmt: skip
    assert {d["owner"] for d in theirs} == {B}
    assert {d["outcome"] for d in theirs} == {"denied"}  # B granted nothing to C

    before = store.audit_head()[0]
    report = client.get("/api/v1/audit/verify", headers=auth(auditor)).json()
    assert report["ok"] is True and report["problem_count"] == 0
    assert report["entries"] == before + 1  # the read of the log is itself an entry


def test_readyz_is_a_503_problem_when_the_database_cannot_be_opened(tmp_path: Path) -> None:
    def unreachable() -> Store:
        raise StoreError("connection refused")

    client = ApiClient(create_app(unreachable))
    r = client.get("/readyz")
    assert r.status_code == 503
    assert r.headers["content-type"] == "application/problem+json"
    assert r.json() == {"type": "about:blank", "title": "Service Unavailable", "status": 503,
                        "detail": "the database or the audit log cannot be read",
                        "instance": "/readyz"}  # fmt: skip
    assert client.get("/healthz").status_code == 200  # the process still answers
    search = client.post("/api/v1/search", json=SEARCH, headers=auth("lxh_x"))
    assert search.status_code == 503 and "refused" not in search.text  # the cause stays in logs
