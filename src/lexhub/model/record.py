"""A contributed record: owned by one agency, keyed by (owner, source_id), versioned in store."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from lexhub.model.codes import RecordType, Sensitivity
from lexhub.model.person import Address, Person, Phone

__all__ = ["Location", "Offense", "Record", "Vehicle"]


@dataclass(frozen=True)
class Offense:
    """A NIBRS offense code (e.g. `13A`, `23H`, `90D`) and the agency's own wording."""

    code: str
    description: str | None = None


@dataclass(frozen=True)
class Location:
    """A place in the record (where it happened, where someone was stopped)."""

    role: str
    address: Address


@dataclass(frozen=True)
class Vehicle:
    """`plate` as written; `plate_key` filled by normalization."""

    plate: str | None = None
    plate_state: str | None = None
    vin: str | None = None
    make: str | None = None
    model: str | None = None
    color: str | None = None
    year: int | None = None
    plate_key: str | None = None


@dataclass(frozen=True)
class Record:
    owner: str
    source_id: str
    type: RecordType
    occurred: date | None = None
    reported: date | None = None
    offenses: tuple[Offense, ...] = ()
    sensitivity: Sensitivity = Sensitivity.STANDARD
    narrative: str | None = None
    persons: tuple[Person, ...] = ()
    locations: tuple[Location, ...] = ()
    vehicles: tuple[Vehicle, ...] = ()
    phones: tuple[Phone, ...] = ()

    @property
    def key(self) -> tuple[str, str]:
        return (self.owner, self.source_id)
