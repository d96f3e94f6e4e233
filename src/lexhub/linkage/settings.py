"""The Splink model of a person mention: blocking rules and comparisons.

Why these: in police records a person's name is misspelt, shortened to a nickname or
replaced by an alias, and the date of birth is mistyped (transposed digits, a wrong day)
or given as a year only; phones, addresses, identifiers and tattoos are the evidence that
survives a false name (docs/linkage.md). Each comparison gives several levels of agreement
so EM can learn how much each is worth; surname agreement is adjusted by the surname's
frequency (a shared "NGUYEN" says less than a shared "OKONKWO").

Blocking: pairs are scored only when they share one of a few keys, chosen so that each
kind of error leaves at least one key intact (a changed surname keeps first name + date of
birth; a wrong date of birth keeps the names; a false identity keeps a phone, an
identifier or an address).
"""

from __future__ import annotations

from typing import Any

import splink.comparison_library as cl
from splink import SettingsCreator, block_on

__all__ = ["PREDICTION_BLOCKING", "TRAINING_BLOCKING", "mention_settings"]

PREDICTION_BLOCKING = (
    {"blocking_rule": "l.surname_dm[1] = r.surname_dm[1] AND l.dob_year = r.dob_year"},
    block_on("first_name", "dob"),
    block_on("surname", "first_name"),
    {"blocking_rule": "l.dob = r.dob AND substr(l.surname, 1, 1) = substr(r.surname, 1, 1)"},
    block_on("phones", arrays_to_explode=["phones"]),
    block_on("identifiers", arrays_to_explode=["identifiers"]),
)

# EM runs once per rule; each rule leaves free the comparisons it does not fix.
TRAINING_BLOCKING = (
    block_on("dob"),
    block_on("surname", "first_name"),
)


def _first_name() -> cl.CustomComparison:
    def jw(t: float) -> dict[str, Any]:
        return {
            "sql_condition": f"jaro_winkler_similarity(first_name_l, first_name_r) >= {t}",
            "label_for_charts": f"first name Jaro-Winkler >= {t}",
        }

    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="first name: exact, nickname, spelling, sound",
        comparison_levels=[
            {
                "sql_condition": "first_name_l IS NULL OR first_name_r IS NULL",
                "label_for_charts": "first name missing",
                "is_null_level": True,
            },
            {
                "sql_condition": "first_name_l = first_name_r",
                "label_for_charts": "first name exact",
                "tf_adjustment_column": "first_name",
                "tf_adjustment_weight": 1.0,
            },
            {
                "sql_condition": "len(list_intersect(first_nick_l, first_nick_r)) > 0",
                "label_for_charts": "first name nickname of each other",
            },
            jw(0.92),
            {
                "sql_condition": "len(list_intersect(first_dm_l, first_dm_r)) > 0",
                "label_for_charts": "first name sounds alike (Double Metaphone)",
            },
            jw(0.8),
            {"sql_condition": "ELSE", "label_for_charts": "first name differs"},
        ],
    )


def mention_settings() -> SettingsCreator:
    """Settings for deduplicating one frame of `mention_frame` columns (DuckDB SQL)."""
    return SettingsCreator(
        link_type="dedupe_only",
        unique_id_column_name="unique_id",
        blocking_rules_to_generate_predictions=list(PREDICTION_BLOCKING),
        comparisons=[
            cl.NameComparison(
                "surname", jaro_winkler_thresholds=[0.92, 0.8], dmeta_col_name="surname_dm"
            ).configure(term_frequency_adjustments=True),
            _first_name(),
            cl.DateOfBirthComparison(
                "dob",
                input_is_string=True,
                datetime_thresholds=[1, 10],
                datetime_metrics=["year", "year"],
            ),
            cl.ExactMatch("sex"),
            cl.ArrayIntersectAtSizes("phones", [1]),
            cl.ArrayIntersectAtSizes("addresses", [1]),
            cl.ArrayIntersectAtSizes("identifiers", [1]),
            cl.ArrayIntersectAtSizes("marks", [2, 1]),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,  # the only way Splink keeps the gamma (level) columns
    )
