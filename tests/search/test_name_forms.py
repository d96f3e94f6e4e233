"""Name forms the nickname table and the edit allowance used to miss, on both engines.

A pet form built on a short form (ROBBIE on ROB, for ROBERT), a surname typed a letter
short (KOL for KOLB, WIKLIMS for WILLIAMS: the longer name sets the edits allowed), a
moniker of two words, and the clipped form or the spelling neighbour of a name the
vocabulary also holds misspelt, many times over at a million records.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from lexhub.search import PersonQuery, SearchResult
from lexhub.search.plan import plan_person
from lexhub.store import Store, open_store
from tests.search.conftest import M, load_corpus, person, record, run

RECORDS = (
    record("A-500", person("Triggs", "Robert", "1992-08-06", sex=M)),
    record("A-501", person("Triggs", "Ronald", "1990-02-11", sex=M)),
    record("A-502", person("Triggs", "Reuben", "1994-12-30", sex=M)),
    record("A-510", person("Kolb", "Henry", "1987-05-23", sex=M)),
    record("A-511", person("Koll", "Greta", "1986-01-05")),
    record("A-520", person("Williams", "Joseph", "1987-05-17", sex=M)),
    record("A-521", person("Wilkins", "Joseph", "1987-09-02", sex=M)),
    record("A-530", person("James", "Ryan", "1992-05-25", sex=M, monikers=("BABY GIRL",))),
    record("A-531", person("Girl", "Bailey", "1993-03-03")),
    # TOPHER clips CHRISTOPHER and, in the vocabulary, four misspellings of it as well.
    *(
        record(f"A-54{i}", person(last, "Christopher", f"19{80 + i}-01-0{1 + i}", sex=M))
        for i, last in enumerate(("Vance", "Oduya", "Pratt"))
    ),
    *(
        record(f"A-55{i}", person("Marsh", first, f"19{70 + i}-02-0{1 + i}", sex=M))
        for i, first in enumerate(("Chistopher", "Chritopher", "Cristopher", "Kristopher"))
    ),
    # TRYGGS is one edit from TRIGGS (held three times above) and from nine misspellings
    # held once each, all of which come before TRIGGS in alphabetical order.
    *(
        record(f"A-56{i}", person(f"T{letter}yggs", "Lee", f"19{60 + i}-03-0{1 + i}"))
        for i, letter in enumerate("abcdefghi")
    ),
)  # fmt: skip


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def forms(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Store]:
    directory = tmp_path_factory.mktemp("forms")
    make: Callable[[], str] | None = (
        request.getfixturevalue("new_pg_url") if request.param == "postgres" else None
    )
    url = make() if make else f"sqlite:///{directory}/forms.db"
    with open_store(url) as store:
        store.migrate()
        load_corpus(store, directory, RECORDS)
        yield store


def _sources(result: SearchResult) -> list[str | None]:
    return [h.source_id for h in result.hits]


def test_a_pet_form_the_nickname_table_lacks_finds_the_formal_name(forms: Store) -> None:
    # The nicknames table lists ROBBIE only under ROBERTA; ROB, under the ending, is ROBERT.
    result = run(forms, PersonQuery(last="Triggs", first="Robbie"))
    assert _sources(result)[0] == "A-500", _sources(result)
    assert "nickname ROBBIE = ROBERT" in result.hits[0].why
    assert all(h.score < result.hits[0].score for h in result.hits[1:])


def test_a_short_surname_typed_a_letter_short_finds_the_longer_one(forms: Store) -> None:
    result = run(forms, PersonQuery(last="Kol", first="Henry"))
    assert _sources(result)[0] == "A-510", _sources(result)
    assert "spelling KOL ~ KOLB (1 edit)" in result.hits[0].why
    assert all(h.score < result.hits[0].score for h in result.hits[1:])


def test_two_slips_in_a_long_surname_typed_a_letter_short_still_find_it(
    forms: Store,
) -> None:
    # WILLIAMS (8 letters, two edits allowed) typed WIKLIMS (7 letters).
    result = run(forms, PersonQuery(last="Wiklims", dob="1987"))
    assert _sources(result)[0] == "A-520", _sources(result)
    assert "WIKLIMS ~ WILLIAMS (2 edits)" in result.hits[0].why
    # WILKINS is two edits from WIKLIMS too, but both have seven letters: one is allowed.
    assert "A-521" not in _sources(result)


def test_a_moniker_of_two_words_finds_its_holder(forms: Store) -> None:
    result = run(forms, PersonQuery(alias="Baby Girl"))
    assert _sources(result)[0] == "A-530", _sources(result)
    assert "moniker BABYGIRL" in result.hits[0].why


def test_a_clipped_name_expands_to_the_full_name_most_mentions_hold(forms: Store) -> None:
    plan = plan_person(forms, PersonQuery(last="Vance", first="Topher"), date(2026, 1, 15))
    pairs = {p.key for p in plan.probes if p.kind == "nm"}
    assert "CHRISTOPHER|VANCE" in pairs
    # Four of the five names TOPHER clips are expanded: the one held three times first.
    assert len([k for k in pairs if k.endswith("TOPHER|VANCE") and k != "TOPHER|VANCE"]) == 4


def test_the_spelling_neighbours_expanded_are_the_names_most_mentions_hold(
    forms: Store,
) -> None:
    plan = plan_person(forms, PersonQuery(last="Tryggs", first="Robert"), date(2026, 1, 15))
    pairs = {p.key for p in plan.probes if p.kind == "nm"}
    assert "ROBERT|TRIGGS" in pairs
