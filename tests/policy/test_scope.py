"""Every rule of policy evaluation, on hand-built snapshots (no store: scope is pure)."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date

import pytest

from lexhub.model import Disclosure, OffenseCategory, RecordType, Role, Sensitivity, Withholding
from lexhub.model.agreement import Agreement, Group, OwnerPolicy, PolicySnapshot
from lexhub.model.context import Purpose, RequestContext, UserRole
from lexhub.policy import Requester, decide, explain, intersect, scope

CITY, COUNTY, FED, STATE = "WA0171500", "WA0170000", "DC0000000", "WA0000000"
TODAY = date(2026, 6, 1)
INC, ARR, FI = RecordType.INCIDENT, RecordType.ARREST, RecordType.FIELD_INTERVIEW
CI = Purpose.CRIMINAL_INVESTIGATION
FEDS = Group("federal-partners", frozenset({FED}))
VICTIMS_OF_SEX_OFFENSES = Withholding(
    frozenset({"person"}),
    frozenset({Role.VICTIM}),
    frozenset({OffenseCategory.SEX_OFFENSE}),
)


def agreement(id: str = "city-to-county", **kw: object) -> Agreement:
    fields: dict[str, object] = {
        "owner": CITY,
        "grantees": frozenset({COUNTY}),
        "purposes": frozenset({CI}),
        "record_types": frozenset({INC, ARR}),
        "version": 1,
    }
    fields.update(kw)
    return Agreement(id=id, **fields)  # type: ignore[arg-type]


def snapshot(*docs: Agreement | OwnerPolicy, groups: tuple[Group, ...] = (FEDS,)) -> PolicySnapshot:
    return PolicySnapshot(
        agencies=frozenset({CITY, COUNTY, FED, STATE}),
        groups=groups,
        agreements=tuple(d for d in docs if isinstance(d, Agreement)),
        owner_policies=tuple(d for d in docs if isinstance(d, OwnerPolicy)),
    )


def context(
    agency: str = COUNTY, purpose: Purpose = CI, role: UserRole = UserRole.INVESTIGATOR
) -> RequestContext:
    return RequestContext("u1", agency, role, purpose, case_number="26-0001", justification="j")


def keys(s: object) -> set[tuple[str, RecordType]]:
    return {(g.owner, g.record_type) for g in s.grants}  # type: ignore[attr-defined]


# --- deny by default, own records -------------------------------------------------------------


def test_no_agreement_means_nothing_but_own_records() -> None:
    assert scope(context(STATE), snapshot(agreement()), TODAY).owners == (STATE,)
    assert scope(context(COUNTY), snapshot(), TODAY).owners == (COUNTY,)


def test_an_agency_sees_all_of_its_own_records() -> None:
    s = scope(context(COUNTY), snapshot(), TODAY)
    assert keys(s) == {(COUNTY, rt) for rt in RecordType}
    for g in s.grants:
        assert (g.max_sensitivity, g.disclosure, g.withhold) == (
            Sensitivity.RESTRICTED,
            Disclosure.FULL,
            (),
        )
        assert g.source == "own records"


def test_an_agency_unknown_to_the_snapshot_still_sees_its_own_records_only() -> None:
    s = scope(context("OR0260200"), snapshot(agreement()), TODAY)
    assert {g.owner for g in s.grants} == {"OR0260200"}


# --- what an agreement grants ---------------------------------------------------------------


def test_an_agreement_grants_its_owner_types_sensitivity_disclosure_and_withholding() -> None:
    rule = Withholding(frozenset({"person.phones"}))
    a = agreement(max_sensitivity=Sensitivity.SENSITIVE, disclosure=Disclosure.POINTER,
                  withhold=(rule,))  # fmt: skip
    s = scope(context(), snapshot(a), TODAY)
    city = [g for g in s.grants if g.owner == CITY]
    assert {g.record_type for g in city} == {INC, ARR}
    for g in city:
        assert g.max_sensitivity is Sensitivity.SENSITIVE
        assert g.disclosure is Disclosure.POINTER
        assert g.withhold == (rule,)
        assert g.source == "agreement city-to-county v1"


def test_an_agreement_does_not_reach_agencies_it_does_not_name() -> None:
    s = scope(context(STATE), snapshot(agreement()), TODAY)
    assert CITY not in s.owners


def test_a_group_grantee_reaches_its_members_and_only_them() -> None:
    a = agreement(grantees=frozenset({"group:federal-partners"}))
    assert CITY in scope(context(FED), snapshot(a), TODAY).owners
    assert CITY not in scope(context(COUNTY), snapshot(a), TODAY).owners


def test_joining_a_group_grants_what_the_group_is_granted() -> None:
    a = agreement(grantees=frozenset({"group:federal-partners"}))
    before = snapshot(a)
    after = snapshot(a, groups=(Group("federal-partners", frozenset({FED, STATE})),))
    assert CITY not in scope(context(STATE), before, TODAY).owners
    assert CITY in scope(context(STATE), after, TODAY).owners


def test_an_agreement_covers_only_its_purposes() -> None:
    snap = snapshot(agreement())
    assert CITY in scope(context(purpose=CI), snap, TODAY).owners
    assert CITY not in scope(context(purpose=Purpose.OFFICER_SAFETY), snap, TODAY).owners


def test_an_agreement_limited_to_roles_grants_only_those_roles() -> None:
    snap = snapshot(agreement(roles=frozenset({UserRole.ANALYST})))
    assert CITY in scope(context(role=UserRole.ANALYST), snap, TODAY).owners
    assert CITY not in scope(context(role=UserRole.INVESTIGATOR), snap, TODAY).owners


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "granted"),
    [
        (date(2026, 1, 1), date(2026, 12, 31), True),
        (TODAY, TODAY, True),  # both ends are days in force
        (date(2026, 6, 2), None, False),  # future
        (None, date(2026, 5, 31), False),  # expired
        (None, None, True),
    ],
)
def test_expired_or_future_agreements_grant_nothing(
    valid_from: date | None, valid_to: date | None, granted: bool
) -> None:
    snap = snapshot(agreement(valid_from=valid_from, valid_to=valid_to))
    assert (CITY in scope(context(), snap, TODAY).owners) is granted


# --- the owner policy wins --------------------------------------------------------------------


def test_prohibited_purpose_beats_grant() -> None:
    ice = Purpose.CIVIL_IMMIGRATION_ENFORCEMENT
    a = agreement(purposes=frozenset({CI, ice}))
    policy = OwnerPolicy(CITY, prohibited_purposes=frozenset({ice}), version=2)
    assert CITY in scope(context(purpose=ice), snapshot(a), TODAY).owners
    assert CITY not in scope(context(purpose=ice), snapshot(a, policy), TODAY).owners
    assert CITY in scope(context(purpose=CI), snapshot(a, policy), TODAY).owners
    [d] = decide(Requester(COUNTY, UserRole.INVESTIGATOR, ice), snapshot(a, policy), TODAY,
                 owners=[CITY], record_types=[INC])  # fmt: skip
    assert d.outcome == "denied"
    assert d.deciding == ("owner policy of WA0171500 v2",)
    assert d.reasons == (
        "owner policy of WA0171500 v2 prohibits purpose civil-immigration-enforcement",
    )


def test_prohibited_purpose_binds_the_owners_own_users_too() -> None:
    ice = Purpose.CIVIL_IMMIGRATION_ENFORCEMENT
    policy = OwnerPolicy(CITY, prohibited_purposes=frozenset({ice}))
    assert CITY not in scope(context(CITY, purpose=ice), snapshot(policy), TODAY).owners
    assert CITY in scope(context(CITY, purpose=CI), snapshot(policy), TODAY).owners


def test_prohibited_requester_beats_grant_directly_and_through_a_group() -> None:
    a = agreement(grantees=frozenset({COUNTY, FED}))
    by_agency = OwnerPolicy(CITY, prohibited_requesters=frozenset({COUNTY}))
    by_group = OwnerPolicy(CITY, prohibited_requesters=frozenset({"group:federal-partners"}))
    assert CITY not in scope(context(COUNTY), snapshot(a, by_agency), TODAY).owners
    assert CITY in scope(context(FED), snapshot(a, by_agency), TODAY).owners
    assert CITY not in scope(context(FED), snapshot(a, by_group), TODAY).owners
    assert CITY in scope(context(COUNTY), snapshot(a, by_group), TODAY).owners
    [d] = explain(Requester(FED, UserRole.INVESTIGATOR, CI), snapshot(a, by_group), TODAY,
                  owner=CITY, record_type=INC)  # fmt: skip
    assert d.reasons == (
        "owner policy of WA0171500 v0 prohibits requester group:federal-partners"
        " (DC0000000 is a member)",
    )


def test_owner_policy_withholding_is_added_to_every_grant() -> None:
    phones = Withholding(frozenset({"person.phones"}))
    policy = OwnerPolicy(CITY, withhold=(VICTIMS_OF_SEX_OFFENSES,))
    s = scope(context(), snapshot(agreement(withhold=(phones,)), policy), TODAY)
    for g in s.grants:
        if g.owner == CITY:
            assert set(g.withhold) == {phones, VICTIMS_OF_SEX_OFFENSES}
            assert "person" in g.withheld(Role.VICTIM, [OffenseCategory.SEX_OFFENSE])
            assert "person" not in g.withheld(Role.SUSPECT, [OffenseCategory.SEX_OFFENSE])
            assert "person" not in g.withheld(Role.VICTIM, [OffenseCategory.CRIME_AGAINST_PROPERTY])
    own = scope(context(CITY), snapshot(policy), TODAY)
    assert all(g.withhold == (VICTIMS_OF_SEX_OFFENSES,) for g in own.grants)


# --- the more open grant applies ---------------------------------------------------------------


def test_two_grants_merge_into_the_more_open_terms() -> None:
    narrow = agreement(
        "narrow",
        max_sensitivity=Sensitivity.RESTRICTED,
        disclosure=Disclosure.POINTER,
        version=3,
        withhold=(Withholding(frozenset({"person.phones", "record.narrative"})),),
    )
    wide = agreement(
        "wide",
        max_sensitivity=Sensitivity.STANDARD,
        version=7,
        withhold=(Withholding(frozenset({"record.narrative", "person.dob"})),),
    )
    [d] = decide(Requester(COUNTY, UserRole.INVESTIGATOR, CI), snapshot(narrow, wide), TODAY,
                 owners=[CITY], record_types=[INC])  # fmt: skip
    assert d.grant is not None
    assert d.grant.max_sensitivity is Sensitivity.RESTRICTED
    assert d.grant.disclosure is Disclosure.FULL
    assert d.grant.withheld(Role.SUSPECT) == {"record.narrative"}
    assert d.deciding == ("agreement wide v7", "agreement narrow v3")
    assert "up to restricted from agreement narrow v3" in d.reasons[0]
    assert "full disclosure from agreement wide v7" in d.reasons[0]


def test_a_grant_withholding_nothing_makes_the_merge_withhold_nothing() -> None:
    hidden = agreement("hidden", withhold=(Withholding(frozenset({"record.narrative"})),))
    analysts = agreement("analysts", roles=frozenset({UserRole.ANALYST}))
    snap = snapshot(hidden, analysts)
    analyst = scope(context(role=UserRole.ANALYST), snap, TODAY).grant(CITY, INC)
    investigator = scope(context(), snap, TODAY).grant(CITY, INC)
    assert analyst is not None and analyst.withhold == ()
    assert investigator is not None and investigator.withheld(Role.SUBJECT) == {"record.narrative"}


def test_own_records_stay_fully_visible_whatever_the_agency_grants_itself() -> None:
    a = agreement(grantees=frozenset({CITY}), withhold=(Withholding(frozenset({"person"})),))
    g = scope(context(CITY), snapshot(a), TODAY).grant(CITY, INC)
    assert g is not None and g.withhold == () and g.max_sensitivity is Sensitivity.RESTRICTED


def test_intersection_keeps_only_what_both_withhold_for_whom_both_withhold_it() -> None:
    victims_all = Withholding(frozenset({"person"}), frozenset({Role.VICTIM, Role.WITNESS}))
    names_sex = Withholding(frozenset({"person.name", "person.dob"}), None,
                            frozenset({OffenseCategory.SEX_OFFENSE}))  # fmt: skip
    [merged] = intersect([(victims_all,), (names_sex,)])
    assert merged.fields == {"person.name", "person.dob"}
    assert merged.roles == {Role.VICTIM, Role.WITNESS}
    assert merged.offense_categories == {OffenseCategory.SEX_OFFENSE}
    # No common role: nothing is withheld.
    suspects = Withholding(frozenset({"person"}), frozenset({Role.SUSPECT}))
    assert intersect([(victims_all,), (suspects,)]) == ()
    # The whole person in both stays the whole person.
    assert intersect([(victims_all,), (Withholding(frozenset({"person"})),)]) == (victims_all,)


def test_two_offense_conditions_merge_toward_withholding() -> None:
    a = Withholding(frozenset({"person"}), None, frozenset({OffenseCategory.SEX_OFFENSE}))
    b = Withholding(frozenset({"person"}), None, frozenset({OffenseCategory.JUVENILE}))
    [merged] = intersect([(a,), (b,)])
    assert merged.offense_categories == {OffenseCategory.SEX_OFFENSE, OffenseCategory.JUVENILE}


def test_explain_names_near_misses() -> None:
    expired = agreement("old", valid_to=date(2025, 12, 31))
    analysts = agreement("analysts", roles=frozenset({UserRole.ANALYST}))
    other_purpose = agreement("safety", purposes=frozenset({Purpose.OFFICER_SAFETY}))
    [d] = explain(Requester(COUNTY, UserRole.INVESTIGATOR, CI),
                  snapshot(expired, analysts, other_purpose), TODAY, CITY, INC)  # fmt: skip
    assert d.outcome == "denied"
    assert d.reasons == (
        "no agreement of WA0171500 grants WA0170000 incident for criminal-investigation",
        "agreement analysts v1 is limited to user roles analyst, not investigator",
        "agreement old v1 is not in force on 2026-06-01 (valid … to 2025-12-31)",
        "agreement safety v1 does not cover purpose criminal-investigation",
    )


# --- fail closed ------------------------------------------------------------------------------


def test_a_policy_that_cannot_be_evaluated_denies_that_owner_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    broken = agreement("broken", max_sensitivity="bogus")  # not a Sensitivity: .rank fails
    fine = agreement("fine", owner=STATE)
    with caplog.at_level(logging.ERROR, logger="lexhub.policy.scope"):
        s = scope(context(), snapshot(broken, fine), TODAY)
    assert CITY not in s.owners
    assert STATE in s.owners and COUNTY in s.owners
    assert "policy of owner WA0171500 could not be evaluated: AttributeError" in caplog.text
    [d] = explain(Requester(COUNTY, UserRole.INVESTIGATOR, CI), snapshot(broken), TODAY,
                  CITY, INC)  # fmt: skip
    assert d.outcome == "denied" and "could not be evaluated" in d.reasons[0]


def test_a_broken_owner_policy_denies_even_the_owners_own_users() -> None:
    policy = replace(OwnerPolicy(CITY), prohibited_requesters=None)  # type: ignore[arg-type]
    assert CITY not in scope(context(CITY), snapshot(policy), TODAY).owners


def test_scope_is_pure() -> None:
    snap = snapshot(agreement(), OwnerPolicy(CITY, withhold=(VICTIMS_OF_SEX_OFFENSES,)))
    first = scope(context(), snap, TODAY)
    assert scope(context(), snap, TODAY) == first
    assert snap == snapshot(agreement(), OwnerPolicy(CITY, withhold=(VICTIMS_OF_SEX_OFFENSES,)))
