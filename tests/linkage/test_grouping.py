"""Search hits grouped by request-entity on both engines: one group per person, best group
first, hits inside by score; a hidden mention never bridges two groups; hits without a
person are groups of their own."""

from __future__ import annotations

from pathlib import Path

from lexhub.access.grouping import group_hits, grouped_for
from lexhub.access.search import audited_search
from lexhub.model import Disclosure, Purpose, RequestContext, UserRole
from lexhub.search import Band, Hit, PersonQuery
from lexhub.service.app import create_app
from lexhub.store import Store
from tests.linkage.region import load_region, scope_without
from tests.linkage.test_entity_access import CONTEXT
from tests.linkage.test_entity_access import node as access_node
from tests.search.conftest import C
from tests.service.conftest import ApiClient, auth, token_for

__all__ = ["access_node"]


def _hit(mention: int | None, score: float) -> Hit:
    return Hit(score, Band.LIKELY, Disclosure.FULL, "X", "incident", mention_id=mention)


def test_a_hidden_mention_never_bridges_two_groups(store: Store, tmp_path: Path) -> None:
    ids = load_region(store, tmp_path)
    bob, bob2, dee = ids[("r3", "P1")], ids[("r4", "P1")], ids[("r5", "P1")]
    hits = [_hit(dee, 0.9), _hit(bob, 0.8), _hit(None, 0.85), _hit(bob2, 0.95)]
    # r7 (Hank) visible: he ties Bob and Dee into one person.
    together = group_hits(store, scope_without(), hits)
    assert [[h.mention_id for h in g.hits] for g in together] == [[bob2, dee, bob], [None]]
    assert together[0].entity == min(bob, bob2, dee, ids[("r7", "P1")])
    # r7 hidden: Bob and Dee are two people; nothing betrays Hank.
    apart = group_hits(store, scope_without(["r7"]), hits)
    assert [[h.mention_id for h in g.hits] for g in apart] == [[bob2, bob], [dee], [None]]
    assert [g.entity for g in apart] == [min(bob, bob2), dee, None]


def test_a_real_search_grouped_by_entity(
    access_node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = access_node
    result = audited_search(store, CONTEXT, PersonQuery(last="Able", first="Ann"))
    assert {h.mention_id for h in result.hits} >= {ids[("r1", "P1")], ids[("r2", "P1")]}
    scope_ctx = RequestContext("an1", C, UserRole.ANALYST, Purpose.CRIMINAL_INVESTIGATION, "1")
    groups = grouped_for(store, scope_ctx, result.hits)
    ann = next(g for g in groups if ids[("r1", "P1")] in {h.mention_id for h in g.hits})
    assert {h.mention_id for h in ann.hits} == {
        ids[k] for k in (("r1", "P1"), ("r2", "P1"), ("r7", "P2"))
    } & {h.mention_id for h in result.hits}
    assert [g.best for g in groups] == sorted((g.best for g in groups), reverse=True)
    assert sum(len(g.hits) for g in groups) == len(result.hits)


def test_the_api_answers_groups_on_request(
    access_node: tuple[Store, dict[tuple[str, str], int]],
) -> None:
    store, ids = access_node
    client = ApiClient(create_app(store.url))
    token = token_for(store, "an9", C, UserRole.ANALYST)
    body = {"purpose": "criminal-investigation", "case_number": "26-0042",
            "query": {"kind": "person", "last": "able", "first": "ann"}}  # fmt: skip
    plain = client.post("/api/v1/search", json=body, headers=auth(token)).json()
    assert plain["groups"] is None
    r = client.post("/api/v1/search", json={**body, "group_by": "entity"}, headers=auth(token))
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["hits"] == plain["hits"]
    ann = {ids[k] for k in (("r1", "P1"), ("r2", "P1"), ("r7", "P2"))}
    first = got["groups"][0]
    assert first["entity"] == min(ann) and first["best"] == got["hits"][0]["score"]
    assert {h["mention_id"] for h in first["hits"]} == ann & {
        h["mention_id"] for h in plain["hits"]
    }
    r = client.post("/api/v1/search", json={**body, "group_by": "owner"}, headers=auth(token))
    assert r.status_code == 422
