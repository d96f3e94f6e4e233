"""`lexhub entity show/associates` end to end on both engines: the request context as for
`record get`, audited, a hidden mention answering as an unknown one, JSON and tables."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from lexhub.cli.app import app
from lexhub.model.audit import AuditFilter
from lexhub.store import Store
from tests.linkage.test_entity_access import node as access_node
from tests.search.conftest import C

__all__ = ["access_node"]

runner = CliRunner()
CONTEXT = ("--purpose", "criminal-investigation", "--case", "26-0042")


def run(store: Store, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", store.url, *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def cli_node(
    access_node: tuple[Store, dict[tuple[str, str], int]],
) -> tuple[Store, dict[tuple[str, str], int], str]:
    store, ids = access_node
    code, _, err = run(store, "user", "add", "an1", "--agency", C, "--role", "analyst",
                       "--no-password")  # fmt: skip
    assert code == 0, err
    code, out, err = run(store, "token", "create", "an1", "--name", "t", "--json")
    assert code == 0, err
    return store, ids, str(json.loads(out)["token"])


def _entries(store: Store, kind: str) -> list[dict[str, Any]]:
    return [json.loads(e.body) for e in store.audit_entries(AuditFilter(kind=kind), 100)]


def test_entity_show_lists_the_records_with_weights_and_evidence(
    cli_node: tuple[Store, dict[tuple[str, str], int], str],
) -> None:
    store, ids, token = cli_node
    ann = str(ids[("r1", "P1")])
    code, out, err = run(store, "entity", "show", ann, "--token", token, *CONTEXT, "--json")
    assert code == 0, err
    got = json.loads(out)
    assert sorted(m["source_id"] for m in got["members"]) == ["r1", "r2", "r7"]
    assert {m["weight"] for m in got["members"]} == {9.5}
    code, out, err = run(store, "entity", "show", ann, "--token", token, *CONTEXT, "--evidence")
    assert code == 0, err
    assert "ABLE" in out and "+9.50" in out  # the table (narrow: names may wrap)
    assert "surname: exact: +6.49 (for)" in out and "threshold +4.00: linked" in out
    (first, second) = _entries(store, "retrieval")
    assert first["details"] == second["details"] == {"request": "entity"}


def test_entity_associates_table_and_json(
    cli_node: tuple[Store, dict[tuple[str, str], int], str],
) -> None:
    store, ids, token = cli_node
    ann = str(ids[("r1", "P1")])
    code, out, err = run(store, "entity", "associates", ann, "--token", token, *CONTEXT, "--json")
    assert code == 0, err
    got = json.loads(out)
    names = [a["name"] for a in got["associates"]]
    assert names[0] == "BAKER, BOB" and "DUNN, DEE" not in names
    bob = got["associates"][0]
    phone = next(c for c in bob["connections"] if c["kind"] == "phone")
    assert phone["entity_record"]["source_id"] == "r1"
    assert phone["associate_record"]["source_id"] == "r3"
    code, out, err = run(store, "entity", "associates", ann, "--token", token, *CONTEXT)
    assert code == 0, err
    assert "BAKER" in out and "+12065550142" in out


def test_a_mention_outside_the_scope_answers_as_unknown(
    cli_node: tuple[Store, dict[tuple[str, str], int], str],
) -> None:
    store, ids, token = cli_node
    for mention in (ids[("r5", "P1")], 999_999):
        for command in ("show", "associates"):
            got = run(store, "entity", command, str(mention), "--token", token, *CONTEXT)
            assert got == (1, "", f"Error: no entity for mention {mention}\n")
    code, _, err = run(store, "entity", "show", "1", "--token", token)
    assert code == 1 and err.startswith("Error: entity show: --purpose: required: one of ")


def test_search_group_by_entity(
    cli_node: tuple[Store, dict[tuple[str, str], int], str],
) -> None:
    store, ids, token = cli_node
    ask = ("search", "--last", "able", "--first", "ann", "--token", token, *CONTEXT)
    code, out, err = run(store, *ask, "--group-by-entity", "--json")
    assert code == 0, err
    got = json.loads(out)
    ann = {ids[k] for k in (("r1", "P1"), ("r2", "P1"), ("r7", "P2"))}
    by_rank = {h["rank"]: h for h in got["hits"]}
    first = got["groups"][0]
    assert first["entity"] == min(ann)
    assert {by_rank[r]["mention_id"] for r in first["ranks"]} == ann & {
        h["mention_id"] for h in got["hits"]
    }
    assert sorted(r for g in got["groups"] for r in g["ranks"]) == sorted(by_rank)
    code, out, err = run(store, *ask, "--group-by-entity")
    assert code == 0, err
    assert f"person 1 (entity of mention {min(ann)})" in out
