"""A whole record normalized: every derived field filled, nothing the agency wrote lost.

Ingest stores the normalized form, so a record read back from the store carries e164,
address components and keys, mark codes and plate keys. Each derived field is computed from
what the agency wrote (`number`, `text`, `code`/`description`, `plate`), never from an
earlier derived value, which makes `normalize_record` idempotent. Unchanged parts keep
their identity (no copies), which keeps the common case cheap.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from functools import lru_cache
from typing import TypeVar

from lexhub.model.person import Mark, Person, Phone
from lexhub.model.record import Location, Record, Vehicle
from lexhub.normalize.addresses import normalize_address
from lexhub.normalize.marks import normalize_mark
from lexhub.normalize.phones import normalize_phone
from lexhub.normalize.plates import plate_key

__all__ = ["normalize_record"]

T = TypeVar("T")


def _map(items: Sequence[T], fn: Callable[[T], T]) -> tuple[T, ...] | None:
    """The mapped tuple, or None when every item came back as itself."""
    out = []
    changed = False
    for item in items:
        new = fn(item)
        out.append(new)
        changed = changed or new is not item
    return tuple(out) if changed else None


def _evolve(obj: T, changes: dict[str, object]) -> T:
    """`dataclasses.replace` for the model's frozen, non-slotted dataclasses, without
    running `__init__` again: 10x cheaper, and this runs for every person of every record.
    Only derived fields change, so validation done at construction still holds."""
    new: T = object.__new__(type(obj))
    new.__dict__.update(obj.__dict__)
    new.__dict__.update(changes)
    return new


@lru_cache(maxsize=1 << 14)
def _mark(mark: Mark) -> Mark:
    return normalize_mark(mark)


def _phones(phones: tuple[Phone, ...], region: str) -> tuple[Phone, ...] | None:
    return _map(phones, lambda p: normalize_phone(p, region))


def _person(person: Person, region: str) -> Person:
    changes: dict[str, object] = {}
    phones = _phones(person.phones, region) if person.phones else None
    if phones is not None:
        changes["phones"] = phones
    addresses = _map(person.addresses, normalize_address) if person.addresses else None
    if addresses is not None:
        changes["addresses"] = addresses
    marks = _map(person.marks, _mark) if person.marks else None
    if marks is not None:
        changes["marks"] = marks
    return _evolve(person, changes) if changes else person


def _location(location: Location) -> Location:
    address = normalize_address(location.address)
    return location if address is location.address else Location(location.role, address)


def _vehicle(vehicle: Vehicle) -> Vehicle:
    key = plate_key(vehicle.plate) if vehicle.plate else None
    key = key or None
    return vehicle if key == vehicle.plate_key else dataclasses.replace(vehicle, plate_key=key)


def normalize_record(record: Record, region: str = "US") -> Record:
    """A copy of `record` with phones (e164, extension), addresses (components, key, kind)
    of persons and locations, marks (code, type, side, part) and plate keys filled.
    `region` is the default phone region for numbers written without a country code.
    Idempotent; raises nothing for any content the model types can hold."""
    changes: dict[str, object] = {}
    persons = _map(record.persons, lambda p: _person(p, region)) if record.persons else None
    if persons is not None:
        changes["persons"] = persons
    locations = _map(record.locations, _location) if record.locations else None
    if locations is not None:
        changes["locations"] = locations
    vehicles = _map(record.vehicles, _vehicle) if record.vehicles else None
    if vehicles is not None:
        changes["vehicles"] = vehicles
    phones = _phones(record.phones, region) if record.phones else None
    if phones is not None:
        changes["phones"] = phones
    return _evolve(record, changes) if changes else record
