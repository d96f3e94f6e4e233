"""Domain types: partial dates, ORIs, and the record codec's round trip and stability."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lexhub.model import (
    Address,
    Agency,
    AgencyKind,
    Contact,
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
    canonical_json,
    record_digest,
    record_from_dict,
    record_to_dict,
    validate_ori,
)


@pytest.mark.parametrize(
    "text", ["1987-02-30", "1987-13", "1987-00-10", "87-02-01", "1987/02/01", ""]
)
def test_impossible_or_malformed_dates_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        PartialDate.from_iso(text)


def test_partial_dates_stay_partial() -> None:
    assert PartialDate.from_iso("1987").iso() == "1987"
    assert PartialDate.from_iso("1987-02") == PartialDate(1987, 2)
    assert PartialDate(1987, 2).to_date() is None
    assert PartialDate.from_iso("2000-02-29").to_date() == date(2000, 2, 29)
    with pytest.raises(ValueError, match="has no day 29"):
        PartialDate(1900, 2, 29)


def test_sensitivity_is_ordered_by_rank() -> None:
    ranks = [s.rank for s in (Sensitivity.STANDARD, Sensitivity.SENSITIVE, Sensitivity.RESTRICTED)]
    assert ranks == sorted(ranks) and len(set(ranks)) == 3


def test_ori_shape_and_agency_state() -> None:
    assert validate_ori("WA0171500") == "WA0171500"
    for bad in ("WA017150", "wa0171500", "1A0171500", "WA017150000"):
        with pytest.raises(ValueError):
            validate_ori(bad)
    with pytest.raises(ValueError, match="differs from its ORI prefix"):
        Agency("WA0171500", "X", "OR", AgencyKind.POLICE, "America/Los_Angeles", Contact("R"))


def test_model_has_no_immigration_or_citizenship_field() -> None:
    from dataclasses import fields

    for cls in (Person, Record, PersonName, Identifier):
        names = {f.name for f in fields(cls)}
        assert not {
            n for n in names if any(w in n for w in ("immigra", "citizen", "alien", "birth_place"))
        }
    assert {k.value for k in IdentifierKind}.isdisjoint({"a-number", "passport", "visa"})


text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=12)
opt_text = st.none() | text
dates = st.builds(date, st.integers(1950, 2026), st.integers(1, 12), st.integers(1, 28))
partials = st.builds(PartialDate, st.integers(1900, 2020), st.none() | st.integers(1, 12)).map(
    lambda p: p if p.month is None else PartialDate(p.year, p.month, 15)
) | st.builds(PartialDate, st.integers(1900, 2020))
names = st.builds(PersonName, text, opt_text, opt_text, opt_text)
phones = st.builds(Phone, text, st.sampled_from(PhoneKind), opt_text, opt_text)
addresses = st.builds(
    Address,
    text,
    st.lists(st.tuples(text, text), max_size=3).map(tuple),
    opt_text,
    st.sampled_from(["street", "po-box", "intersection", "unparsed"]),
)
persons = st.builds(
    Person,
    ref=text,
    role=st.sampled_from(Role),
    name=names,
    aliases=st.lists(names, max_size=2).map(tuple),
    monikers=st.lists(text, max_size=2).map(tuple),
    dob=st.none() | partials,
    sex=st.none() | st.sampled_from(Sex),
    race=st.none() | st.sampled_from(Race),
    height_in=st.none() | st.integers(36, 96),
    weight_lb=st.none() | st.integers(60, 500),
    eye=st.none() | st.sampled_from(EyeColor),
    hair=st.none() | st.sampled_from(HairColor),
    marks=st.lists(
        st.builds(Mark, opt_text, opt_text, opt_text, opt_text, opt_text), max_size=2
    ).map(tuple),
    phones=st.lists(phones, max_size=2).map(tuple),
    addresses=st.lists(addresses, max_size=2).map(tuple),
    identifiers=st.lists(
        st.builds(Identifier, st.sampled_from(IdentifierKind), text, opt_text), max_size=2
    ).map(tuple),
)
records = st.builds(
    Record,
    owner=st.just("WA0170000"),
    source_id=text,
    type=st.sampled_from(RecordType),
    occurred=st.none() | dates,
    reported=st.none() | dates,
    offenses=st.lists(
        st.builds(Offense, st.sampled_from(["13A", "220", "90Z"]), opt_text), max_size=2
    ).map(tuple),
    sensitivity=st.sampled_from(Sensitivity),
    narrative=opt_text,
    persons=st.lists(persons, max_size=3).map(tuple),
    locations=st.lists(st.builds(Location, text, addresses), max_size=2).map(tuple),
    vehicles=st.lists(
        st.builds(
            Vehicle,
            opt_text,
            opt_text,
            opt_text,
            opt_text,
            opt_text,
            opt_text,
            st.none() | st.integers(1950, 2027),
            opt_text,
        ),
        max_size=2,
    ).map(tuple),
    phones=st.lists(phones, max_size=2).map(tuple),
)


@settings(max_examples=150)
@given(records)
def test_codec_round_trips_every_record(record: Record) -> None:
    as_dict = record_to_dict(record)
    assert record_from_dict(as_dict) == record
    # Canonical text is stable: decoding and re-encoding gives the same bytes and digest.
    assert canonical_json(record_to_dict(record_from_dict(as_dict))) == canonical_json(as_dict)
    assert record_digest(as_dict) == record_digest(record_to_dict(record_from_dict(as_dict)))


def test_digest_golden_vector() -> None:
    record = Record(
        "WA0170000",
        "24-000001",
        RecordType.INCIDENT,
        occurred=date(2026, 1, 2),
        persons=(Person("P1", Role.VICTIM, PersonName("Examplé", "Ann")),),
    )
    assert canonical_json(record_to_dict(record)) == (
        '{"occurred":"2026-01-02","owner":"WA0170000","persons":[{"name":{"first":"Ann",'
        '"last":"Examplé"},"ref":"P1","role":"victim"}],"sensitivity":"standard",'
        '"source_id":"24-000001","type":"incident"}'
    )
    # SHA-256 of the UTF-8 canonical text above; a change here changes every stored digest.
    assert record_digest(record_to_dict(record)) == (
        "4787fdea2849b61a0fdd3328afbcbb23b5737ef4946ade80bee6fc82e895b9d4"
    )
