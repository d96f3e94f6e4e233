"""`link_mentions` on both engines: quality on ground truth it never reads, the saved
model and edges, evidence that adds up, and a human decision kept through a new run."""

from __future__ import annotations

import math
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from jellyfish import jaro_winkler_similarity

from lexhub.errors import LexhubError
from lexhub.linkage import evaluate, evidence, evidence_text, link_mentions
from lexhub.linkage.components import component_roots, components
from lexhub.linkage.frame import _address_parts, mention_frame
from lexhub.linkage.predict import frame_columns
from lexhub.linkage.run import Scored, cluster, score_frame
from lexhub.store import Store
from lexhub.store.linkage_sql import LinkRow
from tests.linkage.conftest import OPTIONS, truth_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_link_resolves_the_region_without_labels_and_saves_model_edges_entities(
    loaded: Store, region: Path
) -> None:
    said: list[str] = []
    result = link_mentions(loaded, OPTIONS, said.append)
    assert said == ["reading mentions", "training (EM, no labels)", "scoring pairs",
                    "clustering", "saving entities"]  # fmt: skip
    truth = truth_of(loaded, region)
    assigned = loaded.entity_assignments()
    assert set(assigned) == set(truth)  # every mention is in exactly one entity
    q = evaluate(assigned, truth)
    assert result.mentions == len(truth) and result.entities == len(set(assigned.values()))
    assert q.precision >= 0.95 and q.bcubed_f1 >= 0.85, q
    model = loaded.linkage_model()
    assert model is not None and model.id == result.model_id
    assert model.threshold == result.threshold and model.counts["links"] == result.links
    # Each stored link's evidence adds up to its weight, and says whether it links.
    every = loaded.entity_links_among(list(assigned))
    assert (
        len(every) == result.pairs
        and sum(k.weight >= result.threshold for k in every) == result.links
    )
    for link in every[:: max(1, len(every) // 8)]:
        ev = evidence(model, link)
        total = ev.prior + sum(s.weight for s in ev.steps) + ev.adjustment
        assert math.isclose(total, link.weight, abs_tol=1e-9)
        lines = evidence_text(ev)
        assert lines[-1].endswith("linked" if link.weight >= model.threshold else "not linked")
        assert any(line.startswith("surname: ") for line in lines)
    # A human decision is kept through the next run, whatever the model says then.
    strong = max(every, key=lambda k: k.weight)
    loaded.linkage_decide(strong.left, strong.right, "reject", "analyst1", datetime.now(UTC))
    link_mentions(loaded, OPTIONS, lambda _: None)
    kept = [
        k
        for k in loaded.entity_links_among([strong.left, strong.right])
        if (k.left, k.right) == (strong.left, strong.right)
    ]
    assert len(kept) == 1 and kept[0].decision == "reject"
    assert [k.decision for k in loaded.decided_links()] == ["reject"]


@given(
    st.lists(st.tuples(st.integers(0, 40), st.integers(0, 40)), max_size=80),
    st.sets(st.integers(0, 40), min_size=1),
)
def test_column_wise_components_are_the_union_find_components(
    edges: list[tuple[int, int]], nodes: set[int]
) -> None:
    ids = np.array(sorted(nodes), np.int64)
    inside = [(min(a, b), max(a, b)) for a, b in edges if a in nodes and b in nodes]
    left = np.array([a for a, _ in inside], np.int64)
    right = np.array([b for _, b in inside], np.int64)
    rows = [LinkRow(a, b, 9.0, 1.0, {}) for a, b in inside]
    expected = components(ids.tolist(), rows, 4.0)
    assert dict(zip(ids.tolist(), component_roots(ids, left, right).tolist(), strict=True)) == (
        expected
    )


def test_cluster_keeps_band_edges_between_entities_only_and_obeys_decisions() -> None:
    ids = np.array([1, 2, 3, 4, 5], np.int64)
    pairs = pd.DataFrame(
        {
            "unique_id_l": [1, 2, 1, 3, 4],
            "unique_id_r": [2, 3, 3, 4, 5],
            "match_weight": [9.0, 8.0, 1.0, 2.0, 7.0],
            "match_probability": [1.0, 1.0, 0.7, 0.8, 0.99],
            "gamma_surname": [4, 4, 1, 2, 4],
            "gamma_dob": [5, 3, 0, 1, 5],
        }
    )
    scored = Scored({}, frame_columns(pairs), 4.0)
    rejected = LinkRow(4, 5, 7.0, 0.99, {}, "reject")
    done = cluster(ids, scored, [rejected])
    rows = [row for chunk in done.links.chunks() for row in chunk.rows()]
    # 1-3 is a band edge inside {1, 2, 3}: dropped; 3-4 is one between entities: kept;
    # 4-5 would join but a human rejected it: kept (the store keeps its decision).
    assert [(a, b) for a, b, *_ in rows] == [(1, 2), (2, 3), (3, 4), (4, 5)]  # key order
    assert len(done.links) == 4
    assert rows[0][4] == '{"dob":5,"surname":4}'  # as entity_links stores them
    assert rows[2][4] == '{"dob":1,"surname":2}'
    assert done.joined == 2 and done.entities == 3
    entity = {m: n for m, n, _ in done.members}
    assert entity[1] == entity[2] == entity[3] != entity[4] != entity[5]
    assert {m: w for m, _, w in done.members} == {1: 9.0, 2: 9.0, 3: 8.0, 4: None, 5: None}
    accepted = LinkRow(3, 5, 0.5, 0.6, {}, "accept")  # not scored this run, still joins
    again = cluster(ids, scored, [rejected, accepted])
    assert again.entities == 2 and {m for m, n, _ in again.members if n == 2} == {4}


def test_an_unknown_backend_is_refused_before_anything_is_read(loaded: Store) -> None:
    said: list[str] = []
    with pytest.raises(LexhubError) as raised:
        link_mentions(loaded, replace(OPTIONS, backend="sqlite"), said.append)
    assert str(raised.value) == "unknown linkage backend 'sqlite': one of duckdb, spark"
    assert said == [] and loaded.linkage_model() is None


def _address_level(left: pd.Series, right: pd.Series) -> int:
    """The addresses comparison's level, recomputed in Python from the frame."""
    missing = (left["addresses"] is None or right["addresses"] is None) and (
        left["postcodes"] is None or right["postcodes"] is None
    )
    if missing:
        return -1
    levels = ("addresses", "buildings", "postcode_numbers", "building", "streets", "postcodes")
    for gamma, column in zip(range(len(levels), 0, -1), levels, strict=True):
        if column == "building":  # one building each, Jaro-Winkler
            a, b = left[column], right[column]
            if a is not None and b is not None and jaro_winkler_similarity(a, b) >= 0.9:
                return gamma
        elif set(left[column] or ()) & set(right[column] or ()):
            return gamma
    return 0


def test_address_levels_beyond_the_exact_key_are_the_ones_the_frame_implies(
    loaded: Store,
) -> None:
    link_mentions(loaded, OPTIONS, lambda _: None)
    frame = mention_frame(loaded.linkage_mentions()).set_index("unique_id")
    every = loaded.entity_links_among(frame.index.tolist())
    seen = [k.levels["addresses"] for k in every]
    expected = [_address_level(frame.loc[k.left], frame.loc[k.right]) for k in every]
    assert seen == expected
    # The region exercises a level short of the exact key, not only exact and else.
    assert set(seen) & {1, 2, 3, 4, 5}, sorted(set(seen))


def test_address_parts_read_building_postcode_and_street() -> None:
    entries = [
        ["336 NW MADRONA AVE UNIT 351", "336 NW MADRONA AVE",
         "336 NW Madrona Ave #351, SPOKANE, WA 99202-1234"],
        ["12 MAIN ST UNIT 1234", "12 MAIN ST", "12 Main St Apt 1234"],
        ["PO BOX 7", "PO BOX 7", "PO Box 7, 2533"],
    ]  # fmt: skip
    buildings, postcodes, numbered, streets = _address_parts(entries)
    assert buildings == ["12 MAIN ST", "336 NW MADRONA AVE", "PO BOX 7"]
    assert postcodes == ["2533", "99202"]  # the unit 1234 is not a postcode
    assert numbered == ["99202 336"]  # a PO box has no house number
    assert streets == ["MAIN ST", "NW MADRONA AVE", "PO BOX 7"]
    assert _address_parts([]) == (None, None, None, None)


def test_a_mention_with_first_name_and_surname_swapped_is_compared_and_scored_as_a_swap(
    loaded: Store,
) -> None:
    """Scored with the model the full run saved, on a frame where one mention's names are
    swapped: no name key is left to block on, so only the swap rule brings the pair."""
    link_mentions(loaded, OPTIONS, lambda _: None)
    model = loaded.linkage_model()
    assert model is not None
    frame = mention_frame(loaded.linkage_mentions())
    named = frame.dropna(subset=["first_name", "surname"])
    named = named[named["first_name"] != named["surname"]]
    twins = named[named.duplicated(["first_name", "surname"], keep=False)]
    first, surname = twins.iloc[0]["first_name"], twins.iloc[0]["surname"]
    same = twins[(twins["first_name"] == first) & (twins["surname"] == surname)]
    swapped, other = int(same.iloc[0]["unique_id"]), int(same.iloc[1]["unique_id"])
    frame.loc[frame["unique_id"] == swapped, ["first_name", "surname"]] = [surname, first]
    for column in ("first_nick", "first_dm", "surname_dm", "surname_dm1", "dob", "dob_year"):
        frame.loc[frame["unique_id"] == swapped, column] = None  # nothing else to block on
    every_pair = replace(OPTIONS, model=model.model, threshold=-1000.0)  # no floor
    scored = score_frame(frame, every_pair, lambda _: None).pairs
    pair = (scored.left == min(swapped, other)) & (scored.right == max(swapped, other))
    assert pair.sum() == 1
    assert int(scored.level("first_name")[pair][0]) == 5  # the level below exact: swapped
