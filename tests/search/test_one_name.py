"""Queries that name one name alone (a surname, a moniker) with a birth year, an age range
or a date of birth.

Such a key is held by many mentions at scale (SMITH, RED), all weighing the same, and the
candidate cap keeps the first ones in id order; so the year and sex the query gives narrow
the candidates in the SQL, as they do for a tattoo, and the dates one digit away from a
typed date count only beside the name typed. Each case has more decoys than the engine
scores, loaded before the person. Both engines (`store`).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lexhub.model import Scope, Withholding
from lexhub.search import PersonQuery, SearchResult, plan
from lexhub.search.engine import CANDIDATES
from lexhub.store import Store
from tests.search.conftest import TODAY, A, B, C, F, M, load_corpus, person, record, run

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
# Born on the days one digit away from 1976-03-18, as a typed date with one slip would be.
NEIGHBOURS = tuple(
    record(f"A-{7000 + i:04d}", person(f"Near{i}", "Dana", day))
    for i, day in enumerate(
        d for d in ("1976-03-19", "1976-03-28", "1976-04-18", "1976-02-18", "1966-03-18",
                    "1977-03-18", "1986-03-18", "1976-03-13", "1976-03-16")
        for _ in range(DECOYS // 8)
    )
)  # fmt: skip
ROBERT = record("B-9002", person("Bjornberg", "Robert", "1986-03-18", sex=M))
# Thirty other Roberts, born years apart: the given name alone is a broad key here.
OTHER_ROBERTS = tuple(
    record(f"A-{8000 + i:04d}", person(f"Other{i}", "Robert", f"19{50 + i}-07-07"))
    for i in range(30)
)


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


def test_a_given_name_and_a_date_one_digit_out_find_the_person(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As in a region of a million, where thousands are called Robert and the given name
    # alone is too broad a key: here 30 are, and the planner's limit is lowered to 20.
    monkeypatch.setattr(plan, "BROAD", 20)
    load_corpus(store, tmp_path, (*OTHER_ROBERTS, *NEIGHBOURS, ROBERT))
    result = run(store, PersonQuery(first="Robert", dob="1976-03-18"))
    assert _sources(result)[0] == "B-9002", _sources(result)[:5]
    assert "one digit" in result.hits[0].why


def test_a_withheld_name_does_not_bind_a_near_date(store: Store, tmp_path: Path) -> None:
    # Matching the near date only beside the name would reveal the name: with the name
    # withheld the probe matches nothing, and no other key finds him either.
    load_corpus(store, tmp_path, (*NEIGHBOURS[:5], ROBERT))
    no_name = Scope.full_access([A, B, C], withhold=(Withholding(frozenset({"person.name"})),))
    assert "B-9002" not in _sources(run(store, PersonQuery(first="Robert", dob="1976-03-18"),
                                        no_name))  # fmt: skip
    assert "B-9002" in _sources(run(store, PersonQuery(first="Robert", dob="1976-03-18")))


@pytest.mark.parametrize("near", [5, len(NEIGHBOURS)], ids=["few-near-dates", "many-near-dates"])
def test_a_near_date_is_paired_with_the_name_from_the_smaller_side(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, near: int
) -> None:
    # 31 Roberts; 5 or 250 people born a digit away. The pairing reads the dates' keys
    # filtered on the name when the dates are fewer, the name's keys filtered on the
    # dates when the name is: the same person either way.
    monkeypatch.setattr(plan, "BROAD", 20)
    load_corpus(store, tmp_path, (*OTHER_ROBERTS, *NEIGHBOURS[:near], ROBERT))
    query = PersonQuery(first="Robert", dob="1976-03-18")
    probes = plan.plan_person(store, query, TODAY).probes
    dated = [p for p in probes if p.dobs]
    bound = [p for p in probes if p.names]
    if near == 5:
        assert bound and not dated
    else:
        assert dated and not bound
        assert {(p.kind, p.key) for p in dated} >= {("fn", "ROBERT"), ("ln", "ROBERT")}
    result = run(store, query)
    assert _sources(result)[0] == "B-9002", _sources(result)[:5]
    assert "one digit" in result.hits[0].why
    # A withheld date of birth pairs with nothing: the near date would reveal it.
    no_dob = Scope.full_access([A, B, C], withhold=(Withholding(frozenset({"person.dob"})),))
    assert "B-9002" not in _sources(run(store, query, no_dob))


def test_a_name_bound_to_near_dates_does_not_replace_the_name_alone(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ROBERT alone (31 hold it, under the limit here) and ROBERT born a digit away are two
    # probes: the heavier bound one must not stand in for the key alone, which also
    # finds a Robert whose date was typed further off.
    monkeypatch.setattr(plan, "BROAD", 40)
    load_corpus(store, tmp_path, (*OTHER_ROBERTS, *NEIGHBOURS, ROBERT))
    probes = plan.plan_person(store, PersonQuery(first="Robert", dob="1976-03-18"), TODAY).probes
    fn = [p for p in probes if (p.kind, p.key) == ("fn", "ROBERT")]
    assert {bool(p.dobs) for p in fn} == {True, False}, fn
