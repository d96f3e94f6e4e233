"""Dates of birth as records hold them: full, year and month, or year only."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

__all__ = ["PartialDate"]


@dataclass(frozen=True, order=True)
class PartialDate:
    """A date that may lack its day, or its month and day.

    Records often give only a birth year ("approx. 1985") or year and month. Keeping the
    partial form, rather than inventing a 1 January, lets search treat "1985" as matching
    any 1985 date and no date in 1986. Raises ValueError for impossible dates.
    """

    year: int
    month: int | None = None
    day: int | None = None

    def __post_init__(self) -> None:
        if not 1800 <= self.year <= 2200:
            raise ValueError(f"year {self.year} is out of range")
        if self.month is None and self.day is not None:
            raise ValueError("a day without a month")
        if self.month is not None and not 1 <= self.month <= 12:
            raise ValueError(f"month {self.month} is not 1-12")
        if self.day is not None:
            assert self.month is not None
            last = calendar.monthrange(self.year, self.month)[1]
            if not 1 <= self.day <= last:
                raise ValueError(f"{self.year:04d}-{self.month:02d} has no day {self.day}")

    @property
    def is_full(self) -> bool:
        return self.day is not None

    def to_date(self) -> date | None:
        if self.month is None or self.day is None:
            return None
        return date(self.year, self.month, self.day)

    def iso(self) -> str:
        """`YYYY`, `YYYY-MM` or `YYYY-MM-DD`; the inverse of `from_iso`."""
        if self.month is None:
            return f"{self.year:04d}"
        if self.day is None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"

    @classmethod
    def from_iso(cls, text: str) -> PartialDate:
        """Parse the forms `iso` writes. Raises ValueError for anything else."""
        parts = text.strip().split("-")
        if not 1 <= len(parts) <= 3 or not all(p.isdigit() for p in parts):
            raise ValueError(f'"{text}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)')
        if len(parts[0]) != 4 or any(len(p) != 2 for p in parts[1:]):
            raise ValueError(f'"{text}" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)')
        numbers = [int(p) for p in parts]
        return cls(numbers[0], *numbers[1:])

    @classmethod
    def of(cls, value: date) -> PartialDate:
        return cls(value.year, value.month, value.day)

    def __str__(self) -> str:
        return self.iso()
