"""The review queue on both engines: pairs near the threshold, closest first, only where the
reviewer may see both mentions; reviewers only; a decision changes the stored entities at
once, is audited in its own transaction (no entry, no decision) and is kept through later
full and incremental runs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from lexhub.errors import AccessDenied, AuditWriteFailed, NotFound
from lexhub.linkage import link_mentions
from lexhub.linkage.review import REVIEW_MARGIN, decide, review_queue
from lexhub.linkage.run import REVIEW_BAND
from lexhub.model import Purpose, RequestContext, UserRole
from lexhub.model.audit import AuditFilter
from lexhub.policy import parse_policies
from lexhub.service.app import create_app
from lexhub.store import Store
from lexhub.store.linkage_sql import LINKAGE_COLUMNS, LinkRow
from tests.audit.conftest import Raw, raw  # noqa: F401  (the fixture)
from tests.linkage.conftest import OPTIONS
from tests.service.conftest import ApiClient, auth, entries, token_for

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

OWNER = LINKAGE_COLUMNS.index("owner")


def _owners(store: Store) -> list[str]:
    return sorted({r[OWNER] for r in store.linkage_mentions()})


def _share_all_with(store: Store, grantee: str) -> None:
    text = "\n---\n".join(
        f"id: share-{o.lower()}\nowner: {o}\ngrantees: [{grantee}]\n"
        "purposes: [administrative]\n"
        "record_types: [incident, arrest, booking, field-interview, citation, warrant]\n"
        "max_sensitivity: restricted\n"
        for o in _owners(store)
        if o != grantee
    )
    snap = store.policy_snapshot()
    store.apply_policies(parse_policies(text, "t.yaml", agencies=snap.agencies, groups=[]))


def _ctx(agency: str, role: UserRole = UserRole.ANALYST, user: str = "analyst1") -> RequestContext:
    return RequestContext(user, agency, role, Purpose.ADMINISTRATIVE, justification="review")


@pytest.fixture
def linked(loaded: Store) -> Iterator[tuple[Store, RequestContext]]:
    """The region linked, and an analyst of the first owner whom every owner shares with."""
    link_mentions(loaded, OPTIONS, lambda _: None)
    home = _owners(loaded)[0]
    _share_all_with(loaded, home)
    yield loaded, _ctx(home)


def _entries(store: Store, kind: str) -> list[dict[str, Any]]:
    return [e.data for e in store.audit_entries(AuditFilter(), 1000) if e.data["kind"] == kind]


def test_queue_is_the_band_closest_first_with_evidence_and_is_audited(
    linked: tuple[Store, RequestContext],
) -> None:
    store, ctx = linked
    model = store.linkage_model()
    assert model is not None
    t = model.threshold
    items = review_queue(store, ctx, limit=30)
    every = store.entity_links_among(list(store.entity_assignments()))
    band = [k for k in every if t - REVIEW_BAND <= k.weight < t + REVIEW_MARGIN]
    assert items and len(items) == min(30, len(band))
    gaps = [abs(i.weight - t) for i in items]
    assert gaps == sorted(gaps)
    assert gaps[-1] <= sorted(abs(k.weight - t) for k in band)[len(items) - 1] + 1e-9
    for i in items:
        assert (
            t - REVIEW_BAND <= i.weight < t + REVIEW_MARGIN
            and i.left.mention_id < i.right.mention_id
        )
        assert i.evidence[-1].endswith("not linked" if i.weight < t else ": linked")
    (entry,) = _entries(store, "linkage-review")
    assert entry["counts"] == {"pairs": len(items)}
    named = {(d["owner"], d["id"]) for d in entry["disclosed"]}
    assert named == {(s.owner, s.source_id) for i in items for s in (i.left, i.right)}


def test_a_reviewer_sees_and_decides_only_pairs_of_mentions_it_may_see(
    linked: tuple[Store, RequestContext],
) -> None:
    store, _ = linked
    home, other = _owners(store)[:2]
    shared = review_queue(store, _ctx(home), limit=200)
    alone = review_queue(store, _ctx(other), limit=200)  # nobody shares with `other`
    assert alone and all(s.owner == other for i in alone for s in (i.left, i.right))
    mixed = next(i for i in shared if {i.left.owner, i.right.owner} != {other} and other in
                 {i.left.owner, i.right.owner})  # fmt: skip
    with pytest.raises(NotFound, match="no scored pair"):
        decide(store, _ctx(other), mixed.left.mention_id, mixed.right.mention_id, "accept")
    for role in (UserRole.INVESTIGATOR, UserRole.AUDITOR):
        with pytest.raises(AccessDenied, match="records-admin or analyst"):
            review_queue(store, _ctx(home, role))
        with pytest.raises(AccessDenied):
            decide(store, _ctx(home, role), mixed.left.mention_id, mixed.right.mention_id,
                   "accept")  # fmt: skip
    assert store.decided_links() == []


def test_reject_splits_accept_merges_at_once_and_both_hold_through_a_full_run(
    linked: tuple[Store, RequestContext],
) -> None:
    store, ctx = linked
    model = store.linkage_model()
    assert model is not None
    # Under the model in force: a - x - b held together by x alone, and a - b just below.
    rows = list(store.linkage_mentions())
    a, x, b = (int(r[0]) for r in rows[:3])
    links = [LinkRow(a, x, 9.0, 0.99, {}), LinkRow(x, b, 8.0, 0.99, {}),
             LinkRow(a, b, model.threshold - 0.5, 0.9, {})]  # fmt: skip
    members = [(int(r[0]), 1 if int(r[0]) in (a, x, b) else int(r[0]) + 10, None) for r in rows]
    store.linkage_save(model.model, model.threshold, {}, links, members, datetime.now(UTC))
    assert [(i.left.mention_id, i.right.mention_id) for i in review_queue(store, ctx)] == [(a, b)]
    change = decide(store, ctx, b, x, "reject", reason="ticket 17")
    assert (change.before, change.after, change.split) == (1, 2, 1)
    assigned = store.entity_assignments()
    assert assigned[a] == assigned[x] != assigned[b]
    change = decide(store, ctx, a, b, "accept")
    assert (change.before, change.after, change.merged) == (2, 1, 1)
    assigned = store.entity_assignments()
    assert assigned[a] == assigned[x] == assigned[b]
    first, second = _entries(store, "linkage-decision")
    assert first["details"] == {"left": x, "right": b, "decision": "reject", "reason": "ticket 17"}
    assert second["details"] == {"left": a, "right": b, "decision": "accept"}
    assert first["context"]["user"] == "analyst1"
    assert review_queue(store, ctx) == []  # decided pairs leave the queue
    link_mentions(store, OPTIONS, lambda _: None)
    kept = {(k.left, k.right): k.decision for k in store.decided_links()}
    assert kept == {(x, b): "reject", (a, b): "accept"}
    assigned = store.entity_assignments()
    assert assigned[a] == assigned[b]


def _refuse_audit(raw: Raw) -> None:  # noqa: F811
    if raw.engine == "sqlite":  # type: ignore[attr-defined]
        raw("CREATE TRIGGER refuse BEFORE INSERT ON audit_entries"
            " BEGIN SELECT RAISE(ABORT, 'audit refused by the database'); END")  # fmt: skip
        return
    raw("CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS"
        " $$ BEGIN RAISE EXCEPTION 'audit refused by the database'; END; $$")  # fmt: skip
    raw("CREATE TRIGGER refuse BEFORE INSERT ON audit_entries"
        " FOR EACH ROW EXECUTE FUNCTION refuse()")  # fmt: skip


def test_no_decision_is_stored_when_its_audit_entry_cannot_be_written(
    linked: tuple[Store, RequestContext],
    raw: Raw,  # noqa: F811
) -> None:
    store, ctx = linked
    (item,) = review_queue(store, ctx, limit=1)
    before = store.entity_assignments()
    _refuse_audit(raw)
    with pytest.raises(AuditWriteFailed, match="audit refused by the database"):
        decide(store, ctx, item.left.mention_id, item.right.mention_id, "reject")
    assert store.decided_links() == []
    assert store.entity_assignments() == before
    with pytest.raises(AuditWriteFailed):  # the queue discloses nothing unaudited either
        review_queue(store, ctx, limit=1)


def test_review_and_decisions_over_the_api(linked: tuple[Store, RequestContext]) -> None:
    store, ctx = linked
    client = ApiClient(create_app(store.url))
    analyst = token_for(store, "an7", ctx.agency, UserRole.ANALYST)
    searcher = token_for(store, "in7", ctx.agency, UserRole.INVESTIGATOR)
    ask = {"purpose": "administrative", "justification": "linkage review"}
    r = client.get("/api/v1/linkage/review", params={**ask, "limit": 3}, headers=auth(searcher))
    assert r.status_code == 403 and entries(store, "linkage-review") == []
    r = client.get("/api/v1/linkage/review", params={**ask, "limit": 3}, headers=auth(analyst))
    assert r.status_code == 200, r.text
    items = r.json()["items"]
    assert len(items) == 3 and items[0]["evidence"][-1].startswith("match weight")
    first = items[0]
    pair = {"left": first["right"]["mention_id"], "right": first["left"]["mention_id"]}
    r = client.post("/api/v1/linkage/decisions", json={**ask, **pair, "decision": "reject"},
                    headers=auth(analyst))  # fmt: skip
    assert r.status_code == 200, r.text
    assert r.json()["left"] == first["left"]["mention_id"] and r.json()["decision"] == "reject"
    assert [k.decision for k in store.decided_links()] == ["reject"]
    assert entries(store, "linkage-decision")[0]["context"]["user"] == "an7"
    r = client.post("/api/v1/linkage/decisions",
                    json={**ask, "left": 987_654, "right": 987_655, "decision": "accept"},
                    headers=auth(analyst))  # fmt: skip
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    schemas = client.get("/openapi.json").json()["components"]["schemas"]
    assert schemas["DecisionRequest"]["examples"][0]["decision"] == "accept"
    assert schemas["ReviewItemOut"]["examples"][0]["evidence"]
