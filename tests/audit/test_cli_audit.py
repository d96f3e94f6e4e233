"""`lexhub audit ...` end to end on a SQLite file: verify, export, offline verify with the
public keys, entries, checkpoint, key rotation, erasure; failures as one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lexhub.audit import ensure_audit_key, record_event
from lexhub.cli.app import app
from lexhub.store import open_store
from tests.audit.conftest import allow_tampering, search_event

runner = CliRunner()


@pytest.fixture
def node(tmp_path: Path) -> tuple[Path, Path]:
    db, keys = tmp_path / "node.db", tmp_path / "keys"
    init = runner.invoke(app, ["--db", str(db), "init"], env={"LEXHUB_KEY_DIR": str(keys)})
    assert init.exit_code == 0, init.stderr
    with open_store(str(db)) as s:
        ensure_audit_key(s, keys)  # init made it: this finds it
        for i in range(3):
            record_event(s, search_event(i))
    return db, keys


def run(node: tuple[Path, Path], *args: str) -> tuple[int, str, str]:
    db, keys = node
    r = runner.invoke(
        app, ["--db", str(db), "audit", *args], env={"LEXHUB_KEY_DIR": str(keys), "COLUMNS": "200"}
    )
    return r.exit_code, r.stdout, r.stderr


def test_checkpoint_export_and_offline_verify(node: tuple[Path, Path], tmp_path: Path) -> None:
    code, out, err = run(node, "checkpoint", "--json")
    assert code == 0, err
    assert json.loads(out)["text"].startswith("lexhub-audit-checkpoint/1\nsize 4\n")
    code, out, _ = run(node, "export", str(tmp_path / "x.jsonl"), "--json")
    assert json.loads(out) == {"file": str(tmp_path / "x.jsonl"), "entries": 5}
    code, out, _ = run(node, "key", "list", "--json")
    (tmp_path / "keys.json").write_text(out)
    code, out, err = run(node, "verify", "--export", str(tmp_path / "x.jsonl"), "--keys",
                         str(tmp_path / "keys.json"), "--json")  # fmt: skip
    assert code == 0, err
    report = json.loads(out)
    assert (report["ok"], report["entries"], report["latest_checkpoint"]) == (True, 5, 4)

    code, out, _ = run(node, "key", "rotate")
    assert code == 0 and "is active; head signed at entry 6" in out
    code, out, err = run(node, "verify", "--against", str(tmp_path / "x.jsonl"))
    assert code == 0, err
    assert "database: OK, 7 entries" in out and "3 checkpoint(s)" in out


def test_verify_fails_with_one_line_error(node: tuple[Path, Path]) -> None:
    db, _ = node
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None)
    raw = lambda sql, *p: conn.execute(sql, p).fetchall()  # noqa: E731
    raw.engine = "sqlite"  # type: ignore[attr-defined]
    allow_tampering(raw)
    raw("UPDATE audit_entries SET body = replace(body, 'INC-1', 'INC-7') WHERE seq = 3")
    conn.close()
    code, out, err = run(node, "verify")
    assert code == 1
    assert "PROBLEM entry 3: hash does not match its content (changed)" in out
    assert err == "Error: database: audit log verification failed: 1 problem(s)\n"


def test_entries_listing_and_bad_options(node: tuple[Path, Path]) -> None:
    code, out, _ = run(node, "entries", "--kind", "search", "--json")
    assert code == 0
    listed = json.loads(out)
    assert [e["seq"] for e in listed] == [2, 3, 4]
    assert listed[0]["entry"]["context"]["purpose"] == "criminal-investigation"
    code, out, _ = run(node, "entries")
    assert "Audit entries" in out and "jdoe" in out and "criminal" in out
    code, _, err = run(node, "entries", "--since", "yesterday")
    assert (code, err) == (1, "Error: --since: 'yesterday' is not a date (YYYY-MM-DD)\n")
    code, _, err = run(node, "erase-terms", "--older-than", "30")
    assert (code, err) == (
        1, "Error: --older-than: 30 days is below the minimum retention of 365 days\n"
    )  # fmt: skip
    code, out, _ = run(node, "erase-terms", "--json")
    assert json.loads(out) == {"erased": []}  # nothing is a year old yet
