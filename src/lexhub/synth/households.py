"""Households: who lives with whom, and the names and birth dates families share.

A household has a head, often a partner, and children. Partners usually share the head's
surname (keeping the earlier one as a maiden name records may still use), some keep their
own or hyphenate; children take the head's surname; some sons are juniors (the father's
first name, JR/SR); some siblings get similar first names (Jon/John, Kristen/Kirsten are
the kind of pairs that merge strangers). Ages are given at mid-window (2020).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from lexhub.synth.geography import Region
from lexhub.synth.names import first_names, surnames

__all__ = ["Households", "build_households"]

_SIZES = np.array([1, 2, 3, 4, 5, 6])
_SIZE_P = np.array([0.36, 0.29, 0.15, 0.12, 0.06, 0.02])
_MID = date(2020, 1, 1).toordinal()
_RACES = ("W", "H", "A", "B", "I", "P", "U")
_RACE_P = np.array([0.66, 0.13, 0.10, 0.06, 0.02, 0.01, 0.02])


@dataclass
class Households:
    count: int
    of: np.ndarray  # person -> household
    pos: np.ndarray  # 0 head, 1 partner, 2+ children
    city: np.ndarray  # household -> city index
    start: np.ndarray  # household -> first person
    size: np.ndarray  # household -> members
    age: np.ndarray  # person's age in 2020
    sex: list[str]
    race: list[str]
    dob: list[int]
    first: list[str]
    middle: list[str]
    last: list[str]
    maiden: list[str]
    suffix: list[str]


def _sample_first(rng: np.random.Generator, years: np.ndarray, sexes: list[str]) -> list[str]:
    """First names drawn from the SSA table of each person's birth year and sex."""
    table = first_names()
    out = [""] * len(sexes)
    male = np.array([s == "M" for s in sexes])
    for sex, mask in (("M", male), ("F", ~male)):
        for year in np.unique(years[mask]).tolist():
            idx = np.flatnonzero(mask & (years == year))
            t = table.table(year, sex)
            for i, k in zip(idx.tolist(), t.sample(rng, len(idx)).tolist(), strict=True):
                out[i] = t.names[k]
    return out


def _similar(name: str, year: int, sex: str, pick: int) -> str:
    """A different popular name of the same year and sex starting with the same two
    letters, or the name itself if there is none."""
    names = first_names().table(year, sex).names
    near = [n for n in names[:300] if n != name and n[:2] == name[:2]]
    return near[pick % len(near)] if near else name


def build_households(rng: np.random.Generator, n: int, region: Region) -> Households:
    sizes = rng.choice(_SIZES, size=n // 2 + 8, p=_SIZE_P)
    ends = np.cumsum(sizes)
    count = int(np.searchsorted(ends, n) + 1)
    sizes = sizes[:count].copy()
    sizes[-1] -= int(ends[count - 1] - n)
    start = np.concatenate(([0], np.cumsum(sizes)[:-1]))
    of = np.repeat(np.arange(count), sizes)
    pos = np.arange(n) - start[of]

    city_w = np.array([c.weight for c in region.cities])
    city = rng.choice(len(city_w), size=count, p=city_w / city_w.sum())
    head_age = np.clip(18 + rng.gamma(2.0, 12.0, size=count), 18, 92)
    partner_age = np.clip(head_age[of] + rng.normal(0, 4, n), 18, 95)
    child_age = np.clip(head_age[of] - rng.uniform(18, 40, n), 6, 70)
    age_f = np.where(pos == 0, head_age[of], np.where(pos == 1, partner_age, child_age))
    # Single-person "households" in records are mostly young adults living alone.
    age_f = np.where((sizes[of] == 1) & (rng.random(n) < 0.4), rng.uniform(18, 35, n), age_f)
    birth = _MID - (age_f * 365.25).astype(int) - rng.integers(0, 365, n)
    age = age_f.astype(int)
    years = np.array([date.fromordinal(int(b)).year for b in birth.tolist()])

    head_male = rng.random(count) < 0.55
    male = np.where(
        pos == 0,
        head_male[of],
        np.where(pos == 1, ~head_male[of] ^ (rng.random(n) < 0.08), rng.random(n) < 0.5),
    )
    sex = ["M" if m else "F" for m in male.tolist()]
    hh_race = rng.choice(len(_RACES), size=count, p=_RACE_P)
    own_race = rng.choice(len(_RACES), size=n, p=_RACE_P)
    race_i = np.where(rng.random(n) < 0.9, hh_race[of], own_race)
    race = [_RACES[r] for r in race_i.tolist()]

    first = _sample_first(rng, years, sex)
    middle = _sample_first(rng, years, sex)
    no_middle = (rng.random(n) < 0.12).tolist()
    middle = ["" if nm else m for m, nm in zip(middle, no_middle, strict=True)]

    sur = surnames()
    head_last = [sur.names[k] for k in sur.sample(rng, count).tolist()]
    own_last = [sur.names[k] for k in sur.sample(rng, n).tolist()]
    choice = rng.random(n).tolist()
    jr = rng.random(n).tolist()
    sim = rng.random(n).tolist()
    picks = rng.integers(0, 1000, n).tolist()
    last: list[str] = []
    maiden: list[str] = [""] * n
    suffix: list[str] = [""] * n
    of_l, pos_l, start_l = of.tolist(), pos.tolist(), start.tolist()
    for i in range(n):
        h = of_l[i]
        p = pos_l[i]
        head = head_last[h]
        if p == 0:
            last.append(head)
        elif p == 1:
            if choice[i] < 0.65:
                last.append(head)
                maiden[i] = own_last[i]
            elif choice[i] < 0.9:
                last.append(own_last[i])
            else:
                last.append(f"{own_last[i]}-{head}")
        else:
            last.append(head)
            s = start_l[h]
            if p == 2 and sex[i] == "M" and sex[s] == "M" and jr[i] < 0.12 and not suffix[s]:
                first[i] = first[s]
                suffix[i] = "JR"
                suffix[s] = "SR"
            elif p >= 3 and sex[i] == sex[s + 2] and sim[i] < 0.2:
                first[i] = _similar(first[s + 2], int(years[i]), sex[i], picks[i])
    return Households(
        count=count,
        of=of,
        pos=pos,
        city=city,
        start=start,
        size=sizes,
        age=age,
        sex=sex,
        race=race,
        dob=birth.tolist(),
        first=first,
        middle=middle,
        last=last,
        maiden=maiden,
        suffix=suffix,
    )
