"""The policy tables on both engines: groups, versions, revocation, the snapshot."""

from __future__ import annotations

import pytest

from lexhub.errors import Conflict, NotFound
from lexhub.model import Agency, AgencyKind, Contact
from lexhub.model.agreement import Agreement, Group, OwnerPolicy
from lexhub.policy import parse_policies
from lexhub.store import Store

CITY, COUNTY, FED = "WA0171500", "WA0170000", "DC0000000"

V1 = """\
id: city-to-county
owner: WA0171500
grantees: [WA0170000, group:feds]
purposes: [criminal-investigation]
record_types: [incident]
withhold: [person.phones]
---
owner_policy:
  owner: WA0171500
  prohibited_purposes: [civil-immigration-enforcement]
"""


@pytest.fixture
def node(store: Store) -> Store:
    with store.transaction() as tx:
        for ori in (CITY, COUNTY, FED):
            tx.put_agency(Agency(ori, ori, ori[:2], AgencyKind.POLICE, "UTC", Contact("Records")))
        tx.commit()
    assert store.create_group("feds", "Federal partners")
    return store


def apply(store: Store, text: str) -> list[tuple[int, bool]]:
    snap = store.policy_snapshot()
    docs = parse_policies(
        text, "t.yaml", agencies=snap.agencies, groups=[g.ref for g in snap.groups]
    )
    return [(v.version, new) for v, new in store.apply_policies(docs, by="admin1")]


def test_groups_members_and_their_history(node: Store) -> None:
    assert not node.create_group("feds", "again")
    assert node.add_group_members("feds", [FED, COUNTY, FED]) == [FED, COUNTY]
    assert node.add_group_members("feds", [FED]) == []
    assert node.remove_group_members("feds", [COUNTY, CITY]) == [COUNTY]
    assert node.list_groups() == [Group("feds", frozenset({FED}), "Federal partners")]
    assert node.add_group_members("feds", [COUNTY]) == [COUNTY]  # rejoining is a new period
    assert node.policy_snapshot().groups_of(COUNTY) == {"group:feds"}
    with pytest.raises(NotFound, match="no group group:nope"):
        node.add_group_members("nope", [FED])
    with pytest.raises(NotFound, match="no agency XX0000000"):
        node.add_group_members("feds", ["XX0000000"])


def test_apply_keeps_every_version_and_skips_unchanged(node: Store) -> None:
    assert apply(node, V1) == [(1, True), (1, True)]
    assert apply(node, V1) == [(1, False), (1, False)]
    v2 = V1.replace("[person.phones]", "[person.phones, person.dob]")
    assert apply(node, v2) == [(2, True), (1, False)]
    history = node.policy_history("city-to-county")
    assert [(v.version, v.action, v.applied_by) for v in history] == [
        (1, "apply", "admin1"),
        (2, "apply", "admin1"),
    ]
    assert history[0].source is not None and "person.dob" not in history[0].source
    assert history[1].source is not None and "person.dob" in history[1].source
    assert isinstance(history[1].doc, Agreement) and history[1].doc.version == 2


def test_revoke_takes_a_document_out_of_the_snapshot_and_keeps_history(node: Store) -> None:
    apply(node, V1)
    node.add_group_members("feds", [FED])
    snap = node.policy_snapshot()
    assert [a.id for a in snap.agreements] == ["city-to-county"]
    assert snap.agreements[0].version == 1
    policy = snap.owner_policy(CITY)
    assert isinstance(policy, OwnerPolicy) and policy.version == 1
    assert snap.groups_of(FED) == {"group:feds"}
    assert snap.agencies == {CITY, COUNTY, FED}

    revoked = node.revoke_policy("city-to-county", by="admin2")
    assert (revoked.version, revoked.action, revoked.doc, revoked.source) == (
        2,
        "revoke",
        None,
        None,
    )
    assert node.policy_snapshot().agreements == ()
    assert [v.doc_id for v in node.list_policies()] == ["owner-policy:WA0171500"]
    assert [v.doc_id for v in node.list_policies(include_revoked=True)] == [
        "city-to-county",
        "owner-policy:WA0171500",
    ]
    with pytest.raises(Conflict, match="already revoked"):
        node.revoke_policy("city-to-county")
    with pytest.raises(NotFound):
        node.revoke_policy("nope")
    # Applying it again is version 3, in force again.
    assert apply(node, V1) == [(3, True), (1, False)]
    assert [a.version for a in node.policy_snapshot().agreements] == [3]
    assert [v.action for v in node.policy_history("city-to-county")] == ["apply", "revoke", "apply"]


def test_writes_join_an_open_transaction_and_roll_back_with_it(node: Store) -> None:
    with node.transaction():
        apply(node, V1)
        node.add_group_members("feds", [FED])
        # not committed: leaving the block rolls back
    assert node.policy_snapshot().agreements == ()
    assert node.list_groups()[0].members == frozenset()
    with node.transaction() as tx:
        apply(node, V1)
        tx.commit()
    assert len(node.policy_snapshot().agreements) == 1
