"""`link_mentions` on both engines: quality on ground truth it never reads, the saved
model and edges, evidence that adds up, and a human decision kept through a new run."""

from __future__ import annotations

import math
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lexhub.linkage import evaluate, evidence, evidence_text, link_mentions
from lexhub.store import Store
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
