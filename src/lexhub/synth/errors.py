"""The errors real records have, applied to one mention's name and date of birth.

Each function takes the true value and a `random.Random` and returns a changed value (never
the same one) or None when the kind does not apply (no nickname known, a day above 12 to
transpose). `apply_error` picks a kind by ERROR_WEIGHTS, falling back to a typo when the
kind does not apply, so the mix is as documented in docs/synth.md.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass

from lexhub.synth.names import nickname_variants

__all__ = ["ERROR_WEIGHTS", "Identity", "apply_error", "typo"]

_ROWS = ("1234567890", "QWERTYUIOP", "ASDFGHJKL", "ZXCVBNM")
_POS = {ch: (r, c) for r, row in enumerate(_ROWS) for c, ch in enumerate(row)}


def _adjacent(ch: str) -> str:
    pos = _POS.get(ch)
    if pos is None:
        return ch
    r, c = pos
    out = []
    for dr, dc in ((0, -1), (0, 1), (-1, 0), (-1, 1), (1, -1), (1, 0)):
        rr, cc = r + dr, c + dc
        if 1 <= rr < len(_ROWS) and 0 <= cc < len(_ROWS[rr]):
            out.append(_ROWS[rr][cc])
    return "".join(out)


_NEIGHBOURS = {ch: _adjacent(ch) for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def typo(word: str, rng: random.Random) -> str:
    """One keyboard slip: insert, delete, substitute (an adjacent key) or transpose."""
    letters = [i for i, ch in enumerate(word) if ch in _NEIGHBOURS]
    if not letters:
        return word + "X"
    for _ in range(4):
        i = rng.choice(letters)
        kind = rng.randrange(4)
        if kind == 0:  # insert a neighbour of the letter (a double strike)
            out = word[: i + 1] + rng.choice(_NEIGHBOURS[word[i]] or word[i]) + word[i + 1 :]
        elif kind == 1 and len(letters) > 3:
            out = word[:i] + word[i + 1 :]
        elif kind == 2:
            out = word[:i] + rng.choice(_NEIGHBOURS[word[i]]) + word[i + 1 :]
        elif i + 1 < len(word) and word[i] != word[i + 1]:
            out = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
        else:
            continue
        if out != word:
            return out
    return word[:-1] + rng.choice(_NEIGHBOURS.get(word[-1], "E") or "E")


@dataclass
class Identity:
    """The name and birth date a mention gives; `dob` is (year, month, day) with month and
    day None for a year-only date."""

    first: str
    middle: str
    last: str
    suffix: str
    dob: tuple[int, int | None, int | None]
    maiden: str  # another surname this person has used ("" none)


def _valid(y: int, m: int, d: int) -> bool:
    return 1900 <= y <= 2024 and 1 <= m <= 12 and 1 <= d <= calendar.monthrange(y, m)[1]


def _dob_digit(dob: tuple[int, int | None, int | None], rng: random.Random) -> tuple[int, int, int]:
    y, m, d = dob
    assert m is not None and d is not None
    text = f"{y:04d}{m:02d}{d:02d}"
    for _ in range(8):
        i = rng.choice((2, 3, 3, 5, 6, 7, 7))
        ch = text[i]
        new = rng.choice(_NEIGHBOURS.get(ch, "") or "0123456789") if ch in _POS else ch
        new = new if new.isdigit() else str((int(ch) + rng.choice((1, 9))) % 10)
        t = text[:i] + new + text[i + 1 :]
        ny, nm, nd = int(t[:4]), int(t[4:6]), int(t[6:])
        if t != text and _valid(ny, nm, nd):
            return ny, nm, nd
    nd = d + 1 if d < 28 else d - 1
    return y, m, nd


def _surname(ident: Identity, rng: random.Random) -> str | None:
    if ident.maiden:
        m, last = ident.maiden, ident.last
        return rng.choice((m, f"{m}-{last}", f"{last}-{m}"))
    if "-" in ident.last:
        parts = ident.last.split("-")
        return rng.choice((parts[0], parts[-1], " ".join(parts), "".join(parts)))
    return None


# kind -> weight; the share of erroneous mentions that get each kind (before fallbacks).
ERROR_WEIGHTS = {
    "typo-last": 16,
    "typo-first": 13,
    "nickname": 15,
    "swap": 5,
    "surname": 9,
    "middle-as-first": 4,
    "dob-transposed": 9,
    "dob-digit": 12,
    "dob-year-only": 7,
    "dob-year": 5,
}
_KINDS = tuple(ERROR_WEIGHTS)
_CUM = tuple(float(sum(list(ERROR_WEIGHTS.values())[: i + 1])) for i in range(len(_KINDS)))


def apply_error(ident: Identity, rng: random.Random) -> str:
    """Change `ident` in place by one error; returns the kind applied."""
    kind = rng.choices(_KINDS, cum_weights=_CUM)[0]
    y, m, d = ident.dob
    if kind == "nickname":
        nicks = nickname_variants(ident.first)
        if nicks:
            ident.first = rng.choice(nicks)
            return kind
        kind = "typo-first"
    elif kind == "swap":
        ident.first, ident.last = ident.last, ident.first
        return kind
    elif kind == "surname":
        new = _surname(ident, rng)
        if new is not None:
            ident.last = new
            return kind
        kind = "typo-last"
    elif kind == "middle-as-first" and ident.middle:
        ident.first, ident.middle = ident.middle, ident.first
        return kind
    elif kind.startswith("dob-") and m is not None and d is not None:
        if kind == "dob-transposed" and d <= 12 and d != m:
            ident.dob = (y, d, m)
            return kind
        if kind == "dob-year-only":
            ident.dob = (y, None, None)
            return kind
        if kind == "dob-year" and _valid(y + 1, m, d) and _valid(y - 1, m, d):
            ident.dob = (y + rng.choice((-1, 1)), m, d)
            return kind
        ident.dob = _dob_digit(ident.dob, rng)
        return "dob-digit"
    if kind == "typo-last":
        ident.last = typo(ident.last, rng)
        return kind
    ident.first = typo(ident.first, rng)
    return "typo-first"
