"""The CLI end to end on a real SQLite file: output, JSON and one-line errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lexhub.cli.app import app
from lexhub.ingest.writers import write_jsonl
from tests.ingest.conftest import OWNER, make_record

runner = CliRunner()
DOCS = Path(__file__).resolve().parents[2] / "docs" / "cli.md"


def run(db: Path, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.stdout, result.stderr


def _commands() -> list[list[str]]:
    from typer.main import get_command

    root = get_command(app)
    found: list[list[str]] = []

    def walk(cmd: object, path: list[str]) -> None:
        subs = getattr(cmd, "commands", None)
        if subs:
            for name, sub in subs.items():
                walk(sub, [*path, name])
        else:
            found.append(path)

    walk(root, [])
    return found


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "node.db"
    code, out, _ = run(path, "init")
    assert code == 0, out
    return path


@pytest.mark.parametrize("command", _commands(), ids=" ".join)
def test_every_command_has_help_and_docs(command: list[str]) -> None:
    result = runner.invoke(app, [*command, "--help"])
    assert result.exit_code == 0
    assert "Usage:" in result.stdout
    assert f"lexhub {' '.join(command)}" in DOCS.read_text(encoding="utf-8")


def test_commands_on_an_uninitialized_database_say_so(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    code, _, err = run(path, "stats")
    assert code == 1
    assert err == f"Error: {path} is not a lexhub database yet: run `lexhub init`\n"


def test_agency_add_list_and_bad_ori(db: Path) -> None:
    code, out, _ = run(db, "agency", "add", OWNER, "--name", "Example County Sheriff", "--json")
    assert code == 0 and json.loads(out)["id"] == OWNER
    code, out, _ = run(db, "agency", "list", "--json")
    assert [a["id"] for a in json.loads(out)] == [OWNER]
    code, _, err = run(db, "agency", "add", "WA01", "--name", "Bad")
    assert code == 1
    assert err == (
        'Error: agency: ori: "WA01" is not an ORI'
        " (9 characters: two-letter state, then 7 letters or digits)\n"
    )


def test_ingest_stats_show_retract_expunge(db: Path, tmp_path: Path) -> None:
    run(db, "agency", "add", OWNER, "--name", "Example County Sheriff")
    batch = tmp_path / "b.jsonl"
    write_jsonl([make_record("R1"), make_record("R2")], batch)
    code, out, err = run(db, "ingest", str(batch), "--json")
    assert code == 0, err
    [report] = json.loads(out)
    assert (report["read"], report["new"], report["rejected"]) == (2, 2, 0)

    code, out, _ = run(db, "stats", "--json")
    stats = json.loads(out)
    assert stats["records_by_status"] == {"active": 2}
    assert stats["records_by_owner_type"] == [
        {"owner": OWNER, "type": "field-interview", "records": 2}
    ]

    code, out, _ = run(db, "record", "show", OWNER, "R1", "--json")
    shown = json.loads(out)
    assert (
        shown["status"] == "active"
        and shown["record"]["persons"][0]["phones"][0]["e164"] == "+12065550142"
    )

    code, out, _ = run(db, "record", "retract", OWNER, "R2", "--json")
    assert json.loads(out) == {"owner": OWNER, "retracted": 1}

    code, _, err = run(db, "record", "expunge", OWNER, "R1")
    assert (code, err) == (1, "Error: expunge: expunging cannot be undone; pass --yes to confirm\n")
    code, out, _ = run(db, "record", "expunge", OWNER, "R1", "--yes", "--json")
    assert code == 0 and json.loads(out)["source_id"] == "R1"
    code, out, _ = run(db, "record", "show", OWNER, "R1", "--json")
    assert json.loads(out)["record"] is None

    code, _, err = run(db, "record", "show", OWNER, "NOPE")
    assert (code, err) == (1, f"Error: no record {OWNER}/NOPE\n")


def test_ingest_rejected_batch_reports_file_line_field(db: Path, tmp_path: Path) -> None:
    run(db, "agency", "add", OWNER, "--name", "Example County Sheriff")
    batch = tmp_path / "dup.jsonl"
    write_jsonl([make_record("R1"), make_record("R1")], batch)
    code, out, err = run(db, "ingest", str(batch))
    assert code == 1
    assert err.splitlines() == [
        "Error: dup.jsonl: batch rejected, 1 error(s), nothing written",
        '  dup.jsonl:2: source_id: "R1" appears twice in this batch (first at 1)',
    ]
    code, out, _ = run(db, "stats", "--json")
    assert json.loads(out)["records_by_status"] == {}


def test_ingest_shows_progress_and_a_table(db: Path, tmp_path: Path) -> None:
    run(db, "agency", "add", OWNER, "--name", "Example County Sheriff")
    batch = tmp_path / "b.jsonl"
    write_jsonl([make_record(f"R{i}") for i in range(30)], batch)
    code, out, _ = run(db, "ingest", str(batch))
    assert code == 0
    assert re.search(r"b\.jsonl .* 30/30 .* rec/s errors 0", out), out  # the progress bar
    assert re.search(r"│ +30 │ +30 │ +0 │", out), out  # the table: read, new, changed
