"""The search keys and normalized columns a record contributes (`RecordIndex`).

Keys are (kind, value) blocking keys: search (issue 3) generates candidates as the mentions
sharing keys with a query, then scores them. They are built for RECALL: a spelling error is
left to scoring, but phonetic variants, nicknames, swapped first and last names, one part of
a compound surname, transposed day and month, a number without its area code and a
misread plate must all still share a key. Every kind is listed in `KEY_KINDS` and in
docs/normalization.md; a mention gets about 10-40 of them.

Each key row costs ingest time and disk, so a kind exists only if a query needs it to find
candidates: nicknames and first-name sounds are reached through pair keys the planner
expands (search/plan.py), not through a key per nickname, and a bare year of birth is
evidence for scoring, never a key (it would match a fiftieth of everyone).

Everything is computed from the normalized record (`normalize_record` first). The parts
that repeat across records (names, dates, marks, addresses) are cached, bounded.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from lexhub.model.dates import PartialDate
from lexhub.model.index import MentionIndex, RecordIndex, SearchKey
from lexhub.model.offenses import offense_categories
from lexhub.model.person import Identifier, Mark, Person, PersonName, Phone
from lexhub.model.record import Record
from lexhub.normalize.addresses import street_key
from lexhub.normalize.marktext import mark_from_text
from lexhub.normalize.memo import memo
from lexhub.normalize.names import compact, fold, phonetic_keys, surname_parts
from lexhub.normalize.phones import phone_keys
from lexhub.normalize.plates import normalize_plate, plate_key

__all__ = ["KEY_FIELDS", "KEY_KINDS", "index_record", "key_field", "name_keys"]

KEY_KINDS: dict[str, str] = {
    "ln": "last name, compact (no spaces or hyphens)",
    "lnp": "each part of a compound surname (surname_parts)",
    "lnph": "phonetic keys of the last name and of each surname part",
    "fn": "first name, compact; also each moniker",
    "nm": "first and last name as an unordered pair (swapped names); also middle and last",
    "nmph": "Double Metaphone primaries of first and last name as an unordered pair",
    "lfi": "last name and first initial",
    "mon": "moniker, compact",
    "a*": "an alias's keys: the name kinds above prefixed with a (aln, afn, anm, ...); monikers"
    " also give afn",
    "dob": "full date of birth, YYYY-MM-DD",
    "dobym": "year and month of birth",
    "dobt": "year and the sorted month and day: a day/month transposition keeps it",
    "ph": "phone, E.164",
    "ph7": "phone, last seven digits",
    "addr": "address key (line with unit)",
    "street": "address key without the unit",
    "smt": "scar/mark/tattoo code",
    "smtp": "mark type and body part, without side",
    "smtw": "a word of the mark's description",
    "smtd": "mark type, body part (no side) and one word of the description: a design at a"
    ' place ("dragon tattoo left arm" reads the dragons on arms, not every arm tattoo)',
    "idv": "identifier: kind:value, without the issuing state (queries rarely know it;"
    " scoring compares the state)",
    "plate": "plate key of a vehicle (confusable characters folded)",
    "platr": "the plate key reversed: a fragment typed with a leading wildcard (*845B) is"
    " a prefix of it, an index range instead of a scan of every plate",
    "vin": "vehicle identification number, uppercase alphanumerics",
    "off": "offense code",
}

_NAME_KINDS = ("ln", "lnp", "lnph", "fn", "nm", "nmph", "lfi")

# The withholdable field (model/scope.py WITHHOLDABLE) each key kind reveals: a grant that
# withholds the field must not match the kind. Mention kinds first, then record kinds.
KEY_FIELDS: dict[str, str] = {
    **{kind: "person.name" for kind in _NAME_KINDS},
    **{f"a{kind}": "person.aliases" for kind in _NAME_KINDS},
    "mon": "person.aliases",
    **{kind: "person.dob" for kind in ("dob", "dobym", "dobt")},
    "ph": "person.phones",
    "ph7": "person.phones",
    "addr": "person.addresses",
    "street": "person.addresses",
    **{kind: "person.marks" for kind in ("smt", "smtp", "smtw", "smtd")},
    "idv": "person.identifiers",
}
_RECORD_KEY_FIELDS: dict[str, str] = {
    "plate": "record.vehicles",
    "platr": "record.vehicles",
    "vin": "record.vehicles",
    "ph": "record.phones",
    "ph7": "record.phones",
    "addr": "record.locations",
    "street": "record.locations",
    "off": "record.offenses",
}


def key_field(kind: str, *, record: bool = False) -> str:
    """The withholdable field a mention key (or, with `record`, a record key) reveals."""
    return (_RECORD_KEY_FIELDS if record else KEY_FIELDS)[kind]


_WEAK_WORDS = frozenset(
    "OF ON IN AT TO AN BY OR MY UP "
    "SMALL LARGE BIG OLD NEW LONG SHORT INCH INCHES CM FADED FULL HALF BLACK BLUE RED GREEN "
    "ONE TWO THREE MULTIPLE SEVERAL VARIOUS UNKNOWN UNK HEALED".split()
)


def _pair(a: str, b: str) -> str:
    return f"{a}|{b}" if a <= b else f"{b}|{a}"


def _first_dm(name: str) -> str | None:
    keys = phonetic_keys(name)
    return keys[0][3:] if keys and keys[0].startswith("dm:") else None


def name_keys(last: str, first: str | None, middle: str | None = None) -> tuple[SearchKey, ...]:
    """Keys of one name (a mention's own or an alias). Cached: names repeat across records."""
    # Keyed on the folded parts: "SMITH, JOHN" and "Smith, John" share one entry.
    return _name_keys_of(
        (fold(last), fold(first) if first else None, fold(middle) if middle else None)
    )


@memo(1 << 16)
def _name_keys_of(name: tuple[str, str | None, str | None]) -> tuple[SearchKey, ...]:
    last, first, middle = name
    keys: list[SearchKey] = []
    ln = compact(last)
    parts: list[str] = []
    if ln:
        keys.append(("ln", ln))
        parts = surname_parts(last)
        phonetic = list(phonetic_keys(ln))
        if parts != [ln]:
            for part in parts:
                keys.append(("lnp", part))
                phonetic += phonetic_keys(part)
        keys += [("lnph", k) for k in dict.fromkeys(phonetic)]
    fn = compact(first) if first else ""
    if fn:
        keys.append(("fn", fn))
    if ln and fn:
        keys.append(("nm", _pair(ln, fn)))
        # One part of a compound surname with the first name: GARCIA JUAN finds
        # GARCIA-LOPEZ JUAN through a pair key, not through the far broader part alone.
        keys += [("nm", _pair(part, fn)) for part in parts if part != ln]
        dm_last, dm_first = _first_dm(ln), _first_dm(fn)
        if dm_last and dm_first:
            keys.append(("nmph", _pair(dm_last, dm_first)))
        keys.append(("lfi", f"{ln}|{fn[0]}"))
    mn = compact(middle) if middle else ""
    if ln and len(mn) > 1:
        keys.append(("nm", _pair(ln, mn)))
    return tuple(dict.fromkeys(keys))


@memo(1 << 14)
def _moniker_keys(moniker: str) -> tuple[SearchKey, ...]:
    value = compact(moniker)
    if not value:
        return ()
    return (("mon", value), ("afn", value))


@memo(1 << 15)
def _dob_keys(ymd: tuple[int, int | None, int | None]) -> tuple[SearchKey, ...]:
    dob = PartialDate(*ymd)
    keys: list[SearchKey] = []
    if dob.month is not None:
        keys.append(("dobym", f"{dob.year:04d}-{dob.month:02d}"))
    if dob.month is not None and dob.day is not None:
        low, high = sorted((dob.month, dob.day))
        keys += [("dob", dob.iso()), ("dobt", f"{dob.year:04d}:{low:02d}:{high:02d}")]
    return tuple(keys)


@memo(1 << 16)
def _phone_keys(number_e164: tuple[str, str | None]) -> tuple[SearchKey, ...]:
    return tuple(phone_keys(Phone(number_e164[0], e164=number_e164[1])))


@memo(1 << 16)
def _address_keys(text_key: tuple[str, str | None]) -> tuple[SearchKey, ...]:
    text, key = text_key
    if not key:
        return ()
    street = street_key(text)
    if street and street != key:
        return (("addr", key), ("street", street))
    return (("addr", key),)


@lru_cache(maxsize=1 << 14)
def _mark_keys(mark: Mark) -> tuple[SearchKey, ...]:
    keys: list[SearchKey] = []
    if mark.code:
        keys.append(("smt", mark.code))
    if mark.type and mark.part:
        keys.append(("smtp", f"{mark.type} {mark.part}"))
    if mark.description:
        # A description naming only the design ("DRAGON") has no type or part for
        # mark_from_text to strip: its words are the design words as they stand.
        parsed = mark_from_text(mark.description)
        design = parsed.description if parsed is not None else fold(mark.description)
        good = [w for w in (design or "").split() if len(w) >= 2 and w not in _WEAK_WORDS]
        words = list(dict.fromkeys(good))[:4]
        keys += [("smtw", w) for w in words]
        if mark.type and mark.part:
            keys += [("smtd", f"{mark.type} {mark.part} {w}") for w in words]
    return tuple(keys)


def _identifier_keys(identifier: Identifier) -> tuple[SearchKey, ...]:
    value = normalize_plate(identifier.value)
    if not value:
        return ()
    kind = identifier.kind.value
    return (("idv", f"{kind}:{value}"),)


def _name_keys(name: PersonName) -> tuple[SearchKey, ...]:
    return name_keys(name.last, name.first, name.middle)


def _mention(person: Person) -> MentionIndex:
    keys: list[SearchKey] = list(_name_keys(person.name))
    for alias in person.aliases:
        keys += [(f"a{kind}", key) for kind, key in _name_keys(alias)]
    for moniker in person.monikers:
        keys += _moniker_keys(moniker)
    if person.dob is not None:
        dob = person.dob
        keys += _dob_keys((dob.year, dob.month, dob.day))
    for phone in person.phones:
        keys += _phone_keys((phone.number, phone.e164))
    for address in person.addresses:
        keys += _address_keys((address.text, address.key))
    for mark in person.marks:
        keys += _mark_keys(mark)
    for identifier in person.identifiers:
        keys += _identifier_keys(identifier)
    name = person.name
    return MentionIndex(
        ref=person.ref,
        role=person.role.value,
        last=fold(name.last) or None,
        first=fold(name.first) or None if name.first else None,
        middle=fold(name.middle) or None if name.middle else None,
        dob=person.dob.iso() if person.dob else None,
        dob_year=person.dob.year if person.dob else None,
        sex=person.sex.value if person.sex else None,
        race=person.race.value if person.race else None,
        height_in=person.height_in,
        weight_lb=person.weight_lb,
        keys=tuple(dict.fromkeys(keys)),
        profile=_profile(person),
    )


def _profile(person: Person) -> dict[str, Any]:
    """The scoring fields without a column (see MentionIndex.profile), normalized."""
    out: dict[str, Any] = {}
    if person.aliases:
        out["a"] = [
            [fold(a.last), fold(a.first or ""), fold(a.middle or "")] for a in person.aliases
        ]
    if person.monikers:
        out["m"] = [fold(m) for m in person.monikers]
    if person.phones:
        out["ph"] = [p.e164 or p.number for p in person.phones]
    if person.addresses:
        out["ad"] = [[a.key or "", _street(a.text, a.key), a.text] for a in person.addresses]
    if person.marks:
        out["mk"] = [
            [m.code or "", m.type or "", m.part or "", m.side or "", m.description or ""]
            for m in person.marks
        ]
    if person.identifiers:
        out["id"] = [
            [i.kind.value, (i.issuer or "").upper(), normalize_plate(i.value)]
            for i in person.identifiers
        ]
    if person.eye:
        out["eye"] = person.eye.value
    if person.hair:
        out["hair"] = person.hair.value
    if person.name.suffix:
        out["sfx"] = person.name.suffix
    return out


def _street(text: str, key: str | None) -> str:
    keys = _address_keys((text, key))
    return keys[1][1] if len(keys) > 1 else (key or "")


def index_record(record: Record) -> RecordIndex:
    """Record-level keys (plates, VINs, record phones, location addresses, offense codes)
    and one MentionIndex per person. Call it on a NORMALIZED record (`normalize_record`):
    it reads e164, address keys, mark codes and plate keys rather than recomputing them."""
    keys: list[SearchKey] = []
    for vehicle in record.vehicles:
        plate = vehicle.plate_key or (plate_key(vehicle.plate) if vehicle.plate else "")
        if plate:
            keys += [("plate", plate), ("platr", plate[::-1])]
        vin = normalize_plate(vehicle.vin) if vehicle.vin else ""
        if vin:
            keys.append(("vin", vin))
    for phone in record.phones:
        keys += _phone_keys((phone.number, phone.e164))
    for location in record.locations:
        keys += _address_keys((location.address.text, location.address.key))
    for offense in record.offenses:
        code = offense.code.strip().upper()
        if code:
            keys.append(("off", code))
    mentions = tuple(_mention(person) for person in record.persons)
    categories = offense_categories(o.code for o in record.offenses)
    return RecordIndex(
        tuple(dict.fromkeys(keys)), mentions, tuple(sorted(c.value for c in categories))
    )
