"""Dates of birth as agencies write them, to `PartialDate`.

Formats use strptime's directives (%Y %y %m %d %b %B and literal characters), but parsing
is our own: strptime's "day is out of range for month" says nothing to the person fixing
the file, and strptime cannot keep a date partial. Every format also accepts its partial
forms: the day dropped ("%m/%d/%Y" accepts "02/1987"), then the month ("1987"). The ISO
partial forms "YYYY" and "YYYY-MM" are always accepted, being lexhub's own.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from lexhub.model.dates import PartialDate

__all__ = ["parse_dob"]

_MONTHS = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"]
_DIRECTIVES = {
    "Y": r"(?P<Y>\d{4})",
    "y": r"(?P<y>\d{2})",
    "m": r"(?P<m>\d{1,2})",
    "d": r"(?P<d>\d{1,2})",
    "b": r"(?P<b>[A-Za-z]{3})\.?",
    "B": r"(?P<B>[A-Za-z]{3,9})",
}
# Two-digit years: at or below this are 20xx, above it 19xx. Dates of birth are mostly in
# the past, and a fixed pivot keeps parsing a pure function of its input.
_PIVOT = 25


def _without(fmt: str, directive: str) -> str:
    """`fmt` with `directive` and one separator next to it removed."""
    out = re.sub(rf"%{directive}[^%\w]?", "", fmt, count=1)
    return re.sub(r"[^%\w]$", "", out)


@lru_cache(maxsize=256)
def _patterns(formats: tuple[str, ...]) -> tuple[tuple[str, re.Pattern[str]], ...]:
    variants: list[str] = []
    for fmt in formats:
        no_day = _without(fmt, "d") if "%d" in fmt else fmt
        no_month = no_day
        for directive in ("m", "b", "B"):
            if f"%{directive}" in no_month:
                no_month = _without(no_month, directive)
        variants += [fmt, no_day, no_month]
    variants += ["%Y-%m", "%Y"]
    compiled = []
    for fmt in dict.fromkeys(variants):
        pieces = re.split(r"(%.)", fmt)
        regex = "".join(
            _DIRECTIVES.get(p[1], re.escape(p))
            if p.startswith("%") and len(p) == 2
            else re.escape(p)
            for p in pieces
        )
        compiled.append((fmt, re.compile(rf"^{regex}$")))
    return tuple(compiled)


def _month(name: str) -> int:
    try:
        return _MONTHS.index(name[:3].upper()) + 1
    except ValueError:
        raise ValueError(f'"{name}" is not a month') from None


def parse_dob(text: str, formats: Sequence[str] = ("%Y-%m-%d",)) -> PartialDate:
    """Parse a date of birth in one of `formats` (tried in order), keeping it partial.

    Raises ValueError with the reason: no format matches, or the date is impossible
    ('"1987-02-30" is not a date: 1987-02 has no day 30').
    """
    value = text.strip()
    for _fmt, pattern in _patterns(tuple(formats)):
        match = pattern.match(value)
        if match is None:
            continue
        parts = match.groupdict()
        try:
            if parts.get("Y"):
                year = int(parts["Y"])
            else:
                short = int(parts["y"])
                year = (2000 if short <= _PIVOT else 1900) + short
            month: int | None = None
            if parts.get("m"):
                month = int(parts["m"])
            elif parts.get("b") or parts.get("B"):
                month = _month(parts.get("b") or parts["B"])
            day = int(parts["d"]) if parts.get("d") else None
            return PartialDate(year, month, day)
        except ValueError as e:
            raise ValueError(f'"{text}" is not a date: {e}') from None
    expected = ", ".join(formats)
    raise ValueError(f'"{text}" is not a date (expected {expected}, or YYYY-MM or YYYY)')
