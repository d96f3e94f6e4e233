"""Licence plates: the written form cleaned, and a key that forgives misread characters.

Plates are read off moving cars, in the dark, by witnesses and by cameras. The characters
people and OCR confuse most are folded to one character each in `plate_key`: O and Q to 0,
I to 1, B to 8, S to 5, and Z to 2 (Z/2 is as common a misread as S/5 on plates, and
folding it costs little: two plates differing only by Z/2 are rarely both real in one
region). D, G and L are NOT folded: D/0 and G/6 confusions are rarer, and each extra fold
makes the key's blocks larger for every plate.
"""

from __future__ import annotations

import re
import unicodedata

__all__ = ["normalize_plate", "plate_key", "plate_lookup"]

_NOT_ALNUM = re.compile(r"[^A-Z0-9]")
_CONFUSABLE = str.maketrans({"O": "0", "Q": "0", "I": "1", "B": "8", "S": "5", "Z": "2"})


def normalize_plate(text: str) -> str:
    """Uppercase ASCII letters and digits only: "abc-123", "ABC 123" -> "ABC123".
    Idempotent; never raises; "" for a plate with no letter or digit."""
    if not text.isascii():
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return _NOT_ALNUM.sub("", text.upper())


def plate_key(text: str) -> str:
    """`normalize_plate` with confusable characters folded: "BOS 5I2" -> "805512"
    Idempotent (folded characters map to themselves); never raises."""
    return normalize_plate(text).translate(_CONFUSABLE)


def plate_lookup(pattern: str) -> tuple[str, str]:
    """Which plate key kind to look a LIKE pattern up in, and the pattern for it.

    An index answers a pattern only through its literal prefix ("FD8%" is a range of
    keys); "%845B" has none and would read every plate key in the region. Ingest also
    keeps each plate key reversed (kind `platr`), in which that fragment's literal end is
    a prefix: "B548%". Whichever end is longer literally is the one looked up."""
    wild = [i for i, c in enumerate(pattern) if c in "%_"]
    if not wild:
        return "plate", pattern
    head, tail = wild[0], len(pattern) - 1 - wild[-1]
    if tail > head:
        return "platr", pattern[::-1]
    return "plate", pattern
