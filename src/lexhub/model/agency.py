"""Agencies: the contributors and requesters, identified by ORI-style ids."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lexhub.model.codes import AgencyKind

__all__ = ["Agency", "Contact", "validate_ori"]

# 9 characters: two-letter state, five-digit county/agency, two more (the ninth is the type).
_ORI = re.compile(r"^[A-Z]{2}[A-Z0-9]{7}$")


def validate_ori(ori: str) -> str:
    """Return `ori` if it has the ORI shape; raise ValueError naming the rule otherwise."""
    if not _ORI.match(ori):
        raise ValueError(
            f'"{ori}" is not an ORI (9 characters: two-letter state, then 7 letters or digits)'
        )
    return ori


@dataclass(frozen=True)
class Contact:
    """Whom a partner calls about a record; the whole of what a `pointer` hit discloses."""

    unit: str
    phone: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Agency:
    id: str
    name: str
    state: str
    kind: AgencyKind
    time_zone: str
    contact: Contact

    def __post_init__(self) -> None:
        validate_ori(self.id)
        if self.state != self.id[:2]:
            raise ValueError(f"agency {self.id}: state {self.state} differs from its ORI prefix")
