"""Quality of a clustering against ground truth: pairwise precision, recall and F1, and
cluster-level B-cubed. Labels are read here and in bench/ only, never by `lexhub link`.

Both measures count mentions, not records; singletons count in B-cubed (a mention alone
in its entity and alone in the truth is perfectly resolved) and add no pairs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass

__all__ = ["Quality", "evaluate"]


@dataclass(frozen=True)
class Quality:
    mentions: int
    true_pairs: int  # pairs of mentions of one person
    predicted_pairs: int  # pairs of mentions in one entity
    correct_pairs: int
    precision: float
    recall: float
    f1: float
    bcubed_precision: float
    bcubed_recall: float
    bcubed_f1: float


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


def evaluate(predicted: Mapping[int, Hashable], truth: Mapping[int, Hashable]) -> Quality:
    """Compare entity ids to true person ids over the mentions both know."""
    ids = [m for m in predicted if m in truth]
    cluster = Counter(predicted[m] for m in ids)
    person = Counter(truth[m] for m in ids)
    both = Counter((predicted[m], truth[m]) for m in ids)
    tp = sum(_pairs(n) for n in both.values())
    pp = sum(_pairs(n) for n in cluster.values())
    tt = sum(_pairs(n) for n in person.values())
    precision = tp / pp if pp else 1.0
    recall = tp / tt if tt else 1.0
    # B-cubed: each mention's share of its entity that is the same person, and of its
    # person that is in the same entity; summed over the (entity, person) cells.
    bp = sum(n * n / cluster[c] for (c, _), n in both.items()) / len(ids) if ids else 1.0
    br = sum(n * n / person[t] for (_, t), n in both.items()) / len(ids) if ids else 1.0
    return Quality(
        len(ids), tt, pp, tp, precision, recall, _f1(precision, recall), bp, br, _f1(bp, br)
    )
