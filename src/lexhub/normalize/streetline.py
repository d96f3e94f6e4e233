"""A fast rule parser for the address forms most records use, in front of usaddress.

usaddress costs 50-370 µs a call; most addresses in records are one plain form:
"123 [N] MAIN [ST] [N] [APT|UNIT|#] [4B][, CITY][, ST] [ZIP]". This parser reads that form
alone, token by token from the end, in a few microseconds, and gives up (returns None) on
anything else, which then goes to usaddress. It builds the key exactly as the usaddress path
does (every line token abbreviated, the unit as `UNIT id`), so the two never disagree on
the key of one address line; only the component labels may differ on ambiguous words.
"""

from __future__ import annotations

import re

from lexhub.normalize.usps import (
    ABBREVIATIONS,
    DIRECTIONALS,
    STREET_TYPES,
    UNIT_DESIGNATORS,
    UNIT_WORD,
)

__all__ = ["parse_street_line"]

_HOUSE_NUMBER = re.compile(r"^\d+[A-Z]?$")
_NAME_WORD = re.compile(r"^(?:[A-Z]+|\d+(?:ST|ND|RD|TH))$")
_UNIT_ID = re.compile(r"^[A-Z0-9]{1,6}$")
_PLACE = re.compile(
    r"^(?P<city>[A-Z][A-Z ]*?)?(?: (?P<state>[A-Z]{2}))?(?: ?(?P<zip>\d{5}(?:-\d{4})?))?$"
)

Components = tuple[tuple[str, str], ...]


def _place(rest: str) -> list[tuple[str, str]] | None:
    text = " ".join(rest.replace(",", " ").split())
    if not text:
        return []
    match = _PLACE.match(text)
    if match is None:
        return None
    labels = (("PlaceName", "city"), ("StateName", "state"), ("ZipCode", "zip"))
    return [(label, match.group(group)) for label, group in labels if match.group(group)]


def _unit(tokens: list[str]) -> tuple[list[tuple[str, str]], str] | None:
    """Pop a trailing unit ("APT 4B", "# 4B", "UNIT # 4B") off `tokens`; None if none."""
    if len(tokens) < 4 or not _UNIT_ID.match(tokens[-1]) or tokens[-1] in UNIT_DESIGNATORS:
        return None
    j = len(tokens) - 1
    taken: list[str] = []
    while j > 1 and tokens[j - 1] in UNIT_DESIGNATORS and len(taken) < 2:
        j -= 1
        taken.insert(0, tokens[j])
    if not taken:
        return None
    ident = tokens[-1]
    del tokens[j:]
    kind = [t for t in taken if t != "#"]
    comps = [("OccupancyType", " ".join(kind))] if kind else []
    comps.append(("OccupancyIdentifier", f"# {ident}" if "#" in taken else ident))
    return comps, ident


def parse_street_line(cleaned: str) -> tuple[Components, str, str] | None:
    """(components, key, street key) of a cleaned address in the plain form, else None."""
    line, _, rest = cleaned.partition(",")
    tokens = line.split()
    if len(tokens) < 3 or not _HOUSE_NUMBER.match(tokens[0]):
        return None
    place = _place(rest)
    if place is None:
        return None
    unit = _unit(tokens)
    tail: list[tuple[str, str]] = []
    if tokens[-1] in DIRECTIONALS and len(tokens) >= 4 and tokens[-2] in STREET_TYPES:
        tail.append(("StreetNamePostDirectional", tokens.pop()))
    if tokens[-1] not in STREET_TYPES or len(tokens) < 3:
        return None
    tail.insert(0, ("StreetNamePostType", tokens.pop()))
    head = [("AddressNumber", tokens[0])]
    name = tokens[1:]
    if len(name) >= 2 and name[0] in DIRECTIONALS:
        head.append(("StreetNamePreDirectional", name.pop(0)))
    if not all(_NAME_WORD.match(word) for word in name):
        return None
    words = [tokens[0], *(value for _, value in head[1:]), *name, *(v for _, v in tail)]
    street = " ".join(ABBREVIATIONS.get(w, w) for w in words)
    components = [*head, ("StreetName", " ".join(name)), *tail]
    key = street
    if unit is not None:
        components += unit[0]
        key = f"{street} {UNIT_WORD} {unit[1]}"
    return tuple(components + place), key, street
