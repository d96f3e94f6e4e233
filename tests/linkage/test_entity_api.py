"""/api/v1/entities on both engines: the caller's entity, associates and a pair's waterfall,
audited; unknown and hidden mentions answer the same 404 problem; only searchers may ask;
the OpenAPI document carries the schemas with examples."""

from __future__ import annotations

import math
from typing import Any

from lexhub.model import UserRole
from lexhub.service.app import create_app
from lexhub.store import Store
from tests.linkage.test_entity_access import node as access_node
from tests.search.conftest import C
from tests.service.conftest import ApiClient, auth, entries, token_for

__all__ = ["access_node"]

ASK = {"purpose": "criminal-investigation", "case_number": "26-0042"}


def _client(store: Store) -> tuple[ApiClient, str]:
    return ApiClient(create_app(store.url)), token_for(store, "an7", C, UserRole.ANALYST)


def test_entity_associates_and_evidence_over_the_api(
    access_node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = access_node
    client, token = _client(store)
    ann, ann2 = ids[("r1", "P1")], ids[("r2", "P1")]
    r = client.get(f"/api/v1/entities/{ann}", params=ASK, headers=auth(token))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["threshold"] == 4.0
    assert sorted(m["source_id"] for m in body["members"]) == ["r1", "r2", "r7"]
    r = client.get(f"/api/v1/entities/{ann}/associates", params=ASK, headers=auth(token))
    assert r.status_code == 200, r.text
    first = r.json()["associates"][0]
    assert first["name"] == "BAKER, BOB"
    assert {c["kind"] for c in first["connections"]} == {"record", "phone"}  # r5 not granted
    r = client.get(f"/api/v1/entities/{ann}/evidence", params={**ASK, "other": ann2},
                   headers=auth(token))  # fmt: skip
    assert r.status_code == 200, r.text
    ev: dict[str, Any] = r.json()
    total = ev["prior"] + sum(s["weight"] for s in ev["steps"]) + ev["adjustment"]
    assert math.isclose(total, ev["weight"]) and ev["linked"] is True and ev["decision"] is None
    assert [s["level"] for s in ev["steps"]] == ["exact"]
    assert {ev["left"]["mention_id"], ev["right"]["mention_id"]} == {ann, ann2}
    requests = [e["details"]["request"] for e in entries(store, "retrieval")]
    assert requests == ["entity", "associates", "evidence"]


def test_hidden_and_unknown_mentions_answer_the_same_problem(
    access_node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = access_node
    client, token = _client(store)
    bodies = []
    for mention in (ids[("r5", "P1")], 987_654):
        for tail in ("", "/associates"):
            r = client.get(f"/api/v1/entities/{mention}{tail}", params=ASK, headers=auth(token))
            assert r.status_code == 404
            assert r.headers["content-type"] == "application/problem+json"
            body = r.json()
            bodies.append({k: str(v).replace(str(mention), "#").removesuffix("/associates")
                           for k, v in body.items()})  # fmt: skip
    assert all(b == bodies[0] for b in bodies)
    assert len(entries(store, "denied")) == 4 and entries(store, "retrieval") == []


def test_only_searchers_may_ask_and_a_purpose_is_required(
    access_node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = access_node
    client, _ = _client(store)
    auditor = token_for(store, "aud1", C, UserRole.AUDITOR)
    url = f"/api/v1/entities/{ids[('r1', 'P1')]}"
    r = client.get(url, params=ASK, headers=auth(auditor))
    assert r.status_code == 403 and r.json()["status"] == 403
    assert client.get(url, params=ASK).status_code == 401
    _, token = client, token_for(store, "an8", C, UserRole.ANALYST)
    r = client.get(url, params={"case_number": "26-1"}, headers=auth(token))
    assert r.status_code == 422
    assert entries(store, "retrieval") == []


def test_openapi_documents_the_entity_routes_with_examples(
    access_node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, _ = access_node
    client, _ = _client(store)
    spec = client.get("/openapi.json").json()
    paths = spec["paths"]
    for path in ("/api/v1/entities/{mention_id}", "/api/v1/entities/{mention_id}/associates",
                 "/api/v1/entities/{mention_id}/evidence"):  # fmt: skip
        op = paths[path]["get"]
        assert {"200", "403", "404"} <= set(op["responses"])
        assert "application/problem+json" in op["responses"]["404"]["content"]
    schemas = spec["components"]["schemas"]
    for name in ("EntityAnswer", "AssociatesAnswer", "EvidenceAnswer"):
        assert schemas[name].get("examples"), name
