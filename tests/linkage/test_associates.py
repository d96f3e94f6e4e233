"""Associates on both engines: who shares a record, a phone, an address or a plate with an
entity, inside the requester's scope only. A hidden record never connects and never shows,
a withheld field never connects, and the answer is exactly the answer of a store where the
hidden records never existed (hypothesis, against retraction inside a rolled-back
transaction)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexhub.linkage import entity_for
from lexhub.linkage.associates import Associates, associates_of
from lexhub.linkage.entities import entities_for
from lexhub.model import Role
from lexhub.normalize.plates import plate_key
from lexhub.store import Store, open_store
from tests.linkage.region import PLATE, RECORDS, WHERE, load_region, scope_without
from tests.search.conftest import new_pg_url

__all__ = ["new_pg_url"]

SOURCES = sorted(WHERE)


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def region_store(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Store, dict[tuple[str, str], int]]]:
    """The link-analysis region on each engine, loaded once per module. Do not commit."""
    directory = tmp_path_factory.mktemp("assoc")
    url = (
        f"sqlite:///{directory}/a.db"
        if request.param == "sqlite"
        else request.getfixturevalue("new_pg_url")()
    )
    with open_store(url) as s:
        s.migrate()
        ids = load_region(s, directory)
        yield s, ids


def _answer(store: Store, scope: Any, mention: int) -> Associates | None:
    entity = entity_for(store, scope, mention)
    return None if entity is None else associates_of(store, scope, entity)


def _by_name(answer: Associates) -> dict[str, set[tuple[str, str | None]]]:
    """associate (its members' names) -> {(kind, key)} of its connections."""
    return {
        "+".join(sorted({m.name for m in a.members})): {(c.kind, c.key) for c in a.connections}
        for a in answer.associates
    }


def test_associates_by_record_phone_address_and_plate_strongest_first(
    region_store: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = region_store
    answer = _answer(store, scope_without(), ids[("r1", "P1")])
    assert answer is not None
    assert [m.mention_id for m in answer.members] == sorted(
        ids[k] for k in (("r1", "P1"), ("r2", "P1"), ("r7", "P2"))
    )
    assert all(m.weight == 9.5 for m in answer.members)
    got = _by_name(answer)
    # Hank ties Bob and Dee into one person; Hank shares r7 with Ann, Bob her phone, Dee
    # her plate: one associate with three kinds of connection.
    assert got == {
        "BAKER, BOB+DUNN, DEE+HILL, HANK": {
            ("record", None), ("phone", "+12065550142"), ("vehicle", plate_key(PLATE)),
        },
        "COLE, CY": {("record", None)},
        "FOX, FAY": {("record", None)},
        "EZRA, EVE": {("address", "12 ALDER ST")},
    }  # fmt: skip
    assert [a.name for a in answer.associates][0] == "BAKER, BOB"
    strengths = [a.strength for a in answer.associates]
    assert strengths == sorted(strengths, reverse=True)
    # The connecting records are the ones that hold the shared value.
    bob = answer.associates[0]
    phone = next(c for c in bob.connections if c.kind == "phone")
    r1 = next(m.record_id for m in answer.members if m.mention_id == ids[("r1", "P1")])
    r3 = next(m.record_id for m in bob.members if m.mention_id == ids[("r3", "P1")])
    assert (phone.entity_record, phone.associate_record) == (r1, r3)
    # Gus shares only Bob's shelter address: an associate of Bob, not of Ann.
    assert not any("GRAY" in n for n in got)


def test_a_hidden_record_neither_connects_nor_bridges(
    region_store: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = region_store
    answer = _answer(store, scope_without(["r7"]), ids[("r1", "P1")])
    assert answer is not None
    got = _by_name(answer)
    # Without r7: Ann is r1+r2, Hank and Fay vanish, Bob and Dee are two people.
    assert [m.mention_id for m in answer.members] == sorted((ids[("r1", "P1")], ids[("r2", "P1")]))
    assert got["BAKER, BOB"] == {("phone", "+12065550142")}
    assert got["DUNN, DEE"] == {("vehicle", plate_key(PLATE))}
    assert not any("HILL" in n or "FOX" in n for n in got)


def test_a_withheld_field_does_not_connect(
    region_store: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = region_store
    scope = scope_without(["r7"], {"r3": frozenset({"person.phones"}),
                                   "r5": frozenset({"record.vehicles"})})  # fmt: skip
    answer = _answer(store, scope, ids[("r1", "P1")])
    assert answer is not None
    got = _by_name(answer)
    assert "DUNN, DEE" not in got  # the plate is withheld in r5
    # r3's person withholds phones, so it takes no part in entities; Bob stays only as r4,
    # which shares nothing with Ann.
    assert not any("BAKER" in n for n in got)


def test_an_unknown_or_hidden_mention_has_no_associates(
    region_store: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = region_store
    assert _answer(store, scope_without(["r1"]), ids[("r1", "P1")]) is None
    assert _answer(store, scope_without(), max(ids.values()) + 1000) is None


HIDDEN = st.sets(st.sampled_from(SOURCES))
WITHHOLD = st.dictionaries(
    st.sampled_from(SOURCES),
    st.sets(
        st.sampled_from(
            ["person.phones", "person.addresses", "record.vehicles", "record.narrative"]
        ),
        min_size=1,
    ).map(frozenset),  # fmt: skip
    max_size=3,
)
START = st.sampled_from([(r.source_id, p.ref) for r in RECORDS for p in r.persons])


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hidden=HIDDEN, withhold=WITHHOLD, start=START, witnesses=HIDDEN)
def test_hiding_records_is_as_if_they_never_existed(
    region_store: tuple[Store, dict[tuple[str, str], int]],
    hidden: set[str],
    withhold: dict[str, frozenset[str]],
    start: tuple[str, str],
    witnesses: set[str],
) -> None:
    store, ids = region_store
    scope = scope_without(sorted(hidden), withhold, sorted(witnesses))
    seen = _answer(store, scope, ids[start])
    hidden_records = _record_ids(store, ids, hidden)
    withheld = {ids[(r.source_id, p.ref)] for r in RECORDS if r.source_id in witnesses
                for p in r.persons if p.role is Role.WITNESS}  # fmt: skip
    if seen is not None:
        assert not {m.mention_id for m in seen.members} & withheld
        for a in seen.associates:
            assert not {m.record_id for m in a.members} & hidden_records
            assert not {m.mention_id for m in a.members} & withheld
            for c in a.connections:
                assert not {c.entity_record, c.associate_record} & hidden_records
                if c.kind == "vehicle":
                    assert not _withholds(withhold, store, ids, c, "record.vehicles")
        assert not seen.record_ids() & hidden_records
    with store.transaction() as tx:  # never committed: the retraction is rolled back
        for source in hidden:
            tx.retract(WHERE[source][0], [source], None)
        assert _answer(store, scope, ids[start]) == seen


def _record_ids(store: Store, ids: dict[tuple[str, str], int], sources: set[str]) -> set[int]:
    rows = store.mention_rows([m for (s, _), m in ids.items() if s in sources])
    return {r.record_id for r in rows}


def _withholds(
    withhold: dict[str, frozenset[str]], store: Store, ids: dict[tuple[str, str], int],
    c: Any, field: str,
) -> bool:  # fmt: skip
    by_record = {r.record_id: r.source_id for r in store.mention_rows(list(ids.values()))}
    return any(field in withhold.get(by_record[r], frozenset())
               for r in (c.entity_record, c.associate_record))  # fmt: skip


def test_the_store_reads_are_index_lookups(
    region_store: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    """SQLite's plan for each associates read searches an index; none scans a table."""
    store, ids = region_store
    if store.engine != "sqlite":
        pytest.skip("the plan check reads SQLite's EXPLAIN QUERY PLAN")
    plans: list[str] = []
    raw = store._x  # type: ignore[attr-defined]

    def explain(sql: str, params: Any = ()) -> Any:
        if sql.lstrip().upper().startswith("SELECT"):
            plans.extend(str(r[-1]) for r in raw("EXPLAIN QUERY PLAN " + sql, params).fetchall())
        return raw(sql, params)

    store._x = explain  # type: ignore[attr-defined]
    try:
        entity = entity_for(store, scope_without(), ids[("r1", "P1")])
        assert entity is not None
        associates_of(store, scope_without(), entity)
    finally:
        del store._x  # type: ignore[attr-defined]
    # The one SCAN: the newest model row, backwards on the rowid, LIMIT 1 (read once).
    scans = [p for p in plans if p.startswith("SCAN")]
    assert plans and scans == ["SCAN linkage_models"] * 2, plans  # entity_for, associates_of


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hidden=HIDDEN, withhold=WITHHOLD)
def test_entities_for_many_mentions_equal_entity_for_each(
    region_store: tuple[Store, dict[tuple[str, str], int]],
    hidden: set[str],
    withhold: dict[str, frozenset[str]],
) -> None:
    store, ids = region_store
    scope = scope_without(sorted(hidden), withhold)
    every = sorted(ids.values()) + [max(ids.values()) + 7]
    formed, rows = entities_for(store, scope, every)
    for mid in every:
        assert formed.get(mid) == entity_for(store, scope, mid)
    assert set(rows) == {m for e in formed.values() for m in e.mention_ids}


def test_a_witness_withheld_by_role_is_no_associate(
    region_store: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = region_store
    shown = _answer(store, scope_without(), ids[("r1", "P1")])
    withheld = _answer(store, scope_without(witnesses=["r1"]), ids[("r1", "P1")])
    assert shown is not None and withheld is not None
    assert "COLE, CY" in _by_name(shown) and "COLE, CY" not in _by_name(withheld)
    assert "FOX, FAY" in _by_name(withheld)  # a witness of another record's grant
