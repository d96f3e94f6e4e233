"""A person as one record mentions them: what that agency wrote, not who they really are.

Two mentions of one real person may disagree on every field; `linkage` decides who is who.
There is deliberately no immigration, citizenship or place-of-birth field.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lexhub.model.codes import EyeColor, HairColor, IdentifierKind, PhoneKind, Race, Role, Sex
from lexhub.model.dates import PartialDate

__all__ = ["Address", "Identifier", "Mark", "Person", "PersonName", "Phone"]


@dataclass(frozen=True)
class PersonName:
    """Name parts as given (original case and accents kept); `normalize.names` folds them."""

    last: str
    first: str | None = None
    middle: str | None = None
    suffix: str | None = None

    def display(self) -> str:
        given = " ".join(p for p in (self.first, self.middle) if p)
        full = f"{self.last}, {given}" if given else self.last
        return f"{full} {self.suffix}" if self.suffix else full


@dataclass(frozen=True)
class Phone:
    """`number` as written in the record; `e164` and `extension` filled by normalization."""

    number: str
    kind: PhoneKind = PhoneKind.UNKNOWN
    e164: str | None = None
    extension: str | None = None


@dataclass(frozen=True)
class Address:
    """A street address, PO box or intersection.

    `text` is what the record said; `components` are usaddress labels to values and `key`
    the normalized comparison key, both filled by normalization (None if unparseable).
    """

    text: str
    components: tuple[tuple[str, str], ...] = ()
    key: str | None = None
    kind: str = "street"  # street | po-box | intersection | unparsed


@dataclass(frozen=True)
class Mark:
    """A scar, mark or tattoo: NCIC SMT code (type + side + part), its parts, and free text."""

    code: str | None
    description: str | None = None
    type: str | None = None
    side: str | None = None
    part: str | None = None


@dataclass(frozen=True)
class Identifier:
    kind: IdentifierKind
    value: str
    issuer: str | None = None  # issuing state for state ids and licences


@dataclass(frozen=True)
class Person:
    """One person mention in one record. `ref` is unique within its record."""

    ref: str
    role: Role
    name: PersonName
    aliases: tuple[PersonName, ...] = ()
    monikers: tuple[str, ...] = ()
    dob: PartialDate | None = None
    sex: Sex | None = None
    race: Race | None = None
    height_in: int | None = None
    weight_lb: int | None = None
    eye: EyeColor | None = None
    hair: HairColor | None = None
    marks: tuple[Mark, ...] = ()
    phones: tuple[Phone, ...] = ()
    addresses: tuple[Address, ...] = ()
    identifiers: tuple[Identifier, ...] = field(default=())
