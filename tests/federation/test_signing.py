"""Signed node-to-node requests on both engines: a request east signs is accepted by north
and answered under north's agreements; every way of breaking the signature, its freshness,
its addressee or its nonce, and a claim to speak for an agency east was not registered
for, is refused and audited on north before anything is disclosed."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from lexhub.federation import ensure_node_key, rotate_node_key, sign_request
from lexhub.federation.wire import context_header, context_to_wire, query_to_wire
from lexhub.search import PersonQuery
from lexhub.store import Store
from tests.federation.conftest import (
    NOW,
    OKAFOR,
    Clock,
    Node,
    analyst,
    asgi_client,
    make_node,
    register,
    run,
)
from tests.search.conftest import A, C

QUERY = PersonQuery(last=OKAFOR[0], first=OKAFOR[1], dob=OKAFOR[2])


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def north(store: Store, tmp_path: Path, clock: Clock) -> Node:
    return make_node("north", store.url, tmp_path, now=clock)


@pytest.fixture
def east(north: Node, tmp_path: Path) -> Node:
    """The caller: its identity only (its database is not used here), registered on north."""
    node = Node("east", "unused", tmp_path / "east-keys", ensure_node_key(tmp_path / "e", "east"))
    register(north, node)
    return node


def search_body(agency: str = C) -> bytes:
    body = {"context": context_to_wire(analyst(agency=agency)), "query": query_to_wire(QUERY)}
    return json.dumps(body).encode()


def send(
    north: Node,
    method: str,
    path: str,
    body: bytes,
    headers: dict[str, str],
) -> httpx.Response:
    async def go() -> httpx.Response:
        async with asgi_client(north) as client:
            return await client.request(method, north.url + path, content=body, headers=headers)

    return run(go())


def signed(east: Node, method: str, path: str, body: bytes, **kw: Any) -> dict[str, str]:
    return sign_request(east.identity, method, "http://north.test" + path, body,
                        to=kw.pop("to", "north"), now=kw.pop("now", NOW), **kw)  # fmt: skip


def refusals(north: Node) -> list[dict[str, Any]]:
    return [e["details"] for e in north.entries("peer-refused")]


def test_a_signed_search_is_answered_under_the_answering_nodes_agreements(
    north: Node, east: Node
) -> None:
    body = search_body()
    r = send(north, "POST", "/federation/v1/search", body,
             signed(east, "POST", "/federation/v1/search", body))  # fmt: skip
    assert r.status_code == 200, r.text
    hits = [(h["owner"], h["source_id"]) for h in r.json()["hits"]]
    assert hits == [(A, "A-1"), (A, "A-2")]  # A-3 is a field interview: not granted to C
    (entry,) = north.entries("search")
    assert entry["context"]["node"] == "east"  # audited with the remote node
    assert (entry["context"]["agency"], entry["context"]["user"]) == (C, "analyst7")
    assert [d["id"] for d in entry["disclosed"]] == ["A-1", "A-2"]
    assert refusals(north) == []


def test_a_signed_retrieval_carries_the_context_in_a_covered_header(
    north: Node, east: Node
) -> None:
    path = f"/federation/v1/records/{A}/A-1"
    headers = signed(east, "GET", path, b"", context=context_header(analyst()))
    r = send(north, "GET", path, b"", headers)
    assert r.status_code == 200, r.text
    assert r.json()["source_id"] == "A-1"
    (entry,) = north.entries("retrieval")
    assert entry["context"]["node"] == "east"


Tamper = Callable[[Node, Node], tuple[str, str, bytes, dict[str, str]]]


def _tampered_body(north: Node, east: Node) -> tuple[str, str, bytes, dict[str, str]]:
    body = search_body()
    headers = signed(east, "POST", "/federation/v1/search", body)
    return "POST", "/federation/v1/search", body.replace(b"analyst7", b"analyst8"), headers


def _tampered_path(north: Node, east: Node) -> tuple[str, str, bytes, dict[str, str]]:
    headers = signed(east, "GET", f"/federation/v1/records/{A}/A-2", b"",
                     context=context_header(analyst()))  # fmt: skip
    return "GET", f"/federation/v1/records/{A}/A-1", b"", headers


def _path_in_host(north: Node, east: Node) -> tuple[str, str, bytes, dict[str, str]]:
    """A request signed for A-2 sent to A-1, with a Host that would put A-2 back in front of
    a verifier that trusted it."""
    headers = signed(east, "GET", f"/federation/v1/records/{A}/A-2", b"",
                     context=context_header(analyst()))  # fmt: skip
    headers["Host"] = f"north.test/federation/v1/records/{A}/A-2#"
    return "GET", f"/federation/v1/records/{A}/A-1", b"", headers


def _tampered_context(north: Node, east: Node) -> tuple[str, str, bytes, dict[str, str]]:
    path = f"/federation/v1/records/{A}/A-1"
    headers = signed(east, "GET", path, b"", context=context_header(analyst()))
    headers["Lexhub-Context"] = context_header(analyst(agency=A))
    return "GET", path, b"", headers


def _unsigned(north: Node, east: Node) -> tuple[str, str, bytes, dict[str, str]]:
    return "POST", "/federation/v1/search", search_body(), {"Date": "x"}


def _stale(north: Node, east: Node) -> tuple[str, str, bytes, dict[str, str]]:
    from datetime import timedelta

    body = search_body()
    old = signed(east, "POST", "/federation/v1/search", body, now=NOW - timedelta(seconds=61))
    return "POST", "/federation/v1/search", body, old


def _unknown_key(north: Node, east: Node) -> tuple[str, str, bytes, dict[str, str]]:
    stranger = Node("west", "unused", east.key_dir, ensure_node_key(east.key_dir / "w", "west"))
    body = search_body()
    return (
        "POST",
        "/federation/v1/search",
        body,
        signed(stranger, "POST", "/federation/v1/search", body),
    )


def _forged_keyid(north: Node, east: Node) -> tuple[str, str, bytes, dict[str, str]]:
    """Another node's key, claiming to be east: the signature does not verify."""
    impostor = ensure_node_key(east.key_dir / "i", "east")
    body = search_body()
    headers = sign_request(impostor, "POST", "http://north.test/federation/v1/search", body,
                           to="north", now=NOW)  # fmt: skip
    headers["Signature-Input"] = headers["Signature-Input"].replace(
        impostor.active.key_id, east.identity.active.key_id
    )
    return "POST", "/federation/v1/search", body, headers


def _other_addressee(north: Node, east: Node) -> tuple[str, str, bytes, dict[str, str]]:
    body = search_body()
    return (
        "POST",
        "/federation/v1/search",
        body,
        signed(east, "POST", "/federation/v1/search", body, to="south"),
    )


@pytest.mark.parametrize(
    ("tamper", "code"),
    [
        (_tampered_body, "bad-signature"),
        (_tampered_path, "bad-signature"),
        (_tampered_context, "bad-signature"),
        (_unsigned, "unsigned"),
        (_stale, "stale"),
        (_unknown_key, "unknown-key"),
        (_forged_keyid, "bad-signature"),
        (_path_in_host, "bad-signature"),
        (_other_addressee, "wrong-node"),
    ],
)
def test_a_broken_request_is_refused_and_audited(
    north: Node, east: Node, tamper: Tamper, code: str
) -> None:
    method, path, body, headers = tamper(north, east)
    r = send(north, method, path, body, headers)
    assert r.status_code == 401, r.text
    assert (r.json()["title"], r.json()["code"]) == ("unauthorized", code)
    (refusal,) = refusals(north)
    assert (refusal["code"], refusal["path"]) == (code, path)
    assert north.entries("search") == [] and north.entries("retrieval") == []


def test_a_replayed_request_is_refused_the_second_time(north: Node, east: Node) -> None:
    body = search_body()
    headers = signed(east, "POST", "/federation/v1/search", body)
    first = send(north, "POST", "/federation/v1/search", body, headers)
    again = send(north, "POST", "/federation/v1/search", body, headers)
    assert (first.status_code, again.status_code) == (200, 401)
    assert again.json()["code"] == "replayed"
    assert [r["code"] for r in refusals(north)] == ["replayed"]
    assert len(north.entries("search")) == 1


def test_a_request_within_the_window_of_a_late_clock_is_accepted(
    north: Node, east: Node, clock: Clock
) -> None:
    clock.advance(59)  # the answering node's clock is 59 s ahead of the caller's
    body = search_body()
    r = send(north, "POST", "/federation/v1/search", body,
             signed(east, "POST", "/federation/v1/search", body))  # fmt: skip
    assert r.status_code == 200, r.text


def test_a_peer_claiming_an_agency_it_was_not_registered_for_is_refused(
    north: Node, east: Node
) -> None:
    body = search_body(agency=A)  # east speaks for C only
    r = send(north, "POST", "/federation/v1/search", body,
             signed(east, "POST", "/federation/v1/search", body))  # fmt: skip
    assert r.status_code == 403
    assert (r.json()["title"], r.json()["code"]) == ("refused", "agency")
    (refusal,) = refusals(north)
    assert refusal["code"] == "agency" and refusal["claimed"]["agency"] == A
    assert north.entries("search") == []


def test_a_removed_peer_is_no_longer_accepted(north: Node, east: Node) -> None:
    from lexhub.federation import remove_peer

    with north.store() as s:
        remove_peer(s, "east", actor="test")
    body = search_body()
    r = send(north, "POST", "/federation/v1/search", body,
             signed(east, "POST", "/federation/v1/search", body))  # fmt: skip
    assert (r.status_code, r.json()["code"]) == (401, "unknown-key")
    assert [e["details"]["action"] for e in north.entries("peer-change")] == ["add", "remove"]


def test_a_key_the_peer_rotated_away_from_stops_verifying_once_the_new_one_is_registered(
    north: Node, east: Node
) -> None:
    old = east.identity
    body = search_body()
    before = send(north, "POST", "/federation/v1/search", body,
                  signed(east, "POST", "/federation/v1/search", body))  # fmt: skip
    east.identity = rotate_node_key(east.key_dir.parent / "e")
    register(north, east)  # `peer add` with the new public key retires the old one
    replay = sign_request(old, "POST", "http://north.test/federation/v1/search", body,
                          to="north", now=NOW)  # fmt: skip
    r = send(north, "POST", "/federation/v1/search", body, replay)
    assert (before.status_code, r.status_code, r.json()["code"]) == (200, 401, "unknown-key")
    assert "retired" in r.json()["detail"]
    new = send(north, "POST", "/federation/v1/search", body,
               signed(east, "POST", "/federation/v1/search", body))  # fmt: skip
    assert new.status_code == 200, new.text
    (refusal,) = refusals(north)
    assert refusal["keyid"] == old.keyid
    change = north.entries("peer-change")[-1]["details"]
    assert change["retired"] == [old.active.key_id]
    register(north, Node("east", "unused", east.key_dir, old))  # given again: stays retired
    r = send(north, "POST", "/federation/v1/search", body,
             sign_request(old, "POST", "http://north.test/federation/v1/search", body,
                          to="north", now=NOW))  # fmt: skip
    assert r.status_code == 401


def test_a_record_id_with_a_slash_reaches_the_audited_retrieval(north: Node, east: Node) -> None:
    path = f"/federation/v1/records/{A}/A-9%2Fx"  # source id "A-9/x", percent-encoded
    headers = signed(east, "GET", path, b"", context=context_header(analyst()))
    r = send(north, "GET", path, b"", headers)
    assert (r.status_code, r.json()["title"]) == (404, "NotFound")
    assert r.json()["detail"] == f"no record {A}/A-9/x"
    (denied,) = north.entries("denied")
    assert denied["context"]["node"] == "east" and refusals(north) == []
