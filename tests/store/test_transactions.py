"""All or nothing: a transaction writes only when committed; batches; stats."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexhub.errors import StoreError
from lexhub.model import PersonName
from lexhub.store import Store
from tests.store.conftest import Raw
from tests.store.helpers import OTHER, OWNER, agency, person, prepared, record


class Boom(Exception):
    pass


def _counts(raw: Raw) -> dict[str, int]:
    tables = ("agencies", "batches", "records", "record_versions", "mentions", "mention_keys")
    return {t: raw(f"SELECT count(*) FROM {t}")[0][0] for t in (*tables, "record_keys")}


def test_an_exception_rolls_everything_back(region: Store, raw: Raw) -> None:
    before = _counts(raw)
    with pytest.raises(Boom), region.transaction() as tx:
        tx.put_agency(agency("WA0172000", "Example Town Police"))
        tx.begin_batch("b1", OWNER, "f.jsonl")
        tx.write_records("b1", [prepared(record(f"R{i}")) for i in range(20)])
        raise Boom
    assert _counts(raw) == before
    assert region.batch("b1") is None
    assert region.get_record(OWNER, "R1") is None


def test_leaving_without_commit_rolls_back(region: Store, raw: Raw) -> None:
    before = _counts(raw)
    with region.transaction() as tx:
        tx.begin_batch("b1", OWNER, "f.jsonl")
        tx.write_records("b1", [prepared(record("R1"))])
        tx.finish_batch("b1", {"new": 1})
    assert _counts(raw) == before
    assert region.get_record(OWNER, "R1") is None


def test_a_retraction_or_expunge_left_uncommitted_changes_nothing(region: Store) -> None:
    with region.transaction() as tx:
        tx.write_records("b1", [prepared(record("R1")), prepared(record("R2"))])
        tx.commit()
    with region.transaction() as tx:
        tx.retract(OWNER, ["R1"], None)
        tx.expunge(OWNER, "R2")
    with region.transaction() as tx:
        assert list(tx.active_source_ids(OWNER)) == ["R1", "R2"]
        assert tx.expunged_digests([prepared(record("R2")).digest]) == set()


def test_uncommitted_writes_are_invisible_to_other_connections(region: Store, raw: Raw) -> None:
    with region.transaction() as tx:
        tx.write_records("b1", [prepared(record("R1"))])
        assert raw("SELECT count(*) FROM records")[0][0] == 0
        assert tx.record_states(OWNER, ["R1"]).keys() == {"R1"}  # but visible inside
        tx.commit()
    assert raw("SELECT count(*) FROM records")[0][0] == 1


def test_a_finished_transaction_cannot_be_used(region: Store) -> None:
    with region.transaction() as tx:
        tx.commit()
        with pytest.raises(StoreError, match="no longer open"):
            tx.write_records("b1", [prepared(record("R1"))])
        with pytest.raises(StoreError, match="no longer open"):
            tx.commit()
    with pytest.raises(StoreError, match="no longer open"):
        tx.put_agency(agency())


def test_one_transaction_at_a_time(region: Store) -> None:
    with region.transaction(), pytest.raises(StoreError, match="already open"):
        with region.transaction():
            pass
    with region.transaction() as tx:  # the store is usable again
        tx.commit()


def test_store_reads_inside_a_transaction_see_its_writes(region: Store) -> None:
    with region.transaction() as tx:
        tx.put_agency(agency("WA0172000", "Example Town Police"))
        tx.write_records("b1", [prepared(record("R1"))])
        assert region.get_agency("WA0172000") is not None
        got = region.get_record(OWNER, "R1")
        assert got is not None and got.version == 1


def test_a_batch_is_running_inside_and_done_once_committed(region: Store) -> None:
    with region.transaction() as tx:
        tx.begin_batch("b1", None, "feeds/2026-03-01.jsonl")
        running = region.batch("b1")
        assert running is not None and running.status == "running"
        assert running.finished_at is None
        tx.write_records("b1", [prepared(record("R1"))])
        tx.finish_batch("b1", {"new": 1, "changed": 0})
        tx.commit()
    done = region.batch("b1")
    assert done is not None
    assert (done.batch_id, done.owner, done.source, done.status, done.counts) == (
        "b1", OWNER, "feeds/2026-03-01.jsonl", "done", {"new": 1, "changed": 0}
    )  # fmt: skip
    assert done.finished_at is not None and done.finished_at >= done.started_at
    assert region.batch("b2") is None


def test_a_batch_keeps_the_owner_it_was_begun_with(region: Store) -> None:
    with region.transaction() as tx:
        tx.begin_batch("snap", OTHER, "snapshot.csv")
        tx.finish_batch("snap", {})
        tx.commit()
    got = region.batch("snap")
    assert got is not None and got.owner == OTHER and got.counts == {}


def test_finishing_a_batch_never_begun_is_an_error(region: Store) -> None:
    with region.transaction() as tx, pytest.raises(StoreError, match="not begun"):
        tx.finish_batch("ghost", {})


def test_stats_count_what_was_written(region: Store) -> None:
    empty = region.stats()
    assert (empty.agencies, empty.records_by_status, empty.versions, empty.keys) == (2, {}, 0, 0)
    two = (person("P1"), person("P2", "Sampleton", "Bo"))
    with region.transaction() as tx:
        tx.begin_batch("b1", OWNER, "a.jsonl")
        tx.write_records("b1", [prepared(record("R1", persons=two)), prepared(record("R2"))])
        tx.write_records("b1", [prepared(record("R3", type=record("x").type))])
        tx.finish_batch("b1", {})
        tx.write_records("b2", [prepared(record("X1", owner=OTHER))])
        tx.commit()
    with region.transaction() as tx:
        tx.write_records("b3", [prepared(record("R1", persons=two, narrative="v2"))])
        tx.retract(OWNER, ["R2"], None)
        tx.expunge(OWNER, "R3")
        tx.commit()
    s = region.stats()
    assert s.agencies == 2
    assert s.records_by_status == {"active": 2, "retracted": 1, "expunged": 1}
    assert s.records_by_owner_type == {(OWNER, "field-interview"): 1, (OTHER, "field-interview"): 1}
    assert s.versions == 5
    assert s.mentions == 3  # R1 v2 has two, X1 one
    per_mention = len(set(prepared(record("R1")).index.mentions[0].keys))
    per_record = len(set(prepared(record("R1")).index.keys))
    assert s.keys == 3 * per_mention + 2 * per_record
    assert s.batches == 1
    assert s.size_bytes is not None and s.size_bytes > 0


names = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(last=names, first=st.none() | names, narrative=st.none() | names)
def test_any_text_round_trips(
    region: Store, last: str, first: str | None, narrative: str | None
) -> None:
    """Whatever the names and narrative hold (accents, quotes, emoji, newlines), the record
    read back equals the record written. NUL is excluded: PostgreSQL text cannot hold it,
    and ingest refuses it before the store."""
    p = person("P1")
    r = record(
        "HYP",
        persons=(p.__class__(**{**p.__dict__, "name": PersonName(last, first)}),),
        narrative=narrative,
    )
    with region.transaction() as tx:
        tx.write_records("hyp", [prepared(r)])
        tx.commit()
    got = region.get_record(OWNER, "HYP")
    assert got is not None and got.record == r
