"""Normalization benchmark: normalize_record + index_record on synthetic-looking records.

    .venv/bin/python bench/normalize.py                    # 200,000 records
    .venv/bin/python bench/normalize.py --records 50000 --people 10000

Builds the records in-process (census surname and first-name frequencies from the `names`
package; people recur across records with their phones and addresses written differently
each time, as agencies do), then times normalization and indexing alone: no reading, no
store. Prints records/s, µs per record, keys per mention and the caches' parsed shares.
"""

from __future__ import annotations

import argparse
import bisect
import random
import resource
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import names as census

from lexhub.model import (
    Address,
    Identifier,
    IdentifierKind,
    Location,
    Mark,
    Offense,
    PartialDate,
    Person,
    PersonName,
    Phone,
    Race,
    Record,
    RecordType,
    Role,
    Sex,
    Vehicle,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import machine  # noqa: E402

STREETS = [
    "Main",
    "Oak",
    "Pine",
    "Maple",
    "Cedar",
    "Rainier",
    "Pike",
    "Union",
    "Lake",
    "Hill",
    "Park",
    "Elm",
    "Washington",
    "Lincoln",
    "Jackson",
    "Madison",
    "Spruce",
    "Aurora",
    "Beacon",
    "Delridge",
    "Fauntleroy",
    "Holly",
    "Juniper",
    "Sunset",
    "Valley",
]
STREET_TYPES = [
    ("Street", "St", "ST"),
    ("Avenue", "Ave", "AVE"),
    ("Road", "Rd", "RD"),
    ("Drive", "Dr.", "DR"),
    ("Boulevard", "Blvd", "BLVD"),
    ("Lane", "Ln", "LN"),
]
DIRS = [("North", "N.", "N"), ("South", "S", "S"), ("", "", ""), ("", "", ""), ("West", "W", "W")]
CITIES = ["Seattle, WA 98101", "Tacoma, WA 98402", "Everett WA", "Kent, WA", ""]
CHUNK = 1000
MARKS = [
    "tattoo of a dragon on left forearm",
    "TAT LT FOREARM",
    "scar above r eye",
    "tatt on neck says MOM",
    "mole on l cheek",
    "TAT R HND",
    "SC L KNEE",
    "rose tat r ankle",
]


def _weighted(path: Path, limit: int) -> tuple[list[str], list[float]]:
    rows = [line.split() for line in path.read_text().splitlines()[:limit]]
    cumulative = [float(r[2]) for r in rows]
    return [r[0].title() for r in rows], cumulative


@dataclass
class Truth:
    last: str
    first: str
    middle: str
    dob: PartialDate
    sex: Sex
    phones: list[str]
    addresses: list[tuple[str, int, int, int, str, str]]
    marks: list[str]
    state_id: str


class Generator:
    def __init__(self, seed: int, people: int) -> None:
        self.rng = random.Random(seed)
        base = Path(census.__file__).parent
        self.last = _weighted(base / "dist.all.last", 88_799)
        self.male = _weighted(base / "dist.male.first", 1_219)
        self.female = _weighted(base / "dist.female.first", 4_275)
        self.people = [self._person() for _ in range(people)]

    def _pick(self, table: tuple[list[str], list[float]]) -> str:
        values, cumulative = table
        i = bisect.bisect_left(cumulative, self.rng.random() * cumulative[-1])
        return values[min(i, len(values) - 1)]

    def _phone(self) -> str:
        return f"{self.rng.choice([206, 253, 425, 360])}{self.rng.randint(2000000, 9999999)}"

    def _person(self) -> Truth:
        r = self.rng
        sex = r.choice([Sex.MALE, Sex.FEMALE])
        first = self._pick(self.male if sex is Sex.MALE else self.female)
        addresses = [
            (
                str(r.randint(100, 29999)),
                r.randrange(len(STREETS)),
                r.randrange(len(STREET_TYPES)),
                r.randrange(len(DIRS)),
                r.choice(["", "", "", f"{r.randint(1, 40)}{r.choice('AB ')}"]),
                r.choice(CITIES),
            )
            for _ in range(r.choice([1, 1, 2]))
        ]
        return Truth(
            last=self._pick(self.last),
            first=first,
            middle=self._pick(self.male),
            dob=PartialDate(r.randint(1950, 2006), r.randint(1, 12), r.randint(1, 28)),
            sex=sex,
            phones=[self._phone() for _ in range(r.choice([1, 1, 2]))],
            addresses=addresses,
            marks=[r.choice(MARKS)] if r.random() < 0.2 else [],
            state_id=f"WA{r.randint(0, 10**8 - 1):08d}",
        )

    def _phone_text(self, digits: str) -> str:
        a, b, c = digits[:3], digits[3:6], digits[6:]
        form = self.rng.randrange(5)
        return [f"({a}) {b}-{c}", f"{a}.{b}.{c}", f"+1 {a} {b} {c}", f"{a}-{b}-{c}", digits][form]

    def _address_text(self, a: tuple[str, int, int, int, str, str]) -> str:
        number, street, kind, direction, unit, city = a
        odd = self.rng.random()
        if odd < 0.04:  # no comma before the city: usaddress has to find where it starts
            return f"{number} {STREETS[street]} {STREET_TYPES[kind][1]} {city.split(',')[0]} WA"
        if odd < 0.06:
            return f"PO Box {number}"
        if odd < 0.08:
            other = STREETS[(street + 3) % len(STREETS)]
            return f"{STREETS[street]} {STREET_TYPES[kind][0]} & {other} Ave"
        style = self.rng.randrange(3)
        d = DIRS[direction][style]
        line = " ".join(p for p in (number, d, STREETS[street], STREET_TYPES[kind][style]) if p)
        if unit.strip():
            line += [f" Apt {unit.strip()}", f" #{unit.strip()}", f" UNIT {unit.strip()}"][style]
        if style == 2:
            line = line.upper()
        return f"{line}, {city}" if city and self.rng.random() < 0.5 else line

    def _mention(self, ref: str, t: Truth) -> Person:
        r = self.rng
        name = PersonName(t.last, t.first, t.middle if r.random() < 0.5 else None)
        if r.random() < 0.5:
            name = PersonName(t.last.upper(), t.first.upper(), name.middle and name.middle.upper())
        return Person(
            ref=ref,
            role=r.choice(list(Role)),
            name=name,
            dob=t.dob,
            sex=t.sex,
            race=r.choice(list(Race)),
            height_in=r.randint(58, 78),
            weight_lb=r.randint(100, 300),
            phones=tuple(Phone(self._phone_text(p)) for p in t.phones),
            addresses=tuple(Address(self._address_text(a)) for a in t.addresses),
            marks=tuple(Mark(None, m) for m in t.marks),
            identifiers=(Identifier(IdentifierKind.STATE_ID, t.state_id, "WA"),)
            if r.random() < 0.3
            else (),
        )

    def record(self, i: int) -> Record:
        r = self.rng
        count = r.choices([1, 2, 3], weights=[55, 34, 11])[0]
        persons = tuple(self._mention(f"P{j + 1}", r.choice(self.people)) for j in range(count))
        place = r.choice(self.people).addresses[0]
        vehicles = (
            (
                Vehicle(
                    plate=f"{r.choice('ABCSZ')}{r.randint(100, 999)}-{r.choice('XYZ')}",
                    plate_state="WA",
                    vin=None,
                    make="HONDA",
                ),
            )
            if r.random() < 0.3
            else ()
        )
        return Record(
            owner="WA0170000",
            source_id=f"R{i}",
            type=r.choice(list(RecordType)),
            offenses=(Offense(r.choice(["13A", "23H", "90D", "35A"])),),
            persons=persons,
            locations=(Location("occurred", Address(self._address_text(place))),),
            vehicles=vehicles,
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--people", type=int, default=None, help="default: records / 5")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()

    from lexhub.normalize import cache_stats, clear_caches, index_record, normalize_record

    people = args.people or max(1, args.records // 5)
    generator = Generator(args.seed, people)
    clear_caches()
    # Streamed in chunks as ingest does (holding every record alive would make the cyclic
    # garbage collector, not normalization, the figure); only the normalization is timed.
    mentions = keys = 0
    seconds = 0.0
    for start in range(0, args.records, CHUNK):
        chunk = [generator.record(i) for i in range(start, min(args.records, start + CHUNK))]
        started = time.perf_counter()
        indexes = [index_record(normalize_record(record)) for record in chunk]
        seconds += time.perf_counter() - started
        mentions += sum(len(ix.mentions) for ix in indexes)
        keys += sum(len(m.keys) for ix in indexes for m in ix.mentions)
    stats = cache_stats()
    print(f"machine: {machine()}")
    print(
        f"data: {args.records:,} records, {people:,} people, {mentions:,} mentions "
        f"({mentions / args.records:.2f} per record), seed {args.seed}"
    )
    print(
        f"normalize_record + index_record: {args.records / seconds:,.0f} records/s, "
        f"{seconds / args.records * 1e6:.1f} µs per record, "
        f"{keys / mentions:.1f} keys per mention"
    )
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (whole process, records and generator included): {rss:,.0f} MB")
    print(
        f"parsed share (addresses + phones): {stats['parsed_share']:.1%}; "
        f"usaddress calls: {stats['usaddress_calls']:,}"
    )
    for name, info in stats.items():
        if isinstance(info, dict) and info["calls"] and "parsed" in info:
            share = info["parsed"] / info["calls"]
            print(
                f"  {name:16} calls {info['calls']:>9,}  parsed {info['parsed']:>8,} "
                f"({share:.1%})  cache {info['size']:,}/{info['maxsize']:,}"
            )


if __name__ == "__main__":
    main()
