"""How agencies write things down: name case, phone and address formats, plates.

Each agency has a house style (an RMS that upper-cases everything, another that keeps
what the officer typed), and individual records stray from it. Nothing here is
normalized: that is what ingest is for.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lexhub.synth.geography import Region
from lexhub.synth.people import NONE, Addresses

__all__ = [
    "AgencyStyle",
    "address_text",
    "block_text",
    "intersection_text",
    "name_case",
    "phone_text",
    "pick_case",
    "plate_text",
    "style_for",
]


@dataclass(frozen=True)
class AgencyStyle:
    case: str  # upper | title | typed
    phone: int  # preferred phone format (index into _PHONE_FORMATS)
    address_city: bool  # writes ", CITY, WA 98101"
    mark_codes: float  # share of marks sent with an NCIC code


def style_for(index: int) -> AgencyStyle:
    cases = ("upper", "upper", "title", "upper", "typed", "title")
    return AgencyStyle(
        cases[index % len(cases)], index % 5, index % 3 != 2, (0.7, 0.0, 0.4, 0.9, 0.2)[index % 5]
    )


def _title(word: str) -> str:
    t = word.title()
    if t.startswith("Mc") and len(t) > 2:
        return "Mc" + t[2:].capitalize()
    return t


def pick_case(style: AgencyStyle, rng: random.Random) -> str:
    """The case one mention is written in: the agency's, or for a tenth of them another."""
    u = rng.random()
    if u < 0.1:
        return ("upper", "title", "lower")[int(u * 30) % 3]
    if style.case == "typed":
        return "title" if u < 0.6 else ("upper" if u < 0.9 else "lower")
    return style.case


def name_case(text: str, case: str) -> str:
    """Upper-case source text in `case` (upper, title, lower)."""
    if case == "upper" or not text:
        return text
    if case == "lower":
        return text.lower()
    return "-".join(" ".join(_title(w) for w in part.split(" ")) for part in text.split("-"))


_PHONE_FORMATS = (
    "({a}) {e}-{l}",
    "{a}-{e}-{l}",
    "{a}.{e}.{l}",
    "{a}{e}{l}",
    "{a} {e} {l}",
    "1-{a}-{e}-{l}",
    "+1 {a} {e} {l}",
    "{e}-{l}",  # local number, area code left off
)


def phone_text(number: int, style: AgencyStyle, rng: random.Random) -> str:
    s = f"{number:010d}"
    u = rng.random()
    fmt = _PHONE_FORMATS[style.phone] if u < 0.7 else _PHONE_FORMATS[int(u * 1000) % 8]
    text = fmt.format(a=s[:3], e=s[3:6], l=s[6:])
    if u > 0.985:
        text += f" x{int(u * 100000) % 900 + 100}"
    return text


def address_text(
    addresses: Addresses, a: int, region: Region, style: AgencyStyle, rng: random.Random
) -> str:
    if a == NONE:
        return rng.choice(("TRANSIENT", "HOMELESS", "NO FIXED ADDRESS"))
    street = region.streets[addresses.street[a]]
    unit = addresses.unit[a]
    city = region.cities[addresses.city[a]].name.upper()
    u = rng.random()
    line = f"{addresses.number[a]} {street}"
    if unit:
        line += (f" APT {unit}", f" #{unit}", f" UNIT {unit}")[int(u * 3000) % 3]
    if style.address_city and u < 0.9:
        text = f"{line}, {city}, {region.state} {addresses.zip[a]}"
    elif u < 0.5:
        text = f"{line} {city} {region.state}"
    else:
        text = line
    return text if style.case != "title" else text.title()


def block_text(region: Region, city: int, rng: random.Random) -> str:
    street = rng.choice(region.streets)
    return f"{rng.randrange(1, 120) * 100} BLOCK OF {street}, {region.cities[city].name.upper()}"


def intersection_text(region: Region, city: int, rng: random.Random) -> str:
    a, b = rng.sample(region.streets, 2)
    joint = rng.choice((" & ", " AND ", " / ", " at "))
    return f"{a}{joint}{b}, {region.cities[city].name.upper()}"


def plate_text(plate: str, rng: random.Random) -> str:
    u = rng.random()
    if u < 0.75:
        return plate
    if u < 0.85:
        return f"{plate[:3]} {plate[3:]}"
    if u < 0.93:
        return f"{plate[:3]}-{plate[3:]}"
    return plate.lower()
