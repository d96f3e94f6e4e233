"""The atomic batch load, on both backends (the `store` fixture is SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from lexhub.errors import BatchRejected, NotFound
from lexhub.ingest.lifecycle import expunge_record, retract_records
from lexhub.ingest.load import load_file
from lexhub.model import RecordType
from lexhub.store import RecordStatus, Store, StoreStats
from tests.ingest.conftest import OTHER, OWNER, make_record

BatchFile = Callable[..., Path]


def content(store: Store) -> StoreStats:
    """Store counts without the file size, which moves with page allocation."""
    return replace(store.stats(), size_bytes=None)


def test_load_writes_normalized_records_and_their_index(
    region: Store, batch_file: BatchFile
) -> None:
    path = batch_file([make_record("R1"), make_record("R2", last="Otherperson")])
    report = load_file(region, path)
    assert (report.read, report.new, report.changed, report.unchanged) == (2, 2, 0, 0)
    stored = region.get_record(OWNER, "R1")
    assert stored is not None and stored.record is not None
    assert stored.status is RecordStatus.ACTIVE and stored.version == 1
    person = stored.record.persons[0]
    assert person.phones[0].e164 == "+12065550142"  # normalized at ingest
    assert person.addresses[0].key  # parsed and keyed
    assert stored.record.vehicles[0].plate_key
    stats = region.stats()
    assert stats.mentions == 2 and stats.keys > 0


def test_the_same_file_twice_changes_nothing(region: Store, batch_file: BatchFile) -> None:
    path = batch_file([make_record("R1"), make_record("R2")])
    load_file(region, path)
    before = content(region)
    again = load_file(region, path)
    assert (again.new, again.changed, again.unchanged) == (0, 0, 2)
    assert replace(content(region), batches=before.batches) == before
    assert content(region).batches == before.batches + 1
    # The same records in another order are recognised unchanged too.
    other = batch_file([make_record("R2"), make_record("R1")], name="again.jsonl")
    report = load_file(region, other)
    assert (report.new, report.changed, report.unchanged) == (0, 0, 2)
    assert len(region.record_history(OWNER, "R1")) == 1


def test_an_explicit_batch_id_is_answered_once(region: Store, batch_file: BatchFile) -> None:
    path = batch_file([make_record("R1")])
    first = load_file(region, path, batch_id="upload-0001")
    before = content(region)
    again = load_file(
        region, batch_file([make_record("R9")], name="other.jsonl"), batch_id="upload-0001"
    )
    assert again.already_loaded and again.new == first.new == 1
    assert content(region) == before
    assert region.get_record(OWNER, "R9") is None


def test_a_changed_record_becomes_a_new_version_and_keeps_history(
    region: Store, batch_file: BatchFile
) -> None:
    load_file(region, batch_file([make_record("R1")]))
    changed = make_record("R1", narrative="Subject stopped again, now near the school.")
    report = load_file(region, batch_file([changed], name="second.jsonl"))
    assert (report.new, report.changed) == (0, 1)
    history = region.record_history(OWNER, "R1")
    assert [h.version for h in history] == [1, 2]
    current = region.get_record(OWNER, "R1")
    assert current is not None and current.record is not None
    assert current.record.narrative == "Subject stopped again, now near the school."
    first = region.get_record(OWNER, "R1", version=1)
    assert first is not None and first.record is not None
    assert first.record.narrative == "Subject stopped near the park."


def test_a_batch_with_errors_is_rejected_whole_and_names_every_problem(
    region: Store, batch_file: BatchFile
) -> None:
    good = [make_record(f"R{i}") for i in range(5)]
    path = batch_file(good + [make_record("R1")], extra_lines=['{"owner": "WA0170000"'])
    before = content(region)
    with pytest.raises(BatchRejected) as caught:
        load_file(region, path)
    messages = [str(p) for p in caught.value.problems]
    assert messages[0] == 'batch.jsonl:6: source_id: "R1" appears twice in this batch (first at 2)'
    assert messages[1].startswith("batch.jsonl:7: ")
    assert caught.value.total == 2
    assert content(region) == before
    assert region.get_record(OWNER, "R0") is None


def test_records_of_an_unregistered_or_second_owner_are_errors(
    region: Store, batch_file: BatchFile
) -> None:
    path = batch_file(
        [make_record("R1"), make_record("R2", owner=OTHER), make_record("R3", owner="WA0999990")]
    )
    with pytest.raises(BatchRejected) as caught:
        load_file(region, path)
    assert [str(p) for p in caught.value.problems] == [
        'batch.jsonl:2: owner: "WA0171500" differs from the batch owner "WA0170000"'
        " (a batch holds one agency's records)",
        'batch.jsonl:3: owner: "WA0999990" differs from the batch owner "WA0170000"'
        " (a batch holds one agency's records)",
    ]
    unknown = batch_file([make_record("R1", owner="WA0999990")], name="unknown.jsonl")
    with pytest.raises(BatchRejected) as caught:
        load_file(region, unknown)
    assert str(caught.value.problems[0]) == (
        'unknown.jsonl:1: owner: agency "WA0999990" is not registered on this node'
        " (lexhub agency add)"
    )


def test_skip_invalid_loads_the_rest_and_writes_rejects(
    region: Store, batch_file: BatchFile
) -> None:
    path = batch_file([make_record("R1"), make_record("R1"), make_record("R2")])
    report = load_file(region, path, skip_invalid=True)
    assert (report.new, report.rejected) == (2, 1)
    assert report.reject_file is not None
    rejects = [json.loads(line) for line in Path(report.reject_file).read_text().splitlines()]
    assert [(r["line"], r["source_id"]) for r in rejects] == [(2, "R1")]
    assert rejects[0]["errors"] == [
        'batch.jsonl:2: source_id: "R1" appears twice in this batch (first at 1)'
    ]
    assert region.get_record(OWNER, "R2") is not None


def test_snapshot_retracts_what_the_extract_no_longer_holds(
    region: Store, batch_file: BatchFile
) -> None:
    load_file(region, batch_file([make_record("R1"), make_record("R2"), make_record("R3")]))
    report = load_file(
        region,
        batch_file([make_record("R1"), make_record("R3")], name="nightly.jsonl"),
        snapshot=True,
    )
    assert (report.unchanged, report.retracted) == (2, 1)
    gone = region.get_record(OWNER, "R2")
    assert gone is not None and gone.status is RecordStatus.RETRACTED
    assert gone.record is not None  # kept for the audit trail
    assert region.stats().mentions == 2


def test_retracted_record_sent_again_is_active_again(region: Store, batch_file: BatchFile) -> None:
    load_file(region, batch_file([make_record("R1")]))
    assert retract_records(region, OWNER, ["R1"]) == 1
    assert region.stats().mentions == 0
    report = load_file(region, batch_file([make_record("R1")], name="resend.jsonl"))
    assert report.changed == 1
    current = region.get_record(OWNER, "R1")
    assert current is not None and current.status is RecordStatus.ACTIVE
    with pytest.raises(NotFound):
        retract_records(region, OWNER, ["NOPE"])


def test_an_expunged_record_is_refused_by_id_and_by_digest(
    region: Store, batch_file: BatchFile
) -> None:
    record = make_record("R1")
    load_file(region, batch_file([record]))
    result = expunge_record(region, OWNER, "R1")
    assert result.digests
    stored = region.get_record(OWNER, "R1")
    assert stored is not None and stored.status is RecordStatus.EXPUNGED and stored.record is None
    assert region.stats().mentions == 0
    with pytest.raises(BatchRejected) as caught:
        load_file(region, batch_file([record], name="resend.jsonl"))
    assert str(caught.value.problems[0]) == (
        'resend.jsonl:1: source_id: "R1" was expunged; it may not be loaded again'
    )
    # A feed that re-keys the same content is refused by the digest the expungement kept.
    with pytest.raises(BatchRejected) as caught:
        load_file(region, batch_file([make_record("R1-COPY")], name="copy.jsonl"))
    assert str(caught.value.problems[0]) == (
        'copy.jsonl:1: source_id: "R1-COPY" was expunged; it may not be loaded again'
    )
    # Different content under a new id is a different record.
    other = make_record("R2", narrative="A different stop.")
    assert load_file(region, batch_file([other], name="other.jsonl")).new == 1


def test_record_types_and_versions_survive_the_round_trip(
    region: Store, batch_file: BatchFile
) -> None:
    record = make_record("R9")
    load_file(region, batch_file([record]))
    stored = region.get_record(OWNER, "R9")
    assert stored is not None and stored.record is not None
    assert stored.record.type is RecordType.FIELD_INTERVIEW
    assert stored.record.persons[0].name == record.persons[0].name
    assert stored.record.narrative == record.narrative
