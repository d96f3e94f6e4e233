"""The region's plan: how many records each agency writes, of which types and when, and who
is mentioned in each record slot, with whether that mention lies or errs.

Made in the parent process with vectorized numpy draws, so per-agency generation (possibly
in worker processes) only renders. Deciding "this person gives a false identity in at
least one mention" needs all of a person's mentions at once; that is why it is decided
here rather than record by record.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lexhub.model import RecordType
from lexhub.synth.agencies import AgencyPlan
from lexhub.synth.config import WINDOW_END, WINDOW_START
from lexhub.synth.geography import Region
from lexhub.synth.people import People

__all__ = ["AgencyWork", "RECORD_TYPES", "plan_region"]

RECORD_TYPES = tuple(RecordType)
# persons per record, by type: (counts, probabilities)
_PERSONS = {
    RecordType.INCIDENT: ([0, 1, 2, 3, 4, 5], [0.1, 0.3, 0.3, 0.17, 0.09, 0.04]),
    RecordType.ARREST: ([1, 2, 3], [0.6, 0.3, 0.1]),
    RecordType.BOOKING: ([1], [1.0]),
    RecordType.FIELD_INTERVIEW: ([1, 2, 3, 4], [0.55, 0.28, 0.12, 0.05]),
    RecordType.CITATION: ([1, 2], [0.85, 0.15]),
    RecordType.WARRANT: ([1], [1.0]),
}
# Share of a person's mentions at their primary agency; the rest go anywhere in the region.
HOME_SHARE = 0.7
# Deception and error propensities (calibrated so the measured rates land near the targets
# in docs/synth.md; the measured figures are what summary.json reports).
DECEPTIVE_MULTI = 0.26  # people with 2+ mentions who give a false identity somewhere
DECEPTIVE_BUSY_BONUS = 0.08  # more among the young men records mention most
DECEPTIVE_SINGLE = 0.12
FALSE_USE = 0.35  # share of a deceptive person's mentions that use the false identity
ERROR_PRONE = 0.3  # people whose records are often wrong (hard names, many contacts)
ERROR_PRONE_RATE = 0.3
ERROR_BASE_RATE = 0.015


@dataclass
class AgencyWork:
    """One agency's share of the plan: its records in date order, and its mention slots."""

    index: int
    types: np.ndarray  # int8 index into RECORD_TYPES
    days: np.ndarray  # date ordinals, ascending
    persons: np.ndarray  # persons per record
    pid: np.ndarray  # person index per slot
    false_id: np.ndarray  # bool per slot
    error: np.ndarray  # bool per slot


def _split(total: int, weights: np.ndarray) -> np.ndarray:
    """Integer shares of `total` proportional to `weights` (largest remainder)."""
    raw = total * weights / weights.sum()
    base = np.floor(raw).astype(np.int64)
    rest = total - int(base.sum())
    base[np.argsort(-(raw - base), kind="stable")[:rest]] += 1
    return np.asarray(base, dtype=np.int64)


def _mention_counts(rng: np.random.Generator, people: People, slots: int) -> np.ndarray:
    """Mentions per person: everyone at least once, then a heavy tail weighted by activity
    (most people once or twice, a few frequent flyers dozens of times)."""
    n = people.n
    if slots <= n:
        counts = np.zeros(n, dtype=np.int64)
        counts[rng.choice(n, size=slots, replace=False)] = 1
        return counts
    tail = np.minimum(rng.lognormal(0.0, 1.9, n), 150.0)
    w = people.activity * tail
    return 1 + rng.multinomial(slots - n, w / w.sum())


def _primary_agency(
    rng: np.random.Generator,
    people: People,
    region: Region,
    plans: list[AgencyPlan],
    shares: np.ndarray,
) -> np.ndarray:
    city_names = [c.name for c in region.cities]
    home = np.array(people.home_city)
    out = rng.choice(len(plans), size=people.n, p=shares / shares.sum())
    for c, name in enumerate(city_names):
        covering = [i for i, p in enumerate(plans) if name in p.home_cities]
        mask = home == c
        if covering and mask.any():
            w = shares[covering]
            out[mask] = np.array(covering)[
                rng.choice(len(covering), int(mask.sum()), p=w / w.sum())
            ]
    return out


def _at_least_one(
    rng: np.random.Generator, pid: np.ndarray, flag: np.ndarray, who: np.ndarray
) -> np.ndarray:
    """Set `flag` on one random slot of every person in `who` who has no flagged slot."""
    order = np.lexsort((rng.random(len(pid)), pid))
    firsts = order[np.r_[0, np.flatnonzero(np.diff(pid[order])) + 1]] if len(pid) else order
    has = np.zeros(len(who), dtype=bool)
    has[pid[flag]] = True
    need = who & ~has
    pick = firsts[need[pid[firsts]]]
    out = flag.copy()
    out[pick] = True
    return out


def _children_to_incidents(
    rng: np.random.Generator,
    pid: np.ndarray,
    types: np.ndarray,
    days: np.ndarray,
    persons: np.ndarray,
    people: People,
) -> np.ndarray:
    """Swap children out of arrests, bookings, citations (under 16 there), field interviews
    and warrants into incident slots held by adults, so every child's mention survives as
    a victim or witness rather than being dropped at rendering."""
    incident = RECORD_TYPES.index(RecordType.INCIDENT)
    citation = RECORD_TYPES.index(RecordType.CITATION)
    slot_type = np.repeat(types, persons)
    age = (np.repeat(days, persons) - np.asarray(people.dob)[pid]) / 365.25
    bad = np.flatnonzero((slot_type != incident) & (age < np.where(slot_type == citation, 16, 12)))
    good = np.flatnonzero((slot_type == incident) & (age >= 18))
    k = min(len(bad), len(good))
    out = pid.copy()
    if k:
        bad = bad[:k]
        target = rng.choice(good, size=k, replace=False)
        out[bad], out[target] = pid[target], pid[bad]
    return out


def plan_region(
    rng: np.random.Generator,
    records: int,
    people: People,
    region: Region,
    plans: list[AgencyPlan],
) -> list[AgencyWork]:
    sizes = np.array([p.size for p in plans])
    per_agency = _split(records, sizes)
    lo, hi = WINDOW_START.toordinal(), WINDOW_END.toordinal()
    types_l, days_l, persons_l = [], [], []
    for plan, r in zip(plans, per_agency.tolist(), strict=True):
        kinds = [RECORD_TYPES.index(t) for t in plan.mix]
        p = np.array(list(plan.mix.values()))
        types = rng.choice(kinds, size=r, p=p / p.sum()).astype(np.int8)
        days = np.sort(rng.integers(lo, hi + 1, size=r))
        persons = np.zeros(r, dtype=np.int64)
        for k, t in enumerate(RECORD_TYPES):
            mask = types == k
            sizes_t, probs = _PERSONS[t]
            persons[mask] = rng.choice(sizes_t, size=int(mask.sum()), p=probs)
        types_l.append(types)
        days_l.append(days)
        persons_l.append(persons)
    slots_per_agency = np.array([int(p.sum()) for p in persons_l])
    slots = int(slots_per_agency.sum())

    counts = _mention_counts(rng, people, slots)
    pid = np.repeat(np.arange(people.n), counts)
    primary = _primary_agency(rng, people, region, plans, slots_per_agency.astype(float) + 1)
    wander = rng.random(slots) >= HOME_SHARE
    anywhere = rng.choice(
        len(plans), size=slots, p=(slots_per_agency + 1) / (slots_per_agency + 1).sum()
    )
    key = np.where(wander, anywhere, primary[pid]) + rng.random(slots)
    pid = pid[np.argsort(key, kind="stable")]
    cut = np.concatenate(([0], np.cumsum(slots_per_agency)))
    for i in range(len(plans)):
        a, b = int(cut[i]), int(cut[i + 1])
        pid[a:b] = _children_to_incidents(
            rng, pid[a:b], types_l[i], days_l[i], persons_l[i], people
        )

    # Who deceives and who is often recorded wrongly; which of their mentions show it.
    multi = counts >= 2
    busy = people.activity >= 2.0
    deceptive = rng.random(people.n) < np.where(
        multi, DECEPTIVE_MULTI + DECEPTIVE_BUSY_BONUS * busy, DECEPTIVE_SINGLE
    )
    false_id = deceptive[pid] & (rng.random(slots) < FALSE_USE)
    false_id = _at_least_one(rng, pid, false_id, deceptive)
    prone = rng.random(people.n) < ERROR_PRONE
    error = rng.random(slots) < np.where(prone[pid], ERROR_PRONE_RATE, ERROR_BASE_RATE)
    error = _at_least_one(rng, pid, error, prone & multi)

    work = []
    for i in range(len(plans)):
        a, b = int(cut[i]), int(cut[i + 1])
        work.append(
            AgencyWork(i, types_l[i], days_l[i], persons_l[i], pid[a:b], false_id[a:b], error[a:b])
        )
    return work
