"""Witnessing on both engines: east and north exchange signed audit checkpoints; east's log
verifies against what north holds of it, and a rewritten log (another history under the
same node name, signed again) is caught because north still holds the old head."""

from __future__ import annotations

from pathlib import Path

import pytest

from lexhub.audit import create_checkpoint, ensure_audit_key, record_event, verify_store
from lexhub.federation import exchange_checkpoints, peer_anchors
from lexhub.model.audit import AuditEvent, AuditKind
from lexhub.store import Store, open_store
from tests.federation.conftest import Node, asgi_client, make_node, register, run, sqlite_db


@pytest.fixture
def pair(store: Store, tmp_path: Path) -> tuple[Node, Node]:
    east = make_node("east", store.url, tmp_path)
    north = make_node("north", sqlite_db(tmp_path, "north"), tmp_path)
    register(east, north)
    register(north, east)
    for node in (east, north):
        with node.store() as s:
            ensure_audit_key(s, node.key_dir)
    return east, north


def _exchange(east: Node, north: Node) -> dict[str, dict[str, str]]:
    async def go() -> dict[str, dict[str, str]]:
        async with asgi_client(north) as client:
            with east.store() as s:
                c = create_checkpoint(s, east.key_dir)
                return await exchange_checkpoints(s, east.identity, c, client=client)

    return run(go())


def _verify_against(north: Node, east: Node, db: str) -> list[str]:
    """Problems `verify_store` finds in the log at `db` (east's, or a forged one) once the
    checkpoints north holds of east are anchors."""

    async def go() -> list[str]:
        async with asgi_client(north) as client:
            with open_store(db) as s:
                anchors, held = await peer_anchors(s, east.identity, client=client)
                assert [(h.peer, h.status) for h in held] == [("north", "ok")]
                return verify_store(s, anchors=anchors).problems

    return run(go())


def test_checkpoints_are_exchanged_and_kept(pair: tuple[Node, Node]) -> None:
    east, north = pair
    with north.store() as s:
        create_checkpoint(s, north.key_dir)
    assert _exchange(east, north) == {"north": {"sent": "ok", "received": "ok"}}
    with north.store() as s:
        (held,) = s.peer_checkpoints("east")
    with east.store() as s:
        assert held.checkpoint == s.audit_checkpoints()[-1]
        (theirs,) = s.peer_checkpoints("north")
    assert theirs.checkpoint.size >= 1


def test_a_peer_without_a_checkpoint_answers_not_found(pair: tuple[Node, Node]) -> None:
    east, north = pair
    assert _exchange(east, north) == {"north": {"sent": "ok", "received": "not-found"}}


def test_the_log_verifies_against_the_checkpoints_a_peer_holds(pair: tuple[Node, Node]) -> None:
    east, north = pair
    _exchange(east, north)
    with east.store() as s:  # the log grows after the checkpoint: still consistent
        record_event(s, AuditEvent(AuditKind.AUDIT_READ, actor="test"))
    assert _verify_against(north, east, east.db) == []


def test_a_rewritten_history_disagrees_with_the_peers_copy(
    pair: tuple[Node, Node], tmp_path: Path
) -> None:
    east, north = pair
    _exchange(east, north)
    with north.store() as s:
        (held,) = s.peer_checkpoints("east")
    # The operator builds another log under the same node name, longer than the one north
    # witnessed, and signs it with a fresh audit key.
    forged = sqlite_db(tmp_path, "forged")
    with open_store(forged) as s:
        s.migrate()
    register(Node("east", forged, east.key_dir, east.identity), north)
    with open_store(forged) as s:
        ensure_audit_key(s, tmp_path / "forged-keys")
        for _ in range(held.checkpoint.size + 2):
            record_event(s, AuditEvent(AuditKind.AUDIT_READ, actor="operator"))
        create_checkpoint(s, tmp_path / "forged-keys")
    problems = _verify_against(north, east, forged)
    size = held.checkpoint.size
    assert problems == [f"checkpoint held by peer north: entries 1..{size} differ from the log's"]
