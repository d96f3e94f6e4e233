"""The request flow of a search on both engines: agreements decide the scope, the audit
entry names exactly what is disclosed and is committed before anything is returned, an
owner's prohibited purpose blocks (and is recorded as blocked), and a database that
refuses the audit write gets the requester nothing."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from lexhub.access import audited_search
from lexhub.errors import AuditWriteFailed, QueryError
from lexhub.model import Purpose, RequestContext, UserRole
from lexhub.model.audit import AuditFilter
from lexhub.policy import parse_policies
from lexhub.search import PersonQuery
from lexhub.store import Store
from tests.access.refusal import refuse_audit
from tests.search.conftest import AGENCIES, INC, A, B, C, load_corpus, person, record

TODAY_POLICY = """
id: a-to-c-2026
owner: {a}
grantees: [{c}]
purposes: [criminal-investigation, civil-immigration-enforcement]
record_types: [incident]
max_sensitivity: standard
withhold: [person.phones]
valid_from: 2026-01-01
valid_to: 2027-12-31
---
id: b-to-c-2026
owner: {b}
grantees: [{c}]
purposes: [criminal-investigation, civil-immigration-enforcement]
record_types: [incident]
max_sensitivity: standard
valid_from: 2026-01-01
valid_to: 2027-12-31
---
owner_policy:
  owner: {b}
  prohibited_purposes: [civil-immigration-enforcement]
"""

RECORDS = (
    record("A-1", person("Okafor", "Chidi", "1985-04-02", phones=("206-555-0101",)),
           owner=A, type=INC),
    record("A-2", person("Okafor", "Chidi", "1985-04-02"), owner=A),  # field interview: no grant
    record("B-1", person("Okafor", "Chidi", "1985-04-02"), owner=B, type=INC),
)  # fmt: skip


def _context(purpose: Purpose = Purpose.CRIMINAL_INVESTIGATION) -> RequestContext:
    return RequestContext("analyst1", C, UserRole.ANALYST, purpose, "26-0042")


@pytest.fixture
def node(store: Store, tmp_path: Path) -> Store:
    load_corpus(store, tmp_path, RECORDS)
    docs = parse_policies(
        TODAY_POLICY.format(a=A, b=B, c=C), "agreements.yaml",
        agencies=[a.id for a in AGENCIES], groups=[],
    )  # fmt: skip
    store.apply_policies(docs, by="test")
    return store


def _entries(store: Store) -> list[dict[str, Any]]:
    return [json.loads(e.body) for e in store.audit_entries(AuditFilter(), 100)]


QUERY = PersonQuery(last="Okafor", first="Chidi", dob="1985-04-02")


def test_the_agreements_decide_and_the_entry_names_what_was_disclosed(node: Store) -> None:
    result = audited_search(node, _context(), QUERY, today=date(2026, 6, 1))
    found = sorted((h.owner, h.source_id) for h in result.hits)
    assert found == [(A, "A-1"), (B, "B-1")]  # A-2 is a field interview: not granted
    a_hit = next(h for h in result.hits if h.owner == A)
    assert "phones" not in a_hit.person  # withheld by the agreement
    (entry,) = [e for e in _entries(node) if e["kind"] == "search"]
    assert sorted((d["owner"], d["id"]) for d in entry["disclosed"]) == found
    assert entry["context"]["purpose"] == "criminal-investigation"
    assert sorted(entry["owners_searched"]) == sorted([A, B, C])  # C: its own records


def test_an_owner_prohibiting_the_purpose_is_not_searched_and_the_block_is_recorded(
    node: Store,
) -> None:

    result = audited_search(
        node, _context(Purpose.CIVIL_IMMIGRATION_ENFORCEMENT), QUERY, today=date(2026, 6, 1)
    )
    assert [h.owner for h in result.hits] == [A]
    (entry,) = [e for e in _entries(node) if e["kind"] == "search"]
    assert B not in entry["owners_searched"]
    assert entry["details"]["blocked_by_owner_policy"] == [B]


def test_an_expired_agreement_grants_nothing(node: Store) -> None:

    result = audited_search(node, _context(), QUERY, today=date(2028, 6, 1))
    assert result.hits == ()
    (entry,) = [e for e in _entries(node) if e["kind"] == "search"]
    assert "disclosed" not in entry
    assert entry["owners_searched"] == [C]  # only the requester's own records remain


def test_a_query_that_cannot_run_is_audited_as_rejected(node: Store) -> None:
    with pytest.raises(QueryError):
        audited_search(node, _context(), PersonQuery(dob="1985-13"))
    assert [e["kind"] for e in _entries(node)] == ["rejected"]


def test_when_the_database_refuses_the_audit_write_nothing_is_returned(node: Store) -> None:

    refuse_audit(node)
    returned: list[object] = []
    with pytest.raises(AuditWriteFailed, match="nothing disclosed"):
        returned.append(audited_search(node, _context(), QUERY, today=date(2026, 6, 1)))
    assert returned == [] and _entries(node) == []
