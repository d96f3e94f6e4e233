"""The record life cycle on both engines: write, version, read, retract, re-activate,
expunge. Index rows are looked at behind the interface, through a second connection."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lexhub.errors import NotFound, StoreError
from lexhub.model import PartialDate, RecordType, Sensitivity
from lexhub.store import RecordState, RecordStatus, Store
from tests.store.conftest import Raw
from tests.store.helpers import OTHER, OWNER, agency, person, prepared, record


def _write(store: Store, *records: object, batch: str = "b1") -> None:
    with store.transaction() as tx:
        tx.write_records(batch, [prepared(r) for r in records])  # type: ignore[arg-type]
        tx.commit()


def _index_rows(raw: Raw, record_id: int) -> dict[str, int]:
    """How many index rows of each kind this record has."""
    narrative_id = "rowid" if raw.engine == "sqlite" else "record_id"  # type: ignore[attr-defined]
    return {
        "mentions": raw("SELECT count(*) FROM mentions WHERE record_id = ?", record_id)[0][0],
        "mention_keys": raw(
            "SELECT count(*) FROM mention_keys WHERE mention_id IN"
            " (SELECT id FROM mentions WHERE record_id = ?)",
            record_id,
        )[0][0],
        "record_keys": raw("SELECT count(*) FROM record_keys WHERE record_id = ?", record_id)[0][0],
        "narratives": raw(f"SELECT count(*) FROM narratives WHERE {narrative_id} = ?", record_id)[
            0
        ][0],
    }


def _all_keys(raw: Raw) -> set[tuple[str, str]]:
    return {(k, v) for k, v in raw("SELECT kind, key FROM mention_keys")}


def test_agencies_round_trip_and_replace(store: Store) -> None:
    a, b = agency(OWNER, "Example County Sheriff"), agency(OTHER, "Example City Police")
    with store.transaction() as tx:
        tx.put_agency(b)
        tx.put_agency(a)
        tx.commit()
    assert store.get_agency(OWNER) == a
    assert store.list_agencies() == [a, b]  # ordered by id
    renamed = replace(a, name="Example County Sheriff's Office")
    with store.transaction() as tx:
        tx.put_agency(renamed)
        tx.commit()
    assert store.get_agency(OWNER) == renamed
    assert store.get_agency("WA9999999") is None


def test_written_record_reads_back_equal(region: Store) -> None:
    r = record("R1", persons=(person("P1"), person("P2", "Sampleton", "Bo")))
    _write(region, r, batch="batch-1")
    got = region.get_record(OWNER, "R1")
    assert got is not None
    assert got.record == r
    assert (got.owner, got.source_id, got.status, got.version) == (
        OWNER, "R1", RecordStatus.ACTIVE, 1
    )  # fmt: skip
    assert got.digest == prepared(r).digest
    assert got.batch_id == "batch-1"
    assert got.loaded_at is not None and got.loaded_at.tzinfo is not None
    assert region.get_record(OWNER, "nope") is None
    assert region.get_record(OTHER, "R1") is None


def test_index_rows_match_the_prepared_index(region: Store, raw: Raw) -> None:
    r = record("R1", persons=(person("P1"), person("P2", "Sampleton", "Bo")))
    _write(region, r)
    rid = region.get_record(OWNER, "R1").record_id  # type: ignore[union-attr]
    index = prepared(r).index
    assert _index_rows(raw, rid) == {
        "mentions": 2,
        "mention_keys": sum(len(set(m.keys)) for m in index.mentions),
        "record_keys": len(set(index.keys)),
        "narratives": 1,
    }
    mentions = raw(
        "SELECT ref, role, last, first, middle, dob, dob_year, sex, height_in, weight_lb,"
        " owner, type, sensitivity FROM mentions WHERE record_id = ? ORDER BY ref",
        rid,
    )
    assert mentions[1] == (
        "P2", "suspect", "SAMPLETON", "BO", "Q", "1988-04-12", 1988, "F", 65, 140,
        OWNER, "field-interview", "standard",
    )  # fmt: skip
    assert ("last", "SAMPLETON") in _all_keys(raw)


def test_a_changed_record_becomes_a_new_version_and_history_keeps_the_old(
    region: Store, raw: Raw
) -> None:
    v1 = record("R1", narrative="First account.")
    v2 = record(
        "R1",
        persons=(person("P1", "Newname", dob=PartialDate(1988)),),
        narrative="Corrected account.",
        type=RecordType.ARREST,
        sensitivity=Sensitivity.SENSITIVE,
    )
    _write(region, v1, batch="b1")
    _write(region, v2, batch="b2")
    current = region.get_record(OWNER, "R1")
    assert current is not None and current.version == 2 and current.record == v2
    history = region.record_history(OWNER, "R1")
    assert [(h.version, h.record, h.batch_id) for h in history] == [(1, v1, "b1"), (2, v2, "b2")]
    old = region.get_record(OWNER, "R1", version=1)
    assert old is not None and old.record == v1 and old.status is RecordStatus.ACTIVE
    assert region.get_record(OWNER, "R1", version=3) is None
    # Index rows are those of version 2 only.
    keys = _all_keys(raw)
    assert ("last", "NEWNAME") in keys and ("last", "TESTPERSON") not in keys
    assert raw("SELECT type, sensitivity, dob FROM mentions") == [("arrest", "sensitive", "1988")]
    assert _index_rows(raw, current.record_id)["mentions"] == 1


def test_record_states_report_what_is_known(region: Store) -> None:
    _write(region, record("R1"), record("R2"))
    with region.transaction() as tx:
        tx.retract(OWNER, ["R2"], None)
        tx.commit()
    with region.transaction() as tx:
        states = tx.record_states(OWNER, ["R1", "R2", "R3", "R1"])
        assert set(states) == {"R1", "R2"}
        assert states["R1"] == RecordState(
            states["R1"].record_id, RecordStatus.ACTIVE, 1, prepared(record("R1")).digest
        )
        assert states["R2"].status is RecordStatus.RETRACTED
        assert tx.record_states(OTHER, ["R1"]) == {}
        assert tx.record_states(OWNER, []) == {}


def test_record_states_handle_more_ids_than_one_query_takes(region: Store) -> None:
    ids = [f"R{i}" for i in range(1203)]
    _write(region, *(record(i, persons=(), narrative=None) for i in ids))
    with region.transaction() as tx:
        assert set(tx.record_states(OWNER, ids + ["missing"])) == set(ids)
        assert sorted(tx.active_source_ids(OWNER)) == sorted(ids)


def test_retract_drops_index_rows_and_keeps_history(region: Store, raw: Raw) -> None:
    _write(region, record("R1"), record("R2"))
    with region.transaction() as tx:
        assert tx.retract(OWNER, ["R1", "R1", "unknown"], "b9") == 1
        assert tx.retract(OWNER, ["R1"], None) == 0  # already retracted: not counted again
        tx.commit()
    got = region.get_record(OWNER, "R1")
    assert got is not None and got.status is RecordStatus.RETRACTED
    assert got.record == record("R1")  # content kept for the audit trail
    assert _index_rows(raw, got.record_id) == dict.fromkeys(
        ("mentions", "mention_keys", "record_keys", "narratives"), 0
    )
    other = region.get_record(OWNER, "R2")
    assert other is not None and _index_rows(raw, other.record_id)["mentions"] == 1
    with region.transaction() as tx:
        assert list(tx.active_source_ids(OWNER)) == ["R2"]


def test_a_retracted_record_sent_again_is_active_with_a_new_version(
    region: Store, raw: Raw
) -> None:
    _write(region, record("R1"))
    with region.transaction() as tx:
        tx.retract(OWNER, ["R1"], None)
        tx.commit()
    _write(region, record("R1"), batch="b2")
    got = region.get_record(OWNER, "R1")
    assert got is not None
    assert (got.status, got.version) == (RecordStatus.ACTIVE, 2)
    assert _index_rows(raw, got.record_id)["mentions"] == 1


def test_expunge_erases_content_and_index_rows_and_keeps_digests(region: Store, raw: Raw) -> None:
    v1, v2 = record("R1", narrative="One."), record("R1", narrative="Two.")
    _write(region, v1, record("R2"))
    _write(region, v2, batch="b2")
    with region.transaction() as tx:
        result = tx.expunge(OWNER, "R1")
        tx.commit()
    digests = (prepared(v1).digest, prepared(v2).digest)
    assert (result.owner, result.source_id, result.digests) == (OWNER, "R1", digests)
    got = region.get_record(OWNER, "R1")
    assert got is not None
    assert (got.status, got.record, got.digest, got.version) == (
        RecordStatus.EXPUNGED, None, digests[1], 2
    )  # fmt: skip
    assert [(h.record, h.digest) for h in region.record_history(OWNER, "R1")] == [
        (None, digests[0]),
        (None, digests[1]),
    ]
    # Only R2's single version still has content.
    assert raw("SELECT count(*) FROM record_versions WHERE content IS NOT NULL")[0][0] == 1
    assert raw(
        "SELECT type, sensitivity, occurred, digest FROM records WHERE id = ?", result.record_id
    ) == [(None, None, None, None)]
    assert _index_rows(raw, result.record_id) == dict.fromkeys(
        ("mentions", "mention_keys", "record_keys", "narratives"), 0
    )
    with region.transaction() as tx:
        assert tx.expunged_digests([*digests, prepared(record("R2")).digest, "f" * 64]) == set(
            digests
        )
        assert tx.record_states(OWNER, ["R1"])["R1"] == RecordState(
            result.record_id, RecordStatus.EXPUNGED, 2, None
        )
        assert list(tx.active_source_ids(OWNER)) == ["R2"]
        again = tx.expunge(OWNER, "R1")  # idempotent
        assert again == result
        tx.commit()


def test_expunge_of_an_unknown_record_is_not_found(region: Store) -> None:
    with region.transaction() as tx, pytest.raises(NotFound, match=f"no record {OWNER}/R404"):
        tx.expunge(OWNER, "R404")


def test_an_expunged_record_cannot_be_written_again(region: Store) -> None:
    _write(region, record("R1"))
    with region.transaction() as tx:
        tx.expunge(OWNER, "R1")
        tx.commit()
    with region.transaction() as tx, pytest.raises(StoreError, match="expunged"):
        tx.write_records("b2", [prepared(record("R1"))])


def test_the_same_record_twice_in_one_write_is_refused(region: Store) -> None:
    with region.transaction() as tx, pytest.raises(StoreError, match="twice"):
        tx.write_records("b1", [prepared(record("R1")), prepared(record("R1"))])


def test_a_record_of_an_unregistered_agency_is_a_store_error(store: Store) -> None:
    """Inserts run behind the caller: the driver's error surfaces, translated, at the next
    use of the store at the latest, and nothing is committed."""
    with store.transaction() as tx, pytest.raises(StoreError) as caught:
        tx.write_records("b1", [prepared(record("R1"))])
        tx.commit()
    assert caught.value.__cause__ is not None  # the driver's integrity error, translated
    assert store.get_record(OWNER, "R1") is None


def test_a_failed_write_surfaces_at_the_next_call_not_after_commit(store: Store) -> None:
    with store.transaction() as tx:
        tx.write_records("b1", [prepared(record("R1"))])
        with pytest.raises(StoreError):
            tx.record_states(OWNER, ["R1"])
    with store.transaction() as tx:  # the store is usable again
        tx.put_agency(agency())
        tx.commit()
    assert store.get_record(OWNER, "R1") is None
