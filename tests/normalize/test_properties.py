"""Every normalizer is idempotent and never raises, for any text (hypothesis)."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from lexhub.model import (
    Address,
    Mark,
    PartialDate,
    Person,
    PersonName,
    Phone,
    Record,
    RecordType,
    Role,
    Vehicle,
)
from lexhub.model.record import Location
from lexhub.normalize import (
    fold,
    index_record,
    mark_from_text,
    name_text,
    normalize_address,
    normalize_mark,
    normalize_phone,
    normalize_plate,
    normalize_record,
    parse_name,
    phonetic_keys,
    plate_key,
    surname_parts,
)

FAST = settings(max_examples=150, deadline=None)
SLOW = settings(max_examples=60, deadline=None)

# Text that looks like what records hold, mixed with anything unicode can hold.
WORDS = st.sampled_from(
    [
        "123",
        "N.",
        "Main",
        "St",
        "#4b",
        "Apt",
        "PO",
        "Box",
        "&",
        "de",
        "la",
        "Cruz",
        "Jr",
        ",",
        "-",
        "tattoo",
        "left",
        "forearm",
        "scar",
        "o'brien",
        "García",
        "x12",
        "(206)",
        "555-0147",
        "+1",
        "ß",
        "İ",
        "ﬁ",
        "\u0301",
        "\x00",
    ]
)
TEXT = st.one_of(st.text(max_size=60), st.lists(WORDS, max_size=10).map(" ".join))


@FAST
@given(TEXT)
def test_fold_is_idempotent_and_ascii(text: str) -> None:
    folded = fold(text)
    assert fold(folded) == folded
    assert folded.isascii() and folded == folded.upper()
    assert "  " not in folded and not folded.startswith(("-", " "))


@FAST
@given(TEXT)
def test_parse_name_is_stable_where_it_returns(text: str) -> None:
    try:
        name = parse_name(text)
    except ValueError:
        assert not fold(text.replace(",", " ").replace(".", " ")).replace("-", "").strip()
        return
    assert parse_name(name_text(name)) == name
    surname_parts(name.last)
    phonetic_keys(name.last)


@FAST
@given(TEXT, st.sampled_from(["US", "GB", "ZZ", ""]))
def test_normalize_phone_never_raises_and_is_idempotent(text: str, region: str) -> None:
    once = normalize_phone(Phone(text), region)
    assert normalize_phone(once, region) == once


@SLOW
@given(TEXT)
def test_normalize_address_never_raises_and_is_idempotent(text: str) -> None:
    once = normalize_address(Address(text))
    assert normalize_address(once) == once
    assert once.kind in ("street", "po-box", "intersection", "unparsed")


@FAST
@given(TEXT)
def test_plate_key_is_idempotent(text: str) -> None:
    key = plate_key(text)
    assert plate_key(key) == key and normalize_plate(normalize_plate(text)) == normalize_plate(text)
    assert key.isalnum() or key == ""


@FAST
@given(TEXT, st.one_of(st.none(), TEXT))
def test_marks_never_raise_and_normalize_mark_is_idempotent(text: str, code: str | None) -> None:
    mark_from_text(text)
    once = normalize_mark(Mark(code, text))
    assert normalize_mark(once) == once


_persons = st.builds(
    Person,
    ref=st.just("P1"),
    role=st.sampled_from(list(Role)),
    name=st.builds(PersonName, TEXT, st.one_of(st.none(), TEXT), st.one_of(st.none(), TEXT)),
    aliases=st.lists(st.builds(PersonName, TEXT), max_size=2).map(tuple),
    monikers=st.lists(TEXT, max_size=2).map(tuple),
    dob=st.one_of(st.none(), st.dates(date(1800, 1, 1), date(2200, 12, 31)).map(PartialDate.of)),
    marks=st.lists(st.builds(Mark, st.one_of(st.none(), TEXT), TEXT), max_size=2).map(tuple),
    phones=st.lists(st.builds(Phone, TEXT), max_size=2).map(tuple),
    addresses=st.lists(st.builds(Address, TEXT), max_size=2).map(tuple),
)
_records = st.builds(
    Record,
    owner=st.just("WA0170000"),
    source_id=st.just("R1"),
    type=st.sampled_from(list(RecordType)),
    persons=st.lists(_persons, max_size=2).map(tuple),
    locations=st.lists(
        st.builds(Location, st.just("occurred"), st.builds(Address, TEXT)), max_size=1
    ).map(tuple),
    vehicles=st.lists(st.builds(Vehicle, plate=st.one_of(st.none(), TEXT)), max_size=1).map(tuple),
    phones=st.lists(st.builds(Phone, TEXT), max_size=1).map(tuple),
)


@SLOW
@given(_records)
def test_normalize_record_is_idempotent_and_indexable(record: Record) -> None:
    once = normalize_record(record)
    assert normalize_record(once) == once
    index = index_record(once)
    assert len(index.mentions) == len(record.persons)
    assert index_record(once) == index
