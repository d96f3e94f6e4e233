"""Three real nodes: uvicorn servers on loopback ephemeral ports, each with its own database
(south on PostgreSQL), talking over real HTTP with signed requests.

East's analyst searches the region: every node that grants the records returns them, none
returns what its owners withhold (field interviews) or prohibit for the purpose (the city's
ban on civil immigration enforcement). The nodes witness each other's audit checkpoints and
east's log verifies against them from the CLI. Then north is killed and south stalls: the
answer comes back while south is still holding the request, with east's own hits and the
statuses error and timeout. Nothing asserts on wall-clock timing.

The servers run a minimal app (/healthz and the federation router): the API's create_app
mounts the same router.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import uvicorn
from typer.testing import CliRunner

from lexhub.audit import ensure_audit_key
from lexhub.cli.app import app as cli
from lexhub.federation import FederatedResult, federated_search
from lexhub.model import Purpose
from lexhub.search import PersonQuery
from tests.federation.conftest import (
    OKAFOR,
    Held,
    Node,
    analyst,
    make_node,
    register,
    run,
    sqlite_db,
)

QUERY = PersonQuery(last=OKAFOR[0], first=OKAFOR[1], dob=OKAFOR[2])


class Served:
    """One node's app under uvicorn on a socket bound before the server starts (so its
    port is known at once and early connections wait in the backlog)."""

    def __init__(self, app: Callable[..., object]) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.port = int(self.sock.getsockname()[1])
        config = uvicorn.Config(app, log_level="warning", lifespan="off", ws="none")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join()
        self.sock.close()


@pytest.fixture
def region(
    pg_url: str, tmp_path: Path
) -> Iterator[tuple[dict[str, Node], dict[str, Served], Held]]:
    nodes = {
        "east": make_node("east", sqlite_db(tmp_path, "east"), tmp_path),
        "north": make_node("north", sqlite_db(tmp_path, "north"), tmp_path),
        "south": make_node("south", pg_url, tmp_path),
    }
    held = Held(nodes["south"].app, engaged=False)
    served = {
        "east": Served(nodes["east"].app),
        "north": Served(nodes["north"].app),
        "south": Served(held),
    }
    try:
        for a in nodes:
            for b in nodes:
                if a != b:
                    register(nodes[a], nodes[b], url=served[b].url)
        for node in nodes.values():
            with node.store() as s:
                ensure_audit_key(s, node.key_dir)
        yield nodes, served, held
    finally:
        held.release.set()
        for s in served.values():
            if s.thread.is_alive():
                s.stop()


# Live nodes get all the time a loaded CI machine needs (a slow answer is not what is tested
# there); only the stalled round relies on the deadline, and it asserts the held node is
# still blocked when the answer comes back, never how long that took.
LIVE = 30.0
STALLED = 1.0


def search(
    east: Node, purpose: Purpose = Purpose.CRIMINAL_INVESTIGATION, deadline: float = LIVE
) -> FederatedResult:
    async def go() -> FederatedResult:
        with east.store() as s:
            return await federated_search(
                s, east.identity, analyst(purpose), QUERY, deadline=deadline
            )

    return run(go())


def east_cli(east: Node, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, ["--db", east.db, "--key-dir", str(east.key_dir), *args])
    return result.exit_code, result.stdout, result.stderr


def test_three_nodes_answer_fail_and_stall_as_a_region(
    region: tuple[dict[str, Node], dict[str, Served], Held],
) -> None:
    nodes, served, held = region
    east = nodes["east"]

    result = search(east)
    assert sorted((h.node, h.hit.source_id) for h in result.hits) == [
        ("east", "C-1"), ("north", "A-1"), ("north", "A-2"), ("south", "B-1"),
    ]  # fmt: skip
    assert {s.node: s.status for s in result.nodes} == {"east": "ok", "north": "ok", "south": "ok"}
    (south_entry,) = nodes["south"].entries("search")
    assert (south_entry["context"]["node"], south_entry["context"]["user"]) == ("east", "analyst7")

    banned = search(east, Purpose.CIVIL_IMMIGRATION_ENFORCEMENT)
    assert {h.node for h in banned.hits} == {"east", "north"}

    code, out, err = east_cli(east, "peer", "check", "--json")
    assert code == 0, err
    assert [(c["peer"], c["ok"]) for c in json.loads(out)] == [("north", True), ("south", True)]
    code, out, err = east_cli(east, "peer", "witness", "--json")
    assert code == 0, err
    assert json.loads(out)["peers"] == {
        "north": {"sent": "ok", "received": "not-found"},  # north has signed no checkpoint
        "south": {"sent": "ok", "received": "not-found"},
    }
    code, out, err = east_cli(east, "audit", "verify", "--against-peers", "--json")
    assert code == 0, err
    report = json.loads(out)
    assert report["ok"] and [(p["peer"], p["checkpoints"]) for p in report["peers"]] == [
        ("north", 1), ("south", 1),
    ]  # fmt: skip

    served["north"].stop()  # killed
    held.engaged.set()  # south stalls from now on
    stalled = search(east, deadline=STALLED)
    assert held.entered.is_set() and not held.release.is_set()  # still holding east's request
    held.release.set()
    assert {s.node: s.status for s in stalled.nodes} == {
        "east": "ok", "north": "error", "south": "timeout",
    }  # fmt: skip
    assert [(h.node, h.hit.source_id) for h in stalled.hits] == [("east", "C-1")]
    statuses = east.entries("federation")[-1]["details"]["nodes"]
    assert statuses["north"]["status"] == "error" and statuses["south"]["status"] == "timeout"
