"""normalize_record fills derived fields; index_record gives the keys search blocks on."""

from __future__ import annotations

from datetime import date

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
    Record,
    RecordType,
    Role,
    Sex,
    Vehicle,
)
from lexhub.model.index import SearchKey
from lexhub.normalize import cache_stats, index_record, normalize_record
from lexhub.normalize.keys import KEY_FIELDS, KEY_KINDS


def _person(ref: str = "P1", **fields: object) -> Person:
    base: dict[str, object] = {
        "ref": ref,
        "role": Role.SUSPECT,
        "name": PersonName("García-López", "Bill", "Ray"),
    }
    base.update(fields)
    return Person(**base)  # type: ignore[arg-type]


def _record(*persons: Person) -> Record:
    return Record(
        owner="WA0170000",
        source_id="R1",
        type=RecordType.INCIDENT,
        occurred=date(2024, 5, 1),
        offenses=(Offense("13a"),),
        persons=persons or (_person(),),
        locations=(Location("occurred", Address("Pike St & 1st Ave")),),
        vehicles=(Vehicle(plate="bos-5i2", plate_state="WA", vin="1hgcm82633a004352"),),
        phones=(Phone("206.555.0199"),),
    )


def _keys(person: Person) -> set[SearchKey]:
    record = normalize_record(_record(person))
    return set(index_record(record).mentions[0].keys)


def test_normalize_record_fills_every_derived_field() -> None:
    person = _person(
        phones=(Phone("(206) 555-0147 x12"),),
        addresses=(Address("123 north main st #4b"),),
        marks=(Mark(None, "tattoo of a dragon on left forearm"),),
    )
    record = normalize_record(_record(person))
    p = record.persons[0]
    assert (p.phones[0].e164, p.phones[0].extension) == ("+12065550147", "12")
    assert p.addresses[0].key == "123 N MAIN ST UNIT 4B" and p.addresses[0].components
    assert p.marks[0].code == "TAT L ARM"
    assert record.locations[0].address.kind == "intersection"
    assert record.vehicles[0].plate_key == "805512"
    assert record.phones[0].e164 == "+12065550199"
    assert record.vehicles[0].plate == "bos-5i2"  # what the agency wrote stays


def test_normalize_record_is_idempotent_and_leaves_the_input_alone() -> None:
    raw = _record(_person(phones=(Phone("555-0147"),), addresses=(Address("PO Box 9"),)))
    once = normalize_record(raw)
    assert normalize_record(once) == once
    assert raw.persons[0].phones[0].e164 is None


def test_mention_columns_are_folded() -> None:
    person = _person(dob=PartialDate(1987, 2, 11), sex=Sex.MALE, height_in=70)
    mention = index_record(normalize_record(_record(person))).mentions[0]
    assert (mention.last, mention.first, mention.middle) == ("GARCIA-LOPEZ", "BILL", "RAY")
    assert (mention.dob, mention.dob_year, mention.sex, mention.height_in) == (
        "1987-02-11",
        1987,
        "M",
        70,
    )
    assert mention.role == "suspect" and mention.ref == "P1"


def test_name_keys_cover_parts_phonetics_nicknames_and_swaps() -> None:
    keys = _keys(_person())
    assert ("ln", "GARCIALOPEZ") in keys
    assert {("lnp", "GARCIA"), ("lnp", "LOPEZ")} <= keys
    assert ("fn", "BILL") in keys and any(kind == "lnph" for kind, _ in keys)
    assert ("nmph", "KRSLPS|PL") in keys  # Double Metaphone of GARCIALOPEZ and BILL, a pair
    swapped = _keys(_person(name=PersonName("Bill", "Garcia-Lopez")))
    assert ("nm", "BILL|GARCIALOPEZ") in keys & swapped


def test_nicknames_are_left_to_the_query_not_stored_per_mention() -> None:
    # The planner expands BILL to WILLIAM's pair keys; a key per nickname would cost
    # every mention several rows (docs/normalization.md).
    bill = _keys(_person(name=PersonName("Smith", "Bill")))
    william = _keys(_person(name=PersonName("SMITH", "William")))
    assert ("nm", "SMITH|WILLIAM") in william and ("nm", "BILL|SMITH") in bill
    assert not any(kind in ("nick", "fnph") for kind, _ in bill | william)


def test_an_alias_and_a_moniker_find_the_person() -> None:
    keys = _keys(_person(aliases=(PersonName("Jones", "Robert"),), monikers=("Lil Bit",)))
    # Alias keys have their own kinds, so a grant withholding aliases can skip them.
    assert ("aln", "JONES") in keys and ("afn", "ROBERT") in keys
    assert ("ln", "JONES") not in keys
    assert ("mon", "LILBIT") in keys and ("afn", "LILBIT") in keys


def test_a_compound_surname_part_pairs_with_the_first_name() -> None:
    keys = _keys(_person(name=PersonName("Garcia-Lopez", "Juan")))
    assert {("nm", "GARCIA|JUAN"), ("nm", "JUAN|LOPEZ"), ("nm", "GARCIALOPEZ|JUAN")} <= keys


def test_dob_keys_tolerate_day_month_transposition() -> None:
    a = _keys(_person(dob=PartialDate(1987, 2, 11)))
    b = _keys(_person(dob=PartialDate(1987, 11, 2)))
    assert ("dobt", "1987:02:11") in a & b
    assert {("dob", "1987-02-11"), ("dobym", "1987-02")} <= a
    partial = _keys(_person(dob=PartialDate(1987)))
    # A year alone is scoring evidence, not a key: it would match a fiftieth of everyone.
    assert not any(k.startswith("dob") for k, _ in partial)


def test_phone_address_mark_and_identifier_keys() -> None:
    keys = _keys(
        _person(
            phones=(Phone("555-0147"),),
            addresses=(Address("123 N. Main Street Apt 4B"),),
            marks=(Mark(None, "tatt on neck says MOM"),),
            identifiers=(Identifier(IdentifierKind.STATE_ID, "wa-1234-567", "wa"),),
        )
    )
    assert ("ph7", "5550147") in keys
    assert {("addr", "123 N MAIN ST UNIT 4B"), ("street", "123 N MAIN ST")} <= keys
    assert {("smt", "TAT NECK"), ("smtp", "TAT NECK"), ("smtw", "MOM")} <= keys
    assert ("idv", "state-id:WA1234567") in keys


def test_record_level_keys() -> None:
    index = index_record(normalize_record(_record()))
    assert {
        ("plate", "805512"),
        ("vin", "1HGCM82633A004352"),
        ("ph", "+12065550199"),
        ("ph7", "5550199"),
        ("addr", "1ST AVE & PIKE ST"),
        ("off", "13A"),
    } <= set(index.keys)


def test_every_key_kind_is_documented_and_counts_stay_reasonable() -> None:
    person = _person(
        dob=PartialDate(1987, 2, 11),
        phones=(Phone("206-555-0147"), Phone("425-555-0100")),
        addresses=(Address("123 N. Main Street Apt 4B"),),
        marks=(Mark("TAT L ARM", "dragon"),),
        aliases=(PersonName("Jones", "Bob"),),
    )
    index = index_record(normalize_record(_record(person)))
    mention_kinds = {kind for kind, _ in index.mentions[0].keys}
    assert {kind for kind, _ in index.keys} <= set(KEY_KINDS)
    # Every mention kind names the field it reveals (withholding) and is documented,
    # alias kinds through their base kind.
    assert mention_kinds <= set(KEY_FIELDS)
    assert all(k in KEY_KINDS or k[1:] in KEY_KINDS for k in mention_kinds)
    assert 20 <= len(index.mentions[0].keys) <= 60
    assert len(set(index.mentions[0].keys)) == len(index.mentions[0].keys)


def test_cache_stats_report_the_parsed_share() -> None:
    normalize_record(_record())
    stats = cache_stats()
    assert 0 < stats["parsed_share"] <= 1
    assert stats["addresses"]["calls"] >= 1
