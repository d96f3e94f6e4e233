"""`lexhub report` end to end on a SQLite file: tables with bars, JSON, CSV, the owner's
view with its blocked attempts and withheld case numbers, and one-line errors."""

from __future__ import annotations

import csv
import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lexhub.cli.app import app
from lexhub.cli.report import bar
from lexhub.model import Purpose
from lexhub.model.audit import AuditFilter
from lexhub.store import open_store
from tests.audit.test_reports import OWNER, R1, R2, R3, START, agencies, append, search

runner = CliRunner()
PERIOD = ("--from", START.isoformat(), "--to", (START + timedelta(days=1)).isoformat())


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """R1 makes 77 of OWNER's 100 searches, R2 23; R3 is blocked by OWNER's policy twice."""
    path = tmp_path / "node.db"
    assert runner.invoke(app, ["--db", str(path), "init"]).exit_code == 0
    with open_store(str(path)) as s:
        agencies(s)
        at = START + timedelta(hours=10)
        items = [(at + timedelta(minutes=i), search("ann", R1, [OWNER], case="A-1"))
                 for i in range(77)]  # fmt: skip
        items += [(at + timedelta(minutes=100 + i), search("bob", R2, [OWNER], case="B-2"))
                  for i in range(23)]  # fmt: skip
        items += [(at + timedelta(minutes=200 + i),
                   search("ice", R3, [R3], purpose=Purpose.CIVIL_IMMIGRATION_ENFORCEMENT,
                          case="IMM-7", blocked=[OWNER])) for i in range(2)]  # fmt: skip
        append(s, items)
    return path


def run(db: Path, *args: str) -> tuple[int, str, str]:
    r = runner.invoke(app, ["--db", str(db), "report", *args], env={"COLUMNS": "220"})
    return r.exit_code, r.stdout, r.stderr


def test_owner_view_table_shows_shares_with_bars_and_blocked_attempts(db: Path) -> None:
    code, out, err = run(db, *PERIOD, "--owner", OWNER)
    assert code == 0, err
    assert f"Searches of {OWNER}'s data" in out and ": 100 (view: records administrator" in out
    share_line = next(line for line in out.splitlines() if R1 in line and "77.0%" in line)
    assert bar(0.77) in share_line
    assert "Attempts blocked by the owner's policy" in out
    assert out.count("civil-immigration-enforcement") >= 2
    assert "IMM-7" not in out and "A-1" not in out and "(withheld)" in out


def test_auditor_json_and_csv(db: Path, tmp_path: Path) -> None:
    out_csv = tmp_path / "r.csv"
    code, out, err = run(db, *PERIOD, "--owner", OWNER, "--as-auditor", "--json",
                         "--csv", str(out_csv))  # fmt: skip
    assert code == 0, err
    r = json.loads(out)
    assert {(s["requester"], s["searches"], s["share"]) for s in r["shares"]} == {
        (R1, 77, 0.77), (R2, 23, 0.23),
    }  # fmt: skip
    assert [(b["agency"], b["case_number"]) for b in r["blocked"]] == [(R3, "IMM-7")] * 2
    rows = list(csv.DictReader(out_csv.read_text(encoding="utf-8").splitlines()))
    shares = {row["agency"]: row["share"] for row in rows if row["section"] == "share"}
    assert shares == {R1: "0.77", R2: "0.23"}
    assert sum(row["section"] == "search" for row in rows) == 100
    with open_store(str(db)) as s:
        reads = s.audit_entries(AuditFilter(kind="audit-read"), 10)
    assert [e.data["details"]["view"] for e in reads] == ["auditor"]


def test_report_needs_a_viewer_and_a_period(db: Path) -> None:
    code, _, err = run(db, *PERIOD)
    assert (code, err) == (1, "Error: --owner: say whose view this is: --owner ORI or "
                              "--as-auditor\n")  # fmt: skip
    code, _, err = run(db, "--from", "2026-03-02", "--to", "2026-03-01", "--as-auditor")
    assert err == "Error: --from: the period is empty (--from is not before --to)\n"
    code, _, err = run(db, "--from", "March", "--as-auditor")
    assert err == "Error: --from: 'March' is not a date (YYYY-MM-DD)\n"


def test_bar_resolves_eighths() -> None:
    assert bar(1.0, 4) == "████"
    assert bar(0.5, 4) == "██"
    assert bar(1 / 32, 4) == "▏"
    assert bar(0.0) == ""
