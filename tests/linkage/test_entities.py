"""Entities never leak. For any graph and any hidden set, a request's entities are the
components of the visible mentions and the edges between them only (hypothesis); on both
engines, a hidden mention does not bridge, an owner prohibiting the purpose links nothing
for it, what a request sees with a mention hidden is exactly what it would see had the
mention never existed, and retraction and expungement reach the linkage tables."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from lexhub.access.decisions import current_decisions
from lexhub.ingest.lifecycle import expunge_record, retract_records
from lexhub.linkage import entity_for, form_entities
from lexhub.linkage.components import components
from lexhub.model import Agency, AgencyKind, Contact, Scope
from lexhub.model.context import Purpose, UserRole
from lexhub.policy import Requester, parse_policies
from lexhub.store import Store
from lexhub.store.linkage_sql import LINKAGE_COLUMNS, LinkRow

THRESHOLD = 4.0
FED = "DC0000000"
OWNER, SOURCE = LINKAGE_COLUMNS.index("owner"), LINKAGE_COLUMNS.index("source_id")
SENSITIVITY, RECORD = LINKAGE_COLUMNS.index("sensitivity"), LINKAGE_COLUMNS.index("record_id")

EDGES = st.lists(
    st.tuples(st.integers(0, 11), st.integers(0, 11), st.floats(-2, 12), st.booleans()),
    max_size=30,
)


def _link(a: int, b: int, weight: float, decision: str | None = None) -> LinkRow:
    return LinkRow(min(a, b), max(a, b), weight, 0.9, {}, decision)


def _reachable(start: int, nodes: set[int], links: list[LinkRow]) -> set[int]:
    seen, todo = {start}, [start]
    while todo:
        n = todo.pop()
        for k in links:
            if k.weight >= THRESHOLD and n in (k.left, k.right):
                other = k.right if n == k.left else k.left
                if other in nodes and other not in seen:
                    seen.add(other)
                    todo.append(other)
    return seen


@given(EDGES, st.sets(st.integers(0, 11)))
def test_a_hidden_mention_never_bridges_and_changes_nothing(
    edges: list[tuple[int, int, float, bool]], hidden: set[int]
) -> None:
    links = [_link(a, b, w) for a, b, w, _ in edges if a != b]
    visible = [n for n in range(12) if n not in hidden]
    formed = form_entities(visible, links, THRESHOLD)
    # As if the hidden mentions and their edges had never existed: same entities, sizes.
    alone = [k for k in links if k.left not in hidden and k.right not in hidden]
    assert formed == components(visible, alone, THRESHOLD)
    assert set(formed) == set(visible)
    for n in visible:
        same = {m for m in visible if formed[m] == formed[n]}
        assert same == _reachable(n, set(visible), links)  # paths through visible only


@given(EDGES)
def test_a_human_decision_beats_the_weight(edges: list[tuple[int, int, float, bool]]) -> None:
    links = [
        _link(a, b, w, "accept" if flip and w < THRESHOLD else "reject" if flip else None)
        for a, b, w, flip in edges
        if a != b
    ]
    formed = components(range(12), links, THRESHOLD)
    for k in links:
        joined = formed[k.left] == formed[k.right]
        if k.decision == "accept":
            assert joined
        if k.decision == "reject" and joined:  # only through another path
            others = [x for x in links if x is not k and x.decision != "reject"]
            assert formed == components(range(12), others, THRESHOLD)


def _three(store: Store) -> tuple[list[Any], str]:
    """Mentions a, h, c of three records (a and c not of h's owner), all standard."""
    rows = [r for r in store.linkage_mentions() if r[SENSITIVITY] == "standard"]
    h = rows[0]
    others = [r for r in rows if r[OWNER] != h[OWNER]]
    a = others[0]
    c = next(r for r in others if r[RECORD] != a[RECORD])
    return [a, h, c], h[OWNER]


def _save(store: Store, ids: list[int], links: list[LinkRow]) -> None:
    members = [(m, 1 if m in ids[:3] else m + 10, None) for m in ids]
    store.linkage_save("{}", THRESHOLD, {}, links, members, datetime.now(UTC))


def _chain(store: Store) -> tuple[int, int, int, str]:
    (a, h, c), hidden_owner = _three(store)
    ids = [int(r[0]) for r in store.linkage_mentions()]
    ids = [int(a[0]), int(h[0]), int(c[0])] + [m for m in ids if m not in (a[0], h[0], c[0])]
    # a - h - c: only h ties a to c.
    _save(store, ids, [_link(ids[0], ids[1], 9.0), _link(ids[1], ids[2], 9.0)])
    return ids[0], ids[1], ids[2], hidden_owner


def test_entity_hides_a_mention_outside_scope_as_if_it_never_existed(loaded: Store) -> None:
    a, h, c, hidden_owner = _chain(loaded)
    owners = sorted({r[OWNER] for r in loaded.linkage_mentions()})
    everything = Scope.full_access(owners)
    without = Scope.full_access([o for o in owners if o != hidden_owner])
    seen_all = entity_for(loaded, everything, a)
    assert seen_all is not None and seen_all.mention_ids == tuple(sorted((a, h, c)))
    restricted = entity_for(loaded, without, a)
    assert restricted is not None and restricted.mention_ids == (a,) and not restricted.links
    assert entity_for(loaded, without, h) is None  # not "hidden": absent
    # Retract h's record: the whole scope now sees what the restricted scope saw.
    row = next(r for r in loaded.linkage_mentions() if r[0] == h)
    retract_records(loaded, row[OWNER], [row[SOURCE]])
    after = entity_for(loaded, everything, a)
    assert after == restricted
    assert h not in loaded.entity_assignments()
    assert not loaded.entity_links_among([a, h, c])
    # Expunge c's record: its membership goes too.
    row = next(r for r in loaded.linkage_mentions() if r[0] == c)
    expunge_record(loaded, row[OWNER], row[SOURCE], compact=False)
    assert c not in loaded.entity_assignments()


def _put_fed(store: Store) -> None:
    with store.transaction() as tx:
        tx.put_agency(Agency(FED, FED, "DC", AgencyKind.POLICE, "UTC", Contact("Records")))
        tx.commit()


def test_an_owner_prohibiting_the_purpose_links_nothing_for_it(loaded: Store) -> None:
    a, h, c, prohibiting = _chain(loaded)
    _put_fed(loaded)
    owners = sorted({r[OWNER] for r in loaded.linkage_mentions()})
    text = "\n---\n".join(
        f"id: share-{o.lower()}\nowner: {o}\ngrantees: [{FED}]\n"
        "purposes: [criminal-investigation, civil-immigration-enforcement]\n"
        "record_types: [incident, arrest, booking, field-interview, citation, warrant]\n"
        "max_sensitivity: restricted\n"
        for o in owners
    )
    text += (
        f"\n---\nowner_policy:\n  owner: {prohibiting}\n"
        "  prohibited_purposes: [civil-immigration-enforcement]\n"
    )
    snap = loaded.policy_snapshot()
    docs = parse_policies(text, "t.yaml", agencies=snap.agencies, groups=[])
    loaded.apply_policies(docs, by="admin1")

    def scope(purpose: Purpose) -> Scope:
        req = Requester(FED, UserRole.INVESTIGATOR, purpose)
        decisions = current_decisions(loaded, req, date(2026, 6, 1))
        return Scope(tuple(d.grant for d in decisions if d.grant is not None))

    allowed = entity_for(loaded, scope(Purpose.CRIMINAL_INVESTIGATION), a)
    assert allowed is not None and allowed.mention_ids == tuple(sorted((a, h, c)))
    refused = scope(Purpose.CIVIL_IMMIGRATION_ENFORCEMENT)
    for m in (a, c):
        got = entity_for(loaded, refused, m)
        assert got is not None and got.mention_ids == (m,)
    assert entity_for(loaded, refused, h) is None
