"""`lexhub peer` on a real SQLite file: identity made on first use, add/list/remove with
JSON, one-line errors for bad input, rotation keeping the old key."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lexhub.cli.app import app
from tests.search.conftest import A, B

runner = CliRunner()


@pytest.fixture
def node(tmp_path: Path) -> tuple[Path, Path]:
    db, keys = tmp_path / "node.db", tmp_path / "keys"
    result = runner.invoke(app, ["--db", str(db), "--key-dir", str(keys), "init"])
    assert result.exit_code == 0, result.output
    return db, keys


def lexhub(node: tuple[Path, Path], *args: str) -> tuple[int, str, str]:
    db, keys = node
    result = runner.invoke(app, ["--db", str(db), "--key-dir", str(keys), *args])
    return result.exit_code, result.stdout, result.stderr


def test_identity_is_made_once_with_a_private_key_only_its_owner_reads(
    node: tuple[Path, Path], tmp_path: Path
) -> None:
    code, out, _ = lexhub(node, "peer", "identity", "--name", "north", "--export",
                          str(tmp_path / "north.pem"), "--json")  # fmt: skip
    assert code == 0
    me = json.loads(out)
    assert me["name"] == "north" and len(me["keys"]) == 1
    (private,) = node[1].glob("federation-*.pem")
    assert stat.S_IMODE(os.stat(private).st_mode) == 0o600
    assert (tmp_path / "north.pem").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    code, _, err = lexhub(node, "peer", "identity", "--name", "south")
    assert code == 1
    assert err.startswith("Error: --name: this node is 'north'")


def test_add_list_remove(node: tuple[Path, Path], tmp_path: Path) -> None:
    lexhub(node, "peer", "identity", "--name", "north", "--export", str(tmp_path / "k.pem"))
    key = str(tmp_path / "k.pem")
    code, out, err = lexhub(node, "peer", "add", "south", "http://127.0.0.1:9",
                            "--public-key", key, "--agencies", f"{B}, {A}", "--json")  # fmt: skip
    assert code == 0, err
    assert json.loads(out)["agencies"] == [A, B]
    code, out, _ = lexhub(node, "peer", "list", "--json")
    assert [p["name"] for p in json.loads(out)] == ["south"]
    assert lexhub(node, "peer", "remove", "south")[0] == 0
    assert json.loads(lexhub(node, "peer", "list", "--json")[1]) == []
    removed = json.loads(lexhub(node, "peer", "list", "--removed", "--json")[1])
    assert removed[0]["removed_at"] is not None
    code, _, err = lexhub(node, "peer", "remove", "south")
    assert (code, err) == (1, "Error: no registered peer 'south'\n")


@pytest.mark.parametrize(
    ("args", "error"),
    [
        (["Bad_Name", "http://x", "--agencies", A], "Error: NAME: 'Bad_Name' is not a node name"),
        (["south", "ftp://x", "--agencies", A], "Error: URL: 'ftp://x' is not an http(s) URL"),
        (["south", "http://x", "--agencies", "nope"], "Error: --agencies: 'nope': "),
        (["south", "http://x", "--agencies", A], "Error: --public-key: a new peer needs its"),
    ],
)
def test_add_refuses_bad_input_in_one_line(
    node: tuple[Path, Path], args: list[str], error: str
) -> None:
    code, _, err = lexhub(node, "peer", "add", *args)
    assert code == 1 and err.startswith(error) and err.count("\n") == 1


def test_rotation_keeps_the_old_public_key(node: tuple[Path, Path]) -> None:
    first = json.loads(lexhub(node, "peer", "identity", "--name", "north", "--json")[1])
    code, out, _ = lexhub(node, "peer", "rotate-key", "--json")
    assert code == 0
    rotated = json.loads(out)
    assert [k["key_id"] for k in rotated["keys"]][0] == first["active"]
    assert rotated["active"] != first["active"]
    assert rotated["keys"][0]["retired_at"] is not None and rotated["keys"][1]["retired_at"] is None
