"""What a synthetic region is asked for (`SynthConfig`) and what it turned out to be
(`RegionSummary`, also written as summary.json)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

__all__ = ["FORMATS", "WINDOW_END", "WINDOW_START", "RegionSummary", "SynthConfig"]

FORMATS = ("jsonl", "csv", "xml")
# Records occur in this fixed window (not "the last ten years": the output must not depend
# on the day it is generated).
WINDOW_START = date(2015, 1, 1)
WINDOW_END = date(2024, 12, 31)


@dataclass(frozen=True)
class SynthConfig:
    """A region to generate. The same config always gives the same bytes.

    `formats`: each agency's file format in agency order, cycled ("jsonl", "csv", "xml");
    None means the default mix (for twelve agencies: 9 JSON Lines, 2 CSV, 1 NIEM XML).
    `workers`: processes to generate with; None picks one per core for large regions.
    The output does not depend on it.
    """

    agencies: int = 12
    people: int = 200_000
    records: int = 1_000_000
    seed: int = 7
    state: str = "WA"
    formats: tuple[str, ...] | None = None
    workers: int | None = None

    def __post_init__(self) -> None:
        if self.agencies < 1:
            raise ValueError("agencies must be at least 1")
        if self.people < 1:
            raise ValueError("people must be at least 1")
        if self.records < 1:
            raise ValueError("records must be at least 1")
        if self.formats is not None:
            if not self.formats:
                raise ValueError("formats must not be empty")
            for f in self.formats:
                if f not in FORMATS:
                    raise ValueError(f'unknown format "{f}" (one of {", ".join(FORMATS)})')


@dataclass(frozen=True)
class RegionSummary:
    """Counts and the measured error rates of a generated region (summary.json).

    `rates` holds the headline figures DOMAIN.md asks for, among people with two or more
    mentions: `variant_share` (at least one erroneous or deceptive variant of name or date
    of birth) and `false_identity_share` (a false name or date of birth somewhere).
    `errors` counts mentions per error kind.
    """

    out_dir: str
    agencies: int
    people: int
    people_mentioned: int
    records: int
    mentions: int
    bytes_written: int
    seconds: float
    files: dict[str, str] = field(default_factory=dict)
    mentions_per_person: dict[str, Any] = field(default_factory=dict)
    rates: dict[str, float] = field(default_factory=dict)
    errors: dict[str, int] = field(default_factory=dict)
    record_types: dict[str, int] = field(default_factory=dict)
    sensitivity: dict[str, int] = field(default_factory=dict)
    fallbacks: list[str] = field(default_factory=list)
