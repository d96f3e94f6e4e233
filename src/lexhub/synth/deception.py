"""False identities: the name or birth date a person gives when they do not want to be found.

Every person gets one prepared false identity (used only if the mention plan makes them
deceptive), fixed per person so it recurs across records and agencies as real ones do:
a relative's name and birth date (a brother's identity), an invented name, a shifted
birth date, or both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from lexhub.synth.names import first_names, surnames
from lexhub.synth.people import People

__all__ = ["FalseIdentities", "build_false_identities"]


@dataclass
class FalseIdentities:
    first: list[str]  # "" keeps the true first name
    last: list[str]  # "" keeps the true surname
    dob: list[int]  # 0 keeps the true date of birth (ordinal otherwise)
    kind: list[str]  # relative | name | dob | name+dob


def _shift_dob(ordinal: int, pick: int) -> int:
    d = date.fromordinal(ordinal)
    mode = pick % 4
    if mode == 0:  # a few years younger
        year = d.year + 1 + pick // 4 % 5
    elif mode == 1:  # another day and month, same year
        return date(d.year, 1 + pick // 4 % 12, 1 + pick // 48 % 28).toordinal()
    elif mode == 2:
        year = d.year - 1 - pick // 4 % 3
    else:
        return (d.replace(day=1 + (d.day + 9) % 28)).toordinal()
    year = min(year, 2012)
    day = min(d.day, 28) if d.month == 2 else d.day
    return d.replace(year=year, day=day).toordinal()


def build_false_identities(rng: np.random.Generator, people: People) -> FalseIdentities:
    n = people.n
    hh = people.hh
    kinds = rng.choice(["name", "dob", "name+dob"], size=n, p=[0.4, 0.25, 0.35]).tolist()
    relative_u = rng.random(n).tolist()
    new_last_u = rng.random(n).tolist()
    sur = surnames()
    new_last = [sur.names[k] for k in sur.sample(rng, n).tolist()]
    picks = rng.integers(0, 1_000_000, n).tolist()
    first_tab = first_names()
    first: list[str] = []
    last: list[str] = []
    dob: list[int] = []
    out_kind: list[str] = []
    of, start, size = hh.of.tolist(), hh.start.tolist(), hh.size.tolist()
    for i in range(n):
        h = of[i]
        sibling = next(
            (
                j
                for j in range(start[h], start[h] + size[h])
                if j != i and people.sex[j] == people.sex[i] and people.first[j] != people.first[i]
            ),
            -1,
        )
        if sibling >= 0 and relative_u[i] < 0.25:
            first.append(people.first[sibling])
            last.append(people.last[sibling] if people.last[sibling] != people.last[i] else "")
            dob.append(people.dob[sibling])
            out_kind.append("relative")
            continue
        kind = kinds[i]
        f = ""
        surname = ""
        if "name" in kind:
            year = date.fromordinal(people.dob[i]).year
            table = first_tab.table(year, people.sex[i])
            f = table.names[picks[i] % min(len(table.names), 200)]
            if f == people.first[i]:
                f = table.names[(picks[i] + 1) % min(len(table.names), 200)]
            if new_last_u[i] < 0.5 and new_last[i] != people.last[i]:
                surname = new_last[i]
        first.append(f)
        last.append(surname)
        dob.append(_shift_dob(people.dob[i], picks[i]) if "dob" in kind else 0)
        out_kind.append(kind)
    return FalseIdentities(first, last, dob, out_kind)
