"""Queries that name one name alone (a surname, a moniker) with a birth year or an age range.

Such a key is held by many mentions at scale (SMITH, RED), all weighing the same, and the
candidate cap keeps the first ones in id order; so the year and sex the query gives narrow
the candidates in the SQL, as they do for a tattoo. Each case has more same-name decoys
than the engine scores, loaded before the person. Both engines (`store`).
"""

from __future__ import annotations

from pathlib import Path

from lexhub.search import PersonQuery, SearchResult
from lexhub.search.engine import CANDIDATES
from lexhub.store import Store
from tests.search.conftest import F, M, load_corpus, person, record, run

DECOYS = CANDIDATES + 50
GARROWS = tuple(
    record(f"A-{i:04d}", person("Garrow", f"Kin{i}", f"{1950 + i % 40}-02-0{1 + i % 9}",
                                sex=M if i % 3 else F))
    for i in range(DECOYS)
    if 1950 + i % 40 != 1994
)  # fmt: skip
NADIA = record("B-9000", person("Garrow", "Nadia", "1994-06-02", sex=F))
REDS = tuple(
    record(f"A-{5000 + i:04d}", person(f"Red{i}", "Pat", f"19{40 + i % 15}-05-1{i % 9}",
                                       sex=F if i % 2 else M, monikers=("RED",)))
    for i in range(DECOYS)
)  # fmt: skip
RED = record("B-9001", person("Shain", "Joshua", "1995-12-14", sex=M, monikers=("RED",)))


def _sources(result: SearchResult) -> list[str | None]:
    return [h.source_id for h in result.hits]


def test_a_surname_and_a_birth_year_find_the_person_among_many_namesakes(
    store: Store, tmp_path: Path
) -> None:
    load_corpus(store, tmp_path, (*GARROWS, NADIA))
    result = run(store, PersonQuery(last="Garrow", dob="1994"))
    assert _sources(result)[0] == "B-9000", _sources(result)[:5]
    assert len(result.hits) == 1  # namesakes born in other years are not candidates


def test_a_moniker_sex_and_age_find_the_person_among_many_holders(
    store: Store, tmp_path: Path
) -> None:
    load_corpus(store, tmp_path, (*REDS, RED))
    result = run(store, PersonQuery(alias="Red", sex=M, age_min=27, age_max=33))
    assert _sources(result)[0] == "B-9001", _sources(result)[:5]


def test_a_full_name_is_not_narrowed_by_a_wrong_birth_year(store: Store, tmp_path: Path) -> None:
    # With a first name beside it the keys are selective: a year typed wrong costs score,
    # not the person.
    load_corpus(store, tmp_path, (*GARROWS[:20], NADIA))
    result = run(store, PersonQuery(last="Garrow", first="Nadia", dob="1993"))
    assert _sources(result)[0] == "B-9000", _sources(result)[:5]
