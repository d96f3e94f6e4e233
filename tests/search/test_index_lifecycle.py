"""The search index follows the records, on both engines: a retracted record is no longer
found, an expunged one is never found again (by any of its old keys), and a new version is
found by its new values only."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from lexhub.ingest.lifecycle import expunge_record, retract_records
from lexhub.ingest.load import load_file
from lexhub.ingest.writers import write_jsonl
from lexhub.model import Address, PersonName
from lexhub.search import PersonQuery, Query, RecordQuery
from lexhub.store import Store
from tests.search.conftest import BY_SOURCE, A, B, C, describe, run


def found(store: Store, query: Query) -> set[tuple[str, str | None]]:
    return {(h.owner, h.source_id) for h in run(store, query).hits}


WHITFIELD_QUERIES: tuple[Query, ...] = (
    PersonQuery(last="Whitfield", first="Andre", dob="1992-04-18"),
    PersonQuery(phone="(503) 555-0172"),
)
DELGADO_QUERIES: tuple[Query, ...] = (
    PersonQuery(last="Delgado", first="Ruben", dob="1988-08-18"),
    PersonQuery(last="Delgado"),
    PersonQuery(dob="1988-08-18"),
    PersonQuery(plate="B0S 512"),
    RecordQuery(plate="B0S512"),
    RecordQuery(plate="B0S*"),
    RecordQuery(record_type=BY_SOURCE[(A, "A-090")].type, owner=A),
)


def test_a_retracted_record_is_no_longer_found(fresh: Store) -> None:
    for query in WHITFIELD_QUERIES:
        assert {(A, "A-070"), (B, "B-071")} <= found(fresh, query)
    assert retract_records(fresh, A, ["A-070"]) == 1
    for query in WHITFIELD_QUERIES:
        after = found(fresh, query)
        assert (A, "A-070") not in after, describe(run(fresh, query))
        assert (B, "B-071") in after  # the other agency's record of him stays


def test_an_expunged_record_is_never_found_again_by_any_old_key(fresh: Store) -> None:
    for query in DELGADO_QUERIES:
        assert (A, "A-090") in found(fresh, query), query
    expunge_record(fresh, A, "A-090")
    for query in DELGADO_QUERIES:
        result = run(fresh, query)
        assert (A, "A-090") not in found(fresh, query), (query, describe(result))
        assert all(h.source_id != "A-090" for h in result.hits)
    # Expunging one record leaves the other records of the same search alone.
    assert (A, "A-091") in found(fresh, PersonQuery(last="Hale", first="Connor"))


def test_an_expunged_record_sent_again_is_still_not_found(fresh: Store, tmp_path: Path) -> None:
    expunge_record(fresh, A, "A-090")
    path = tmp_path / "again.jsonl"
    write_jsonl([BY_SOURCE[(A, "A-090")]], path)
    load_file(fresh, path, skip_invalid=True, workers=0)
    for query in DELGADO_QUERIES:
        assert (A, "A-090") not in found(fresh, query), query


def test_a_new_version_is_found_by_its_new_values_not_the_old(fresh: Store, tmp_path: Path) -> None:
    old = BY_SOURCE[(A, "A-080")]
    irena = old.persons[0]
    # She married and moved: a corrected record with a new surname and address.
    moved = replace(
        irena,
        name=PersonName("Castellanos", "Irena"),
        addresses=(Address("77 Orchard Lane"),),
    )
    path = tmp_path / "v2.jsonl"
    write_jsonl([replace(old, persons=(moved,))], path)
    report = load_file(fresh, path, workers=0)
    assert report.changed == 1

    assert (A, "A-080") in found(fresh, PersonQuery(last="Castellanos", first="Irena"))
    assert (A, "A-080") in found(fresh, PersonQuery(address="77 Orchard Ln"))
    by_old_address = found(fresh, PersonQuery(address="123 North Main Street Apt 4"))
    assert (A, "A-080") not in by_old_address
    assert (C, "C-080") in by_old_address  # another agency's record still says so
    # By the old name she is still in C's record; A's record may come up on her first name
    # and date of birth, but below C's and never showing the old surname.
    by_old_name = run(fresh, PersonQuery(last="Novak", first="Irena", dob="1976-05-25"))
    assert by_old_name.hits and by_old_name.hits[0].source_id == "C-080", describe(by_old_name)
    for hit in by_old_name.hits:
        if hit.source_id == "A-080":
            assert hit.score < by_old_name.hits[0].score, describe(by_old_name)
            assert "NOVAK" not in repr(hit.person).upper(), hit.person
