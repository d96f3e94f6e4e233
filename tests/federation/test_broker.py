"""The broker against in-process nodes (httpx's ASGI transport): east's federated search
merges its own hits with north's and south's by score, labels each with its node, lists
every node's status, and audits the fan-out in one entry; each answering node's own
agreements decide what it returns. A dead, a stalled, a distrusting and a refusing node
each cost only their share. The calling node (east) runs on both engines."""

from __future__ import annotations

import socket
import sqlite3
from contextlib import closing
from pathlib import Path

import psycopg
import pytest

from lexhub.errors import AuditWriteFailed, NotFound
from lexhub.federation import FederatedResult, add_peer, federated_search, remote_record
from lexhub.model import Purpose
from lexhub.search import PersonQuery
from lexhub.store import Store
from lexhub.store.sqlite import sqlite_path
from tests.federation.conftest import (
    OKAFOR,
    Held,
    Node,
    analyst,
    asgi_client,
    make_node,
    register,
    run,
    sqlite_db,
)
from tests.search.conftest import A, B

QUERY = PersonQuery(last=OKAFOR[0], first=OKAFOR[1], dob=OKAFOR[2])


@pytest.fixture
def region(store: Store, tmp_path: Path) -> dict[str, Node]:
    nodes = {
        "east": make_node("east", store.url, tmp_path),
        "north": make_node("north", sqlite_db(tmp_path, "north"), tmp_path),
        "south": make_node("south", sqlite_db(tmp_path, "south"), tmp_path),
    }
    for name in ("north", "south"):
        register(nodes[name], nodes["east"])
        register(nodes["east"], nodes[name])
    return nodes


def search(
    east: Node,
    *others: Node | tuple[str, object],
    purpose: Purpose = Purpose.CRIMINAL_INVESTIGATION,
    deadline: float = 2.0,
) -> FederatedResult:
    async def go() -> FederatedResult:
        async with asgi_client(*others) as client:  # type: ignore[arg-type]
            with east.store() as s:
                return await federated_search(
                    s, east.identity, analyst(purpose), QUERY, client=client, deadline=deadline
                )

    return run(go())


def found(result: FederatedResult) -> list[tuple[str, str | None]]:
    return [(h.node, h.hit.source_id) for h in result.hits]


def test_hits_from_every_node_merge_by_score_labelled_with_their_node(
    region: dict[str, Node],
) -> None:
    result = search(region["east"], region["north"], region["south"])
    assert sorted(found(result)) == [
        ("east", "C-1"), ("north", "A-1"), ("north", "A-2"), ("south", "B-1"),
    ]  # fmt: skip  # A-3 and B-2 are field interviews: their owners do not grant them
    scores = [h.hit.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert found(result)[-1] == ("north", "A-2")  # the one-digit-off date of birth ranks last
    assert [(s.node, s.status, s.hits) for s in result.nodes] == [
        ("east", "ok", 1), ("north", "ok", 2), ("south", "ok", 1),
    ]  # fmt: skip


def test_each_answering_node_applies_its_own_owners_policy(region: dict[str, Node]) -> None:
    result = search(
        region["east"], region["north"], region["south"],
        purpose=Purpose.CIVIL_IMMIGRATION_ENFORCEMENT,
    )  # fmt: skip
    assert {n for n, _ in found(result)} == {"east", "north"}  # the city prohibits it
    (south_entry,) = region["south"].entries("search")
    assert south_entry["details"]["blocked_by_owner_policy"] == [B]
    assert south_entry["context"]["node"] == "east"


def test_the_fan_out_is_audited_in_one_entry_on_the_calling_node(
    region: dict[str, Node],
) -> None:
    search(region["east"], region["north"], region["south"])
    (entry,) = region["east"].entries("federation")
    assert entry["details"]["nodes"] == {
        "east": {"status": "ok", "hits": 1},
        "north": {"status": "ok", "hits": 2},
        "south": {"status": "ok", "hits": 1},
    }
    assert sorted(d["id"] for d in entry["disclosed"]) == ["A-1", "A-2", "B-1"]
    assert entry["counts"] == {"hits": 4, "nodes": 3, "ok": 3}
    assert len(region["east"].entries("search")) == 1  # the local answer, audited as usual


def test_the_local_search_and_the_fan_out_are_committed_together_or_not_at_all(
    region: dict[str, Node],
) -> None:
    east = region["east"]
    search(east, region["north"], region["south"])
    kinds = [(e["seq"], e["kind"]) for e in east.entries() if e["kind"] in ("search", "federation")]
    assert [k for _, k in kinds] == ["search", "federation"]
    assert kinds[1][0] == kinds[0][0] + 1  # adjacent: written in one transaction
    before = len(east.entries())
    _refuse_federation_entries(east.db)
    with pytest.raises(AuditWriteFailed, match="nothing disclosed"):
        search(east, region["north"], region["south"])
    assert len(east.entries()) == before  # the local search's entry went with the fan-out's


def _refuse_federation_entries(url: str) -> None:
    """A trigger that makes the database reject the fan-out's entry (and only it)."""
    if url.startswith("postgresql"):
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
                " $$ BEGIN RAISE EXCEPTION 'fan-out refused'; END; $$"
            )
            conn.execute("CREATE TRIGGER refuse BEFORE INSERT ON audit_entries FOR EACH ROW"
                         " WHEN (NEW.kind = 'federation') EXECUTE FUNCTION refuse()")  # fmt: skip
        return
    with closing(sqlite3.connect(sqlite_path(url), isolation_level=None)) as conn:
        conn.execute(
            "CREATE TRIGGER refuse BEFORE INSERT ON audit_entries WHEN NEW.kind = 'federation'"
            " BEGIN SELECT RAISE(ABORT, 'fan-out refused'); END"
        )


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_dead_distrusting_and_refusing_nodes_each_get_their_status(
    region: dict[str, Node], tmp_path: Path
) -> None:
    east = region["east"]
    west = make_node("west", sqlite_db(tmp_path, "west"), tmp_path)  # does not know east
    register(east, west, agencies=[A])
    register(east, region["north"], url=f"http://127.0.0.1:{_closed_port()}")  # north is down
    with region["south"].store() as s:  # south now accepts east only for agency A
        peer = s.peer("east")
        assert peer is not None
        add_peer(s, "east", peer.url, [], [A], actor="test")
    result = search(east, region["south"], west)
    assert dict((s.node, s.status) for s in result.nodes) == {
        "east": "ok", "north": "error", "south": "refused", "west": "unauthorized",
    }  # fmt: skip
    assert found(result) == [("east", "C-1")]
    (entry,) = east.entries("federation")
    assert entry["details"]["nodes"]["west"] == {"status": "unauthorized", "hits": 0}


def test_a_stalled_node_times_out_while_the_others_answer(region: dict[str, Node]) -> None:
    held = Held(region["south"].app)

    async def go() -> FederatedResult:
        async with asgi_client(region["north"], ("south", held)) as client:  # type: ignore[arg-type]
            with region["east"].store() as s:
                result = await federated_search(
                    s, region["east"].identity, analyst(), QUERY, client=client, deadline=2.0
                )
        # The answer is here while south still holds the request.
        assert held.entered.is_set() and not held.release.is_set()
        held.release.set()
        return result

    result = run(go())
    assert dict((s.node, s.status) for s in result.nodes) == {
        "east": "ok", "north": "ok", "south": "timeout",
    }  # fmt: skip
    assert {n for n, _ in found(result)} == {"east", "north"}


def test_a_remote_hit_is_retrieved_from_its_node_and_audited_on_both(
    region: dict[str, Node],
) -> None:
    east = region["east"]

    async def go(source_id: str) -> dict[str, object]:
        async with asgi_client(region["north"]) as client:
            with east.store() as s:
                return await remote_record(
                    s, east.identity, "north", analyst(), A, source_id, client=client
                )

    view = run(go("A-1"))
    assert (view["node"], view["source_id"]) == ("north", "A-1")
    with pytest.raises(NotFound, match="no record WA0170000/A-3"):
        run(go("A-3"))  # a field interview north does not grant: same answer as unknown
    outcomes = [e["details"]["nodes"]["north"]["status"] for e in east.entries("federation")]
    assert outcomes == ["ok", "not-found"]
    assert [e["kind"] for e in region["north"].entries() if e["kind"] in
            ("retrieval", "denied")] == ["retrieval", "denied"]  # fmt: skip
