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
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import numpy as np
import pandas as pd
from splink import Linker

from lexhub.linkage.backend import SparkOptions, check_backend, linker_input, model_for
from lexhub.linkage.components import component_roots
from lexhub.linkage.frame import mention_frame
from lexhub.linkage.settings import TRAINING_BLOCKING, mention_settings
from lexhub.store.base import Store
from lexhub.store.linkage_sql import EdgeColumns, LinkRow

__all__ = [
    "COMPARISONS",
    "REVIEW_BAND",
    "LinkOptions",
    "LinkResult",
    "choose_threshold",
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
    pairs: pd.DataFrame  # unique_id_l, unique_id_r, match_weight, match_probability, gamma_*
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
    """Train on `frame` (no labels), or take `opts.model`'s parameters, and score its
    blocked pairs down to the review floor, on `opts.backend`."""
    with linker_input(opts.backend, frame, opts.spark) as (api, table):
        dialect = api.sql_dialect.sql_dialect_str
        if opts.model is None:
            linker = Linker(table, mention_settings(), api)
            step("training (EM, no labels)")
            _train(linker, opts)
        else:
            linker = Linker(table, model_for(json.loads(opts.model), dialect), api)
            step("training (EM, no labels)")  # skipped: the given model's parameters
        model = linker.misc.save_model_to_json()
        prior = float(model["probability_two_random_records_match"])
        threshold = (
            opts.threshold
            if opts.threshold is not None
            else choose_threshold(math.log2(prior / (1 - prior)))
        )
        step("scoring pairs")
        predictions = linker.inference.predict(threshold_match_weight=threshold - REVIEW_BAND)
        gammas = ", ".join(f"gamma_{c}" for c in COMPARISONS)
        pairs: pd.DataFrame = linker.misc.query_sql(  # type: ignore[no-untyped-call]
            "SELECT unique_id_l, unique_id_r, match_weight, match_probability, "
            f"{gammas} FROM {predictions.physical_name}"
        )
    return Scored(model, pairs, threshold)


def links_of(pairs: pd.DataFrame) -> list[LinkRow]:
    """LinkRows (left < right) from scored pairs (column-wise: millions of rows at 1M)."""
    gammas = [f"gamma_{c}" for c in COMPARISONS if f"gamma_{c}" in pairs.columns]
    names = [g[6:] for g in gammas]
    left, right = pairs["unique_id_l"].to_numpy(), pairs["unique_id_r"].to_numpy()
    levels = pairs[gammas].to_numpy().tolist() if gammas else [[] for _ in range(len(pairs))]
    return [
        LinkRow(a, b, w, p, dict(zip(names, lv, strict=True)))
        for a, b, w, p, lv in zip(
            np.minimum(left, right).tolist(),
            np.maximum(left, right).tolist(),
            pairs["match_weight"].to_numpy().tolist(),
            pairs["match_probability"].to_numpy().tolist(),
            levels,
            strict=True,
        )
    ]


@dataclass(frozen=True)
class Clustering:
    """What a run saves: the edges worth keeping, each mention's entity, and the counts."""

    links: EdgeColumns  # decisions are the store's: `linkage_save` keeps them
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
    mention id."""
    t = scored.threshold
    p = scored.pairs
    a, b = p["unique_id_l"].to_numpy(np.int64), p["unique_id_r"].to_numpy(np.int64)
    left, right = np.minimum(a, b), np.maximum(a, b)
    weight = p["match_weight"].to_numpy(np.float64)
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
    root_of = roots[np.searchsorted(ids, np.concatenate([left, right]))]
    across = root_of[: len(left)] != root_of[len(left) :]
    links = edge_columns(p[joins_ | is_decided | across])
    ends = pd.Series(
        np.concatenate([weight[joins_], weight[joins_]]),
        index=np.concatenate([left[joins_], right[joins_]]),
    )
    best = ends.groupby(level=0).max().reindex(ids).to_numpy()
    _, numbers = np.unique(roots, return_inverse=True)
    members = [
        (m, n, None if math.isnan(w) else w)
        for m, n, w in zip(ids.tolist(), (numbers + 1).tolist(), best.tolist(), strict=True)
    ]
    return Clustering(links, members, int(joins_.sum()), int(numbers.max()) + 1)


def edge_columns(pairs: pd.DataFrame) -> EdgeColumns:
    """Scored pairs as EdgeColumns (left < right). The levels JSON is built once per
    distinct combination of levels (a few thousand), not once per pair (millions)."""
    gammas = sorted(c for c in pairs.columns if c.startswith("gamma_"))
    a, b = pairs["unique_id_l"].to_numpy(np.int64), pairs["unique_id_r"].to_numpy(np.int64)
    if gammas and len(pairs):
        # One int per pair from its levels (each -1..14, four bits), so that np.unique
        # runs on one column: np.unique(axis=0) on the level matrix took 80 s at 95k.
        matrix = pairs[gammas].to_numpy(np.int64) + 1
        if matrix.min() < 0 or matrix.max() > 15 or len(gammas) > 15:
            raise ValueError("comparison levels out of the range edge_columns packs")
        code = (matrix << (4 * np.arange(len(gammas), dtype=np.int64))).sum(axis=1)
        _, first, which = np.unique(code, return_index=True, return_inverse=True)
        names = [g[6:] for g in gammas]
        texts = np.array(
            [json.dumps(dict(zip(names, (matrix[i] - 1).tolist(), strict=True)),
                        separators=(",", ":"))
             for i in first],
            dtype=object,
        )  # fmt: skip
        levels = texts[which.reshape(-1)].tolist()
    else:
        levels = ["{}"] * len(pairs)
    return EdgeColumns(
        np.minimum(a, b).tolist(),
        np.maximum(a, b).tolist(),
        pairs["match_weight"].to_numpy(np.float64).tolist(),
        pairs["match_probability"].to_numpy(np.float64).tolist(),
        levels,
    )


def link_mentions(store: Store, opts: LinkOptions, step: Step) -> LinkResult:
    """Link every indexed mention of `store` from scratch and save the result. A human
    decision on a pair (accept/reject) is kept and beats the model."""
    check_backend(opts.backend)  # before minutes of reading
    step("reading mentions")
    frame = mention_frame(store.linkage_mentions())
    if len(frame) < 2:
        raise ValueError("linking needs at least two person mentions")
    scored = score_frame(frame, opts, step)
    step("clustering")
    ids = frame["unique_id"].to_numpy(np.int64)
    done = cluster(ids, scored, store.decided_links())
    counts = {
        "mentions": len(ids),
        "pairs": len(done.links),
        "links": done.joined,
        "entities": done.entities,
    }
    step("saving entities")
    model_id = store.linkage_save(
        json.dumps(scored.model, sort_keys=True),
        scored.threshold,
        counts,
        done.links,
        done.members,
        datetime.now(UTC),
    )
    log.info("linkage: model %d, %s", model_id, counts)
    return LinkResult(
        model_id, scored.threshold, len(ids), len(done.links), done.joined, done.entities
    )
