"""`lexhub demo` end to end on a small region: what the README promises it sets up."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lexhub.cli.app import app
from lexhub.model.audit import AuditFilter, AuditKind
from lexhub.store import open_store

runner = CliRunner()
FEDERAL = "DC0DHS100"


def _run(db: Path, *args: str) -> str:
    result = runner.invoke(app, ["--db", str(db), *args])
    assert result.exit_code == 0, result.stdout + result.stderr
    return result.stdout


def test_demo_sets_up_a_governed_node_and_its_report_shows_the_blocked_attempts(
    tmp_path: Path,
) -> None:
    db = tmp_path / "demo.db"
    out = _run(db, "demo", "--out", str(tmp_path / "data"), "--people", "300",
               "--records", "1500")  # fmt: skip
    tokens = [line for line in out.splitlines() if "LEXHUB_TOKEN=lxh_" in line]
    assert len(tokens) == 5

    explain = json.loads(_run(db, "agreement", "explain", "--requester", FEDERAL, "--purpose",
                              "civil-immigration-enforcement", "--json"))  # fmt: skip
    rows = explain["decisions"] if isinstance(explain, dict) else explain
    denied_by_policy = {
        r["owner"] for r in rows if r["outcome"] == "denied" and "owner policy" in json.dumps(r)
    }
    assert len(denied_by_policy) == 1
    (city,) = denied_by_policy

    report = json.loads(_run(db, "report", "--owner", city, "--json"))
    blocked = report["blocked"]
    assert len(blocked) == 2
    assert {b["purpose"] for b in blocked} == {"civil-immigration-enforcement"}
    assert {b["agency"] for b in blocked} == {FEDERAL}

    verify = runner.invoke(app, ["--db", str(db), "audit", "verify"])
    assert verify.exit_code == 0, verify.stdout + verify.stderr
    store = open_store(str(db))
    try:
        kinds = {e.kind for e in store.audit_entries(AuditFilter(), 100_000)}
    finally:
        store.close()
    # groups, agreements, batches and searches all went through the audited paths
    audited = {AuditKind.GROUP_CHANGE, AuditKind.AGREEMENT_CHANGE, AuditKind.INGEST}
    assert audited | {AuditKind.SEARCH} <= kinds
