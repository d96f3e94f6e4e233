"""What a search returns, on both engines: scores, ranking, bands, explanations, pages,
record queries, and the same top hits on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from datetime import date

import pytest

from lexhub.model import RecordType
from lexhub.normalize.names import fold
from lexhub.search import Band, Hit, PersonQuery, Query, RecordQuery, SearchResult
from lexhub.store import Store
from tests.search.conftest import (
    BY_SOURCE,
    RECORDS,
    SAMPLE_QUERIES,
    A,
    B,
    Who,
    assert_top,
    describe,
    fixture_person,
    mentions_named,
    run,
    who,
)

QUERY_IDS = [f"q{i}" for i in range(len(SAMPLE_QUERIES))]


@pytest.fixture(scope="module")
def answers(corpus: Store) -> list[tuple[Query, SearchResult]]:
    """Every sample query's first page, asked once per engine."""
    return [(q, run(corpus, q, page_size=100)) for q in SAMPLE_QUERIES]


def id_of(hit: Hit) -> int:
    value = hit.mention_id if hit.mention_id is not None else hit.record_id
    assert value is not None, f"a full hit without ids: {hit}"
    return value


# --- Scores, ranking, bands ---------------------------------------------------------------


def test_every_query_finds_something(answers: list[tuple[Query, SearchResult]]) -> None:
    # Each sample query is about someone or something in the data: an engine that finds
    # nothing would pass every property below vacuously.
    empty = [q for q, r in answers if not r.hits]
    assert not empty


def test_scores_and_evidence_scores_lie_between_0_and_1(
    answers: list[tuple[Query, SearchResult]],
) -> None:
    for query, result in answers:
        for hit in result.hits:
            assert 0.0 <= hit.score <= 1.0, (query, hit)
            assert all(0.0 <= e.score <= 1.0 for e in hit.evidence), (query, hit)


def assert_ranked(query: Query, result: SearchResult) -> None:
    for a, b in zip(result.hits, result.hits[1:], strict=False):
        assert a.score >= b.score, (query, describe(result))
        if a.score == b.score:
            assert id_of(a) < id_of(b), (query, describe(result))


def _person_key(hit: Hit) -> tuple[float, object, object, object]:
    return (hit.score, hit.person.get("last"), hit.person.get("first"), hit.person.get("dob"))


def assert_person_ranked(query: Query, result: SearchResult) -> None:
    """By score; among equal scores, each person (name and date of birth as shown) once
    before anyone again, and by id within each of the two."""
    seen: set[tuple[float, object, object, object]] = set()
    order: list[tuple[float, bool, int]] = []
    for hit in result.hits:
        key = _person_key(hit)
        order.append((-hit.score, key in seen, id_of(hit)))
        seen.add(key)
    assert order == sorted(order), (query, describe(result))


def test_person_hits_are_ranked_by_score_with_ties_broken_by_id(
    answers: list[tuple[Query, SearchResult]],
) -> None:
    for query, result in answers:
        if isinstance(query, PersonQuery) and not query.plate:
            assert_person_ranked(query, result)


def test_record_hits_are_ranked_by_score_with_ties_broken_by_id(corpus: Store) -> None:
    # Every record fits a filter-only query equally: the ranking is the tie-break alone.
    for query in (
        RecordQuery(plate="ABC*12"),
        RecordQuery(offense="220"),
        RecordQuery(record_type=RecordType.FIELD_INTERVIEW),
    ):
        result = run(corpus, query, page_size=100)
        assert len(result.hits) >= 2, describe(result)
        assert_ranked(query, result)


def test_identical_mentions_tie_and_come_in_id_order(corpus: Store) -> None:
    result = run(corpus, PersonQuery(last="Ostrowski", first="Helga", dob="1955-05-05"))
    helga = [h for h in result.hits if who(h) in mentions_named("Ostrowski")]
    assert len(helga) == 3, describe(result)
    assert len({h.score for h in helga}) == 1, describe(result)
    assert [id_of(h) for h in helga] == sorted(id_of(h) for h in helga)
    # Within one batch ids follow the file: B-130 was written before B-131.
    order = [h.source_id for h in helga if h.owner == B]
    assert order == ["B-130", "B-131"]


def test_bands_follow_the_score(answers: list[tuple[Query, SearchResult]]) -> None:
    for query, result in answers:
        likely = [h.score for h in result.hits if h.band is Band.LIKELY]
        possible = [h.score for h in result.hits if h.band is Band.POSSIBLE]
        if likely and possible:
            assert min(likely) > max(possible), (query, describe(result))


@pytest.mark.parametrize(
    ("query", "target"),
    [
        (PersonQuery(last="Reyes", first="Marisol", dob="1989-07-03"), Who(A, "A-060")),
        (PersonQuery(last="Smyth", first="Gareth", dob="1970-03-21"), Who(A, "A-020")),
        (PersonQuery(last="Hargrove", first="Bill", dob="1966-04-04"), Who(A, "A-030")),
    ],
    ids=["exact", "exact-2", "nickname-and-dob"],
)
def test_a_name_and_date_of_birth_that_agree_are_likely(
    corpus: Store, query: PersonQuery, target: Who
) -> None:
    result = run(corpus, query)
    assert_top(result, {target})
    assert result.hits[0].band is Band.LIKELY, describe(result)


@pytest.mark.parametrize(
    "query",
    [
        PersonQuery(last="Fairweather", first="Zebulon", dob="1950-01-01"),
        PersonQuery(last="Quist", first="Annika", dob="1999-09-30"),
        PersonQuery(last="Kowalczyk", first="Margaret", dob="1940-02-02"),
        PersonQuery(last="Li", first="Xiaoming", dob="2001-12-12"),
        PersonQuery(last="Smith", first="Robert", dob="1955-01-01"),
        PersonQuery(phone="(907) 555-0199"),
    ],
    ids=["unknown", "unknown-2", "known-surname", "short-surname", "common-name", "phone"],
)
def test_a_person_not_in_the_data_has_no_likely_hit(corpus: Store, query: PersonQuery) -> None:
    result = run(corpus, query)
    assert not [h for h in result.hits if h.band is Band.LIKELY], describe(result)


def test_a_person_with_no_resemblance_to_anyone_finds_nothing(corpus: Store) -> None:
    result = run(corpus, PersonQuery(last="Fairweather", first="Zebulon", dob="1950-01-01"))
    assert result.hits == () and result.total == 0, describe(result)


# --- Explanations ------------------------------------------------------------------------


def evidence_text(result: SearchResult, target: Who) -> str:
    hit = next((h for h in result.hits if h.source_id and who(h) == target), None)
    assert hit is not None, f"{target} not found:\n" + describe(result)
    assert hit.evidence, f"{target} has no explanation"
    return hit.why.upper()


Q = PersonQuery
EXPLAINED: dict[str, tuple[Query, Who, str]] = {
    "phonetic-last": (Q(last="Smith", first="Gareth"), Who(A, "A-020"), r"PHONETIC|SMYTH"),
    "phonetic-first": (Q(last="Walsh", first="Katherine"), Who(A, "A-023"), r"PHONETIC|CATH"),
    "nickname": (Q(last="Hargrove", first="Bill"), Who(A, "A-030"), r"NICKNAME|WILLIAM"),
    "dob-transposed": (
        Q(last="Reyes", first="Marisol", dob="1989-03-07"),
        Who(A, "A-060"),
        r"TRANSPOS",
    ),
    "swapped": (Q(last="Paul", first="Bernard"), Who(A, "A-040"), r"SWAP|REVERS|ORDER"),
    "initial": (Q(last="Okafor", first="J"), Who(A, "A-042"), r"INITIAL"),
    "compound": (Q(last="Garcia", first="Ana"), Who(A, "A-044"), r"GARCIA-?LOPEZ|PART|COMPOUND"),
    "alias": (Q(last="Carter", first="Desmond"), Who(A, "A-050"), r"ALIAS"),
    "moniker": (Q(alias="Smoke"), Who(A, "A-050"), r"MONIKER|ALIAS"),
    "typo": (Q(last="Kovalczyc", first="Theodore"), Who(A, "A-001"), r"KOWALCZYK|EDIT|TYPO"),
    "phone": (Q(phone="555-0172"), Who(A, "A-070"), r"PHONE"),
    "address": (Q(address="123 N MAIN ST #4"), Who(A, "A-080"), r"ADDRESS"),
    "plate": (Q(plate="8OS5I2"), Who(A, "A-090"), r"PLATE"),
    "tattoo": (Q(mark="dragon tattoo on the left arm"), Who(A, "A-100"), r"DRAGON"),
}


@pytest.mark.parametrize(("query", "target", "pattern"), EXPLAINED.values(), ids=EXPLAINED)
def test_the_explanation_names_how_each_field_matched(
    corpus: Store, query: Query, target: Who, pattern: str
) -> None:
    text = evidence_text(run(corpus, query), target)
    assert re.search(pattern, text), f"{pattern!r} not in {text!r}"


def test_the_explanation_goes_field_by_field(corpus: Store) -> None:
    result = run(corpus, PersonQuery(last="Hargrove", first="Bill", dob="1966-04-04"))
    hit = result.hits[0]
    assert who(hit) == Who(A, "A-030"), describe(result)
    fields = [e.field for e in hit.evidence]
    assert len(fields) == len(set(fields)), f"a field explained twice: {hit.why}"
    assert {"last name", "first name", "date of birth"} <= set(fields), hit.why
    assert all(e.text.startswith(f"{e.field}: ") for e in hit.evidence), hit.why
    assert all(e.text and e.score > 0 for e in hit.evidence), hit.evidence


# --- Identity, repetition, pages -------------------------------------------------------------


def test_a_hit_identifies_the_mention_and_its_record(
    answers: list[tuple[Query, SearchResult]],
) -> None:
    for query, result in answers:
        for hit in result.hits:
            assert hit.source_id is not None and hit.record_id is not None, (query, hit)
            rec = BY_SOURCE[(hit.owner, hit.source_id)]
            assert hit.record_type == rec.type.value
            assert hit.occurred == (rec.occurred.isoformat() if rec.occurred else None)
            if isinstance(query, PersonQuery):
                assert hit.mention_id is not None, (query, hit)
                person = fixture_person(who(hit))
                assert hit.person.get("last") == fold(person.name.last), (query, hit)
                assert hit.person.get("role") == person.role.value, (query, hit)
            else:
                assert hit.mention_id is None and hit.person == {}, (query, hit)


def test_the_same_mention_is_never_repeated(answers: list[tuple[Query, SearchResult]]) -> None:
    for query, result in answers:
        keys = [(h.owner, h.source_id, h.mention_id) for h in result.hits]
        assert len(keys) == len(set(keys)), (query, describe(result))


def test_a_mention_matched_by_name_alias_and_moniker_comes_once(corpus: Store) -> None:
    result = run(corpus, PersonQuery(last="Pruitt", first="Desmond", alias="Carter, Desmond"))
    pruitt = [h for h in result.hits if h.source_id == "A-050"]
    assert len(pruitt) == 1, describe(result)
    result = run(corpus, PersonQuery(alias="Smoke", last="Carter", first="Desmond"))
    assert len([h for h in result.hits if h.source_id == "A-050"]) == 1, describe(result)


def test_pages_continue_without_repeats(corpus: Store) -> None:
    query = PersonQuery(last="Hollis")
    everything = run(corpus, query, page_size=100)
    hollis = mentions_named("Hollis")
    assert {who(h) for h in everything.hits} >= hollis, describe(everything)
    assert everything.total == len(everything.hits)
    pages = [run(corpus, query, page=n, page_size=4) for n in range(1, 4)]
    assert [p.page for p in pages] == [1, 2, 3]
    assert all(p.total == everything.total and p.page_size == 4 for p in pages)
    assert pages[0].pages == -(-everything.total // 4)
    paged = [h for p in pages for h in p.hits]
    assert paged == list(everything.hits[:12])
    assert len(pages[0].hits) == len(pages[1].hits) == 4
    beyond = run(corpus, query, page=pages[0].pages + 1, page_size=4)
    assert beyond.hits == () and beyond.total == everything.total


# --- Record queries ------------------------------------------------------------------------


def source_ids(result: SearchResult) -> set[str]:
    return {h.source_id for h in result.hits if h.source_id}


def test_a_record_query_by_type_lists_every_record_of_that_type(corpus: Store) -> None:
    result = run(corpus, RecordQuery(record_type=RecordType.CITATION), page_size=100)
    expected = {r.source_id for r in RECORDS if r.type is RecordType.CITATION}
    assert source_ids(result) == expected, describe(result)


def test_a_record_query_by_offense_and_date_range(corpus: Store) -> None:
    start, end = date(2025, 6, 10), date(2025, 6, 30)
    result = run(corpus, RecordQuery(offense="220", date_from=start, date_to=end))
    expected = {
        r.source_id
        for r in RECORDS
        if any(o.code == "220" for o in r.offenses)
        and r.occurred is not None
        and start <= r.occurred <= end
    }
    assert expected and source_ids(result) == expected, describe(result)


def test_a_record_query_by_owner_and_type(corpus: Store) -> None:
    result = run(corpus, RecordQuery(owner=B, record_type=RecordType.INCIDENT), page_size=100)
    expected = {r.source_id for r in RECORDS if r.owner == B and r.type is RecordType.INCIDENT}
    assert expected and source_ids(result) == expected, describe(result)
    assert {h.owner for h in result.hits} == {B}


def test_a_record_query_by_location_in_other_words(corpus: Store) -> None:
    # A-150 says "4410 Lakeview Blvd", B-150 "4410 Lakeview Boulevard".
    result = run(corpus, RecordQuery(location="4410 LAKEVIEW BOULEVARD"))
    top = [h.source_id for h in result.hits[:2]]
    assert set(top) == {"A-150", "B-150"}, describe(result)


def test_a_record_query_by_phone(corpus: Store) -> None:
    result = run(corpus, RecordQuery(phone="206.555.0188"))
    assert result.hits and result.hits[0].source_id == "A-150", describe(result)


@pytest.mark.parametrize(
    ("words", "source_id"),
    [("crowbar", "A-150"), ("chainsaw taken", "B-150"), ("expired registration", "A-152")],
)
def test_a_record_query_by_narrative_words(corpus: Store, words: str, source_id: str) -> None:
    result = run(corpus, RecordQuery(text=words))
    assert result.hits and result.hits[0].source_id == source_id, describe(result)
    # Only records whose narrative shares a word can match free text.
    for hit in result.hits:
        narrative = (BY_SOURCE[(hit.owner, str(hit.source_id))].narrative or "").upper()
        assert any(w.upper() in narrative for w in words.split()), describe(result)


# --- The two engines agree ------------------------------------------------------------------

AGREEMENT_QUERIES: tuple[Query, ...] = (
    *SAMPLE_QUERIES,
    PersonQuery(last="Kim"),
    PersonQuery(last="Ng", first="Thanh"),
    PersonQuery(last="Donnelly", first="Peggy"),
    PersonQuery(last="Lopez", first="Ana"),
    PersonQuery(last="Reyes", dob="1989"),
    PersonQuery(phone="+1 503 555 0172"),
    PersonQuery(mark="TAT L ARM"),
    RecordQuery(record_type=RecordType.CITATION),
    RecordQuery(location="4410 Lakeview Blvd"),
)


def test_both_engines_give_the_same_top_hits(engines: tuple[Store, Store]) -> None:
    lite, pg = engines

    def top(store: Store, query: Query) -> list[tuple[str, str | None, str, float, str]]:
        result = run(store, query, page_size=5)
        return [
            (h.owner, h.source_id, who(h).ref if h.mention_id else "", round(h.score, 6), h.band)
            for h in result.hits
        ]

    differ = [
        (q, top(lite, q), top(pg, q)) for q in AGREEMENT_QUERIES if top(lite, q) != top(pg, q)
    ]
    assert not differ, "\n".join(f"{q}\n  sqlite:   {a}\n  postgres: {b}" for q, a, b in differ)
