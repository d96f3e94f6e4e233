"""The search benchmark's data: a synthetic region minus the people held out, the facts
queries are made from, and the names every baseline scans.

The region's files are read once with lexhub's readers; records mentioning a held-out
person are dropped whole (their narratives name them too) and the rest are written as JSON
Lines into a prepared directory, which is what the benchmark databases load. A held-out
person becomes an absent-person query only if nobody loaded could pass for them (see
`_AbsenceCheck`), so an absent query with a `likely` hit is a real false alarm.
Everything is cached beside the region, keyed by region, seed and held-out count.
"""

from __future__ import annotations

import csv
import multiprocessing
import os
import pickle
import random
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from lexhub.model import Record
from search_corrupt import NICKNAMES, street_key

__all__ = [
    "TODAY",
    "NameTable",
    "PersonFacts",
    "Prepared",
    "fold",
    "prepare",
    "sorted_name",
    "truth_key",
]

TODAY = date(2025, 1, 1)  # the day queries are asked: ages are computed at it
_CLEAN = {"", "alias", "plate-typo"}  # error kinds that leave name and DOB true


def fold(text: str) -> str:
    """Upper case, no accents, letters and digits only, single spaces."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^A-Z0-9]+", " ", plain.upper()).split())


def sorted_name(first: str | None, last: str | None) -> str:
    """The order-free form both baselines compare: "SMITH JOHN" and "JOHN SMITH" agree."""
    return " ".join(sorted(fold(f"{first or ''} {last or ''}").split()))


@dataclass
class PersonFacts:
    """What an investigator could know of one person, from the records' own wording:
    name, date of birth and sex from mentions with no name or DOB error (the mode)."""

    person_id: str
    mentions: int
    last: str
    first: str | None
    middle: str | None
    dob: str | None  # full YYYY-MM-DD, else None
    sex: str | None
    clean: bool  # name and DOB come from an error-free mention
    monikers: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    addresses: tuple[str, ...] = ()
    marks: tuple[tuple[str | None, str], ...] = ()  # (code, description)
    plates: tuple[str, ...] = ()  # plates this person is the main person seen with
    # Another person's mention carries this name and date of birth (a false identity):
    # no search could tell them apart, so no name query is made about this person.
    identity_shared: bool = False

    def age(self) -> int | None:
        if not self.dob:
            return None
        y, m, d = (int(p) for p in self.dob.split("-"))
        return TODAY.year - y - ((TODAY.month, TODAY.day) < (m, d))


@dataclass
class NameTable:
    """Every loaded mention's name and DOB, in load order, with its true person."""

    names: list[str] = field(default_factory=list)  # sorted_name(first, last)
    dobs: list[str | None] = field(default_factory=list)
    people: list[str] = field(default_factory=list)


@dataclass
class Prepared:
    directory: Path  # agencies.json + one .jsonl per batch
    truth: dict[str, str]  # truth_key(owner, source_id, ref) -> person, every mention
    present: list[PersonFacts]  # the pool queries about present people are drawn from
    absent: list[PersonFacts]  # held out and checked absent
    table: NameTable
    records: int
    # Pool people, and how many were left without a value for a query type because every
    # value they have is shared with someone else (household phones and addresses) or
    # their identity is: those values would measure the data's ambiguity, not search.
    excluded: dict[str, int] = field(default_factory=dict)


@dataclass
class _Seen:
    """One person's mentions as read (only for the pool and the held-out)."""

    names: Counter[tuple[str, str | None, str | None]] = field(default_factory=Counter)
    any_names: Counter[tuple[str, str | None, str | None]] = field(default_factory=Counter)
    dobs: Counter[str] = field(default_factory=Counter)
    sexes: Counter[str] = field(default_factory=Counter)
    monikers: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)
    addresses: set[str] = field(default_factory=set)
    marks: set[tuple[str | None, str]] = field(default_factory=set)
    count: int = 0


def prepare(
    region: Path, cache: Path, absent: int, pool: int, seed: int, workers: int | None = None
) -> Prepared:
    """Load from `cache` if there, else build it from `region` (read, hold out, write),
    scanning files in `workers` processes (default: one per core)."""
    marker = cache / "prepared.pickle"
    if marker.exists():
        with open(marker, "rb") as f:
            loaded: Prepared = pickle.load(f)
        loaded.directory = cache
        return loaded
    cache.mkdir(parents=True, exist_ok=True)
    out = _build(region, cache, absent, pool, seed, workers)
    with open(marker, "wb") as f:
        pickle.dump(out, f, protocol=pickle.HIGHEST_PROTOCOL)
    return out


def truth_key(owner: str, source_id: str, ref: str) -> str:
    """One string per mention, not a tuple of three: at 10M records the truth table is
    15 million entries and a tuple key costs three times the memory."""
    return f"{owner}\t{source_id}\t{ref}"


def _count_people(region: Path) -> Counter[str]:
    counts: Counter[str] = Counter()
    with open(region / "truth" / "ground_truth.csv", newline="") as f:
        rows = csv.reader(f)
        at = next(rows).index("person_id")
        for row in rows:
            counts[row[at]] += 1
    return counts


def _read_truth(region: Path, noted: set[str]) -> tuple[dict[str, str], dict[str, str]]:
    """Every mention's true person (one shared string per person), and the error kinds of
    the mentions of `noted` people, the only ones whose facts are read."""
    truth: dict[str, str] = {}
    errors: dict[str, str] = {}
    interned: dict[str, str] = {}
    with open(region / "truth" / "ground_truth.csv", newline="") as f:
        for row in csv.DictReader(f):
            pid = interned.setdefault(row["person_id"], row["person_id"])
            key = truth_key(row["owner"], row["source_id"], row["person_ref"])
            truth[key] = pid
            if pid in noted:
                errors[key] = row["errors"]
    return truth, errors


@dataclass
class _Shared:
    """What every file's scan reads; set before the worker processes fork, so they share
    it instead of receiving a copy."""

    truth: dict[str, str]
    errors: dict[str, str]
    held: set[str]
    pool: set[str]
    cache: Path


@dataclass
class _Part:
    """One batch file's share of the prepared data."""

    records: int = 0
    seen: dict[str, _Seen] = field(default_factory=dict)
    plates: dict[str, Counter[str]] = field(default_factory=dict)
    table: NameTable = field(default_factory=NameTable)
    aliases: list[str] = field(default_factory=list)
    phone_people: dict[str, set[str]] = field(default_factory=dict)
    street_people: dict[str, set[str]] = field(default_factory=dict)


_SHARED: _Shared | None = None


def _build(
    region: Path, cache: Path, n_absent: int, n_pool: int, seed: int, workers: int | None
) -> Prepared:
    """Files are scanned in parallel (a process per core) and their parts merged in file
    order, so the result is the one a single pass over the files in order would give."""
    global _SHARED
    from lexhub.cli.ingest import batch_files

    counts = _count_people(region)
    rng = random.Random(seed * 7919 + 1)
    people = sorted(counts)
    rare = [p for p in people if counts[p] <= 3]
    held = set(rng.sample(rare, min(len(rare), n_absent * 3 // 2)))
    rest = [p for p in people if p not in held]
    pool = set(rng.sample(rest, min(len(rest), n_pool)))
    del counts, people, rare, rest
    truth, errors = _read_truth(region, held | pool)
    _SHARED = _Shared(truth, errors, held, pool, cache)
    files = batch_files([region])
    by_size = sorted(range(len(files)), key=lambda i: -files[i][0].stat().st_size)
    parts: dict[int, _Part] = {}
    ctx = multiprocessing.get_context("fork")
    with ctx.Pool(min(len(files), workers or os.cpu_count() or 1)) as pool_of_workers:
        jobs = [(i, *files[i]) for i in by_size]
        for i, part in pool_of_workers.imap_unordered(_scan_file, jobs):
            parts[i] = part
    _SHARED = None
    (cache / "agencies.json").write_bytes((region / "agencies.json").read_bytes())

    whole = _Part()
    for i in range(len(files)):
        _merge(whole, parts.pop(i))
    owned: dict[str, list[str]] = defaultdict(list)
    for plate, who in whole.plates.items():
        (pid, n), total = who.most_common(1)[0], sum(who.values())
        if n * 2 >= total + 1 or total == 1:
            owned[pid].append(plate)
    seen = whole.seen
    present = [_facts(p, seen[p], owned.get(p, [])) for p in sorted(pool) if p in seen]
    candidates = [_facts(p, seen[p], []) for p in sorted(held) if p in seen]
    checker = _AbsenceCheck(whole.table, whole.aliases)
    clean = [f for f in candidates if f.clean]
    named = checker.named_alike([sorted_name(f.first, f.last) for f in clean])
    absent = [f for f, n in zip(clean, named, strict=True) if not n and not checker.born_alike(f)]
    excluded = _exclude_shared(present, whole.table, whole.phone_people, whole.street_people)
    return Prepared(cache, truth, present, absent, whole.table, whole.records, excluded)


def _scan_file(job: tuple[int, Path, Path | None]) -> tuple[int, _Part]:
    """Read one batch file, drop the records of held-out people, write the rest as JSON
    Lines and note what the queries and baselines need from them."""
    from lexhub.ingest.formats import read_batch
    from lexhub.ingest.writers import write_jsonl

    i, path, mapping = job
    shared = _SHARED
    assert shared is not None
    truth, errors, held, pool = shared.truth, shared.errors, shared.held, shared.pool
    part = _Part()
    seen: dict[str, _Seen] = defaultdict(_Seen)
    plates: dict[str, Counter[str]] = defaultdict(Counter)
    phone_people: dict[str, set[str]] = defaultdict(set)
    street_people: dict[str, set[str]] = defaultdict(set)
    table = part.table

    def keep(items: Iterator[Record]) -> Iterator[Record]:
        for record in items:
            keys = [truth_key(record.owner, record.source_id, p.ref) for p in record.persons]
            ids = [truth[k] for k in keys]
            if any(pid in held for pid in ids):
                for person, pid, k in zip(record.persons, ids, keys, strict=True):
                    if pid in held:
                        _note(seen[pid], person, errors[k])
                continue
            part.records += 1
            for person, pid, k in zip(record.persons, ids, keys, strict=True):
                table.names.append(sorted_name(person.name.first, person.name.last))
                table.dobs.append(str(person.dob) if person.dob else None)
                table.people.append(pid)
                part.aliases.extend(sorted_name(a.first, a.last) for a in person.aliases)
                for ph in person.phones:
                    phone_people[_phone_key(ph.number)].add(pid)
                for a in person.addresses:
                    street_people[street_key(a.text)].add(pid)
                if pid in pool:
                    _note(seen[pid], person, errors[k])
            for v in record.vehicles:
                if v.plate:
                    for pid in ids:
                        plates[fold(v.plate).replace(" ", "")][pid] += 1
            yield record

    items = (e.record for e in read_batch(path, mapping=mapping) if e.record is not None)
    write_jsonl(keep(items), shared.cache / f"{path.stem}.jsonl")
    part.seen, part.plates = dict(seen), dict(plates)
    part.phone_people, part.street_people = dict(phone_people), dict(street_people)
    return i, part


def _merge(into: _Part, part: _Part) -> None:
    """Add `part` after what `into` holds, keeping first-seen order (most_common breaks
    ties by it)."""
    into.records += part.records
    for pid, s in part.seen.items():
        if pid in into.seen:
            t = into.seen[pid]
            t.names.update(s.names)
            t.any_names.update(s.any_names)
            t.dobs.update(s.dobs)
            t.sexes.update(s.sexes)
            t.monikers |= s.monikers
            t.phones |= s.phones
            t.addresses |= s.addresses
            t.marks |= s.marks
            t.count += s.count
        else:
            into.seen[pid] = s
    for plate, who in part.plates.items():
        into.plates.setdefault(plate, Counter()).update(who)
    for mine, theirs in (
        (into.phone_people, part.phone_people),
        (into.street_people, part.street_people),
    ):
        for key, pids in theirs.items():
            if key in mine:
                mine[key] |= pids
            else:
                mine[key] = pids
    into.table.names.extend(part.table.names)
    into.table.dobs.extend(part.table.dobs)
    into.table.people.extend(part.table.people)
    into.aliases.extend(part.aliases)


def _phone_key(number: str) -> str:
    return re.sub(r"\D", "", number.split("x")[0])[-7:]


def _exclude_shared(
    present: list[PersonFacts],
    table: NameTable,
    phone_people: dict[str, set[str]],
    street_people: dict[str, set[str]],
) -> dict[str, int]:
    """Keep only the phones and addresses a person holds alone; flag shared identities."""
    identity: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    for name, dob, pid in zip(table.names, table.dobs, table.people, strict=True):
        identity[(name, dob)].add(pid)
    out = {"pool people": len(present), "identity": 0, "phone": 0, "address": 0}
    for f in present:
        f.identity_shared = len(identity.get((sorted_name(f.first, f.last), f.dob), ())) > 1
        phones = tuple(p for p in f.phones if len(phone_people[_phone_key(p)]) == 1)
        streets = tuple(a for a in f.addresses if len(street_people[street_key(a)]) == 1)
        out["identity"] += f.identity_shared
        out["phone"] += bool(f.phones) and not phones
        out["address"] += bool(f.addresses) and not streets
        f.phones, f.addresses = phones, streets
    return out


def _note(s: _Seen, person: object, errors: str) -> None:
    from lexhub.model import Person

    assert isinstance(person, Person)
    name = (person.name.last, person.name.first, person.name.middle)
    s.count += 1
    s.any_names[name] += 1
    if set(errors.split("|")) <= _CLEAN:
        s.names[name] += 1
        if person.dob is not None and person.dob.is_full:
            s.dobs[str(person.dob)] += 1
    if person.sex is not None:
        s.sexes[person.sex.value] += 1
    s.monikers.update(person.monikers)
    s.phones.update(p.number for p in person.phones)
    s.addresses.update(a.text for a in person.addresses if a.text)
    s.marks.update((m.code, m.description) for m in person.marks if m.description)


def _facts(pid: str, s: _Seen, plates: list[str]) -> PersonFacts:
    clean = bool(s.names)
    (last, first, middle), _ = (s.names or s.any_names).most_common(1)[0]
    return PersonFacts(
        person_id=pid,
        mentions=s.count,
        last=last,
        first=first,
        middle=middle,
        dob=s.dobs.most_common(1)[0][0] if s.dobs else None,
        sex=s.sexes.most_common(1)[0][0] if s.sexes else None,
        clean=clean,
        monikers=tuple(sorted(s.monikers)),
        phones=tuple(sorted(s.phones)),
        addresses=tuple(sorted(s.addresses)),
        marks=tuple(sorted(s.marks, key=lambda m: (m[0] or "", m[1]))),
        plates=tuple(sorted(plates)),
    )


class _AbsenceCheck:
    """Whether anyone loaded could pass for a held-out person. Plausibly present if:
    a loaded name or alias is within ratio 90 of the full name (order-free); or a loaded
    mention born within a year has a surname within ratio 85 and the same first initial
    or a nickname of the first name; or one born the same day has the surname or the
    first name within ratio 80."""

    def __init__(self, table: NameTable, aliases: list[str]) -> None:
        self.names = sorted(set(table.names) | set(aliases))
        # Per birth year: every name token, and which name it came from.
        self.tokens: dict[int, list[str]] = defaultdict(list)
        self.owner: dict[int, list[int]] = defaultdict(list)
        self.by_dob: dict[str, list[str]] = defaultdict(list)
        self.table = table
        for i, (name, dob) in enumerate(zip(table.names, table.dobs, strict=True)):
            if dob:
                for t in name.split():
                    self.tokens[int(dob[:4])].append(t)
                    self.owner[int(dob[:4])].append(i)
                self.by_dob[dob].append(name)

    def named_alike(self, fulls: list[str]) -> list[bool]:
        """Per full name, whether a loaded name or alias is within ratio 90 of it: all
        names against all at once, in chunks, on every core (at 10M records one name
        against the ten million distinct names is a second's work)."""
        if not fulls:
            return []
        near = np.zeros(len(fulls), dtype=bool)
        for at in range(0, len(self.names), 1_000_000):
            scores = process.cdist(
                fulls,
                self.names[at : at + 1_000_000],
                scorer=fuzz.ratio,
                score_cutoff=90,
                dtype=np.uint8,
                workers=-1,
            )
            near |= scores.max(axis=1) >= 90
        return [bool(n) for n in near]

    def born_alike(self, f: PersonFacts) -> bool:
        """Whether a loaded mention born near `f` has a name close to theirs."""
        if not f.dob:
            return False
        last, first = fold(f.last), fold(f.first or "")
        related = {first, *NICKNAMES.get(first, ())}
        year = int(f.dob[:4])
        for y in (year - 1, year, year + 1):
            hits = process.extract(
                last, self.tokens.get(y, []), scorer=fuzz.ratio, score_cutoff=85, limit=None
            )
            for matched, _, k in hits:
                tokens = self.table.names[self.owner[y][k]].split()
                tokens.remove(matched)  # the other tokens hold the first name
                if any(t[:1] == first[:1] or t in related for t in tokens):
                    return True
        for name in self.by_dob.get(f.dob, ()):
            tokens = name.split()
            if any(fuzz.ratio(last, t) >= 80 or fuzz.ratio(first, t) >= 80 for t in tokens):
                return True
        return False
