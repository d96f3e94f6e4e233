"""Federated search from the console: every node's hits labelled by node, and each node's
status, with a real peer served on loopback and one that does not answer."""

from __future__ import annotations

import re
from pathlib import Path

from lexhub import identity
from lexhub.identity import Argon2Params, IdentitySettings
from lexhub.identity.totp import code_at
from lexhub.model import UserRole
from tests.federation.conftest import C, make_node, register, sqlite_db
from tests.federation.test_three_nodes import Served
from tests.service.console.conftest import PASSWORD, Browser, Clock

CHEAP = IdentitySettings(argon2=Argon2Params(time_cost=1, memory_cost=64, parallelism=1))


def test_federated_hits_are_labelled_by_node_beside_each_nodes_status(tmp_path: Path) -> None:
    clock = Clock()
    north = make_node("north", sqlite_db(tmp_path, "north"), tmp_path)
    east = make_node("east", sqlite_db(tmp_path, "east"), tmp_path, now=clock)
    served = Served(north.app)
    try:
        register(north, east)
        register(east, north, url=served.url)
        with east.store() as s:
            identity.add_user(s, CHEAP, "det.e", C, [UserRole.INVESTIGATOR], now=clock(),
                              password=PASSWORD, actor="t")  # fmt: skip
            seed = identity.enrol_totp(s, CHEAP, "det.e", now=clock()).seed
        browser = Browser(east.app)
        browser.post("/login", {"username": "det.e", "password": PASSWORD,
                                "code": code_at(seed, clock())})  # fmt: skip
        page = browser.get("/search").text
        assert "Also search every peer node" in page
        r = browser.post("/search", {
            "purpose": "criminal-investigation", "case_number": "26-0117", "kind": "person",
            "last": "okafor", "first": "chidi", "federated": "1",
        })  # fmt: skip
        assert r.status_code == 200
        statuses = dict(re.findall(r"<tr><td>(\w+)(?: \(this node\))?</td><td><span class="
                                   r"\"status status-\w+\">(\w+)</span>", r.text))  # fmt: skip
        assert statuses == {"east": "ok", "north": "ok"}
        nodes = re.findall(r'<span class="node">node (\w+)</span>', r.text)
        assert "north" in nodes
        assert f'href="/record/{C}/' in r.text  # this node's own records open here
        assert "/record/WA" not in r.text  # a peer's are retrieved on the peer
    finally:
        served.stop()
