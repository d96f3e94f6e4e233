"""What a full run does differently at regional scale, forced on the small test region: a
region larger than TRAINING_SAMPLE trains on a seeded sample of its mentions and still
scores, clusters and stores every mention; a large save on SQLite rebuilds the right_id
index after the rows instead of inserting into it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lexhub.linkage import evaluate, link_mentions
from lexhub.linkage import predict as predict_module
from lexhub.linkage.frame import mention_frame
from lexhub.linkage.predict import training_sample
from lexhub.store import Store, linkage_sql
from tests.linkage.conftest import OPTIONS, truth_of

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")


def test_the_training_sample_is_seeded_sorted_and_only_taken_above_its_size(
    loaded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    frame = mention_frame(loaded.linkage_mentions())
    assert training_sample(frame, 7) is None  # a small region trains on everything
    monkeypatch.setattr(predict_module, "TRAINING_SAMPLE", len(frame) // 2)
    one, again, other = (training_sample(frame, s) for s in (7, 7, 8))
    assert one is not None and again is not None and other is not None
    assert len(one) == len(frame) // 2 and one["unique_id"].is_monotonic_increasing
    assert one["unique_id"].tolist() == again["unique_id"].tolist()
    assert one["unique_id"].tolist() != other["unique_id"].tolist()
    assert set(one["unique_id"]) <= set(frame["unique_id"])


def test_a_region_above_the_sample_size_is_trained_on_a_sample_and_linked_whole(
    loaded: Store, region: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    truth = truth_of(loaded, region)
    whole = link_mentions(loaded, OPTIONS, lambda _: None)
    model_whole = loaded.linkage_model()
    monkeypatch.setattr(predict_module, "TRAINING_SAMPLE", int(len(truth) * 0.6))
    sampled = link_mentions(loaded, OPTIONS, lambda _: None)
    model_sampled = loaded.linkage_model()
    assert model_whole is not None and model_sampled is not None
    assert model_sampled.model != model_whole.model  # trained on other pairs
    assigned = loaded.entity_assignments()
    assert set(assigned) == set(truth) and sampled.mentions == whole.mentions
    q = evaluate(assigned, truth)
    assert q.precision >= 0.95 and q.bcubed_f1 >= 0.85, q
    # Every stored edge holds one level per comparison of the model, as the evidence reads.
    names = {c["output_column_name"] for c in json.loads(model_sampled.model)["comparisons"]}
    every = loaded.entity_links_among(list(assigned))
    assert len(every) == sampled.pairs and every
    assert all(set(k.levels) == names for k in every)


def test_a_large_save_leaves_the_right_id_index_in_place_and_the_edges_readable(
    loaded: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(linkage_sql, "_REINDEX", 0)  # every save counts as large
    result = link_mentions(loaded, OPTIONS, lambda _: None)
    again = link_mentions(loaded, OPTIONS, lambda _: None)  # drops and builds it again
    assert again.pairs == result.pairs
    catalog = (
        "SELECT name FROM sqlite_master WHERE type = 'index'"
        if loaded.engine == "sqlite"
        else "SELECT indexname FROM pg_indexes WHERE tablename = 'entity_links'"
    )
    indexes = {r[0] for r in loaded._x(catalog).fetchall()}  # type: ignore[attr-defined]
    assert "entity_links_right" in indexes
    every = loaded.entity_links_among(list(loaded.entity_assignments()))
    assert len(every) == again.pairs
