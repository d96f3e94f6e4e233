"""YAML validation: every problem reported at once, each with file, line and key."""

from __future__ import annotations

from datetime import date

import pytest

from lexhub.errors import BatchRejected, InputError
from lexhub.model import Disclosure, OffenseCategory, RecordType, Role, Sensitivity, Withholding
from lexhub.model.agreement import Agreement, OwnerPolicy, policy_from_dict, policy_to_dict
from lexhub.model.context import Purpose, UserRole
from lexhub.policy import parse_policies

AGENCIES = {"WA0171500", "WA0170000", "DC0000000"}
GROUPS = {"group:federal-partners"}

GOOD = """\
id: city-to-county-2026
owner: WA0171500            # the city
grantees: [WA0170000, group:federal-partners]
purposes: [criminal-investigation, officer-safety]
roles: [analyst]
record_types: [incident, arrest, field-interview]
max_sensitivity: sensitive
disclosure: pointer
withhold:
  - person.phones
  - fields: [person]
    person_roles: [victim]
    offense_categories: [sex-offense]
valid_from: 2026-01-01
valid_to: 2027-12-31
description: County analysts.
---
owner_policy:
  owner: WA0171500
  prohibited_purposes: [civil-immigration-enforcement]
  prohibited_requesters: [group:federal-partners]
  withhold: [record.narrative]
"""


def parse(text: str, name: str = "a.yaml") -> list[Agreement | OwnerPolicy]:
    return [d for d, _ in parse_policies(text, name, agencies=AGENCIES, groups=GROUPS)]


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as info:
        parse(text)
    e = info.value
    return [str(p) for p in e.problems] if isinstance(e, BatchRejected) else [str(e)]


def test_a_valid_file_gives_every_document() -> None:
    agreement, policy = parse(GOOD)
    assert agreement == Agreement(
        id="city-to-county-2026",
        owner="WA0171500",
        grantees=frozenset({"WA0170000", "group:federal-partners"}),
        purposes=frozenset({Purpose.CRIMINAL_INVESTIGATION, Purpose.OFFICER_SAFETY}),
        record_types=frozenset({RecordType.INCIDENT, RecordType.ARREST,
                                RecordType.FIELD_INTERVIEW}),
        max_sensitivity=Sensitivity.SENSITIVE,
        disclosure=Disclosure.POINTER,
        withhold=(
            Withholding(frozenset({"person.phones"})),
            Withholding(frozenset({"person"}), frozenset({Role.VICTIM}),
                        frozenset({OffenseCategory.SEX_OFFENSE})),
        ),
        roles=frozenset({UserRole.ANALYST}),
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
        description="County analysts.",
    )  # fmt: skip
    assert policy == OwnerPolicy(
        "WA0171500",
        frozenset({Purpose.CIVIL_IMMIGRATION_ENFORCEMENT}),
        frozenset({"group:federal-partners"}),
        (Withholding(frozenset({"record.narrative"})),),
    )


def test_each_document_keeps_its_own_yaml_and_a_single_one_the_whole_file() -> None:
    (_, first), (_, second) = parse_policies(GOOD, "a.yaml", agencies=AGENCIES, groups=GROUPS)
    assert first.startswith("id: city-to-county-2026") and "owner_policy" not in first
    assert second.startswith("owner_policy:") and "prohibited_requesters" in second
    alone = "# the city's grant\n" + GOOD.split("---")[0]
    [(_, source)] = parse_policies(alone, "a.yaml", agencies=AGENCIES, groups=GROUPS)
    assert source == alone


def test_the_dict_form_round_trips() -> None:
    for doc in parse(GOOD):
        assert policy_from_dict(policy_to_dict(doc)) == doc


def test_every_problem_is_named_by_file_line_and_key() -> None:
    bad = """\
id: City To County
owner: WA0171599
grantees: [group:dhs, WA0170000, XX0000000]
purposes: [immigration, officer-safety]
record_types: [incident, parking]
colour: red
roles: [sheriff]
max_sensitivity: secret
disclosure: partial
withhold:
  - person.phone
  - fields: [record.narrative]
    person_roles: [victim, bystander]
  - person_roles: [victim]
  - fields: [person]
    offense_categories: [arson]
    when: always
valid_from: 2026-02-30
"""
    assert problems(bad) == [
        'a.yaml:1: id: "City To County" must be lower-case letters, digits, ".", "_" or "-"'
        ' (at most 80), and not start with "owner-policy:"',
        'a.yaml:2: owner: unknown agency "WA0171599" (register it with `lexhub agency add`)',
        'a.yaml:3: grantees[0]: unknown group "group:dhs" (create it with `lexhub group add`)',
        'a.yaml:3: grantees[2]: unknown agency "XX0000000" (register it with `lexhub agency add`)',
        'a.yaml:4: purposes[0]: unknown purpose "immigration"; one of criminal-investigation,'
        " officer-safety, warrant-service, missing-person, victim-services, cj-employment,"
        " firearms-check, domestic-violence, civil-immigration-enforcement, administrative,"
        " training",
        'a.yaml:5: record_types[1]: unknown record type "parking"; one of incident, arrest,'
        " booking, field-interview, citation, warrant",
        "a.yaml:6: colour: unknown key; allowed: id, owner, grantees, purposes, roles,"
        " record_types, max_sensitivity, disclosure, withhold, valid_from, valid_to, description",
        'a.yaml:7: roles[0]: unknown user role "sheriff"; one of investigator, analyst,'
        " records-admin, auditor, node-admin",
        'a.yaml:8: max_sensitivity: unknown sensitivity "secret"; one of standard, sensitive,'
        " restricted",
        'a.yaml:9: disclosure: unknown disclosure "partial"; one of full, pointer',
        'a.yaml:11: withhold[0]: unknown field "person.phone"; one of person, person.name,'
        " person.aliases, person.dob, person.descriptors, person.marks, person.phones,"
        " person.addresses, person.identifiers, record.narrative, record.locations,"
        " record.vehicles, record.phones, record.offenses",
        'a.yaml:13: withhold[1].person_roles[1]: unknown person role "bystander"; one of'
        " suspect, arrestee, victim, witness, subject, reporting-party, driver, owner, associate",
        "a.yaml:13: withhold[1].person_roles: record fields (record.narrative) cannot depend on"
        " a person's role; put them in a rule of their own",
        "a.yaml:14: withhold[2].fields: is required",
        'a.yaml:16: withhold[3].offense_categories[0]: unknown offense category "arson"; one of'
        " sex-offense, person, property, society, juvenile",
        "a.yaml:17: withhold[3].when: unknown key; allowed: fields, person_roles,"
        " offense_categories",
        'a.yaml:18: valid_from: "2026-02-30" is not a date (YYYY-MM-DD)',
    ]


def test_missing_keys_empty_lists_and_reversed_dates() -> None:
    text = """\
id: x
owner: WA0171500
grantees: []
valid_from: 2026-05-01
valid_to: 2026-04-30
"""
    assert problems(text) == [
        "a.yaml:1: purposes: is required",
        "a.yaml:1: record_types: is required",
        "a.yaml:3: grantees: must not be empty",
        "a.yaml:5: valid_to: 2026-04-30 is before valid_from 2026-05-01",
    ]


def test_owner_policy_errors_name_their_keys() -> None:
    text = """\
id: ok
owner: WA0171500
grantees: [WA0170000]
purposes: [training]
record_types: [incident]
---
owner_policy:
  owner: WA0171500
  prohibited_purposes: civil-immigration-enforcement
  prohibited_requesters: [group:ice]
  forbid: [everything]
"""
    assert problems(text) == [
        "a.yaml:9: owner_policy.prohibited_purposes: must be a list, e.g. [a, b]",
        'a.yaml:10: owner_policy.prohibited_requesters[0]: unknown group "group:ice"'
        " (create it with `lexhub group add`)",
        "a.yaml:11: owner_policy.forbid: unknown key; allowed: owner, prohibited_purposes,"
        " prohibited_requesters, withhold, description",
    ]


def test_a_single_problem_is_one_line_and_duplicates_are_problems() -> None:
    one = "id: a\nowner: WA0171500\ngrantees: [WA0170000]\npurposes: [training]\n"
    with pytest.raises(InputError) as info:
        parse(one)
    assert not isinstance(info.value, BatchRejected)
    assert str(info.value) == "a.yaml:1: record_types: is required"
    doc = one + "record_types: [incident]\n"
    assert problems(doc + "---\n" + doc) == ["a.yaml:7: a is also defined at line 1"]


def test_not_yaml_and_not_a_mapping() -> None:
    assert problems("id: [unclosed\n") == [
        "a.yaml:2: is not valid YAML: expected ',' or ']', but got '<stream end>'"
    ]
    assert problems("- a\n- b\n") == [
        "a.yaml:1: a document must be an agreement or {owner_policy: ...}"
    ]
    assert problems("# nothing\n") == ["a.yaml: holds no agreement or owner policy"]
