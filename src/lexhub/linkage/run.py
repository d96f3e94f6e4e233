"""`lexhub link`: resolve every indexed person mention into entities, from scratch.

Steps: extract mentions from the store; train the Splink model without labels (the prior
from a strict deterministic rule, u by random sampling, m by EM per training block);
score the blocked pairs; choose the threshold without labels (`choose_threshold`); cluster
with `components`; save the model, the edges above the review floor and the entities in
one transaction. Ground truth is never read here: it is for evaluation only (bench/).
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from splink import Linker

from lexhub.linkage.backend import (
    SparkOptions,
    check_backend,
    linker_input,
    model_for,
    sample_input,
)
from lexhub.linkage.components import component_roots
from lexhub.linkage.frame import mention_frame
from lexhub.linkage.predict import (
    PairColumns,
    level_texts,
    pair_columns,
    predict_levels,
    training_sample,
)
from lexhub.linkage.settings import TRAINING_BLOCKING, mention_settings
from lexhub.store.base import Store
from lexhub.store.linkage_sql import EdgeColumns, EdgeStream, LinkRow

__all__ = [
    "COMPARISONS",
    "REVIEW_BAND",
    "LinkOptions",
    "LinkResult",
    "choose_threshold",
    "cluster",
    "edge_stream",
    "link_mentions",
    "score_frame",
]

log = logging.getLogger(__name__)

# Edges this many match weights below the threshold are kept too: the review queue shows
# pairs near the threshold, and a later accept must find the edge.
REVIEW_BAND = 4.0
COMPARISONS = (
    "surname", "first_name", "dob", "sex", "phones", "addresses", "identifiers", "marks",
    "household",
)  # fmt: skip

Step = Callable[[str], None]


@dataclass(frozen=True)
class LinkOptions:
    seed: int = 7
    u_pairs: float = 2e6  # random pairs sampled to estimate u
    threshold: float | None = None  # a fixed match weight instead of `choose_threshold`
    backend: str = "duckdb"  # or "spark" (lexhub.linkage.backend)
    spark: SparkOptions = SparkOptions()
    model: str | None = None  # a trained model's JSON to score with instead of training


@dataclass(frozen=True)
class LinkResult:
    model_id: int
    threshold: float
    mentions: int
    pairs: int
    links: int
    entities: int


@dataclass(frozen=True)
class Scored:
    """The output of `score_frame`: trained model, scored pairs and the threshold."""

    model: dict[str, Any]
    pairs: PairColumns  # numpy columns, left < right, levels packed (`predict`)
    threshold: float


def choose_threshold(prior_weight: float) -> float:
    """The match weight at which a pair links, chosen without labels.

    Rule: link a pair when the model's posterior odds that it is a match reach 2**4 = 16
    to 1 (probability 0.94), i.e. match weight >= 4. Splink's match weight already
    includes the prior, so weight 0 is even odds; the margin of 4 pays for transitivity
    (one false edge merges two whole entities, so an edge must be more likely right than
    a single pairwise decision needs). `prior_weight` is logged, not used: a region with
    a lower match rate has a lower prior and so lower weights, and the same rule holds.
    """
    log.info("linkage: prior match weight %.2f", prior_weight)
    return 4.0


def _train(linker: Linker, opts: LinkOptions) -> None:
    training = linker.training
    training.estimate_probability_two_random_records_match(
        ["l.first_name = r.first_name AND l.surname = r.surname AND l.dob = r.dob"],
        recall=0.7,
    )
    training.estimate_u_using_random_sampling(max_pairs=opts.u_pairs, seed=opts.seed)
    for rule in TRAINING_BLOCKING:
        training.estimate_parameters_using_expectation_maximisation(
            rule, estimate_without_term_frequencies=True
        )


def score_frame(frame: pd.DataFrame, opts: LinkOptions, step: Step) -> Scored:
    """Train on `frame` (no labels; on a seeded sample of TRAINING_SAMPLE mentions when it
    holds more, `predict.training_sample`), or take `opts.model`'s parameters, and score
    its blocked pairs down to the review floor, on `opts.backend`. The pairs come back as
    numpy columns (`predict.PairColumns`): at a million mentions some 30 million."""
    with linker_input(opts.backend, frame, opts.spark) as (api, table):
        dialect = api.sql_dialect.sql_dialect_str
        step("training (EM, no labels)")
        sample = training_sample(frame, opts.seed) if opts.model is None else None
        if opts.model is not None:  # the given model's parameters: no training
            linker = Linker(table, model_for(json.loads(opts.model), dialect), api)
        elif sample is None:
            linker = Linker(table, mention_settings(), api)
            _train(linker, opts)
        else:
            with sample_input(opts.backend, api, sample) as (sample_api, sample_table):
                trainer = Linker(sample_table, mention_settings(), sample_api)
                _train(trainer, opts)
                trained = trainer.misc.save_model_to_json()
            linker = Linker(table, model_for(trained, dialect), api)
        model = linker.misc.save_model_to_json()
        prior = float(model["probability_two_random_records_match"])
        threshold = (
            opts.threshold
            if opts.threshold is not None
            else choose_threshold(math.log2(prior / (1 - prior)))
        )
        step("scoring pairs")
        predictions = predict_levels(linker, threshold - REVIEW_BAND)
        pairs = pair_columns(
            linker, predictions, [c["output_column_name"] for c in model["comparisons"]]
        )
    return Scored(model, pairs, threshold)


@dataclass(frozen=True)
class Clustering:
    """What a run saves: the edges worth keeping, each mention's entity, and the counts."""

    links: EdgeStream  # decisions are the store's: `linkage_save` keeps them
    members: list[tuple[int, int, float | None]]  # mention id, entity number, best weight
    joined: int  # scored pairs that join (a human's accept counts, a reject does not)
    entities: int


def cluster(ids: np.ndarray, scored: Scored, decided: list[LinkRow]) -> Clustering:
    """Components over the joining edges, column-wise (`components.component_roots`), with
    human decisions applied: an accept joins whether scored or not, a reject never does.

    Stored edges: every joining edge, every decided one, and the band edges (below the
    threshold, down to the review floor) between two different entities. A band edge
    inside an entity is dropped: it joins nothing (only a human accept could make it join,
    and its ends are already joined) and reviewing it changes nothing; at 100,000 mentions
    such edges were most of the rows written. Entities are numbered by their smallest
    mention id. The stored edges come out in (left, right) order, as a stream of chunks
    (`EdgeStream`), their levels JSON built chunk by chunk."""
    t = scored.threshold
    p = scored.pairs
    left, right, weight = p.left, p.right, p.weight
    base = max([int(ids.max()), *(k.right for k in decided)]) + 1
    key = left * base + right
    by_key = {k.left * base + k.right: k for k in decided}
    accepted = np.array([x for x, k in by_key.items() if k.decision == "accept"], np.int64)
    rejected = np.array([x for x, k in by_key.items() if k.decision == "reject"], np.int64)
    is_decided = np.isin(key, np.fromiter(by_key, np.int64, len(by_key)))
    joins_ = ((weight >= t) & ~np.isin(key, rejected)) | np.isin(key, accepted)
    scored_keys = set(key[np.isin(key, accepted)].tolist())
    unscored = [k for x, k in by_key.items() if k.decision == "accept" and x not in scored_keys]
    jl = np.concatenate([left[joins_], np.array([k.left for k in unscored], np.int64)])
    jr = np.concatenate([right[joins_], np.array([k.right for k in unscored], np.int64)])
    inside = np.isin(jl, ids) & np.isin(jr, ids)  # an edge with an end gone never bridges
    roots = component_roots(ids, jl[inside], jr[inside])
    del jl, jr, inside
    across = roots[np.searchsorted(ids, left)] != roots[np.searchsorted(ids, right)]
    kept = np.flatnonzero(joins_ | is_decided | across)
    kept = kept[np.argsort(key[kept], kind="stable")]
    del key, is_decided, across
    # The best joining weight at each end: one pass over the joining edges per side.
    best = np.full(len(ids), -np.inf)
    ends = np.flatnonzero(joins_)
    for side in (left, right):
        np.maximum.at(best, np.searchsorted(ids, side[ends]), weight[ends])
    _, numbers = np.unique(roots, return_inverse=True)
    members = [
        (m, n, None if w == -math.inf else w)
        for m, n, w in zip(ids.tolist(), (numbers + 1).tolist(), best.tolist(), strict=True)
    ]
    return Clustering(edge_stream(p.take(kept)), members, int(joins_.sum()), int(numbers.max()) + 1)


EDGE_CHUNK = 250_000  # edges handed to the store at a time


def edge_stream(pairs: PairColumns) -> EdgeStream:
    """`pairs` as an EdgeStream of EdgeColumns chunks, each chunk's Python objects built
    only when the store asks for it."""

    def chunks() -> Iterator[EdgeColumns]:
        for start in range(0, len(pairs), EDGE_CHUNK):
            part = pairs.take(np.arange(start, min(start + EDGE_CHUNK, len(pairs))))
            yield EdgeColumns(
                part.left.tolist(), part.right.tolist(), part.weight.tolist(),
                part.probability.tolist(), level_texts(part),
            )  # fmt: skip

    return EdgeStream(len(pairs), chunks)


def link_mentions(store: Store, opts: LinkOptions, step: Step) -> LinkResult:
    """Link every indexed mention of `store` from scratch and save the result. A human
    decision on a pair (accept/reject) is kept and beats the model."""
    check_backend(opts.backend)  # before minutes of reading
    step("reading mentions")
    frame = mention_frame(store.linkage_mentions())
    if len(frame) < 2:
        raise ValueError("linking needs at least two person mentions")
    ids = frame["unique_id"].to_numpy(np.int64)
    scored = score_frame(frame, opts, step)
    del frame  # a million mentions' lists and strings: not needed past scoring
    step("clustering")
    done = cluster(ids, scored, store.decided_links())
    model, threshold = json.dumps(scored.model, sort_keys=True), scored.threshold
    del scored  # every scored pair; `done` keeps the stored ones
    counts = {
        "mentions": len(ids),
        "pairs": len(done.links),
        "links": done.joined,
        "entities": done.entities,
    }
    step("saving entities")
    model_id = store.linkage_save(
        model, threshold, counts, done.links, done.members, datetime.now(UTC)
    )
    log.info("linkage: model %d, %s", model_id, counts)
    return LinkResult(model_id, threshold, len(ids), len(done.links), done.joined, done.entities)
