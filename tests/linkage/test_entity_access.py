"""Entity views as audited requests, on both engines: each names every record it shows in
one retrieval entry, an unknown mention and one outside the scope answer the same
NotFound (audited as denied), the evidence of a pair adds up to its weight, and a
database that refuses the audit write gets the requester nothing."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from lexhub.access.entity import audited_associates, audited_entity, audited_evidence
from lexhub.errors import AuditWriteFailed, NotFound
from lexhub.model import Purpose, RequestContext, UserRole
from lexhub.model.audit import AuditFilter
from lexhub.policy import parse_policies
from lexhub.store import Store
from tests.access.refusal import refuse_audit
from tests.linkage.region import load_region
from tests.search.conftest import AGENCIES, A, B, C

TYPES = "[incident, arrest, booking, field-interview, citation, warrant]"
# C sees everything of A and C; of B only incidents and arrests (r5, Dee's plate, is B's
# field interview: outside the scope).
POLICIES = "\n---\n".join(
    f"id: {o.lower()}-to-c\nowner: {o}\ngrantees: [{C}]\npurposes: [criminal-investigation]\n"
    f"record_types: {types}\nmax_sensitivity: restricted\n"
    for o, types in ((A, TYPES), (B, "[incident, arrest]"), (C, TYPES))
)
CONTEXT = RequestContext("analyst1", C, UserRole.ANALYST, Purpose.CRIMINAL_INVESTIGATION, "26-0042")


@pytest.fixture
def node(store: Store, tmp_path: Path) -> tuple[Store, dict[tuple[str, str], int]]:
    ids = load_region(store, tmp_path)
    docs = parse_policies(POLICIES, "a.yaml", agencies=[a.id for a in AGENCIES], groups=[])
    store.apply_policies(docs, by="test")
    return store, ids


def _entries(store: Store) -> list[dict[str, Any]]:
    return [json.loads(e.body) for e in store.audit_entries(AuditFilter(), 1000)]


def _requests(store: Store) -> list[dict[str, Any]]:
    return [e for e in _entries(store) if e["kind"] in ("retrieval", "denied")]


def test_entity_and_associates_are_audited_with_every_record_shown(
    node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = node
    view = audited_entity(store, CONTEXT, ids[("r1", "P1")])
    assert sorted(m.source_id for m in view.members) == ["r1", "r2", "r7"]
    answer = audited_associates(store, CONTEXT, ids[("r1", "P1")])
    names = {a.name for a in answer.associates}
    assert "DUNN, DEE" not in names  # r5 is outside the scope: Dee never shows
    first, second = _requests(store)
    assert first["kind"] == second["kind"] == "retrieval"
    assert first["details"] == {"request": "entity"}
    assert {d["id"] for d in first["disclosed"]} == {"r1", "r2", "r7"}
    shown = {m.source_id for m in answer.members} | {
        m.source_id for a in answer.associates for m in a.members
    }
    assert {d["id"] for d in second["disclosed"]} == shown
    assert "r5" not in shown and second["counts"]["associates"] == len(answer.associates)
    assert "ABLE" not in json.dumps(second)  # no record content in the chained entry


def test_unknown_and_out_of_scope_mentions_answer_alike_and_are_denied(
    node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = node
    hidden, unknown = ids[("r5", "P1")], max(ids.values()) + 99
    messages = []
    for mention in (hidden, unknown):
        for call in (audited_entity, audited_associates):
            with pytest.raises(NotFound) as e:
                call(store, CONTEXT, mention)
            messages.append(str(e.value).replace(str(mention), "#"))
    assert len(set(messages)) == 1
    assert [e["kind"] for e in _requests(store)] == ["denied"] * 4


def test_evidence_of_a_pair_inside_the_entity_adds_up(
    node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = node
    a, b = ids[("r1", "P1")], ids[("r2", "P1")]
    got = audited_evidence(store, CONTEXT, a, b)
    ev = got.evidence
    assert (ev.left, ev.right) == tuple(sorted((a, b)))
    assert [s.level for s in ev.steps] == ["exact"]
    assert math.isclose(ev.steps[0].weight, math.log2(0.9 / 0.01))
    total = ev.prior + sum(s.weight for s in ev.steps) + ev.adjustment
    assert math.isclose(total, 9.5) and ev.threshold == 4.0
    # Not linked as a pair (r1-r7 is joined only through r2), another entity, unknown:
    # one answer.
    messages = []
    for other in (ids[("r7", "P2")], ids[("r3", "P1")], max(ids.values()) + 5):
        with pytest.raises(NotFound) as e:
            audited_evidence(store, CONTEXT, a, other)
        messages.append(str(e.value).replace(str(other), "#"))
    assert len(set(messages)) == 1


def test_when_the_audit_write_fails_nothing_is_returned(
    node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = node
    refuse_audit(store)
    returned: list[object] = []
    for call in (audited_entity, audited_associates):
        with pytest.raises(AuditWriteFailed):
            returned.append(call(store, CONTEXT, ids[("r1", "P1")]))
    assert returned == [] and _entries(store) == []
