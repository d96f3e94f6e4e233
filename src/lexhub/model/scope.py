"""What one request may see: the output of policy evaluation, the input of every search.

A Scope is a set of Grants, one per (owner agency, record type) at most. A grant caps the
sensitivity, sets the disclosure level, and lists Withholding rules. Nothing outside the
grants exists for the request: search turns the scope into its storage query, so records
outside it are never read, counted or ranked, and a withheld field is never matched,
scored, explained or returned. An empty scope finds nothing without touching the data.

`lexhub.policy` derives a request's scope from the agreements in force; tests and
benchmarks of the engine alone build them directly.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from lexhub.model.codes import RecordType, Role, Sensitivity
from lexhub.model.offenses import OffenseCategory

__all__ = ["WITHHOLDABLE", "Disclosure", "Grant", "Scope", "Withholding"]

# The fields a rule may withhold. "person" withholds the whole person mention (it is
# neither matched nor shown: the identity of a rape victim); the others withhold one part.
WITHHOLDABLE: dict[str, str] = {
    "person": "the whole person mention",
    "person.name": "the person's name (last, first, middle, suffix)",
    "person.aliases": "aliases and monikers",
    "person.dob": "date of birth (and age)",
    "person.descriptors": "sex, race, height, weight, eye and hair colour",
    "person.marks": "scars, marks and tattoos",
    "person.phones": "the person's phone numbers",
    "person.addresses": "the person's addresses",
    "person.identifiers": "state id, driver licence and other identifiers",
    "record.narrative": "the narrative text",
    "record.locations": "the record's locations",
    "record.vehicles": "vehicles: plates, VINs, descriptions",
    "record.phones": "the record's phone numbers",
    "record.offenses": "the offenses",
}


class Disclosure(StrEnum):
    """`full`: matched fields and record; `pointer`: only that the owner holds a matching
    record of that type, and whom to contact (the LEXS "gray" mark, generalized)."""

    FULL = "full"
    POINTER = "pointer"


@dataclass(frozen=True)
class Withholding:
    """Withhold `fields`; if `roles` or `offense_categories` are given, only for persons in
    one of those roles and/or records with an offense in one of those categories."""

    fields: frozenset[str]
    roles: frozenset[Role] | None = None
    offense_categories: frozenset[OffenseCategory] | None = None

    def __post_init__(self) -> None:
        unknown = sorted(set(self.fields) - set(WITHHOLDABLE))
        if unknown:
            raise ValueError(f"unknown field(s) to withhold: {', '.join(unknown)}")
        if not self.fields:
            raise ValueError("a withholding rule needs at least one field")

    @property
    def conditional(self) -> bool:
        return self.roles is not None or self.offense_categories is not None

    def applies(self, role: Role | str, categories: Iterable[OffenseCategory | str]) -> bool:
        if self.roles is not None and Role(role) not in self.roles:
            return False
        if self.offense_categories is not None:
            return not self.offense_categories.isdisjoint(OffenseCategory(c) for c in categories)
        return True


@dataclass(frozen=True)
class Grant:
    owner: str
    record_type: RecordType
    max_sensitivity: Sensitivity
    disclosure: Disclosure = Disclosure.FULL
    withhold: tuple[Withholding, ...] = ()
    source: str | None = None  # the agreement that gave it (policy fills it in)

    def withheld(
        self, role: Role | str, categories: Iterable[OffenseCategory | str] = ()
    ) -> frozenset[str]:
        """Fields withheld for a person in `role` in a record with these categories."""
        cats = tuple(categories)
        out: set[str] = set()
        for rule in self.withhold:
            if rule.applies(role, cats):
                out |= rule.fields
        return frozenset(out)

    @property
    def always_withheld(self) -> frozenset[str]:
        """Fields withheld for everyone in every record of this grant."""
        return frozenset(f for r in self.withhold if not r.conditional for f in r.fields)


@dataclass(frozen=True)
class Scope:
    grants: tuple[Grant, ...] = ()
    _by_key: dict[tuple[str, RecordType], Grant] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        for grant in self.grants:
            key = (grant.owner, grant.record_type)
            if key in self._by_key:
                raise ValueError(f"two grants for {grant.owner}/{grant.record_type.value}")
            self._by_key[key] = grant

    @property
    def empty(self) -> bool:
        return not self.grants

    def grant(self, owner: str, record_type: RecordType | str) -> Grant | None:
        # A StrEnum member hashes and compares as its value: a plain "arrest" finds it.
        return self._by_key.get((owner, record_type))  # type: ignore[arg-type]

    @property
    def owners(self) -> tuple[str, ...]:
        return tuple(sorted({g.owner for g in self.grants}))

    @classmethod
    def full_access(
        cls,
        owners: Iterable[str],
        *,
        max_sensitivity: Sensitivity = Sensitivity.RESTRICTED,
        disclosure: Disclosure = Disclosure.FULL,
        withhold: tuple[Withholding, ...] = (),
    ) -> Scope:
        """Every record type of `owners` under one rule set: a base for tests and for
        benchmarks of the search engine without policy."""
        return cls(
            tuple(
                Grant(owner, rt, max_sensitivity, disclosure, withhold)
                for owner in sorted(set(owners))
                for rt in RecordType
            )
        )
