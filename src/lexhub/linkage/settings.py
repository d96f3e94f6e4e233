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
identifier or an address; both names and the date of birth mistyped keep a postcode +
house number or a building + date of birth; names swapped keep the swap rule).
"""

from __future__ import annotations

import splink.comparison_level_library as cll
import splink.comparison_library as cl
from splink import SettingsCreator, block_on
from splink.internals.comparison_level_creator import ComparisonLevelCreator

__all__ = ["PREDICTION_BLOCKING", "TRAINING_BLOCKING", "mention_settings"]

PREDICTION_BLOCKING = (
    block_on("surname_dm1", "dob_year"),
    block_on("first_name", "dob"),
    block_on("surname", "first_name"),
    {"blocking_rule": "l.dob = r.dob AND substr(l.surname, 1, 1) = substr(r.surname, 1, 1)"},
    block_on("phones", arrays_to_explode=["phones"]),
    block_on("identifiers", arrays_to_explode=["identifiers"]),
    # One building (postcode and house number): a mistyped name AND date of birth still
    # meet here. Selective: a postcode holds thousands of people, a house number in it few.
    block_on("postcode_numbers", arrays_to_explode=["postcode_numbers"]),
    # First name and surname swapped (a form filled in the wrong order): no name key holds.
    {"blocking_rule": "l.first_name = r.surname AND l.surname = r.first_name"},
    # One building and one date of birth: both names mistyped, the postcode missing.
    block_on("buildings", "dob", arrays_to_explode=["buildings"]),
)

# EM runs once per rule; each rule leaves free the comparisons it does not fix.
TRAINING_BLOCKING = (
    block_on("dob"),
    block_on("surname", "first_name"),
)

# The weight of `_household`'s disagreeing level: m/u = 2**-10.
HOUSEHOLD_PENALTY = 10.0


def _first_name() -> cl.CustomComparison:
    """Levels built from Splink's level library rather than SQL text, so that the same
    settings compile to DuckDB's and Spark's SQL (array functions and the Jaro-Winkler
    function are named differently in each)."""

    def jw(t: float) -> ComparisonLevelCreator:
        return cll.JaroWinklerLevel("first_name", t).configure(
            label_for_charts=f"first name Jaro-Winkler >= {t}"
        )

    return cl.CustomComparison(
        output_column_name="first_name",
        comparison_description="first name: exact, nickname, spelling, sound",
        comparison_levels=[
            cll.NullLevel("first_name").configure(label_for_charts="first name missing"),
            cll.ExactMatchLevel("first_name", term_frequency_adjustments=True).configure(
                label_for_charts="first name exact", tf_adjustment_weight=1.0
            ),
            cll.ColumnsReversedLevel("first_name", "surname", symmetrical=True).configure(
                label_for_charts="first name and surname swapped"
            ),
            cll.ArrayIntersectLevel("first_nick", 1).configure(
                label_for_charts="first name nickname of each other"
            ),
            jw(0.92),
            cll.ArrayIntersectLevel("first_dm", 1).configure(
                label_for_charts="first name sounds alike (Double Metaphone)"
            ),
            jw(0.8),
            cll.ElseLevel().configure(label_for_charts="first name differs"),
        ],
    )


def _address() -> cl.CustomComparison:
    """Address agreement short of the exact key, strongest first: the same building (street
    key: a unit given on one side only, or different units), the same postcode and house
    number (the street name misspelt), the same street elsewhere on it, the same postcode.
    Array intersections from the level library, so DuckDB and Spark compile them alike; a
    mention may hold several addresses and any one in common counts."""

    def shared(column: str, label: str) -> ComparisonLevelCreator:
        return cll.ArrayIntersectLevel(column, 1).configure(label_for_charts=label)

    return cl.CustomComparison(
        output_column_name="addresses",
        comparison_description="addresses: exact, building, postcode + number, street, postcode",
        comparison_levels=[
            cll.And(cll.NullLevel("addresses"), cll.NullLevel("postcodes")).configure(
                label_for_charts="address missing"
            ),
            shared("addresses", "an address in common"),
            shared("buildings", "a building in common (street key)"),
            shared("postcode_numbers", "postcode and house number in common"),
            cll.JaroWinklerLevel("building", 0.9).configure(
                label_for_charts="building Jaro-Winkler >= 0.9 (a typo in the street)"
            ),
            shared("streets", "a street name in common"),
            shared("postcodes", "a postcode in common"),
            cll.ElseLevel().configure(label_for_charts="addresses differ"),
        ],
    )


def _household() -> cl.CustomComparison:
    """Different people of one household: first names that differ at every level and
    dates of birth neither equal nor one edit apart (or one missing), with no identifier
    in common. Such pairs share an address, a phone and a surname, and each of those
    comparisons counts its agreement as if independent of the rest, so at 95,000
    synthetic mentions parents, children and siblings made most of the false merges
    (B-cubed precision 0.967).

    The level's weight is set, not learned: -HOUSEHOLD_PENALTY, and 0 for every other
    pair (m and u fixed). EM cannot learn it: each training block fixes the first name or
    the date of birth, and trained in a block that leaves both free (surname and birth
    year) it gave the other level +4 for nearly every pair and pairwise F1 fell from
    0.980 to 0.978. A penalty of 10 rather than a veto keeps the rule a weight, so the
    full and incremental runs, the per-request entities and the evidence all read it the
    same way; against the stored pairs of a run at 95,000 mentions it moved pairwise F1
    0.980 -> 0.984 and B-cubed F1 0.971 -> 0.975 (docs/benchmarks.md).

    Missing first name: the null level (nothing disagrees). Missing date of birth: the
    penalized level (nothing tells the two apart but the name that already disagrees)."""
    first_agrees = cll.Or(
        cll.ExactMatchLevel("first_name"),
        cll.ColumnsReversedLevel("first_name", "surname", symmetrical=True),
        cll.ArrayIntersectLevel("first_nick", 1),
        cll.JaroWinklerLevel("first_name", 0.8),
        cll.ArrayIntersectLevel("first_dm", 1),
    )
    dob_close = cll.Or(cll.ExactMatchLevel("dob"), cll.DamerauLevenshteinLevel("dob", 1))
    no_identifier = cll.Or(
        cll.NullLevel("identifiers"), cll.Not(cll.ArrayIntersectLevel("identifiers", 1))
    )
    fixed = {"fix_m_probability": True, "fix_u_probability": True, "u_probability": 0.5}
    return cl.CustomComparison(
        output_column_name="household",
        comparison_description="first name and date of birth both disagree, no identifier",
        comparison_levels=[
            cll.NullLevel("first_name").configure(label_for_charts="first name missing"),
            cll.And(
                cll.Not(first_agrees),
                cll.Or(cll.NullLevel("dob"), cll.Not(dob_close)),
                no_identifier,
            ).configure(
                label_for_charts="first name and date of birth both disagree",
                m_probability=0.5 * 2**-HOUSEHOLD_PENALTY,
                **fixed,  # type: ignore[arg-type]
            ),
            cll.ElseLevel().configure(
                label_for_charts="first name or date of birth agrees",
                m_probability=0.5,
                **fixed,  # type: ignore[arg-type]
            ),
        ],
    )


def mention_settings() -> SettingsCreator:
    """Settings for deduplicating one frame of `mention_frame` columns; dialect-free, so
    they compile to whichever backend the Linker runs on (DuckDB or Spark)."""
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
            _address(),
            cl.ArrayIntersectAtSizes("identifiers", [1]),
            cl.ArrayIntersectAtSizes("marks", [2, 1]),
            _household(),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=True,  # the only way Splink keeps the gamma (level) columns
    )
