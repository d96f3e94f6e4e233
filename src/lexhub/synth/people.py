"""The region's people: who they really are, in households, over the record window.

Everything is drawn in a few vectorized numpy calls from one seeded generator, then kept as
plain Python lists (scalar access to lists is several times faster than to arrays while
rendering a million records). A person's truth at a date comes from `Person*` methods here;
how a record mis-states it is `errors.py`'s business.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lexhub.synth.config import WINDOW_END, WINDOW_START
from lexhub.synth.geography import Region
from lexhub.synth.households import Households, build_households
from lexhub.synth.marks import MARK_SPECS, MARK_WEIGHTS
from lexhub.synth.names import surnames
from lexhub.synth.vehicles import VehicleTable, make_vehicles

__all__ = ["Addresses", "People", "build_people"]

_RACES = ("W", "H", "A", "B", "I", "P", "U")
_RACE_P = np.array([0.66, 0.13, 0.10, 0.06, 0.02, 0.01, 0.02])
_MONIKERS = (
    "SHORTY",
    "LIL D",
    "SMOKE",
    "BIG MIKE",
    "TINY",
    "SLIM",
    "ROCK",
    "DRE",
    "JUNIOR",
    "GHOST",
    "BUDDY",
    "CHUCKY",
    "T-BONE",
    "SPIDER",
    "MONEY",
    "ICE",
    "RED",
    "BLUE",
    "PAPA",
    "NENE",
    "LOCO",
    "FLACO",
    "GORDO",
    "CHINO",
    "BOOGIE",
    "BONES",
    "DIESEL",
    "SCRAPPY",
    "TRIGGER",
    "KILO",
    "PREACHER",
    "SKINNY",
    "JOKER",
    "MAMA",
    "PEACHES",
    "BABY GIRL",
    "COCO",
    "LADY",
    "SUNNY",
)
_DL_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
NONE = -1
NEVER = 10**7  # an ordinal after every date in the window


@dataclass
class Addresses:
    """Invented street addresses: number, street, optional unit, city index."""

    number: list[int]
    street: list[int]
    unit: list[int]
    city: list[int]
    zip: list[str]


@dataclass
class People:
    """Columns of the people table; index = person number (person id `P0000001` is 1-based)."""

    n: int
    hh: Households
    sex: list[str]
    race: list[str]
    dob: list[int]  # date ordinals
    first: list[str]
    middle: list[str]
    last: list[str]  # surname at the start of the window
    last_after: list[str]  # surname after a change in the window ("" = none)
    change_day: list[int]
    maiden: list[str]  # an earlier surname records may still use ("" = none)
    suffix: list[str]
    addr: list[tuple[int, int]]  # address before the move, after; -1 = none
    move_day: list[int]
    mobile: list[tuple[int, int]]  # number before the change, after; 0 = none
    phone_day: list[int]
    home_phone: list[int]
    height: list[int]
    weight: list[int]
    eye: list[str]
    hair: list[str]
    marks: list[tuple[int, ...]]
    sid: list[str]
    dl: list[str]
    dl_state: list[str]
    fbi: list[str]
    moniker: list[str]
    vehicle: list[int]
    home_city: list[int]
    activity: np.ndarray  # relative propensity to appear in records
    addresses: Addresses
    vehicles: VehicleTable

    def last_at(self, i: int, day: int) -> str:
        return self.last_after[i] if day >= self.change_day[i] else self.last[i]

    def address_at(self, i: int, day: int) -> int:
        a = self.addr[i]
        return a[1] if day >= self.move_day[i] and a[1] != NONE else a[0]

    def mobile_at(self, i: int, day: int) -> int:
        m = self.mobile[i]
        return m[1] if day >= self.phone_day[i] and m[1] else m[0]


def _phones(rng: np.random.Generator, area: np.ndarray) -> np.ndarray:
    """Ten-digit numbers in the given area codes; exchanges avoid N11 and 555."""
    exchange = rng.integers(200, 1000, size=len(area))
    bad = (exchange % 100 == 11) | (exchange == 555)
    exchange[bad] += 1
    return np.asarray(area * 10_000_000 + exchange * 10_000 + rng.integers(0, 10_000, len(area)))


def _window_days(rng: np.random.Generator, n: int) -> np.ndarray:
    lo, hi = WINDOW_START.toordinal(), WINDOW_END.toordinal()
    return rng.integers(lo + 60, hi - 60, size=n)


def _addresses(rng: np.random.Generator, region: Region, cities: np.ndarray) -> Addresses:
    n = len(cities)
    zips = [region.cities[c].zips for c in cities.tolist()]
    zpick = rng.integers(0, 1000, size=n).tolist()
    unit = np.where(rng.random(n) < 0.3, rng.integers(1, 420, size=n), 0)
    number = (np.exp(rng.uniform(np.log(100), np.log(29999), size=n))).astype(int)
    return Addresses(
        number.tolist(),
        rng.integers(0, len(region.streets), size=n).tolist(),
        unit.tolist(),
        cities.tolist(),
        [z[k % len(z)] for z, k in zip(zips, zpick, strict=True)],
    )


def build_people(rng: np.random.Generator, n: int, region: Region) -> People:
    """The region's `n` people; the draw order is fixed, so the table is a function of the
    generator's seed."""
    hh = build_households(rng, n, region)
    city_w = np.array([c.weight for c in region.cities])
    # Addresses: each household's first, a second for households that move, and a third for
    # adults who move out on their own.
    homes = hh.city
    moves = rng.random(hh.count) < 0.35
    new_city = np.where(
        rng.random(hh.count) < 0.75,
        homes,
        rng.choice(len(city_w), size=hh.count, p=city_w / city_w.sum()),
    )
    solo = (rng.random(n) < 0.12) & (hh.age >= 18)
    solo_city = np.asarray(homes[hh.of])
    addr_cities = np.concatenate([homes, new_city, solo_city])
    addresses = _addresses(rng, region, addr_cities)
    hh_move = _window_days(rng, hh.count)
    a0 = hh.of.copy()
    a1 = np.where(moves[hh.of], hh.count + hh.of, NONE)
    a1 = np.where(solo, 2 * hh.count + np.arange(n), a1)
    move_day = np.where(solo, _window_days(rng, n), hh_move[hh.of])
    move_day = np.where(a1 == NONE, NEVER, move_day)
    transient = rng.random(n) < 0.02
    a0 = np.where(transient, NONE, a0)

    area = np.array([int(region.cities[c].area_codes[0]) for c in homes[hh.of].tolist()])
    has_mobile = (rng.random(n) < 0.85) & (hh.age >= 13)
    m0 = np.where(has_mobile, _phones(rng, area), 0)
    changes = has_mobile & (rng.random(n) < 0.3)
    m1 = np.where(changes, _phones(rng, area), 0)
    phone_day = np.where(changes, _window_days(rng, n), NEVER)
    landline = rng.random(hh.count) < 0.25
    hh_area = np.array([int(region.cities[c].area_codes[0]) for c in homes.tolist()])
    home_phone = np.where(landline, _phones(rng, hh_area), 0)[hh.of]

    # Surnames: marriage during the window (a new or hyphenated surname from a day on).
    sur = surnames()
    changer = (hh.age >= 20) & (hh.age <= 50) & (rng.random(n) < 0.035)
    new_last = [sur.names[k] for k in sur.sample(rng, n).tolist()]
    hyphen = rng.random(n) < 0.3
    last_after = [
        (f"{hh.last[i]}-{new_last[i]}" if hyphen[i] else new_last[i]) if changer[i] else ""
        for i in range(n)
    ]
    change_day = np.where(changer, _window_days(rng, n), NEVER)

    # Body: height (in), weight (lb), eye and hair colour (NCIC codes).
    male = np.array([s == "M" for s in hh.sex])
    height = np.where(male, rng.normal(69.5, 3.0, n), rng.normal(64.3, 2.7, n))
    young = np.clip(hh.age / 17.0, 0.55, 1.0)
    height = np.clip(height * np.where(hh.age < 17, young, 1.0), 40, 84).round().astype(int)
    bmi = np.clip(rng.normal(27.5, 5.5, n), 16.5, 48)
    weight = np.clip(bmi * height**2 / 703, 50, 420).round().astype(int)
    white = np.array([r == "W" for r in hh.race])
    eye_w = rng.choice(["BRO", "BLU", "GRN", "HAZ", "GRY"], n, p=[0.42, 0.33, 0.10, 0.12, 0.03])
    eye_o = rng.choice(["BRO", "BLK", "HAZ"], n, p=[0.88, 0.09, 0.03])
    hair_w = rng.choice(["BRO", "BLN", "BLK", "RED", "SDY"], n, p=[0.52, 0.2, 0.16, 0.06, 0.06])
    hair_o = rng.choice(["BLK", "BRO"], n, p=[0.85, 0.15])
    eye = np.where(white, eye_w, eye_o)
    hair = np.where(white, hair_w, hair_o)
    hair = np.where(
        (hh.age > 58) & (rng.random(n) < 0.6), rng.choice(["GRY", "WHI"], n, p=[0.7, 0.3]), hair
    )

    # Propensity to appear in records: young and middle-aged men most, children least.
    activity = np.where(male, 2.2, 1.0) * np.where((hh.age >= 16) & (hh.age <= 45), 2.0, 0.7)
    activity = activity * np.where(hh.age < 12, 0.2, 1.0)
    busy = activity >= 2.0

    # Marks, identifiers, monikers, vehicles.
    k_marks = np.where(
        busy, rng.choice(4, n, p=[0.35, 0.3, 0.2, 0.15]), rng.choice(4, n, p=[0.7, 0.2, 0.07, 0.03])
    )
    mark_p = np.array(MARK_WEIGHTS) / sum(MARK_WEIGHTS)
    mark_ids = rng.choice(len(MARK_SPECS), size=(n, 3), p=mark_p).tolist()
    sid_numbers = rng.permutation(n) + 10_000_000 + rng.integers(0, 80_000_000 - n)
    adult = hh.age >= 16
    has_dl = adult & (rng.random(n) < 0.85)
    foreign_dl = rng.random(n) < 0.07
    dl_states = rng.choice(region.neighbour_states, n).tolist()
    dl_chars = rng.integers(0, len(_DL_CHARS), size=(n, 9)).tolist()
    dl_num = rng.integers(1_000_000, 9_999_999, size=n).tolist()
    has_fbi = busy & (rng.random(n) < 0.4)
    fbi_num = rng.integers(100_000, 999_999, size=n).tolist()
    fbi_tail = rng.integers(0, 26 * 26 * 10, size=n).tolist()
    moniker_pick = rng.integers(0, len(_MONIKERS), size=n).tolist()
    has_moniker = busy & (rng.random(n) < 0.12)
    owns = adult & (rng.random(n) < 0.45)
    vehicle_idx = np.where(owns, np.cumsum(owns) - 1, NONE)
    vehicles = make_vehicles(rng, int(owns.sum()), region.state, region.neighbour_states)

    dl: list[str] = []
    dl_state: list[str] = []
    fbi: list[str] = []
    for i in range(n):
        if not has_dl[i]:
            dl.append("")
            dl_state.append("")
        elif foreign_dl[i]:
            dl.append(f"{dl_num[i]}")
            dl_state.append(dl_states[i])
        else:
            dl.append("WDL" + "".join(_DL_CHARS[c] for c in dl_chars[i]))
            dl_state.append(region.state)
        if has_fbi[i]:
            t = fbi_tail[i]
            fbi.append(f"{fbi_num[i]}{chr(65 + t % 26)}{chr(65 + t // 26 % 26)}{t // 676}")
        else:
            fbi.append("")
    return People(
        n=n,
        hh=hh,
        sex=hh.sex,
        race=hh.race,
        dob=hh.dob,
        first=hh.first,
        middle=hh.middle,
        last=hh.last,
        last_after=last_after,
        change_day=change_day.tolist(),
        maiden=hh.maiden,
        suffix=hh.suffix,
        addr=list(zip(a0.tolist(), a1.tolist(), strict=True)),
        move_day=move_day.tolist(),
        mobile=list(zip(m0.tolist(), m1.tolist(), strict=True)),
        phone_day=phone_day.tolist(),
        home_phone=home_phone.tolist(),
        height=height.tolist(),
        weight=weight.tolist(),
        eye=eye.tolist(),
        hair=hair.tolist(),
        marks=[tuple(ids[:k]) for ids, k in zip(mark_ids, k_marks.tolist(), strict=True)],
        sid=[f"WA{s:08d}" for s in sid_numbers.tolist()],
        dl=dl,
        dl_state=dl_state,
        fbi=fbi,
        moniker=[
            _MONIKERS[m] if h else ""
            for m, h in zip(moniker_pick, has_moniker.tolist(), strict=True)
        ],
        vehicle=vehicle_idx.tolist(),
        home_city=homes[hh.of].tolist(),
        activity=activity,
        addresses=addresses,
        vehicles=vehicles,
    )
