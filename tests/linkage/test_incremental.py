"""The stored entities between full runs, on both engines: removing a mention splits the
entity it bridged at once; an incremental batch joins, merges or starts entities exactly
as a full run would with the same model, and keeps every human decision."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from splink import DuckDBAPI, Linker
from typer.testing import CliRunner, Result

from lexhub.cli.agency import agencies_from_file
from lexhub.cli.app import app
from lexhub.errors import NotFound
from lexhub.ingest.lifecycle import expunge_record, retract_records
from lexhub.ingest.load import load_file
from lexhub.linkage import evaluate, link_mentions
from lexhub.linkage.components import components
from lexhub.linkage.frame import mention_frame
from lexhub.linkage.incremental import NO_MODEL, link_new, score_new
from lexhub.linkage.run import REVIEW_BAND
from lexhub.store import Store, open_store
from lexhub.store.linkage_sql import LINKAGE_COLUMNS, LinkRow
from tests.linkage.conftest import OPTIONS, truth_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

THRESHOLD = 4.0
OWNER, SOURCE = LINKAGE_COLUMNS.index("owner"), LINKAGE_COLUMNS.index("source_id")
RECORD = LINKAGE_COLUMNS.index("record_id")


def _link(a: int, b: int, weight: float, decision: str | None = None) -> LinkRow:
    return LinkRow(min(a, b), max(a, b), weight, 0.9, {}, decision)


def _groups(store: Store) -> set[frozenset[int]]:
    by: dict[int, set[int]] = {}
    for m, e in store.entity_assignments().items():
        by.setdefault(e, set()).add(m)
    return {frozenset(v) for v in by.values()}


def _bridge(store: Store) -> tuple[int, int, int, list[int]]:
    """Mentions a - x - b of three different records, saved as one entity held together
    by x alone; every other mention alone. Returns a, x, b and every mention id."""
    rows = list(store.linkage_mentions())
    a = rows[0]
    x = next(r for r in rows if r[RECORD] != a[RECORD])
    b = next(r for r in rows if r[RECORD] not in (a[RECORD], x[RECORD]))
    ids = [int(r[0]) for r in rows]
    trio = [int(a[0]), int(x[0]), int(b[0])]
    members = [(m, 1 if m in trio else m + 10, None) for m in ids]
    links = [_link(trio[0], trio[1], 9.0), _link(trio[1], trio[2], 8.0)]
    store.linkage_save("{}", THRESHOLD, {}, links, members, datetime.now(UTC))
    return trio[0], trio[1], trio[2], ids


@pytest.mark.parametrize("how", ["expunge", "retract"])
def test_removing_a_bridge_mention_splits_its_entity_at_once(loaded: Store, how: str) -> None:
    a, x, b, _ = _bridge(loaded)
    assert frozenset((a, x, b)) in _groups(loaded)
    row = next(r for r in loaded.linkage_mentions() if r[0] == x)
    if how == "expunge":
        expunge_record(loaded, row[OWNER], row[SOURCE], compact=False)
    else:
        retract_records(loaded, row[OWNER], [row[SOURCE]])
    groups = _groups(loaded)
    assigned = loaded.entity_assignments()
    assert x not in assigned
    # x's record may hold other mentions too: they went with it. a and b now stand apart.
    assert frozenset((a,)) in groups and frozenset((b,)) in groups
    assert assigned[a] != assigned[b]
    # Every stored entity's size still counts its members.
    assert all(len(g) >= 1 for g in groups) and sum(len(g) for g in groups) == len(assigned)


def test_reform_merges_on_accept_and_splits_on_reject(loaded: Store) -> None:
    a, x, b, _ = _bridge(loaded)
    now = datetime.now(UTC)
    with loaded.transaction() as tx:
        loaded.linkage_decide(x, b, "reject", "analyst1", now)
        change = loaded.linkage_reform([x, b])
        tx.commit()
    assert change.split == 1 and change.after == 2
    groups = _groups(loaded)
    assert frozenset((a, x)) in groups and frozenset((b,)) in groups
    with loaded.transaction() as tx:
        loaded.linkage_decide(x, b, "accept", "analyst1", now)
        change = loaded.linkage_reform([x, b])
        tx.commit()
    assert change.merged == 1 and frozenset((a, x, b)) in _groups(loaded)


def test_unlinked_mentions_are_those_in_no_entity(loaded: Store, region: Path) -> None:
    every = [int(r[0]) for r in loaded.linkage_mentions()]
    assert loaded.linkage_unlinked() == every  # nothing linked yet
    a, x, b, ids = _bridge(loaded)
    assert loaded.linkage_unlinked() == []


def test_link_new_without_a_model_tells_to_run_a_full_link(loaded: Store) -> None:
    with pytest.raises(NotFound, match=r"no linkage model yet: run a full `lexhub link` first"):
        link_new(loaded)


@pytest.fixture
def partly(store: Store, region: Path) -> Store:
    """The region's agencies, and every file but the last loaded (the last is the batch)."""
    with store.transaction() as tx:
        for agency in agencies_from_file(region / "agencies.json"):
            tx.put_agency(agency)
        tx.commit()
    for path in sorted(region.glob("*.jsonl"))[:-1]:
        load_file(store, path)
    return store


def test_a_new_batch_joins_entities_with_the_model_in_force_and_keeps_decisions(
    partly: Store, region: Path
) -> None:
    store = partly
    link_mentions(store, OPTIONS, lambda _: None)
    old = sorted(store.entity_assignments())
    old_edges = sorted(store.entity_links_among(old), key=lambda k: (k.left, k.right))
    strong = max(old_edges, key=lambda k: k.weight)
    store.linkage_decide(strong.left, strong.right, "reject", "analyst1", datetime.now(UTC))
    store.linkage_reform([strong.left, strong.right])
    model = store.linkage_model()
    load_file(store, sorted(region.glob("*.jsonl"))[-1])
    new = store.linkage_unlinked()
    assert new and not set(new) & set(old)
    said: list[str] = []
    result = link_new(store, said.append)
    assert said == ["reading mentions", "scoring new mentions", "saving entities"]
    assert store.linkage_model() == model  # nothing re-trained
    assert result.new_mentions == len(new) and store.linkage_unlinked() == []
    assert result.joined + result.merged > 0
    # Old pairs were not re-scored: every edge between two old mentions is as it was.
    after = sorted(store.entity_links_among(old), key=lambda k: (k.left, k.right))
    assert [(k.left, k.right, k.weight) for k in after] == [
        (k.left, k.right, k.weight) for k in old_edges
    ]
    assert {(k.left, k.right): k.decision for k in store.decided_links()} == {
        (strong.left, strong.right): "reject"
    }
    # The stored entities are exactly the components of all stored edges (decisions obeyed).
    assigned = store.entity_assignments()
    every = sorted(assigned)
    assert model is not None
    comp = components(every, store.entity_links_among(every), model.threshold)
    assert _groups(store) == {
        frozenset(m for m in every if comp[m] == root) for root in set(comp.values())
    }
    # New edges carry the levels of every comparison, as a full run's do (the evidence).
    fresh = [k for k in store.entity_links_among(every) if k.right in set(new)]
    assert len(fresh) == result.pairs
    assert all(k.levels.keys() == old_edges[0].levels.keys() for k in fresh)
    # As a full run keeps them: a band edge only between two entities.
    assert all(k.weight >= model.threshold or assigned[k.left] != assigned[k.right] for k in fresh)
    q = evaluate(assigned, truth_of(store, region))
    assert q.precision >= 0.95 and q.bcubed_f1 >= 0.85, q
    assert link_new(store).new_mentions == 0  # a second run finds nothing new


def test_scoring_new_mentions_gives_the_full_prediction_pairs_with_a_new_end(
    partly: Store, region: Path
) -> None:
    """The narrowed blocking (each rule once per side, the new end fixed) scores exactly
    the pairs, weights and levels that the model's own blocking over every mention gives
    for the pairs that touch a new mention."""
    store = partly
    link_mentions(store, OPTIONS, lambda _: None)
    load_file(store, sorted(region.glob("*.jsonl"))[-1])
    new = store.linkage_unlinked()
    model = store.linkage_model()
    assert new and model is not None
    frame = mention_frame(store.linkage_mentions())
    settings = json.loads(model.model)
    floor = model.threshold - REVIEW_BAND
    got = score_new(frame, new, settings, floor)
    full = Linker(frame, settings, DuckDBAPI()).inference.predict(threshold_match_weight=floor)
    every = full.as_pandas_dataframe()
    fresh = set(new)
    want = every[every["unique_id_l"].isin(fresh) | every["unique_id_r"].isin(fresh)]
    names = sorted(c["output_column_name"] for c in settings["comparisons"])

    def key(rows: pd.DataFrame) -> list[tuple[int, int, float, str]]:
        return sorted(
            (int(r.unique_id_l), int(r.unique_id_r), float(r.match_weight), levels(r))
            for r in rows.itertuples()
        )

    def levels(r: Any) -> str:
        if hasattr(r, "levels"):
            return str(r.levels)
        return "{" + ",".join(f'"{n}":{getattr(r, "gamma_" + n)}' for n in names) + "}"

    assert len(want) > 0
    assert key(got) == key(want)


def test_link_incremental_command(tmp_path: Path, region: Path) -> None:
    runner = CliRunner()
    db = str(tmp_path / "node.db")
    files = sorted(region.glob("*.jsonl"))

    def run(*args: str) -> Result:
        return runner.invoke(app, ["--db", db, *args])

    for args in (["init"], ["agency", "import", str(region / "agencies.json")],
                 ["ingest", str(files[0])]):  # fmt: skip
        assert run(*args).exit_code == 0
    refused = run("link", "--incremental", "--json")
    assert refused.exit_code == 1
    assert refused.stderr == f"Error: {NO_MODEL}\n"
    assert run("link", "--json").exit_code == 0
    with open_store(db) as store:
        before = len(store.entity_assignments())
    assert run("ingest", str(files[1])).exit_code == 0
    done = run("link", "--incremental", "--json")
    assert done.exit_code == 0, done.output
    out = json.loads(done.stdout)
    with open_store(db) as store:
        assert out["new_mentions"] == store.stats().mentions - before > 0
        assert store.linkage_unlinked() == []
    assert json.loads(run("link", "--incremental", "--json").stdout)["new_mentions"] == 0
