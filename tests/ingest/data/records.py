"""Hypothesis strategies for records each format can carry (all synthetic, obviously fake).

`records()` is everything lexhub's JSON form holds; `csv_records()` and `xml_records()` keep
to what an RMS-style CSV and the NIEM subset carry (docs/formats.md), so a round trip
through them must give the records back unchanged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from hypothesis import strategies as st

from lexhub.model import (
    Address,
    EyeColor,
    HairColor,
    Identifier,
    IdentifierKind,
    Location,
    Mark,
    Offense,
    PartialDate,
    Person,
    PersonName,
    Phone,
    PhoneKind,
    Race,
    Record,
    RecordType,
    Role,
    Sensitivity,
    Sex,
    Vehicle,
)

TODAY = date(2026, 3, 10)
OWNER = "WA0170000"

# Stripped, printable, no CR (XML turns it into LF), no ";" (CSV list separator).
_chars = st.characters(codec="utf-8", categories=("L", "N", "P", "Zs"), exclude_characters=";")
text = st.text(_chars, min_size=1, max_size=12).map(str.strip).filter(bool)
long_text = st.text(st.one_of(_chars, st.just("\n")), min_size=1, max_size=40).map(str.strip)
long_text = long_text.filter(bool)
opt = st.none() | text
token = st.text("abcdefghkmnoptuvwxyz", min_size=2, max_size=8).map(str.capitalize)
dates = st.dates(date(1990, 1, 1), TODAY)
dobs = st.builds(PartialDate.of, st.dates(date(1920, 1, 1), date(2020, 12, 31))) | st.builds(
    PartialDate, st.integers(1920, 2020), st.none() | st.integers(1, 12)
)
codes = st.sampled_from(["09A", "13A", "13B", "220", "23H", "35A", "90Z", "520"])


def _unique(items: st.SearchStrategy[Any], max_size: int = 2) -> st.SearchStrategy[Any]:
    return st.lists(items, max_size=max_size, unique=True).map(tuple)


def _person(
    ref: str,
    names: st.SearchStrategy[PersonName],
    aliases: st.SearchStrategy[PersonName],
    marks: st.SearchStrategy[Mark],
    phones: st.SearchStrategy[Phone],
    identifiers: st.SearchStrategy[tuple[Identifier, ...]],
) -> st.SearchStrategy[Person]:
    return st.builds(
        Person,
        ref=st.just(ref),
        role=st.sampled_from(Role),
        name=names,
        aliases=st.lists(aliases, max_size=2).map(tuple),
        monikers=st.lists(text, max_size=2).map(tuple),
        dob=st.none() | dobs,
        sex=st.none() | st.sampled_from(Sex),
        race=st.none() | st.sampled_from(Race),
        height_in=st.none() | st.integers(12, 108),
        weight_lb=st.none() | st.integers(1, 999),
        eye=st.none() | st.sampled_from(EyeColor),
        hair=st.none() | st.sampled_from(HairColor),
        marks=st.lists(marks, max_size=2).map(tuple),
        phones=st.lists(phones, max_size=2).map(tuple),
        addresses=st.lists(st.builds(Address, text), max_size=2).map(tuple),
        identifiers=identifiers,
    )


def _records(persons: Any, vehicles: Any, phones: Any, offenses: Any) -> Any:
    @st.composite
    def build(draw: st.DrawFn, source_id: str) -> Record:
        n = draw(st.integers(0, 3))
        return Record(
            owner=OWNER,
            source_id=source_id,
            type=draw(st.sampled_from(RecordType)),
            occurred=draw(st.none() | dates),
            reported=draw(st.none() | dates),
            offenses=draw(st.lists(offenses, max_size=2).map(tuple)),
            sensitivity=draw(st.sampled_from(Sensitivity)),
            narrative=draw(st.none() | long_text),
            persons=tuple(draw(persons(f"P{i + 1}")) for i in range(n)),
            locations=draw(_unique(st.builds(Location, text, st.builds(Address, text)))),
            vehicles=draw(vehicles),
            phones=draw(phones),
        )

    return build


def _batch(build: Any) -> st.SearchStrategy[list[Record]]:
    ids = st.lists(text, min_size=1, max_size=4, unique=True)
    return ids.flatmap(lambda xs: st.tuples(*(build(x) for x in xs)).map(list))


_names = st.builds(PersonName, text, opt, opt, opt)
_all_phones = st.builds(Phone, text, st.sampled_from(PhoneKind), opt, opt)
_vehicle = st.builds(
    Vehicle,
    plate=opt,
    plate_state=opt,
    vin=opt,
    make=opt,
    model=opt,
    color=opt,
    year=st.none() | st.integers(1950, 2027),
)


def json_batches() -> st.SearchStrategy[list[Record]]:
    """Everything the JSON form holds, including normalized fields."""
    address = st.builds(
        Address,
        text,
        st.lists(st.tuples(text, text), max_size=2).map(tuple),
        opt,
        st.sampled_from(["street", "po-box", "intersection", "unparsed"]),
    )
    ids = st.lists(st.builds(Identifier, st.sampled_from(IdentifierKind), text, opt), max_size=2)
    marks = st.builds(Mark, opt, opt, opt, opt, opt)

    def person(ref: str) -> Any:
        people = _person(ref, _names, _names, marks, _all_phones, ids.map(tuple))
        return st.builds(
            lambda p, a: _with(p, addresses=tuple(a)), people, st.lists(address, max_size=2)
        )

    vehicles = st.lists(
        st.builds(lambda v, k: _with(v, plate_key=k), _vehicle, opt), max_size=2
    ).map(tuple)
    offenses = st.builds(Offense, codes, opt)
    return _batch(
        _records(person, vehicles, st.lists(_all_phones, max_size=2).map(tuple), offenses)
    )


def _with(obj: Any, **changes: Any) -> Any:
    from dataclasses import replace

    return replace(obj, **changes)


def xml_batches() -> st.SearchStrategy[list[Record]]:
    """What the NIEM subset carries: all but normalized fields and mark type/side/part."""
    phones = st.builds(Phone, text, st.sampled_from(PhoneKind), st.none(), opt)
    ids = st.lists(st.builds(Identifier, st.sampled_from(IdentifierKind), text, opt), max_size=2)
    marks = st.builds(Mark, opt, opt)

    def person(ref: str) -> Any:
        return _person(ref, _names, _names, marks, phones, ids.map(tuple))

    offenses = st.builds(Offense, codes, opt)
    vehicles = st.lists(_vehicle, max_size=2).map(tuple)
    return _batch(_records(person, vehicles, st.lists(phones, max_size=2).map(tuple), offenses))


_ID_ORDER = [
    IdentifierKind.STATE_ID,
    IdentifierKind.DRIVERS_LICENSE,
    IdentifierKind.FBI_NUMBER,
    IdentifierKind.BOOKING_NUMBER,
]


@st.composite
def _csv_ids(draw: st.DrawFn) -> tuple[Identifier, ...]:
    out = []
    for kind in _ID_ORDER:
        if draw(st.booleans()):
            with_issuer = kind in (IdentifierKind.STATE_ID, IdentifierKind.DRIVERS_LICENSE)
            out.append(Identifier(kind, draw(text), draw(opt) if with_issuer else None))
    return tuple(out)


def csv_batches() -> st.SearchStrategy[list[Record]]:
    """What an RMS-style CSV carries (writers/csv.py lists what it does not)."""
    aliases = st.builds(PersonName, token, st.none() | token)
    names = st.builds(PersonName, text, opt, opt, opt)

    def person(ref: str) -> Any:
        return _person(
            ref,
            names,
            aliases,
            st.builds(Mark, st.none(), text),
            st.builds(Phone, text),
            _csv_ids(),
        )

    vehicles = _unique(_vehicle.filter(lambda v: v != Vehicle()))
    phones = _unique(st.builds(Phone, text, st.sampled_from(PhoneKind)))
    return _batch(_records(person, vehicles, phones, st.builds(Offense, codes)))


def sample_record(source_id: str = "R1", owner: str = OWNER) -> Record:
    """One small, obviously fictitious record with a bit of everything."""
    person = Person(
        ref="P1",
        role=Role.SUSPECT,
        name=PersonName("Testperson", "Alma", "Q"),
        dob=PartialDate(1988, 4, 12),
        sex=Sex.FEMALE,
        phones=(Phone("(206) 555-0142"),),
        addresses=(Address("1200 N Example Ave Apt 4"),),
        marks=(Mark(None, "tattoo of a rose on left forearm"),),
    )
    return Record(
        owner=owner,
        source_id=source_id,
        type=RecordType.FIELD_INTERVIEW,
        occurred=date(2026, 3, 1),
        offenses=(Offense("90Z"),),
        narrative="Subject stopped near the park.",
        persons=(person,),
        vehicles=(Vehicle(plate="ABC-1234", plate_state="WA"),),
    )
