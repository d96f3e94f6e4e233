"""Hits that score alike: each person once before anyone again, then by id. Both engines.

A person on many records (a much-arrested namesake, a plate's usual driver) would fill a
page of equal scores with their own mentions and push everyone else who fits as well off
it; the investigator needs to see the different people first.
"""

from __future__ import annotations

from pathlib import Path

from lexhub.model import Scope, Withholding
from lexhub.search import PersonQuery
from lexhub.store import Store
from tests.search.conftest import A, B, C, M, load_corpus, person, record, run


def test_a_person_on_many_records_does_not_fill_a_page_of_equal_scores(
    store: Store, tmp_path: Path
) -> None:
    often = tuple(
        record(f"A-99{i:02d}", person("Quill", "Randy", "1978-01-16", sex=M)) for i in range(12)
    )
    namesake = record("A-9999", person("Quill", "Randy", "1983-09-30", sex=M))
    load_corpus(store, tmp_path, (*often, namesake))
    result = run(store, PersonQuery(last="quill", first="randy"), page_size=10)
    assert len({h.score for h in result.hits}) == 1  # nothing tells them apart
    sources = [h.source_id for h in result.hits]
    assert sources[:2] == ["A-9900", "A-9999"], sources
    assert sources[2:] == [f"A-99{i:02d}" for i in range(1, 9)]
    # A date of birth tells them apart: then the score decides, not the tie rule.
    dated = run(store, PersonQuery(last="quill", first="randy", dob="1978-01-16"), page_size=13)
    assert [h.source_id for h in dated.hits][:12] == [f"A-99{i:02d}" for i in range(12)]


def test_a_withheld_date_of_birth_does_not_tell_people_apart(store: Store, tmp_path: Path) -> None:
    often = tuple(
        record(f"A-98{i:02d}", person("Quill", "Randy", "1978-01-16", sex=M)) for i in range(3)
    )
    namesake = record("A-9899", person("Quill", "Randy", "1983-09-30", sex=M))
    load_corpus(store, tmp_path, (*often, namesake))
    no_dob = Scope.full_access([A, B, C], withhold=(Withholding(frozenset({"person.dob"})),))
    result = run(store, PersonQuery(last="quill", first="randy"), no_dob)
    # Grouping by the hidden date would reveal that the fourth is someone else.
    assert [h.source_id for h in result.hits] == ["A-9800", "A-9801", "A-9802", "A-9899"]
