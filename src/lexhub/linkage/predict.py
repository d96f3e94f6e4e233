"""Training and scoring at regional scale: what `score_frame` asks of Splink.

Two choices here are about size, not about the model:

- Training on a sample. EM and the u estimate see at most TRAINING_SAMPLE mentions, drawn
  at random with the run's seed, when the region holds more; the model so trained then
  scores every blocked pair of the whole region. Why a sample is honest: a uniform sample
  of mentions keeps the prior (the matching pairs and all pairs both shrink by the square
  of the fraction) and the m and u of each level (they are per pair, not per region);
  what grows with the region is the number of pairs EM is computed over, which at a
  million mentions made training the slowest step (docs/benchmarks.md).
- Scored pairs as numbers only. Splink keeps a pair's levels (gamma columns) only when
  it keeps the matching columns too (both sides' names, addresses, phones...), which at a
  million mentions and some 30 million pairs does not fit in memory. `predict_levels` is
  Splink's own prediction pipeline asked for the gamma columns alone (its training mode),
  and `pair_columns` reads ids, weights and the levels packed into one integer per pair
  as numpy columns: about 40 bytes a pair.

The Splink internals used here are those of `Linker.inference.predict` (Splink 4.0);
`tests/linkage` compares the stored levels with recomputed ones on both backends.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from splink import Linker
from splink.internals.blocking import block_using_rules_sqls, materialise_exploded_id_tables
from splink.internals.comparison_vector_values import (
    compute_comparison_vector_values_from_id_pairs_sqls,
)
from splink.internals.dialects import SplinkDialect
from splink.internals.pipeline import CTEPipeline
from splink.internals.predict import predict_from_comparison_vectors_sqls
from splink.internals.splink_dataframe import SplinkDataFrame
from splink.internals.vertically_concatenate import compute_df_concat_with_tf

__all__ = [
    "TRAINING_SAMPLE", "PairColumns", "frame_columns", "level_texts", "pair_columns",
    "predict_levels", "training_sample",
]  # fmt: skip

log = logging.getLogger(__name__)

# At most this many mentions train the model (EM and u); 95,549 at 100k all do.
TRAINING_SAMPLE = 200_000
_BITS = 4  # per comparison in the packed levels: level + 1 in 0..15


@dataclass(frozen=True)
class PairColumns:
    """Scored pairs column-wise: left < right, weight, probability, and each pair's levels
    packed into one int64 (`_BITS` per comparison, level + 1, in `names` order)."""

    left: np.ndarray
    right: np.ndarray
    weight: np.ndarray
    probability: np.ndarray
    code: np.ndarray
    names: tuple[str, ...]  # comparison names, sorted

    def __len__(self) -> int:
        return len(self.left)

    def level(self, name: str) -> np.ndarray:
        """Each pair's level of comparison `name` (-1: a side missing)."""
        shift = _BITS * self.names.index(name)
        return ((self.code >> shift) & ((1 << _BITS) - 1)) - 1

    def take(self, rows: np.ndarray) -> PairColumns:
        """The pairs at `rows` (a mask or indices), in that order."""
        return PairColumns(
            self.left[rows], self.right[rows], self.weight[rows], self.probability[rows],
            self.code[rows], self.names,
        )  # fmt: skip


def training_sample(frame: pd.DataFrame, seed: int) -> pd.DataFrame | None:
    """A seeded random sample of TRAINING_SAMPLE mentions, or None when `frame` holds no
    more than that (the whole frame trains)."""
    if len(frame) <= TRAINING_SAMPLE:
        return None
    log.info("linkage: training on %d of %d mentions", TRAINING_SAMPLE, len(frame))
    return frame.sample(n=TRAINING_SAMPLE, random_state=seed).sort_values("unique_id")


def predict_levels(linker: Linker, floor: float) -> SplinkDataFrame:
    """`linker.inference.predict(threshold_match_weight=floor)` keeping ids, match weight,
    probability and the gamma columns only (no matching columns): Splink's blocking,
    comparison vectors and prediction SQL, with the prediction step in training mode."""
    s = linker._settings_obj
    db = linker._db_api
    info = s.column_info_settings
    pipeline = CTEPipeline()
    concat = compute_df_concat_with_tf(linker, pipeline)
    pipeline = CTEPipeline([concat])
    rules = s._blocking_rules_to_generate_predictions
    exploded = materialise_exploded_id_tables(
        link_type=s._link_type,
        blocking_rules=rules,
        db_api=db,
        splink_df_dict=linker._input_tables_dict,
        source_dataset_input_column=info.source_dataset_input_column,
        unique_id_input_column=info.unique_id_input_column,
    )
    pipeline.enqueue_list_of_sqls(
        block_using_rules_sqls(
            input_tablename_l="__splink__df_concat_with_tf",
            input_tablename_r="__splink__df_concat_with_tf",
            blocking_rules=rules,
            link_type=s._link_type,
            source_dataset_input_column=info.source_dataset_input_column,
            unique_id_input_column=info.unique_id_input_column,
        )
    )
    blocked = db.sql_pipeline_to_splink_dataframe(pipeline)
    pipeline = CTEPipeline([blocked, concat])
    pipeline.enqueue_list_of_sqls(
        compute_comparison_vector_values_from_id_pairs_sqls(
            s._columns_to_select_for_blocking,
            s._columns_to_select_for_comparison_vector_values,
            input_tablename_l="__splink__df_concat_with_tf",
            input_tablename_r="__splink__df_concat_with_tf",
            source_dataset_input_column=info.source_dataset_input_column,
            unique_id_input_column=info.unique_id_input_column,
            link_type=s._link_type,
            sql_dialect_str=s._sql_dialect_str,
        )
    )
    pipeline.enqueue_list_of_sqls(
        predict_from_comparison_vectors_sqls(
            unique_id_input_columns=info.unique_id_input_columns,
            core_model_settings=s.core_model_settings,
            sql_dialect=SplinkDialect.from_string(s._sql_dialect_str),
            threshold_match_weight=floor,
            retain_matching_columns=False,
            retain_intermediate_calculation_columns=False,
            training_mode=True,  # keeps the gamma columns, and only them
            sql_infinity_expression=linker._infinity_expression,
        )
    )
    predictions = db.sql_pipeline_to_splink_dataframe(pipeline)
    for table in exploded:
        table.drop_materialised_id_pairs_dataframe()  # type: ignore[no-untyped-call]
    blocked.drop_table_from_database_and_remove_from_cache()
    return predictions


def pair_columns(linker: Linker, predictions: SplinkDataFrame, names: list[str]) -> PairColumns:
    """The scored pairs of `predictions` as numpy columns (left < right), their levels
    packed by the engine's SQL; the predictions table is dropped once read."""
    if len(names) * _BITS > 62:
        raise ValueError("too many comparisons to pack a pair's levels into one int64")
    names = sorted(names)
    packed = " + ".join(
        f"CAST(gamma_{n} + 1 AS BIGINT) * {1 << (_BITS * i)}" for i, n in enumerate(names)
    )
    sql = (
        "SELECT least(unique_id_l, unique_id_r) AS l, greatest(unique_id_l, unique_id_r) AS r,"
        f" match_weight, match_probability, {packed or '0'} AS code"
        f" FROM {predictions.physical_name}"
    )
    columns: Any
    if linker._sql_dialect_str == "duckdb":
        # Straight into numpy: Splink's query_sql would first copy the result into a
        # table, then into pandas (two more copies of some 30 million rows at 1M).
        columns = linker._db_api._con.sql(sql).fetchnumpy()  # type: ignore[attr-defined]
    else:
        columns = linker.misc.query_sql(sql)  # type: ignore[no-untyped-call]
    predictions.drop_table_from_database_and_remove_from_cache()
    return PairColumns(
        np.asarray(columns["l"], np.int64),
        np.asarray(columns["r"], np.int64),
        np.asarray(columns["match_weight"], np.float64),
        np.asarray(columns["match_probability"], np.float64),
        np.asarray(columns["code"], np.int64),
        tuple(names),
    )


def frame_columns(pairs: pd.DataFrame) -> PairColumns:
    """PairColumns from a frame of Splink's prediction columns (unique_id_l, unique_id_r,
    match_weight, match_probability, gamma_*): scored pairs built by hand or by Splink."""
    gammas = sorted(c for c in pairs.columns if c.startswith("gamma_"))
    a, b = pairs["unique_id_l"].to_numpy(np.int64), pairs["unique_id_r"].to_numpy(np.int64)
    code = np.zeros(len(pairs), np.int64)
    for i, g in enumerate(gammas):
        code += (pairs[g].to_numpy(np.int64) + 1) << (_BITS * i)
    return PairColumns(
        np.minimum(a, b), np.maximum(a, b), pairs["match_weight"].to_numpy(np.float64),
        pairs["match_probability"].to_numpy(np.float64), code, tuple(g[6:] for g in gammas),
    )  # fmt: skip


@lru_cache(maxsize=1 << 16)
def _level_text(code: int, names: tuple[str, ...]) -> str:
    mask = (1 << _BITS) - 1
    levels = {n: ((code >> (_BITS * i)) & mask) - 1 for i, n in enumerate(names)}
    return json.dumps(levels, separators=(",", ":"))


def level_texts(pairs: PairColumns) -> list[str]:
    """Each pair's levels as the JSON `entity_links.levels` stores (keys sorted, no
    spaces), built once per distinct combination of levels (a few thousand), not once per
    pair (millions)."""
    codes, which = np.unique(pairs.code, return_inverse=True)
    texts = np.array([_level_text(c, pairs.names) for c in codes.tolist()], dtype=object)
    out: list[str] = texts[which.reshape(-1)].tolist()
    return out
