"""A typed date of birth that decides, and an age range against a year recorded alone.

"Pruitt, born 1990-03-04": a Pruitt born in 1955 cannot be a hit (the date contradicts
the one typed and the surname alone does not outweigh it), so such mentions must not
take the places among the scored candidates from a Pruitt without a recorded date, who
can. "A man of 30 to 40 called Ghost": a year of birth recorded alone fits the range
no better than a full date of birth at the middle of it, and among more candidates alike
than are scored, those born nearest that middle are the ones scored. Also: a moniker with
a hyphen, and a name matched as recorded before the same name matched as an alias. Both
engines (`store`).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from lexhub.model import Mark, PersonName, Record, Scope, Withholding
from lexhub.search import PersonQuery
from lexhub.search.engine import CANDIDATES
from lexhub.search.plan import plan_person
from lexhub.search.score import dob_decides
from lexhub.store import Store
from tests.search.conftest import TODAY, A, B, C, F, M, load_corpus, person, record, run


def _born_elsewhere(n: int) -> tuple[Record, ...]:
    """`n` Pruitts born in the 1950s, loaded first (the lowest ids)."""
    return tuple(
        record(f"A-{i:04d}", person("Pruitt", f"Lee{i}", f"{1950 + i % 9}-0{1 + i % 9}-1{i % 9}"))
        for i in range(n)
    )


EXACT = record("B-7000", person("Pruitt", "Dana", "1990-03-04"), owner=B)
# Loaded after the crowd (the same owner: higher ids).
UNDATED = record("A-7001", person("Pruitt", "Robin", None))
YEAR_DIGIT = record("A-7002", person("Pruitt", "Kim", "1980-03-04"))  # one digit out
QUERY = PersonQuery(last="pruitt", dob="1990-03-04")


def _sources(store: Store, query: PersonQuery, scope: Scope | None = None) -> list[str | None]:
    result = run(store, query, scope) if scope else run(store, query)
    return [h.source_id for h in result.hits]


def test_a_surname_and_date_reach_past_namesakes_born_in_other_years(
    store: Store, tmp_path: Path
) -> None:
    crowd = _born_elsewhere(CANDIDATES + 50)
    load_corpus(store, tmp_path, (*crowd, UNDATED, YEAR_DIGIT, EXACT))
    found = _sources(store, QUERY)
    assert found[0] == "B-7000"
    # Without a recorded date (possible) and one digit out in the year: both still hits,
    # though hundreds of Pruitts hold the surname key with lower ids.
    assert "A-7001" in found
    assert "A-7002" in found
    assert not any(s and s.startswith("A-0") for s in found)


def test_a_withheld_date_of_birth_does_not_decide(store: Store, tmp_path: Path) -> None:
    # Leaving out a Pruitt born in 1955 for his date would reveal it to a requester from
    # whom it is withheld: he stays a candidate and, scored without the date, a hit.
    load_corpus(store, tmp_path, (*_born_elsewhere(2), EXACT))
    assert "A-0000" not in _sources(store, QUERY)
    no_dob = Scope.full_access([A, B, C], withhold=(Withholding(frozenset({"person.dob"})),))
    assert {"A-0000", "A-0001", "B-7000"} <= set(_sources(store, QUERY, no_dob))


def test_which_queries_a_date_of_birth_decides(store: Store) -> None:
    def decides(q: PersonQuery) -> bool:
        return dob_decides(plan_person(store, q, TODAY))

    assert decides(QUERY)
    assert decides(PersonQuery(last="Pruitt", first="Dana", middle="J", dob="1990-03-04"))
    assert decides(PersonQuery(first="Dana", dob="1990-03-04"))
    # A phone or an alias beside the name can outweigh a wrong date: it does not decide.
    assert not decides(PersonQuery(last="Pruitt", first="Dana", dob="1990-03-04",
                                   phone="206-555-0142"))  # fmt: skip
    assert not decides(PersonQuery(last="Pruitt", first="Dana", alias="Dee Pruitt",
                                   dob="1990-03-04"))  # fmt: skip
    assert not decides(PersonQuery(last="Pruitt", dob="1990"))  # a year: scored, not cut


def test_a_year_of_birth_alone_does_not_outrank_a_date_at_the_middle_of_an_age_range(
    store: Store, tmp_path: Path
) -> None:
    # Ages on 2026-01-15: born 1991 is 34 or 35; born 1990-06-01 is 35, the middle of
    # 30-40. The year alone was loaded first (the lower id: it won the tie before).
    year_only = record("A-7100", person("Oakes", "Ty", "1991", sex=M, monikers=("GHOST",)))
    full = record("B-7101", person("Varga", "Eli", "1990-06-01", sex=M, monikers=("GHOST",)),
                  owner=B)  # fmt: skip
    load_corpus(store, tmp_path, (year_only, full))
    assert TODAY == date(2026, 1, 15)
    result = run(store, PersonQuery(alias="ghost", sex=M, age_min=30, age_max=40))
    assert [h.source_id for h in result.hits] == ["B-7101", "A-7100"]
    assert result.hits[0].score > result.hits[1].score
    assert "age: 34 or 35 (born 1991) in 30-40" in result.hits[1].why
    assert "age: 35 in 30-40" in result.hits[0].why


def test_among_more_alike_candidates_than_are_scored_those_nearest_the_age_come_first(
    store: Store, tmp_path: Path
) -> None:
    # More men with a snake on the left arm, all inside "26 to 32", than the engine
    # scores; they are 26 or 32 and were loaded first (the lowest ids). The man of 29,
    # the middle of the range, is still a candidate and first.
    snake = Mark("TAT L ARM", "SNAKE")
    edges = tuple(
        record(
            f"A-{i:04d}",
            person(
                f"Edge{i}", "Pat", "1993-06-01" if i % 2 else "1999-12-01", sex=M, marks=(snake,)
            ),
        )  # fmt: skip
        for i in range(CANDIDATES + 50)
    )
    middle = record("A-7200", person("Vance", "Eli", "1996-06-20", sex=M, marks=(snake,)))
    load_corpus(store, tmp_path, (*edges, middle))
    query = PersonQuery(mark="serpent tattoo on the left forearm", sex=M, age_min=26, age_max=32)
    result = run(store, query)
    assert result.hits[0].source_id == "A-7200"
    assert result.hits[0].score > result.hits[1].score
    assert result.candidates == CANDIDATES


def test_a_hyphenated_moniker_is_matched_however_its_hyphen_is_typed(
    store: Store, tmp_path: Path
) -> None:
    # The moniker key is compact (TBONE); the scorer compared "T-BONE" as recorded and
    # found no match, so a woman known as T-Bone was a candidate but never a hit.
    tbone = record("A-7300", person("Rutland", "Ariel", "1992-04-27", sex=F,
                                    monikers=("T-BONE",)))  # fmt: skip
    load_corpus(store, tmp_path, (tbone,))
    for typed in ("T-Bone", "t bone", "TBONE"):
        result = run(store, PersonQuery(alias=typed, sex=F, age_min=30, age_max=36))
        assert [h.source_id for h in result.hits] == ["A-7300"], typed
        assert "moniker TBONE" in result.hits[0].why
    named = run(store, PersonQuery(last="Rutland", first="T-Bone"))
    assert "first name: moniker TBONE" in named.hits[0].why


def test_a_name_matched_as_recorded_ranks_above_the_same_name_matched_as_an_alias(
    store: Store, tmp_path: Path
) -> None:
    # Paul once gave Juan's name (his alias) and was loaded first: the lower id won the
    # tie before. Both remain hits; the alias one says so.
    paul = record("A-7400", person("Gorman", "Paul", "1976-01-03", sex=M,
                                   aliases=(PersonName("Gorman", "Juan"),)))  # fmt: skip
    juan = record("A-7401", person("Gorman", "Juan", "1997-03-10", sex=M))
    load_corpus(store, tmp_path, (paul, juan))
    result = run(store, PersonQuery(last="Gorma", first="Juan"))
    assert [h.source_id for h in result.hits] == ["A-7401", "A-7400"]
    assert result.hits[0].score > result.hits[1].score
    assert "alias" in result.hits[1].why and "alias" not in result.hits[0].why
    # Asked by alias, the alias is a full match.
    by_alias = run(store, PersonQuery(alias="Juan Gorman"))
    assert by_alias.hits[0].score == 1.0
