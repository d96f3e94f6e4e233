"""Every change to what the node holds or who may see it is one audit entry, on both
engines: ingest batches (loaded or rejected), retractions, expungements, agreement and
group changes. Each commits with its change or not at all, the chain still verifies, and
an owner's report lists the membership changes of groups its agreements grant to."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from lexhub.access import (
    audited_apply,
    audited_expunge,
    audited_group_change,
    audited_load,
    audited_record,
    audited_retract,
    audited_revoke,
)
from lexhub.audit import verify_store
from lexhub.audit.reports import Viewer, build_report
from lexhub.errors import AuditWriteFailed, BatchRejected, NotFound
from lexhub.ingest.writers import write_jsonl
from lexhub.model import Agency, AgencyKind, Contact, Purpose, RequestContext, UserRole
from lexhub.model.agreement import PolicyDocument
from lexhub.model.audit import AuditFilter
from lexhub.policy import parse_policies
from lexhub.store import RecordStatus, Store
from tests.access.refusal import refuse_audit
from tests.ingest.conftest import OTHER, OWNER, make_record

ACTOR = "cli:operator"
THIRD = "WA0172000"


@pytest.fixture
def region(store: Store) -> Store:
    """Three agencies: an owner, a partner, and one that joins a group later."""
    with store.transaction() as tx:
        for ori in (OWNER, OTHER, THIRD):
            tx.put_agency(
                Agency(
                    ori,
                    f"Agency {ori}",
                    "WA",
                    AgencyKind.POLICE,
                    "America/Los_Angeles",
                    Contact("Records", "+12065550100"),
                )
            )
        tx.commit()
    return store


def _entries(store: Store, kind: str | None = None) -> list[dict[str, Any]]:
    found = [json.loads(e.body) for e in store.audit_entries(AuditFilter(), 10_000)]
    return [e for e in found if kind is None or e["kind"] == kind]


def _verified(store: Store) -> None:
    report = verify_store(store)
    assert report.ok, report.problems


def _batch(tmp_path: Path, name: str, *source_ids: str, owner: str = OWNER) -> Path:
    path = tmp_path / name
    write_jsonl([make_record(s, owner=owner) for s in source_ids], path)
    return path


# --- ingest -----------------------------------------------------------------------------------


def test_a_loaded_batch_is_one_entry_with_its_counts_and_file_digest(
    region: Store, tmp_path: Path
) -> None:
    first = _batch(tmp_path, "first.jsonl", "R1", "R2", "R3")
    report = audited_load(region, first, actor=ACTOR, workers=0)
    (entry,) = _entries(region, "ingest")
    assert entry["actor"] == ACTOR
    assert entry["details"] == {
        "batch_id": report.batch_id, "file": "first.jsonl", "owner": OWNER,
        "snapshot": False, "status": "loaded",
        "digest": hashlib.sha256(first.read_bytes()).hexdigest(),
    }  # fmt: skip
    assert entry["counts"] == {"read": 3, "new": 3, "changed": 0, "unchanged": 0,
                               "retracted": 0, "rejected": 0, "written": 3}  # fmt: skip
    # R1 unchanged, R2 a new version, R3 missing from the snapshot: retracted.
    second = tmp_path / "second.jsonl"
    write_jsonl([make_record("R1"), make_record("R2", narrative="Seen again.")], second)
    audited_load(region, second, actor=ACTOR, snapshot=True, workers=0)
    _, entry = _entries(region, "ingest")
    assert entry["details"]["snapshot"] is True
    assert entry["counts"] == {"read": 2, "new": 0, "changed": 1, "unchanged": 1,
                               "retracted": 1, "rejected": 0, "written": 1}  # fmt: skip
    assert "Testperson" not in json.dumps(entry)  # no record content in the log
    _verified(region)


def test_a_rejected_batch_leaves_an_entry_and_no_rows(region: Store, tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    write_jsonl([make_record("R1"), make_record("R2"), make_record("R1")], path)  # R1 twice
    with pytest.raises(BatchRejected):
        audited_load(region, path, actor=ACTOR, workers=0)
    (entry,) = _entries(region)
    assert entry["kind"] == "ingest" and entry["details"]["status"] == "rejected"
    assert entry["counts"] == {"read": 3, "rejected": 1, "written": 0}
    assert region.get_record(OWNER, "R1") is None and region.get_record(OWNER, "R2") is None
    assert region.batch(entry["details"]["batch_id"]) is None
    _verified(region)


def test_a_file_not_in_its_format_is_audited_as_rejected(region: Store, tmp_path: Path) -> None:
    path = tmp_path / "broken.xml"
    path.write_text("<records><record>", encoding="utf-8")
    with pytest.raises(Exception, match="broken.xml"):
        audited_load(region, path, actor=ACTOR, workers=0)
    (entry,) = _entries(region)
    assert entry["details"]["status"] == "rejected"
    assert entry["details"]["reason"] == "unreadable"
    assert entry["counts"] == {"written": 0}


def test_a_batch_whose_entry_the_database_refuses_is_not_loaded(
    region: Store, tmp_path: Path
) -> None:
    refuse_audit(region)
    with pytest.raises(AuditWriteFailed):
        audited_load(region, _batch(tmp_path, "b.jsonl", "R1"), actor=ACTOR, workers=0)
    assert region.get_record(OWNER, "R1") is None  # same transaction: rolled back together


# --- retraction and expungement ----------------------------------------------------------------


def test_a_retraction_is_one_entry_naming_what_it_retracted(region: Store, tmp_path: Path) -> None:
    audited_load(region, _batch(tmp_path, "b.jsonl", "R1", "R2", "R3"), actor=ACTOR, workers=0)
    assert audited_retract(region, OWNER, ["R1"], actor=ACTOR) == 1
    n = audited_retract(region, OWNER, ["R1", "R2"], actor=ACTOR, reason="feed correction 7")
    assert n == 1
    assert audited_retract(region, OWNER, ["R2"], actor=ACTOR) == 0  # no change, no entry
    first, second = _entries(region, "retraction")
    assert first["details"] == {"owner": OWNER, "source_ids": ["R1"]}
    assert second["details"] == {"owner": OWNER, "source_ids": ["R2"],
                                 "reason": "feed correction 7"}  # fmt: skip
    assert second["counts"] == {"retracted": 1} and second["actor"] == ACTOR
    with pytest.raises(NotFound):
        audited_retract(region, OWNER, ["NOPE"], actor=ACTOR)
    assert len(_entries(region, "retraction")) == 2
    _verified(region)


def _denied(store: Store, source_id: str) -> None:
    context = RequestContext("det1", OTHER, UserRole.INVESTIGATOR,
                             Purpose.CRIMINAL_INVESTIGATION, "26-1")  # fmt: skip
    with pytest.raises(NotFound):
        audited_record(store, context, OWNER, source_id)


def test_an_expungement_names_id_and_digests_and_erases_the_terms_naming_it(
    region: Store, tmp_path: Path
) -> None:
    audited_load(region, _batch(tmp_path, "b.jsonl", "R1", "R2"), actor=ACTOR, workers=0)
    stored = region.get_record(OWNER, "R1")
    assert stored is not None and stored.digest is not None
    _denied(region, "R1")  # no agreement: both attempts are denied, their ids kept as terms
    _denied(region, "R2")
    named, other = (e["query"]["digest"] for e in _entries(region, "denied"))
    result, erased = audited_expunge(region, OWNER, "R1", actor=ACTOR, reason="order 26-77")
    assert erased == [named]
    (entry,) = _entries(region, "expungement")
    assert entry["details"] == {"owner": OWNER, "source_id": "R1", "digests": [stored.digest],
                                "reason": "order 26-77"}  # fmt: skip
    assert list(result.digests) == [stored.digest]
    assert "Testperson" not in json.dumps(entry) and "Alma" not in json.dumps(entry)
    (erasure,) = _entries(region, "audit-erasure")
    assert erasure["seq"] == entry["seq"] + 1 and erasure["details"]["digests"] == [named]
    assert [t.digest for t in region.audit_terms()] == [other]
    gone = region.get_record(OWNER, "R1")
    assert gone is not None and gone.status is RecordStatus.EXPUNGED
    _verified(region)


# --- agreements and groups ---------------------------------------------------------------------

POLICIES = """
id: owner-to-group
owner: {owner}
grantees: [group:partners]
purposes: [criminal-investigation]
record_types: [field-interview]
---
owner_policy:
  owner: {owner}
  prohibited_purposes: [civil-immigration-enforcement]
"""


def _docs(store: Store, text: str = POLICIES) -> list[tuple[PolicyDocument, str]]:
    snap = store.policy_snapshot()
    return parse_policies(
        text.format(owner=OWNER), "a.yaml", agencies=snap.agencies,
        groups=[g.ref for g in snap.groups],
    )  # fmt: skip


def test_each_new_agreement_version_and_revocation_is_one_entry(region: Store) -> None:
    audited_group_change(region, "partners", create=True, actor=ACTOR)
    audited_apply(region, _docs(region), actor=ACTOR)
    audited_apply(region, _docs(region), actor=ACTOR)  # unchanged: no new version, no entry
    changed = POLICIES.replace("[field-interview]", "[field-interview, incident]")
    audited_apply(region, _docs(region, changed), actor=ACTOR)
    audited_revoke(region, f"owner-policy:{OWNER}", actor=ACTOR)
    details = [e["details"] for e in _entries(region, "agreement-change")]
    assert details == [
        {"id": "owner-to-group", "version": 1, "kind": "agreement", "owner": OWNER,
         "action": "apply"},
        {"id": f"owner-policy:{OWNER}", "version": 1, "kind": "owner-policy", "owner": OWNER,
         "action": "apply"},
        {"id": "owner-to-group", "version": 2, "kind": "agreement", "owner": OWNER,
         "action": "apply"},
        {"id": f"owner-policy:{OWNER}", "version": 2, "kind": "owner-policy", "owner": OWNER,
         "action": "revoke"},
    ]  # fmt: skip
    assert {e["actor"] for e in _entries(region, "agreement-change")} == {ACTOR}
    assert region.policy_history("owner-to-group")[-1].applied_by == ACTOR
    _verified(region)


def test_a_group_change_names_members_and_the_agreements_it_reaches(region: Store) -> None:
    audited_group_change(region, "partners", create=True, description="x", actor=ACTOR)
    audited_apply(region, _docs(region), actor=ACTOR)
    audited_group_change(region, "partners", add=[OTHER, THIRD], actor=ACTOR)
    audited_group_change(region, "partners", add=[OTHER], actor=ACTOR)  # already in: no entry
    audited_group_change(region, "partners", remove=[THIRD, OWNER], actor=ACTOR)
    created, added, removed = _entries(region, "group-change")
    assert created["details"] == {
        "group": "group:partners",
        "action": "add",
        "created": True,
        "added": [],
        "removed": [],
        "agreements": [],
        "owners": [],
    }
    reach = [{"id": "owner-to-group", "version": 1, "owner": OWNER}]
    assert added["details"] == {"group": "group:partners", "action": "add",
                                "added": [OTHER, THIRD], "removed": [], "agreements": reach,
                                "owners": [OWNER]}  # fmt: skip
    assert added["counts"] == {"added": 2, "removed": 0}
    assert removed["details"]["action"] == "remove"
    assert removed["details"]["removed"] == [THIRD]  # OWNER was never a member
    with pytest.raises(NotFound):
        audited_group_change(region, "partners", add=["WA9999999"], actor=ACTOR)
    assert len(_entries(region, "group-change")) == 3
    _verified(region)


def test_the_owner_report_lists_changes_to_groups_its_agreements_grant_to(
    region: Store,
) -> None:
    start = datetime.now(UTC) - timedelta(minutes=1)
    audited_group_change(region, "partners", create=True, actor=ACTOR)
    audited_group_change(region, "others", create=True, add=[OWNER], actor=ACTOR)
    audited_apply(region, _docs(region), actor=ACTOR)  # OWNER grants to group:partners
    audited_group_change(region, "partners", add=[THIRD], actor=ACTOR)
    end = datetime.now(UTC) + timedelta(minutes=1)

    def changes(viewer: Viewer, owner: str | None) -> list[tuple[str, tuple[str, ...]]]:
        r = build_report(region, start, end, viewer, actor=ACTOR, owner=owner)
        return [(c.group, c.added) for c in r.group_changes]

    # Its agreement names group:partners now, so the group's creation shows too.
    assert changes(Viewer(agency=OWNER), OWNER) == [
        ("group:partners", ()), ("group:partners", (THIRD,)),
    ]  # fmt: skip
    assert changes(Viewer(agency=OTHER), OTHER) == []  # no agreement grants to either group
    assert [g for g, _ in changes(Viewer(auditor=True), None)] == [
        "group:partners", "group:others", "group:partners",
    ]  # fmt: skip
    later = build_report(region, start, end, Viewer(agency=OWNER), actor=ACTOR, owner=OWNER)
    (change,) = [c for c in later.group_changes if c.added]
    assert change.agreements == (f"owner-to-group v1 (owner {OWNER})",)
    assert change.actor == ACTOR
