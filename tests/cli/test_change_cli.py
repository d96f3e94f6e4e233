"""The CLI's data and governance changes are audited as the operator, and `record get` is a
partner's audited retrieval: end to end through the commands, on both engines."""

from __future__ import annotations

import getpass
import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from lexhub.audit import verify_store
from lexhub.cli.app import app
from lexhub.ingest.writers import write_jsonl
from lexhub.model.audit import AuditFilter
from lexhub.store import Store
from tests.ingest.conftest import OTHER, OWNER, make_record

runner = CliRunner()
CONTEXT = ("--purpose", "criminal-investigation", "--case", "26-0042")
AGREEMENT = f"""
id: sheriff-to-partners
owner: {OWNER}
grantees: [group:partners]
purposes: [criminal-investigation]
record_types: [field-interview]
withhold: [record.narrative]
"""


def run(store: Store, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, ["--db", store.url, *args])
    return result.exit_code, result.stdout, result.stderr


def ok(store: Store, *args: str) -> str:
    code, out, err = run(store, *args)
    assert code == 0, err
    return out


def entries(store: Store, kind: str) -> list[dict[str, Any]]:
    found = [json.loads(e.body) for e in store.audit_entries(AuditFilter(kind=kind), 1000)]
    return found


def operator() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):
        return "cli"


@pytest.fixture
def node(store: Store, tmp_path: Path) -> tuple[Store, str]:
    """Two agencies, the owner's three records, an agreement to group:partners (the partner
    in it), and the partner's investigator with an API token."""
    ok(store, "agency", "add", OWNER, "--name", "Example County Sheriff")
    ok(store, "agency", "add", OTHER, "--name", "Example City Police")
    batch = tmp_path / "sheriff.jsonl"
    write_jsonl([make_record(s) for s in ("R1", "R2", "R3")], batch)
    ok(store, "ingest", str(batch), "--json")
    ok(store, "group", "add", "partners", "--description", "Regional partners")
    policy = tmp_path / "agreement.yaml"
    policy.write_text(AGREEMENT, encoding="utf-8")
    ok(store, "agreement", "apply", str(policy))
    ok(store, "group", "add", "partners", OTHER)
    ok(store, "user", "add", "det1", "--agency", OTHER, "--role", "investigator",
       "--no-password")  # fmt: skip
    token = json.loads(ok(store, "token", "create", "det1", "--name", "t", "--json"))["token"]
    return store, str(token)


def test_each_cli_change_is_one_entry_by_the_operator(node: tuple[Store, str]) -> None:
    store, _ = node
    ok(store, "record", "retract", OWNER, "R2", "--reason", "duplicate of R1")
    ok(store, "record", "expunge", OWNER, "R3", "--yes", "--order", "KCSC 26-2-01234-1")
    ok(store, "group", "remove", "partners", OTHER)
    ok(store, "agreement", "revoke", "sheriff-to-partners")
    (ingest,) = entries(store, "ingest")
    assert ingest["details"]["status"] == "loaded" and ingest["counts"]["new"] == 3
    (retraction,) = entries(store, "retraction")
    assert retraction["details"] == {"owner": OWNER, "source_ids": ["R2"],
                                     "reason": "duplicate of R1"}  # fmt: skip
    (expungement,) = entries(store, "expungement")
    assert expungement["details"]["source_id"] == "R3"
    assert expungement["details"]["reason"] == "KCSC 26-2-01234-1"
    created, added, removed = entries(store, "group-change")
    assert created["details"]["created"] is True and created["details"]["agreements"] == []
    assert added["details"]["added"] == [OTHER] and added["details"]["owners"] == [OWNER]
    assert removed["details"]["removed"] == [OTHER]
    applied, revoked = entries(store, "agreement-change")
    assert (applied["details"]["action"], revoked["details"]["action"]) == ("apply", "revoke")
    changes = [ingest, retraction, expungement, created, added, removed, applied, revoked]
    assert {e["actor"] for e in changes} == {operator()}
    assert verify_store(store).ok


def test_a_rejected_batch_is_audited_and_loads_nothing(
    node: tuple[Store, str], tmp_path: Path
) -> None:
    store, _ = node
    bad = tmp_path / "bad.jsonl"
    write_jsonl([make_record("R7"), make_record("R7")], bad)
    code, _, err = run(store, "ingest", str(bad))
    assert code == 1 and err.startswith("Error: bad.jsonl: batch rejected, 1 error(s)")
    _, rejected = entries(store, "ingest")
    assert (
        rejected["details"]["status"] == "rejected" and rejected["details"]["file"] == "bad.jsonl"
    )
    assert store.get_record(OWNER, "R7") is None


def test_record_get_discloses_only_what_the_scope_allows_and_is_audited(
    node: tuple[Store, str],
) -> None:
    store, token = node
    out = ok(store, "record", "get", OWNER, "R1", "--token", token, *CONTEXT, "--json")
    view = json.loads(out)
    assert view["record"]["source_id"] == "R1" and "persons" in view["record"]
    assert "narrative" not in view["record"]
    assert [w["field"] for w in view["withheld"]] == ["record.narrative"]
    assert "Subject stopped near the park" not in out
    (entry,) = entries(store, "retrieval")
    assert entry["disclosed"] == [{"owner": OWNER, "id": "R1", "type": "field-interview"}]
    assert entry["context"]["user"] == "det1" and entry["context"]["case_number"] == "26-0042"
    # The table view shows the same and no more.
    text = ok(store, "record", "get", OWNER, "R1", "--token", token, *CONTEXT)
    assert "Testperson" in text and "record.narrative" in text
    assert "Subject stopped near the park" not in text


def test_record_get_refuses_what_the_user_may_not_see_as_unknown(
    node: tuple[Store, str],
) -> None:
    store, token = node
    ok(store, "record", "retract", OWNER, "R2")
    for source_id in ("R2", "NO-SUCH"):
        code, out, err = run(store, "record", "get", OWNER, source_id, "--token", token, *CONTEXT)
        assert (code, out, err) == (1, "", f"Error: no record {OWNER}/{source_id}\n")
    assert len(entries(store, "denied")) == 2 and entries(store, "retrieval") == []
    code, _, err = run(store, "record", "get", OWNER, "R1", "--token", token)
    assert code == 1
    assert err.startswith("Error: record get: --purpose: required: one of ")
    code, _, err = run(store, "record", "get", OWNER, "R1", "--token", token,
                       "--purpose", "criminal-investigation")  # fmt: skip
    assert (code, err) == (1, "Error: record get: --case: required for purpose"
                              " criminal-investigation\n")  # fmt: skip


def test_the_owner_report_shows_the_group_change(node: tuple[Store, str]) -> None:
    store, _ = node
    report = json.loads(ok(store, "report", "--owner", OWNER, "--json"))
    groups = [(c["group"], c["added"]) for c in report["group_changes"]]
    assert groups == [("group:partners", []), ("group:partners", [OTHER])]
    report = json.loads(ok(store, "report", "--owner", OTHER, "--json"))
    assert report["group_changes"] == []
