"""Why two mentions are linked: the match weight by comparison (Splink's waterfall), in words.

Read from what a run stored: the model in force (each comparison level's m and u) and the
pair's levels (`entity_links.levels`), so the evidence is the one the decision used, not a
re-computation on today's data. A level's weight is log2(m/u); the prior's is
log2(p/(1-p)); they add up to the pair's match weight, except for the term-frequency
adjustment of exact surname and first-name matches, which is the remainder and is shown
as its own line. Only for two mentions of one `RequestEntity`: the caller MUST have formed
the entity for the requester first, so evidence is never given for a hidden mention.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any

from lexhub.store.linkage_sql import LinkageModel, LinkRow

__all__ = ["Evidence", "Step", "evidence", "evidence_text"]


@dataclass(frozen=True)
class Step:
    comparison: str
    level: str  # the level's label, e.g. "first name nickname of each other"
    weight: float  # log2 Bayes factor; 0 for missing data


@dataclass(frozen=True)
class Evidence:
    left: int
    right: int
    prior: float
    steps: tuple[Step, ...]
    adjustment: float  # term frequency and rounding: weight - prior - sum(steps)
    weight: float
    probability: float
    threshold: float


def _level(comparison: dict[str, Any], gamma: int) -> dict[str, Any] | None:
    levels = comparison["comparison_levels"]
    non_null = [lv for lv in levels if not lv.get("is_null_level")]
    if gamma == -1:
        return next((lv for lv in levels if lv.get("is_null_level")), None)
    index = len(non_null) - 1 - gamma
    return non_null[index] if 0 <= index < len(non_null) else None


def _weight(level: dict[str, Any]) -> float:
    m, u = level.get("m_probability"), level.get("u_probability")
    if level.get("is_null_level") or not m or not u:
        return 0.0
    return math.log2(float(m) / float(u))


def evidence(model: LinkageModel, link: LinkRow) -> Evidence:
    """The waterfall of one stored edge under the model in force."""
    settings = json.loads(model.model)
    p = float(settings["probability_two_random_records_match"])
    prior = math.log2(p / (1 - p))
    steps: list[Step] = []
    for comparison in settings["comparisons"]:
        name = comparison["output_column_name"]
        if name not in link.levels:
            continue
        level = _level(comparison, link.levels[name])
        if level is None:
            continue
        steps.append(Step(name, str(level.get("label_for_charts", "")), _weight(level)))
    adjustment = link.weight - prior - sum(s.weight for s in steps)
    return Evidence(
        link.left,
        link.right,
        prior,
        tuple(steps),
        adjustment,
        link.weight,
        link.probability,
        model.threshold,
    )


def evidence_text(ev: Evidence) -> list[str]:
    """One line per step, strongest first, then the total against the threshold."""
    lines = [f"prior (two mentions chosen at random are one person): {ev.prior:+.2f}"]
    for s in sorted(ev.steps, key=lambda s: -abs(s.weight)):
        verb = "for" if s.weight > 0 else "against" if s.weight < 0 else "no evidence"
        lines.append(f"{s.comparison}: {s.level}: {s.weight:+.2f} ({verb})")
    if abs(ev.adjustment) >= 0.005:
        lines.append(f"name frequency adjustment: {ev.adjustment:+.2f}")
    verdict = "linked" if ev.weight >= ev.threshold else "not linked"
    lines.append(
        f"match weight {ev.weight:+.2f} (probability {ev.probability:.4f}),"
        f" threshold {ev.threshold:+.2f}: {verdict}"
    )
    return lines
