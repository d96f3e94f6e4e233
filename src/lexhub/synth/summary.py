"""The measured figures of a generated region: what summary.json and `lexhub synth` report.

Rates are measured on what was written (a mention counts as a variant only if its written
name or date of birth differs from the person's truth on that day), not taken from the
generator's intentions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from lexhub.synth.config import RegionSummary, SynthConfig
from lexhub.synth.records import AgencyStats

__all__ = ["summarize"]

_BINS = (
    ("1", 1, 1),
    ("2", 2, 2),
    ("3-5", 3, 5),
    ("6-20", 6, 20),
    ("21-100", 21, 100),
    ("101+", 101, 1 << 40),
)


def _sum_dicts(dicts: list[dict[str, int]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for d in dicts:
        for k, v in d.items():
            out[k] = out.get(k, 0) + v
    return dict(sorted(out.items()))


def summarize(
    config: SynthConfig,
    out_dir: Path,
    stats: list[AgencyStats],
    files: dict[str, str],
    fallbacks: list[str],
) -> RegionSummary:
    mentions = np.sum([s.mentions for s in stats], axis=0)
    variants = np.sum([s.variants for s in stats], axis=0)
    false_uses = np.sum([s.false_uses for s in stats], axis=0)
    agencies_seen = np.sum([s.mentions > 0 for s in stats], axis=0)
    seen = mentions > 0
    multi = mentions >= 2
    n_multi = int(multi.sum())

    def share(mask: np.ndarray) -> float:
        return round(float(mask[multi].sum()) / n_multi, 4) if n_multi else 0.0

    total = int(mentions.sum())
    per_person: dict[str, object] = {
        name: int(((mentions >= lo) & (mentions <= hi)).sum()) for name, lo, hi in _BINS
    }
    per_person["max"] = int(mentions.max()) if total else 0
    per_person["mean"] = round(total / max(int(seen.sum()), 1), 2)
    rates = {
        "variant_share": share(variants > 0),
        "false_identity_share": share(false_uses > 0),
        "error_only_share": share((variants > 0) & (false_uses == 0)),
        "several_agencies_share": share(agencies_seen >= 2),
        "variant_mention_share": round(float(variants.sum()) / max(total, 1), 4),
        "false_identity_mention_share": round(float(false_uses.sum()) / max(total, 1), 4),
    }
    size = sum(
        p.stat().st_size for p in out_dir.rglob("*") if p.is_file() and p.name != "summary.json"
    )
    return RegionSummary(
        out_dir=str(out_dir),
        agencies=len(stats),
        people=config.people,
        people_mentioned=int(seen.sum()),
        records=sum(s.records for s in stats),
        mentions=total,
        bytes_written=size,
        seconds=0.0,
        files=files,
        mentions_per_person=per_person,
        rates=rates,
        errors=_sum_dicts([s.kinds for s in stats]),
        record_types=_sum_dicts([s.types for s in stats]),
        sensitivity=_sum_dicts([s.sensitivity for s in stats]),
        fallbacks=fallbacks,
    )
