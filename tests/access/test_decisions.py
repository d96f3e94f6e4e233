"""Kept decisions (lexhub.access.decisions) on both engines: whatever sequence of policy
writes happens, what a request is decided is what a fresh snapshot decides, and a second
connection's write is seen by the first."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lexhub.access.decisions import current_decisions, current_snapshot
from lexhub.errors import Conflict, NotFound
from lexhub.model import Agency, AgencyKind, Contact
from lexhub.model.context import Purpose, UserRole
from lexhub.policy import Requester, decide, parse_policies
from lexhub.store import Store, open_store

TODAY = date(2026, 6, 1)
CITY, COUNTY, FED, TRIBE = "WA0171500", "WA0170000", "DC0000000", "WA0179900"
REQUESTERS = [
    Requester(COUNTY, UserRole.INVESTIGATOR, Purpose.CRIMINAL_INVESTIGATION),
    Requester(FED, UserRole.INVESTIGATOR, Purpose.CRIMINAL_INVESTIGATION),
    Requester(FED, UserRole.INVESTIGATOR, Purpose.CIVIL_IMMIGRATION_ENFORCEMENT),
]
AGREEMENT = """\
id: city-{n}
owner: {owner}
grantees: [{grantee}]
purposes: [criminal-investigation, civil-immigration-enforcement]
record_types: [incident, arrest]
withhold: [{withhold}]
"""
OWNER_POLICY = """\
owner_policy:
  owner: {owner}
  prohibited_purposes: [civil-immigration-enforcement]
"""


def put_agency(store: Store, ori: str) -> None:
    with store.transaction() as tx:
        tx.put_agency(Agency(ori, ori, ori[:2], AgencyKind.POLICE, "UTC", Contact("Records")))
        tx.commit()


def apply(store: Store, text: str) -> None:
    snap = store.policy_snapshot()
    docs = parse_policies(
        text, "t.yaml", agencies=snap.agencies, groups=[g.ref for g in snap.groups]
    )
    store.apply_policies(docs, by="admin1")


def fresh(store: Store, requester: Requester, owners: list[str] | None = None) -> tuple:
    return tuple(decide(requester, store.policy_snapshot(), TODAY, owners=owners))


@pytest.fixture
def node(store: Store) -> Store:
    for ori in (CITY, COUNTY, FED):
        put_agency(store, ori)
    store.create_group("feds", "Federal partners")
    return store


Write = tuple[str, int]
WRITES = st.lists(
    st.tuples(
        st.sampled_from(
            ["agreement", "revoke", "owner-policy", "join", "leave", "agency", "group"]
        ),
        st.integers(0, 2),
    ),
    min_size=1,
    max_size=8,
)


def perform(store: Store, write: Write) -> None:
    kind, n = write
    owner = (CITY, COUNTY, CITY)[n]
    if kind == "agreement":
        grantee = (COUNTY, "group:feds", FED)[n]
        withhold = ("person.phones", "person.dob", "record.narrative")[n]
        apply(store, AGREEMENT.format(n=n, owner=owner, grantee=grantee, withhold=withhold))
    elif kind == "revoke":
        try:
            store.revoke_policy(f"city-{n}", by="admin1")
        except (Conflict, NotFound):
            pass
    elif kind == "owner-policy":
        apply(store, OWNER_POLICY.format(owner=owner))
    elif kind == "join":
        store.add_group_members("feds", [(FED, COUNTY, CITY)[n]])
    elif kind == "leave":
        store.remove_group_members("feds", [(FED, COUNTY, CITY)[n]])
    elif kind == "agency":
        if store.get_agency(TRIBE) is None:
            put_agency(store, TRIBE)
    else:
        store.create_group(f"g{n}", None)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(writes=WRITES)
def test_kept_decisions_are_always_what_the_agreements_in_force_decide(
    node: Store, writes: list[Write]
) -> None:
    seen = {node.policy_version(): node.policy_snapshot()}
    for write in writes:
        perform(node, write)
        for requester in REQUESTERS:
            assert current_decisions(node, requester, TODAY) == fresh(node, requester)
            assert current_decisions(node, requester, TODAY, owners=[CITY]) == fresh(
                node, requester, [CITY]
            )
        snapshot = node.policy_snapshot()
        assert current_snapshot(node) == snapshot
        # The version is sound: one version never stands for two different snapshots.
        assert seen.setdefault(node.policy_version(), snapshot) == snapshot


def test_a_change_made_through_another_connection_is_decided_at_once(node: Store) -> None:
    apply(node, AGREEMENT.format(n=0, owner=CITY, grantee=COUNTY, withhold="person.phones"))
    county = REQUESTERS[0]
    granted = [d for d in current_decisions(node, county, TODAY) if d.owner == CITY and d.grant]
    assert granted, "the agreement grants the county the city's incidents and arrests"
    with open_store(node.url) as other:
        other.revoke_policy("city-0", by="admin1")
    after = [d for d in current_decisions(node, county, TODAY) if d.owner == CITY and d.grant]
    assert after == []


def test_a_failing_version_read_refuses_instead_of_using_kept_decisions(
    node: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    current_decisions(node, REQUESTERS[0], TODAY)

    def broken() -> str:
        raise RuntimeError("database gone")

    monkeypatch.setattr(node, "policy_version", broken)
    with pytest.raises(RuntimeError, match="database gone"):
        current_decisions(node, REQUESTERS[0], TODAY)
