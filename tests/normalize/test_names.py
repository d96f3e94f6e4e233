"""Names: folding, parsing, surname parts, phonetic keys, nickname groups."""

from __future__ import annotations

import pytest

from lexhub.model import PersonName
from lexhub.normalize import (
    fold,
    name_text,
    nickname_group,
    parse_name,
    phonetic_keys,
    surname_parts,
)


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("García-López", "GARCIA-LOPEZ"),
        ("  o'brien ", "OBRIEN"),
        ("Müller,  Jürgen", "MULLER JURGEN"),
        ("Straße", "STRASSE"),
        ("Łukasz Øster", "LUKASZ OSTER"),
        ("SMITH - JONES", "SMITH-JONES"),
        ("--Anne--Marie--", "ANNE-MARIE"),
        ("J.R.R. Tolkien", "J R R TOLKIEN"),
        ("李", ""),
    ],
)
def test_fold_gives_uppercase_ascii_with_hyphens_between_words(text: str, folded: str) -> None:
    assert fold(text) == folded


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("SMITH, JOHN MICHAEL", PersonName("SMITH", "JOHN", "MICHAEL")),
        ("SMITH, JOHN M. JR", PersonName("SMITH", "JOHN", "M", "JR")),
        ("Smith Jr., John", PersonName("Smith", "John", None, "Jr")),
        ("John Michael Smith Jr.", PersonName("Smith", "John", "Michael", "Jr")),
        ("Ana Garcia-Lopez", PersonName("Garcia-Lopez", "Ana")),
        ("de la Cruz, Maria", PersonName("de la Cruz", "Maria")),
        ("Maria de la Cruz", PersonName("de la Cruz", "Maria")),
        ("Ludwig van Beethoven", PersonName("van Beethoven", "Ludwig")),
        ("Mary Ann Lee Smith", PersonName("Smith", "Mary", "Ann Lee")),
        ("Madonna", PersonName("Madonna")),
        ("SMITH,", PersonName("SMITH")),
        (", John Smith", PersonName("Smith", "John")),
        ("José Núñez III", PersonName("Núñez", "José", None, "III")),
    ],
)
def test_parse_name_reads_comma_and_natural_order(text: str, name: PersonName) -> None:
    assert parse_name(text) == name


@pytest.mark.parametrize("text", ["", "   ", ",", "--", "..."])
def test_parse_name_rejects_text_without_a_name(text: str) -> None:
    with pytest.raises(ValueError, match="no name"):
        parse_name(text)


def test_parse_name_reads_back_its_own_text() -> None:
    for text in ("John Michael de la Cruz Jr", "Garcia Lopez,", "Smith Jr,"):
        name = parse_name(text)
        assert parse_name(name_text(name)) == name
    assert parse_name("Garcia Lopez,") == PersonName("Garcia Lopez")


@pytest.mark.parametrize(
    ("last", "parts"),
    [
        ("GARCIA-LOPEZ", ["GARCIA", "LOPEZ"]),
        ("Garcia Lopez", ["GARCIA", "LOPEZ"]),
        ("de la Cruz", ["DELACRUZ", "CRUZ"]),
        ("Van Der Berg-Smith", ["VANDERBERG", "BERG", "SMITH"]),
        ("Garcia y Lopez", ["GARCIA", "LOPEZ"]),
        ("Smith", ["SMITH"]),
        ("O'Brien", ["OBRIEN"]),
        ("", []),
    ],
)
def test_surname_parts_splits_compound_surnames(last: str, parts: list[str]) -> None:
    assert surname_parts(last) == parts


def test_phonetic_keys_are_tagged_and_match_sound_alikes() -> None:
    smith, smyth, schmidt = (set(phonetic_keys(n)) for n in ("Smith", "Smyth", "Schmidt"))
    assert "dm:SM0" in smith and "ny:SNAT" in smith
    assert smith & smyth
    assert smith & schmidt  # Double Metaphone alternate XMT/SMT family
    assert all(k.startswith(("dm:", "ny:")) for k in smith | smyth | schmidt)
    assert phonetic_keys("O'Brien") == phonetic_keys("OBRIEN")
    assert phonetic_keys("1234") == ()


def test_phonetic_keys_never_collide_across_algorithms() -> None:
    keys = phonetic_keys("Ann")
    values = [k.split(":", 1)[1] for k in keys]
    # Even when both algorithms give the same code, the tags keep them apart.
    assert len(set(keys)) == len(keys) and len(values) == len(keys)


def test_nickname_group_links_nicknames_and_formal_names() -> None:
    bill, william = nickname_group("Bill"), nickname_group("WILLIAM")
    assert "WILLIAM" in bill and "BILL" in bill
    assert bill & william
    assert "MARGARET" in nickname_group("peggy")
    assert nickname_group("Peggy") & nickname_group("Margaret")
    assert nickname_group("Zyxwv") == frozenset({"ZYXWV"})
    assert nickname_group("") == frozenset()
