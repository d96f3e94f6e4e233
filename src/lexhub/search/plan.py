"""From a person query to the keys that find its candidates, and its normalized values.

The query is normalized with ingest's own normalizers so that it meets records on the same
keys. Names give pair keys (last with first, unordered: a swapped name shares them) for the
typed names, their nickname groups and their spelling neighbours in the vocabulary, which
are selective even for SMITH, JOHN; single-name keys are used only where they are
selective (counted, capped). Everything else gives its exact keys. Candidate generation
favours recall; scoring decides.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

from rapidfuzz.distance import OSA

from lexhub.errors import QueryError
from lexhub.model import Address, Phone
from lexhub.normalize import (
    compact,
    fold,
    mark_from_text,
    nickname_forms,
    nickname_group,
    normalize_address,
    normalize_phone,
    normalize_plate,
    parse_dob,
    parse_name,
    parse_smt_code,
    phone_keys,
    phonetic_keys,
    plate_key,
    plate_lookup,
    street_key,
    surname_parts,
)
from lexhub.normalize.keys import key_field
from lexhub.search.fields import motif_group, motif_words, parts_within
from lexhub.search.query import PersonQuery
from lexhub.search.vocabulary import vocabulary
from lexhub.store import KeyProbe, Narrowing, Store

__all__ = ["PersonPlan", "one_digit_variants", "plan_person", "plate_pattern"]

# Keys that describe rather than identify: thousands of mentions may share one, so a query
# made of them alone narrows its candidates by the sex and age it gives (`Narrowing`).
DESCRIPTIVE = frozenset({"smt", "smtp", "smtw", "smtd", "plate", "platr"})
# So are the keys of one name alone: a surname, a given name, a moniker, a surname with an
# initial. At a million records SMITH or a moniker like RED is held by hundreds or
# thousands, the candidate cap keeps the first 200 in id order, and "Smith, born 1994"
# or "RED, a man of about 30" lost the person to that order.
ONE_NAME = frozenset({"ln", "lnp", "lnph", "aln", "fn", "afn", "mon", "lfi", "alfi"})
BROAD = 3000  # a single-name key held by more mentions than this is not used alone
RARE = 300  # ... and with a given name beside it, only up to this many
MARK_BROAD = 2000  # a mark's place alone or design alone, beside its design at the place
NEAR_CAP = 3000  # near-date and name keys counted up to this many each
SEEN = 50  # counted up to this many, a name is a real one, not somebody's misspelling


@dataclass
class PersonPlan:
    query: PersonQuery
    last: str = ""  # compact
    first: str = ""
    middle: str = ""
    alias_names: list[tuple[str, str]] = field(default_factory=list)  # (last, first) compact
    alias_word: str = ""  # a one-word alias: a moniker or either name
    dob: str | None = None  # YYYY[-MM[-DD]]
    dob_typed_swapped: bool = False  # typed with day and month swapped ("1998-19-08")
    dob_low: date | None = None
    dob_high: date | None = None
    phone_keys: list[tuple[str, str]] = field(default_factory=list)
    address_key: str | None = None
    street_key: str | None = None
    mark_code: str | None = None
    mark_type_part: str | None = None
    mark_words: frozenset[str] = frozenset()
    ids: list[tuple[str, str]] = field(default_factory=list)  # (kind, value)
    plate: str | None = None  # plate key or LIKE pattern
    plate_is_pattern: bool = False
    probes: list[KeyProbe] = field(default_factory=list)
    narrowing: Narrowing | None = None  # for candidates of descriptive-only queries


def _pair(a: str, b: str) -> str:
    return f"{a}|{b}" if a <= b else f"{b}|{a}"


def _first_dm(name: str) -> str | None:
    keys = phonetic_keys(name)
    return keys[0][3:] if keys and keys[0].startswith("dm:") else None


def plate_pattern(text: str) -> tuple[str, bool]:
    """A typed plate as a key, or a LIKE pattern when it holds `*` or `?` wildcards."""
    if "*" in text or "?" in text:
        # Each literal run keyed on its own: plate_key drops anything not a letter or digit.
        wild = {"*": "%", "?": "_"}
        pattern = "".join(wild.get(p) or plate_key(p) for p in re.split(r"([*?])", text) if p)
        return pattern, True
    return plate_key(text), False


def _date_or_error(value: str, name: str) -> tuple[str, bool]:
    """A full date as typed; "1998-19-08" can only be 19 August with day and month
    swapped, which is how the investigator remembers it: read it so."""
    formats = ("%Y-%m-%d", "%m/%d/%Y", "%Y%m%d")
    try:
        return parse_dob(value, formats).iso(), False
    except ValueError as e:
        pieces = value.split("-")
        if len(pieces) == 3:
            try:
                return parse_dob(f"{pieces[0]}-{pieces[2]}-{pieces[1]}", formats).iso(), True
            except ValueError:
                pass
        raise QueryError(name, str(e)) from e


def plan_person(store: Store, q: PersonQuery, today: date) -> PersonPlan:
    plan = PersonPlan(q)
    probes: list[KeyProbe] = []

    def add(kind: str, key: str, weight: float, *, record: bool = False) -> None:
        if key:
            probes.append(KeyProbe(kind, key, weight, key_field(kind, record=record), record))

    # -- names ------------------------------------------------------------------------
    last = fold(q.last or "")
    first = fold(q.first or "")
    if last and not first and "," in (q.last or ""):  # "SMITH, JOHN" typed in one box
        parsed = parse_name(q.last or "")
        last, first = fold(parsed.last), fold(parsed.first or "")
    plan.last, plan.first, plan.middle = compact(last), compact(first), compact(q.middle or "")
    if q.alias:
        if any(sep in q.alias.strip() for sep in (",", " ")):
            parsed = parse_name(q.alias)
            plan.alias_names.append((compact(parsed.last), compact(parsed.first or "")))
        if "," not in q.alias:  # "Baby Girl" may be a moniker as well as a name
            plan.alias_word = compact(q.alias)
    name_sets = [(plan.last, plan.first, last)] + [(a, b, a) for a, b in plan.alias_names]
    single: list[tuple[str, str, float, int]] = []
    forms: set[str] = set()  # every surname and given name the typed names stand for
    for ln, fn, raw_last in name_sets:
        forms.update(_name_probes(store, ln, fn, raw_last, add, single))
    if plan.alias_word:
        for kind in ("mon", "afn", "fn", "ln", "aln"):
            single.append((kind, plan.alias_word, 2.0, BROAD))
    if single:
        counts = store.key_counts([(k, v) for k, v, _, _ in single], BROAD + 1)
        for kind, key, weight, most in single:
            if counts.get((kind, key), 0) <= most:
                add(kind, key, weight)

    # -- date of birth ------------------------------------------------------------------
    if q.dob:
        if q.dob.count("-") == 2 or "/" in q.dob or (len(q.dob) == 8 and q.dob.isdigit()):
            plan.dob, plan.dob_typed_swapped = _date_or_error(q.dob, "dob")
        else:
            plan.dob = q.dob
        _check_partial(plan.dob)
        parts = plan.dob.split("-")
        if len(parts) == 3:
            y, m, d = parts
            add("dob", plan.dob, 3.0)
            low, high = sorted((m, d))
            add("dobt", f"{y}:{low}:{high}", 2.0)
            if not any(p.kind in ("nm", "anm") for p in probes):
                # Bound to the names typed, if any: "ROBERT, born 1976-03-18" must not
                # bring everyone born on thirty neighbouring days (KeyProbe.names). So
                # bound, a near date is the name and almost the date: it outweighs a
                # spelling neighbour's single-name key, not the date exactly as typed.
                probes += _near_dates(store, plan.dob, tuple(sorted(forms)))
        elif len(parts) == 2 and not probes:
            add("dobym", plan.dob, 1.0)
    if q.dob_from or q.dob_to:
        plan.dob_low, plan.dob_high = q.dob_from, q.dob_to
    if q.age_min is not None or q.age_max is not None:
        # born between (today - age_max - 1 years, today - age_min years]
        if q.age_max is not None:
            plan.dob_low = _years_before(today, q.age_max + 1) + timedelta(days=1)
        if q.age_min is not None:
            plan.dob_high = _years_before(today, q.age_min)

    # -- contact, marks, identifiers, vehicles ------------------------------------------
    if q.phone:
        phone = normalize_phone(Phone(q.phone))
        plan.phone_keys = phone_keys(phone)
        if not plan.phone_keys:
            raise QueryError("phone", f'"{q.phone}" has fewer than seven digits')
        for kind, key in plan.phone_keys:
            add(kind, key, 4.0 if kind == "ph" else 3.0)
    if q.address:
        address = normalize_address(Address(q.address))
        plan.address_key = address.key
        plan.street_key = street_key(q.address)
        if plan.address_key:
            add("addr", plan.address_key, 4.0)
        if plan.street_key and plan.street_key != plan.address_key:
            add("street", plan.street_key, 2.5)
        elif plan.address_key:
            add("street", plan.address_key, 2.5)
    if q.mark:
        _plan_mark(plan, q.mark)
        for kind, key, weight in _mark_keys(store, plan):
            add(kind, key, weight)
    for kind, value in (("state-id", q.state_id), ("drivers-license", q.driver_license)):
        if value and normalize_plate(value):
            plan.ids.append((kind, normalize_plate(value)))
            add("idv", f"{kind}:{normalize_plate(value)}", 6.0)
    if q.plate:
        plan.plate, plan.plate_is_pattern = plate_pattern(q.plate)
        if plan.plate.strip("%_"):
            kind, key = plate_lookup(plan.plate) if plan.plate_is_pattern else ("plate", plan.plate)
            probes.append(
                KeyProbe(kind, key, 3.0, key_field(kind, record=True),
                         record=True, pattern=plan.plate_is_pattern)
            )  # fmt: skip
    plan.probes = _dedupe(probes)
    plan.narrowing = _narrowing(plan)
    return plan


def _near_dates(store: Store, dob: str, names: tuple[str, ...]) -> list[KeyProbe]:
    """Probes for the dates one digit away from `dob`, bound to `names` when given.

    Bound, the pairing is read from whichever side holds fewer mentions: the ~55 near
    dates (each about fifty births at a million records), filtered on the names; or the
    names' surname and given-name keys (a rare surname: a few dozen), filtered on the
    dates. Both are counted first (bounded); at 1M the date side read ~3,000-5,000
    mention rows for every such query, most of the dob + partial name type's time."""
    variants = one_digit_variants(dob)
    if not names:
        return [KeyProbe("dob", v, 0.8, key_field("dob")) for v in variants]
    name_keys = [(kind, n) for n in names for kind in ("ln", "fn")]
    counts = store.key_counts([*name_keys, *(("dob", v) for v in variants)], NEAR_CAP + 1)
    by_name = sum(counts.get(k, 0) for k in name_keys)
    by_date = sum(counts.get(("dob", v), 0) for v in variants)
    if by_name < by_date:
        dates = tuple(variants)
        return [KeyProbe(k, n, 2.5, key_field("dob"), dobs=dates) for k, n in name_keys]
    return [KeyProbe("dob", v, 2.5, key_field("dob"), names=names) for v in variants]


def _narrowing(plan: PersonPlan) -> Narrowing | None:
    """Sex and birth years as candidate filters, only when every key is descriptive or
    names one name alone: with a full name, date of birth or phone the keys are selective
    already and a wrongly guessed sex or age must not lose the person (scoring weighs them
    instead). The years are an age range's, else a partial date of birth's ("1994"); the
    middle of the range orders the candidates the keys weigh alike (`Narrowing`)."""
    q = plan.query
    if not plan.probes or any(p.kind not in DESCRIPTIVE | ONE_NAME for p in plan.probes):
        return None
    low = plan.dob_low.year if plan.dob_low else None
    high = plan.dob_high.year if plan.dob_high else None
    if low is None and high is None and plan.dob and len(plan.dob) < 10:
        low = high = int(plan.dob[:4])
    if not q.sex and low is None and high is None:
        return None
    about = (low + high) // 2 if low is not None and high is not None else None
    return Narrowing(q.sex.value if q.sex else None, low, high, born_about=about)


def _name_probes(store: Store, ln: str, fn: str, raw_last: str, add, single) -> list[str]:  # type: ignore[no-untyped-def]
    """Pair keys for the typed names, nickname groups and spelling neighbours; single
    keys (to be counted) for the rest. Returns the surnames and given names expanded."""
    lasts = _surname_variants(store, ln, raw_last)
    firsts = _given_variants(store, fn)
    if ln and len(fn) > 1:
        # Swapped on the form: the typed surname read as a given name and the typed given
        # name as a surname, each with its own expansion ("dave FINE", "REIGNALD Brooks").
        for last in _surname_variants(store, fn, fn)[:4]:
            for first in _given_variants(store, ln)[:8]:
                add("nm", _pair(last, first), 2.5)
    for i, last in enumerate(lasts):
        for j, first in enumerate(firsts):
            weight = 4.0 if i == 0 and j == 0 else 3.0
            add("nm", _pair(last, first), weight)
            if i == 0:  # an alias is matched as typed or by nickname, not by spelling
                add("anm", _pair(last, first), weight * 0.9)
    if ln and firsts:
        dm_last = _first_dm(ln)
        for first in firsts[:1] + _nicknames(fn)[:8]:
            dm_first = _first_dm(first)
            if dm_last and dm_first:
                add("nmph", _pair(dm_last, dm_first), 2.0)
                add("anmph", _pair(dm_last, dm_first), 1.8)
    if ln and fn:
        for last in lasts[:2]:
            add("lfi", f"{last}|{fn[0]}", 1.5 if len(fn) == 1 else 1.0)
            add("alfi", f"{last}|{fn[0]}", 1.0)
    # Single-name keys: with a given name the pairs above carry the search, and a surname
    # alone only adds candidates when it is rare (a badly mangled given name); without
    # one, the surname and its sounds are all there is, up to BROAD.
    cap = RARE if len(fn) > 1 else BROAD
    if ln:
        for last in lasts[:3] if len(fn) > 1 else lasts:
            single.append(("ln", last, 2.0 if last == ln else 1.0, cap))
            single.append(("lnp", last, 1.5, cap))
            single.append(("aln", last, 1.5, cap))
        if len(fn) <= 1:
            for key in phonetic_keys(ln):
                single.append(("lnph", key, 1.0, cap))
    if fn and not ln:
        for first in firsts or [fn]:
            single.append(("fn", first, 1.5, BROAD))
            single.append(("afn", first, 1.2, BROAD))
            single.append(("mon", first, 1.2, BROAD))
    return lasts + firsts


def _surname_variants(store: Store, ln: str, raw_last: str) -> list[str]:
    if not ln:
        return []
    out = [ln]
    parts = surname_parts(raw_last)
    if parts != [ln]:
        out += [p for p in parts if p != ln]
    return out + [w for w in _nearest(store, "ln", ln, 8) if w not in out]


def _given_variants(store: Store, fn: str) -> list[str]:
    """The typed given name, its nickname forms (ROBBIE -> ROBERT), its spelling neighbours
    and the names it is a clipped form of (LIAM -> WILLIAM, TOPHER -> CHRISTOPHER)."""
    if len(fn) <= 1:
        return []
    out = [fn, *_nicknames(fn)][:10]
    vocab = vocabulary(store, "fn")
    out += [w for w in _nearest(store, "fn", fn, 5) if w not in out]
    out += [w for w in _most_held(store, "fn", vocab.clipped(fn, 12), 4) if w not in out]
    return out


def _nicknames(fn: str) -> list[str]:
    """The nickname table's own group first, then the forms reached through a pet stem."""
    own = nickname_group(fn)
    return sorted(own - {fn}) + sorted(nickname_forms(fn) - own)


def _nearest(store: Store, kind: str, word: str, n: int) -> list[str]:
    """The `n` spelling neighbours of `word`: fewest edits first and, among as many edits,
    the names most mentions hold (SymSpell's order). A large region holds misspellings of
    most names, and in alphabetical order they crowded out the name itself."""
    return _most_held(store, kind, vocabulary(store, kind).near(word, 3 * n), n, near=word)


def _most_held(
    store: Store, kind: str, words: list[str], n: int, near: str | None = None
) -> list[str]:
    """The `n` of `words` most mentions hold (after fewest edits from `near`): of the
    names TOPHER clips, CHRISTOPHER and not the misspelt CHRITOPHER, which the vocabulary
    holds just the same. Counted up to SEEN, so a common name costs no more than a rare."""
    if len(words) <= n:
        return words
    counts = store.key_counts([(kind, w) for w in words], SEEN)

    def order(w: str) -> tuple[int, int]:
        return (OSA.distance(near, w) if near else 0, -counts.get((kind, w), 0))

    return sorted(words, key=order)[:n]


def _check_partial(dob: str) -> None:
    parts = dob.split("-")
    if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts) or len(parts[0]) != 4:
        raise QueryError("dob", f'"{dob}" is not YYYY-MM-DD, YYYY-MM or YYYY')
    if len(parts) == 2 and not 1 <= int(parts[1]) <= 12:
        raise QueryError("dob", f'"{dob}": month {int(parts[1])} is not 1-12')


@lru_cache(maxsize=1 << 12)
def one_digit_variants(iso: str) -> tuple[str, ...]:
    """The valid dates one digit away from `iso` (cached: about eighty dates tried)."""
    digits = iso.replace("-", "")
    out: list[str] = []
    for i, ch in enumerate(digits):
        for d in "0123456789":
            if d == ch:
                continue
            v = digits[:i] + d + digits[i + 1 :]
            try:
                day = date(int(v[:4]), int(v[4:6]), int(v[6:]))
            except ValueError:
                continue
            out.append(day.isoformat())
    return tuple(out)


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _mark_keys(store: Store, plan: PersonPlan) -> list[tuple[str, str, float]]:
    """Keys for a described mark. A design at a place ("dragon tattoo left arm") is
    looked up as such (`smtd`: the dragons on arms, each word of the design's motif at the
    place and the parts within it). Beside those, the place alone (every arm tattoo) and
    the design anywhere (every dragon) are read only where they are selective, at most
    MARK_BROAD mentions each: at a million records TAT ARM is held by tens of thousands,
    and reading them all made tattoo queries the latency tail while the design-at-place
    keys already hold the person. The design anywhere still finds a mark recorded at a
    place the witness names differently, when that design is not a common one. Without a
    design or a place, the keys there are are all there is, whatever their size."""
    places = _mark_place_keys(plan)
    members = [m for word in sorted(plan.mark_words) for m in motif_group(word)]
    design = [("smtw", m, 2.0) for m in members]
    if not (members and plan.mark_type_part):
        return places + design
    at = [plan.mark_type_part] + [k for kind, k, _ in places if kind == "smtp"]
    combined = [("smtd", f"{p} {m}", 3.0) for p in dict.fromkeys(at) for m in members]
    broad = places + design
    counts = store.key_counts([(k, v) for k, v, _ in broad], MARK_BROAD + 1)
    return combined + [(k, v, w) for k, v, w in broad if counts.get((k, v), 0) <= MARK_BROAD]


def _mark_place_keys(plan: PersonPlan) -> list[tuple[str, str, float]]:
    """Keys for where the mark is: its code, type and part, and the parts within that part
    ("on his face": a cheek, a lip)."""
    keys: list[tuple[str, str, float]] = []
    if plan.mark_code:
        keys.append(("smt", plan.mark_code, 1.0))
    if plan.mark_type_part:
        keys.append(("smtp", plan.mark_type_part, 0.8))
        kind, _, part = plan.mark_type_part.partition(" ")
        keys += [("smtp", f"{kind} {inner}", 0.5) for inner in parts_within(part)]
    return keys


def _plan_mark(plan: PersonPlan, text: str) -> None:
    try:
        mark = parse_smt_code(text)
    except ValueError:
        found = mark_from_text(text)
        if found is None:
            plan.mark_words = motif_words(fold(text))
            return
        mark = found
    plan.mark_code = mark.code
    if mark.type and mark.part:
        plan.mark_type_part = f"{mark.type} {mark.part}"
    if mark.description:
        plan.mark_words = motif_words(mark.description)


def _dedupe(probes: list[KeyProbe]) -> list[KeyProbe]:
    """One probe per key, the heaviest. A key bound to names or dates is another probe
    than the key alone: SARAH born a digit away from the date typed must not replace
    SARAH alone (it lost dob + partial name r@10 0.964 -> 0.940 at 1M)."""
    best: dict[tuple[str, str, bool, tuple[str, ...], tuple[str, ...]], KeyProbe] = {}
    for p in probes:
        key = (p.kind, p.key, p.record, p.names, p.dobs)
        if key not in best or p.weight > best[key].weight:
            best[key] = p
    return list(best.values())
