"""Agreements, owner policies and groups: the data `lexhub.policy` evaluates into a Scope.

An Agreement is one owner's grant to some requesters (agencies or groups), for some
purposes, user roles, record types, up to a sensitivity, at a disclosure level, with fields
withheld, between two dates. An OwnerPolicy is the owner's standing restrictions, which win
over every grant: purposes and requesters it never serves, fields it always withholds. A
Group names a set of agencies so one agreement can reach all of them; its membership is
data and may change under the agreements that name it.

A PolicySnapshot is everything in force at one moment (current versions only, revoked ones
left out), passed whole to `policy.scope`, which therefore needs no store. The dict form
(`policy_to_dict` / `policy_from_dict`) is how the store keeps a parsed document beside its
YAML text, so loading a snapshot never re-parses YAML.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from lexhub.model.codes import RecordType, Role, Sensitivity
from lexhub.model.context import Purpose, UserRole
from lexhub.model.offenses import OffenseCategory
from lexhub.model.scope import Disclosure, Withholding

__all__ = [
    "GROUP_PREFIX",
    "OWNER_POLICY_PREFIX",
    "Agreement",
    "Group",
    "OwnerPolicy",
    "PolicyDocument",
    "PolicySnapshot",
    "PolicyVersion",
    "policy_from_dict",
    "policy_to_dict",
]

GROUP_PREFIX = "group:"  # a grantee or prohibited requester naming a group
OWNER_POLICY_PREFIX = "owner-policy:"  # the document id of an owner's policy


@dataclass(frozen=True)
class Agreement:
    """One owner's grant. `roles` None: every user role; `valid_to` is the last day in force.
    `version` is given by the store when the agreement is applied (0: not stored)."""

    id: str
    owner: str
    grantees: frozenset[str]  # ORIs and "group:NAME"
    purposes: frozenset[Purpose]
    record_types: frozenset[RecordType]
    max_sensitivity: Sensitivity = Sensitivity.STANDARD
    disclosure: Disclosure = Disclosure.FULL
    withhold: tuple[Withholding, ...] = ()
    roles: frozenset[UserRole] | None = None
    valid_from: date | None = None
    valid_to: date | None = None
    description: str | None = None
    version: int = 0

    @property
    def doc_id(self) -> str:
        return self.id

    def in_force(self, today: date) -> bool:
        """False before `valid_from` and after `valid_to`: such an agreement grants nothing."""
        if self.valid_from is not None and today < self.valid_from:
            return False
        return self.valid_to is None or today <= self.valid_to


@dataclass(frozen=True)
class OwnerPolicy:
    """An owner's restrictions; they bind every requester, the owner's own users included."""

    owner: str
    prohibited_purposes: frozenset[Purpose] = frozenset()
    prohibited_requesters: frozenset[str] = frozenset()  # ORIs and "group:NAME"
    withhold: tuple[Withholding, ...] = ()
    description: str | None = None
    version: int = 0

    @property
    def doc_id(self) -> str:
        return OWNER_POLICY_PREFIX + self.owner


PolicyDocument = Agreement | OwnerPolicy


@dataclass(frozen=True)
class PolicyVersion:
    """One stored version of an agreement or owner policy. `action` "revoke": the document
    is out of force from this version on (`doc` and `source` are None)."""

    doc_id: str
    version: int
    kind: str  # "agreement" or "owner-policy"
    owner: str
    action: str  # "apply" or "revoke"
    source: str | None  # the YAML as applied
    doc: PolicyDocument | None
    applied_at: datetime
    applied_by: str | None = None


@dataclass(frozen=True)
class Group:
    name: str  # without the "group:" prefix
    members: frozenset[str] = frozenset()
    description: str | None = None

    @property
    def ref(self) -> str:
        return GROUP_PREFIX + self.name


@dataclass(frozen=True)
class PolicySnapshot:
    """The agencies known, the groups with their current members, and the agreements and
    owner policies in force (current, unrevoked versions), as of one read."""

    agencies: frozenset[str] = frozenset()
    groups: tuple[Group, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    owner_policies: tuple[OwnerPolicy, ...] = ()
    _policy: dict[str, OwnerPolicy] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _groups: dict[str, Group] = field(default_factory=dict, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        for p in self.owner_policies:
            if p.owner in self._policy:
                raise ValueError(f"two owner policies for {p.owner}")
            self._policy[p.owner] = p
        for g in self.groups:
            self._groups[g.ref] = g

    def owner_policy(self, owner: str) -> OwnerPolicy | None:
        return self._policy.get(owner)

    def group(self, ref: str) -> Group | None:
        """The group named `ref` ("group:NAME")."""
        return self._groups.get(ref)

    def groups_of(self, agency: str) -> frozenset[str]:
        """The refs ("group:NAME") of every group `agency` belongs to."""
        return frozenset(g.ref for g in self.groups if agency in g.members)

    @property
    def owners(self) -> frozenset[str]:
        """Every agency whose records a policy could concern."""
        return self.agencies | {a.owner for a in self.agreements}


# --- dict form (stored beside the YAML text) -------------------------------------------------


def _rules_to_list(rules: Iterable[Withholding]) -> list[dict[str, Any]]:
    return [
        {
            "fields": sorted(r.fields),
            "person_roles": None if r.roles is None else sorted(x.value for x in r.roles),
            "offense_categories": (
                None
                if r.offense_categories is None
                else sorted(c.value for c in r.offense_categories)
            ),
        }
        for r in rules
    ]


def _rules_from_list(items: Iterable[Mapping[str, Any]]) -> tuple[Withholding, ...]:
    return tuple(
        Withholding(
            frozenset(i["fields"]),
            None
            if i.get("person_roles") is None
            else frozenset(Role(x) for x in i["person_roles"]),
            None
            if i.get("offense_categories") is None
            else frozenset(OffenseCategory(c) for c in i["offense_categories"]),
        )
        for i in items
    )


def policy_to_dict(doc: PolicyDocument) -> dict[str, Any]:
    """A JSON-ready dict of `doc` (without its version, which the store keeps)."""
    if isinstance(doc, OwnerPolicy):
        return {
            "kind": "owner-policy",
            "owner": doc.owner,
            "prohibited_purposes": sorted(p.value for p in doc.prohibited_purposes),
            "prohibited_requesters": sorted(doc.prohibited_requesters),
            "withhold": _rules_to_list(doc.withhold),
            "description": doc.description,
        }
    return {
        "kind": "agreement",
        "id": doc.id,
        "owner": doc.owner,
        "grantees": sorted(doc.grantees),
        "purposes": sorted(p.value for p in doc.purposes),
        "record_types": sorted(t.value for t in doc.record_types),
        "roles": None if doc.roles is None else sorted(r.value for r in doc.roles),
        "max_sensitivity": doc.max_sensitivity.value,
        "disclosure": doc.disclosure.value,
        "withhold": _rules_to_list(doc.withhold),
        "valid_from": None if doc.valid_from is None else doc.valid_from.isoformat(),
        "valid_to": None if doc.valid_to is None else doc.valid_to.isoformat(),
        "description": doc.description,
    }


def policy_from_dict(d: Mapping[str, Any], version: int = 0) -> PolicyDocument:
    """The document `policy_to_dict` wrote. Raises ValueError/KeyError on anything else."""
    if d["kind"] == "owner-policy":
        return OwnerPolicy(
            d["owner"],
            frozenset(Purpose(p) for p in d["prohibited_purposes"]),
            frozenset(d["prohibited_requesters"]),
            _rules_from_list(d["withhold"]),
            d.get("description"),
            version,
        )
    if d["kind"] != "agreement":
        raise ValueError(f"unknown policy document kind {d['kind']!r}")
    return Agreement(
        id=d["id"],
        owner=d["owner"],
        grantees=frozenset(d["grantees"]),
        purposes=frozenset(Purpose(p) for p in d["purposes"]),
        record_types=frozenset(RecordType(t) for t in d["record_types"]),
        max_sensitivity=Sensitivity(d["max_sensitivity"]),
        disclosure=Disclosure(d["disclosure"]),
        withhold=_rules_from_list(d["withhold"]),
        roles=None if d.get("roles") is None else frozenset(UserRole(r) for r in d["roles"]),
        valid_from=None if d.get("valid_from") is None else date.fromisoformat(d["valid_from"]),
        valid_to=None if d.get("valid_to") is None else date.fromisoformat(d["valid_to"]),
        description=d.get("description"),
        version=version,
    )
