"""What an investigator asks: a person query or a record query, every field optional.

Values are kept as typed (a phone in any format, a partial plate with `*` wildcards, a
date of birth as YYYY-MM-DD, YYYY-MM or YYYY); the planner normalizes them with the same
functions ingest uses, so a query and a record meet on the same keys.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date

from lexhub.model import Race, RecordType, Sex

__all__ = ["PersonQuery", "Query", "RecordQuery"]


@dataclass(frozen=True)
class PersonQuery:
    last: str | None = None
    first: str | None = None
    middle: str | None = None
    alias: str | None = None  # an alias ("LAST, FIRST" or "First Last") or a moniker
    dob: str | None = None  # YYYY-MM-DD, YYYY-MM or YYYY
    dob_from: date | None = None
    dob_to: date | None = None
    age_min: int | None = None
    age_max: int | None = None
    sex: Sex | None = None
    race: Race | None = None
    height_min: int | None = None  # inches
    height_max: int | None = None
    weight_min: int | None = None  # pounds
    weight_max: int | None = None
    phone: str | None = None
    address: str | None = None
    mark: str | None = None  # NCIC SMT code ("TAT L ARM") or free words ("dragon tattoo")
    state_id: str | None = None
    driver_license: str | None = None
    plate: str | None = None

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, "") for f in fields(self))


@dataclass(frozen=True)
class RecordQuery:
    record_type: RecordType | None = None
    offense: str | None = None  # NIBRS code
    owner: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    location: str | None = None  # an address
    plate: str | None = None  # partial, with * wildcards: "ABC*12"
    phone: str | None = None
    text: str | None = None  # free text over narratives

    @property
    def is_empty(self) -> bool:
        return all(getattr(self, f.name) in (None, "") for f in fields(self))


Query = PersonQuery | RecordQuery
