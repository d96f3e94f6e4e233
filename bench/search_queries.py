"""The fixed query mix (docs/search-benchmark.md): who is asked about, in which query type,
with which corruptions. Deterministic for a seed: the same facts and seed give the same
queries in the same order.

Each query about a present person takes 0, 1 or 2 corruptions (25%/55%/20%) from those
its type allows; case is always retyped. Absent-person queries use the name-bearing
types and the same corruptions.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import search_corrupt as c
from lexhub.model import Sex
from lexhub.search import PersonQuery
from search_data import PersonFacts

__all__ = ["ABSENT_MIX", "MIX", "NAME_TYPES", "BenchQuery", "build_queries"]

# Share of the present-person queries per type (sums to 1).
MIX: dict[str, float] = {
    "name+dob": 0.175,
    "name": 0.15,
    "nickname+age": 0.125,
    "dob+partial-name": 0.125,
    "phone": 0.125,
    "address": 0.10,
    "tattoo+sex+age": 0.10,
    "plate": 0.10,
}
ABSENT_MIX: dict[str, float] = {
    "name+dob": 0.35,
    "name": 0.30,
    "nickname+age": 0.15,
    "dob+partial-name": 0.20,
}
NAME_TYPES = frozenset(ABSENT_MIX)


@dataclass(frozen=True)
class BenchQuery:
    qid: int
    kind: str
    person_id: str  # the true person (held out of the data when `absent`)
    absent: bool
    query: PersonQuery
    corruptions: tuple[str, ...]
    source: str  # what the true person's records say, for miss reports

    @property
    def has_name(self) -> bool:
        return bool(self.query.last or self.query.first)


def _counts(total: int, mix: dict[str, float]) -> dict[str, int]:
    out = {k: int(total * v) for k, v in mix.items()}
    for k in list(mix)[: total - sum(out.values())]:
        out[k] += 1
    return out


def _age_range(age: int, rng: random.Random, spread: int) -> tuple[int, int]:
    """About that age: a range around a guess that is itself off by up to two years."""
    guess = age + rng.randint(-2, 2)
    return max(0, guess - spread), guess + spread


@dataclass
class _Draft:
    last: str | None = None
    first: str | None = None
    middle: str | None = None
    alias: str | None = None
    dob: str | None = None
    age: tuple[int, int] | None = None
    sex: str | None = None
    phone: str | None = None
    address: str | None = None
    mark: str | None = None
    plate: str | None = None

    def query(self, rng: random.Random) -> PersonQuery:
        def case(v: str | None) -> str | None:
            return c.retype_case(v, rng) if v else v

        return PersonQuery(
            last=case(self.last),
            first=case(self.first),
            middle=case(self.middle),
            alias=case(self.alias),
            dob=self.dob,
            age_min=self.age[0] if self.age else None,
            age_max=self.age[1] if self.age else None,
            sex=Sex(self.sex) if self.sex in ("M", "F") else None,
            phone=self.phone,
            address=self.address,
            mark=self.mark,
            plate=self.plate,
        )


Corruption = Callable[[_Draft, random.Random], bool]


def _typo_last(d: _Draft, rng: random.Random) -> bool:
    new = c.typo(d.last or "", rng)
    d.last = new or d.last
    return new is not None


def _typo_first(d: _Draft, rng: random.Random) -> bool:
    new = c.typo(d.first or "", rng) if d.first and len(d.first) > 1 else None
    d.first = new or d.first
    return new is not None


def _phonetic(d: _Draft, rng: random.Random, which: str | None = None) -> bool:
    which = which or rng.choice(("last", "first"))
    new = c.phonetic_respelling(getattr(d, which) or "", rng)
    if new:
        setattr(d, which, new)
    return new is not None


def _nickname(d: _Draft, rng: random.Random) -> bool:
    new = c.nickname(d.first or "", rng)
    d.first = new or d.first
    return new is not None


def _swap(d: _Draft, rng: random.Random) -> bool:
    if not (d.first and d.last) or len(d.first) < 2:
        return False
    d.first, d.last = d.last, d.first
    return True


def _surname_part(d: _Draft, rng: random.Random) -> bool:
    new = c.surname_part(d.last or "", rng)
    d.last = new or d.last
    return new is not None


def _dob(fn: Callable[[str, random.Random], str | None]) -> Corruption:
    def apply(d: _Draft, rng: random.Random) -> bool:
        new = fn(d.dob or "", rng) if d.dob and len(d.dob) == 10 else None
        d.dob = new or d.dob
        return new is not None

    return apply


_NAME_ERRORS: dict[str, Corruption] = {
    "typo-last": _typo_last,
    "typo-first": _typo_first,
    "phonetic": _phonetic,
    "nickname": _nickname,
    "swap": _swap,
    "surname-part": _surname_part,
}
_DOB_ERRORS: dict[str, Corruption] = {
    "dob-transposed": _dob(lambda s, _r: c.dob_transposed(s)),
    "dob-digit": _dob(c.dob_digit),
    "dob-year-only": _dob(lambda s, _r: c.dob_year_only(s)),
}


def _corrupt(
    d: _Draft, allowed: dict[str, Corruption], rng: random.Random, most: int = 2
) -> list[str]:
    wanted = min(most, rng.choices((0, 1, 2), weights=(25, 55, 20))[0])
    names = list(allowed)
    rng.shuffle(names)
    done: list[str] = []
    for name in names:
        if len(done) == wanted:
            break
        if name.startswith("dob-") and any(n.startswith("dob-") for n in done):
            continue  # one thing wrong with a date at a time
        if allowed[name](d, rng):
            done.append(name)
    return done


def _name_draft(f: PersonFacts, kind: str, rng: random.Random) -> tuple[_Draft, list[str]]:
    """A name-bearing query of `kind`, or raises LookupError if `f` cannot make one."""
    d = _Draft(last=f.last, first=f.first)
    if not f.first or not f.clean or f.identity_shared:
        raise LookupError
    if kind == "name+dob":
        if not f.dob:
            raise LookupError
        d.dob = f.dob
        if f.middle and rng.random() < 0.2:
            d.middle = f.middle
        return d, _corrupt(d, _NAME_ERRORS | _DOB_ERRORS, rng)
    if kind == "name":
        return d, _corrupt(d, _NAME_ERRORS, rng)
    if kind == "nickname+age":
        age = f.age()
        if age is None:
            raise LookupError
        d.age = _age_range(age, rng, rng.choice((3, 5)))
        if f.monikers and rng.random() < 0.3:
            d.last = d.first = None
            d.alias, d.sex = rng.choice(f.monikers), f.sex
            return d, ["moniker"]
        if not _nickname(d, rng):
            raise LookupError
        extra: dict[str, Corruption] = {  # the nickname itself stays as people say it
            "typo-last": _typo_last,
            "phonetic": lambda d, r: _phonetic(d, r, "last"),
        }
        return d, ["nickname", *_corrupt(d, extra, rng, most=1)]
    if kind == "dob+partial-name":
        if not f.dob:
            raise LookupError
        d.dob = f.dob
        shape = rng.choices(("last", "last+initial", "first"), weights=(4, 4, 2))[0]
        if shape == "last":
            d.first = None
        elif shape == "last+initial":
            d.first = c.initial(f.first)
        else:
            d.last = None
        errs = _DOB_ERRORS | {k: v for k, v in _NAME_ERRORS.items() if k == "typo-last"}
        if shape == "first":  # a first name and a birth year single out nobody
            errs = {k: v for k, v in errs.items() if k != "dob-year-only"}
        return d, [shape, *_corrupt(d, errs, rng)]
    raise ValueError(kind)


def _other_draft(f: PersonFacts, kind: str, rng: random.Random) -> tuple[_Draft, list[str]]:
    d = _Draft()
    if kind == "phone":
        new = c.retype_phone(rng.choice(f.phones), rng) if f.phones else None
        if new is None:
            raise LookupError
        d.phone = new
        return d, ["last7" if len([x for x in new if x.isdigit()]) == 7 else "format"]
    if kind == "address":
        new = c.retype_address(rng.choice(f.addresses), rng) if f.addresses else None
        if new is None or "TRANSIENT" in new.upper():
            raise LookupError
        d.address = new
        return d, ["retyped"]
    if kind == "tattoo+sex+age":
        age = f.age()
        tats = [m for m in f.marks if "TAT" in (m[0] or "") or "tat" in m[1].lower()]
        new = c.paraphrase_mark(*rng.choice(tats), rng) if tats and age else None
        if new is None or age is None:
            raise LookupError
        d.mark, d.sex, d.age = new, f.sex, _age_range(age, rng, 5)
        return d, ["reworded"]
    if kind == "plate":
        if not f.plates:
            raise LookupError
        plate = rng.choice(f.plates)
        done = []
        if rng.random() < 0.5:
            new = c.confusable_plate(plate, rng)
            if new:
                plate, done = new, ["confusable"]
        if rng.random() < 0.6 or not done:
            frag = c.plate_fragment(plate, rng)
            if frag:
                plate, done = frag, [*done, "fragment"]
        d.plate = plate
        return d, done
    raise ValueError(kind)


def _source(f: PersonFacts, kind: str) -> str:
    name = f"{f.last}, {f.first or ''} {f.middle or ''}".strip()
    base = f"{name} dob {f.dob or '?'} sex {f.sex or '?'} ({f.mentions} mentions)"
    extra = {
        "phone": f" phones {list(f.phones)[:4]}",
        "address": f" addresses {list(f.addresses)[:3]}",
        "tattoo+sex+age": f" marks {[m[1] for m in f.marks][:3]}",
        "plate": f" plates {list(f.plates)}",
        "nickname+age": f" monikers {list(f.monikers)}" if f.monikers else "",
    }
    return base + extra.get(kind, "")


def _fill(
    out: list[BenchQuery],
    people: Sequence[PersonFacts],
    counts: dict[str, int],
    absent: bool,
    rng: random.Random,
) -> None:
    for kind, n in counts.items():
        order = list(people)
        rng.shuffle(order)
        made = 0
        for f in order:
            if made == n:
                break
            try:
                draft, errs = (_name_draft if kind in NAME_TYPES else _other_draft)(f, kind, rng)
            except LookupError:
                continue
            query = draft.query(rng)
            out.append(
                BenchQuery(
                    len(out), kind, f.person_id, absent, query, tuple(errs), _source(f, kind)
                )
            )
            made += 1


def build_queries(
    present: Sequence[PersonFacts], absent: Sequence[PersonFacts], n: int, n_absent: int, seed: int
) -> list[BenchQuery]:
    """`n` present-person queries in the MIX and `n_absent` in the ABSENT_MIX (fewer only
    if the data has too few people for a type: the report prints the counts)."""
    rng = random.Random(seed)
    out: list[BenchQuery] = []
    _fill(out, present, _counts(n, MIX), False, rng)
    _fill(out, absent, _counts(n_absent, ABSENT_MIX), True, rng)
    return out
