"""`lexhub link --incremental`: match the mentions that are in no entity yet (the batches
loaded since the last run) against every mention, with the model in force.

Why not a full run: a full run re-trains, re-scores every pair and rewrites every entity,
which at regional scale takes minutes; a daily batch of a few thousand mentions should be
linked in seconds, and linked the same way the full run would have linked it. So nothing
is re-trained and no old pair is re-scored: the saved Splink model (its m and u, its
blocking rules, its threshold) scores the new mentions against all mentions, blocked by
the model's own prediction rules narrowed to pairs with a new end (so the pairs a full run
would score with a new mention are the pairs scored here, and blocking keeps it fast).
Edges are kept as a full run keeps them (every link, and band edges down to the review
floor only between two entities), and the entities are updated in the same transaction
(`Store.linkage_add`): a new mention joins an entity, merges several, or starts one. Old
entities join as wholes: they are components already, with every human decision applied,
and nothing about them changed. Term frequencies come from all mentions, new ones
included, as in a full run.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from typing import Any

import pandas as pd
from splink import DuckDBAPI, Linker

from lexhub.errors import NotFound
from lexhub.linkage.frame import mention_frame
from lexhub.linkage.run import REVIEW_BAND, Step
from lexhub.store.base import Store
from lexhub.store.linkage_update_sql import Edge

__all__ = ["IncrementalResult", "link_new", "score_new"]

log = logging.getLogger(__name__)

NO_MODEL = "no linkage model yet: run a full `lexhub link` first, then link new batches"


@dataclass(frozen=True)
class IncrementalResult:
    model_id: int
    threshold: float
    new_mentions: int
    pairs: int  # edges stored: every link, and band edges between two entities
    links: int  # of those, at or above the threshold
    started: int  # entities a new mention started
    joined: int  # entities a new mention joined
    merged: int  # entities formed by merging old ones through a new mention


NEW = "lexhub_new"  # the frame column that marks the mentions being linked


def score_new(
    frame: pd.DataFrame, new_ids: list[int], settings: dict[str, Any], floor: float
) -> pd.DataFrame:
    """Pairs (unique_id_l < unique_id_r, match_weight, match_probability, levels) between
    each mention of `new_ids` and every other mention of `frame` (new ones included), each
    pair once, scored by the saved model `settings` down to match weight `floor`.

    Blocking: the model's own prediction rules, each narrowed to pairs with a new end.
    Splink's `find_matches_to_new_records` would be the obvious call, but it refuses rules
    that explode arrays (phones, identifiers); narrowing the rules keeps them all, and
    DuckDB discards the old-old candidates inside the join, before any comparison."""
    narrowed = dict(settings)
    narrowed["blocking_rules_to_generate_predictions"] = [
        {**rule, "blocking_rule": f"({rule['blocking_rule']}) AND (l.{NEW} OR r.{NEW})"}
        for rule in settings["blocking_rules_to_generate_predictions"]
    ]
    marked = frame.assign(**{NEW: frame["unique_id"].isin(new_ids)})
    linker = Linker(marked, narrowed, DuckDBAPI())  # type: ignore[arg-type]
    predictions = linker.inference.predict(threshold_match_weight=floor)
    # The levels as the JSON text the store keeps (`linkage_sql._levels`: keys sorted, no
    # spaces), built by DuckDB: a Python dict and json.dumps per pair cost more than the
    # scoring at 100k. Pairs in key order, so the store writes each index page once.
    names = sorted(c["output_column_name"] for c in settings["comparisons"])
    levels = " || ',' || ".join(f"'\"{n}\":' || CAST(gamma_{n} AS VARCHAR)" for n in names)
    pairs: pd.DataFrame = linker.misc.query_sql(  # type: ignore[no-untyped-call]
        "SELECT unique_id_l, unique_id_r, match_weight, match_probability,"
        f" '{{' || {levels} || '}}' AS levels FROM {predictions.physical_name}"
        " ORDER BY unique_id_l, unique_id_r"
    )
    return pairs


def link_new(store: Store, step: Step = lambda _: None) -> IncrementalResult:
    """Link the mentions in no entity yet with the model in force and update the stored
    entities. Raises NotFound (with what to do) when no full run has saved a model."""
    model = store.linkage_model()
    if model is None:
        raise NotFound(NO_MODEL)
    step("reading mentions")
    new_ids = store.linkage_unlinked()
    if not new_ids:
        return IncrementalResult(model.id, model.threshold, 0, 0, 0, 0, 0, 0)
    frame = mention_frame(store.linkage_mentions())
    step("scoring new mentions")
    settings = json.loads(model.model)
    pairs = score_new(frame, new_ids, settings, model.threshold - REVIEW_BAND)
    edges: list[Edge] = list(pairs.itertuples(index=False, name=None))
    step("saving entities")
    change = store.linkage_add(edges, new_ids)
    linked = int((pairs["match_weight"] >= model.threshold).sum())
    log.info("linkage: %d new mentions, %s", len(new_ids), change)
    return IncrementalResult(
        model.id,
        model.threshold,
        len(new_ids),
        change.edges,
        linked,
        change.started,
        change.joined,
        change.merged,
    )
