"""The region's places: real city names, ZIP codes and area codes; invented streets.

Street names are generated from vocabularies (numbered avenues, trees, presidents, local
words), so an address is plausible for the city but belongs to nobody. Only Washington is
described; `region_for` names the state it cannot do.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["City", "Region", "region_for"]


@dataclass(frozen=True)
class City:
    name: str
    zips: tuple[str, ...]
    area_codes: tuple[str, ...]
    weight: float  # share of the region's population (relative)


@dataclass(frozen=True)
class Region:
    state: str
    time_zone: str
    cities: tuple[City, ...]
    neighbour_states: tuple[str, ...]  # where out-of-state licences and plates come from
    streets: tuple[str, ...]


_WA_CITIES = (
    City(
        "Seattle",
        ("98101", "98103", "98105", "98108", "98115", "98118", "98122", "98125", "98133", "98144"),
        ("206",),
        18.0,
    ),
    City("Tacoma", ("98402", "98404", "98405", "98406", "98408", "98409"), ("253",), 5.0),
    City("Spokane", ("99201", "99202", "99205", "99207", "99208", "99223"), ("509",), 5.0),
    City("Vancouver", ("98660", "98661", "98662", "98664", "98682", "98684"), ("360",), 4.0),
    City("Bellevue", ("98004", "98005", "98006", "98007", "98008"), ("425",), 3.5),
    City("Kent", ("98030", "98031", "98032", "98042"), ("253",), 3.0),
    City("Everett", ("98201", "98203", "98204", "98208"), ("425",), 3.0),
    City("Renton", ("98055", "98056", "98057", "98058", "98059"), ("425",), 2.5),
    City("Federal Way", ("98003", "98023"), ("253",), 2.0),
    City("Yakima", ("98901", "98902", "98903", "98908"), ("509",), 2.5),
    City("Spokane Valley", ("99206", "99212", "99216"), ("509",), 2.0),
    City("Bellingham", ("98225", "98226", "98229"), ("360",), 2.0),
    City("Kennewick", ("99336", "99337", "99338"), ("509",), 2.0),
    City("Auburn", ("98001", "98002", "98092"), ("253",), 2.0),
    City("Pasco", ("99301",), ("509",), 1.8),
    City("Marysville", ("98270", "98271"), ("360",), 1.5),
    City("Lakewood", ("98439", "98498", "98499"), ("253",), 1.5),
    City("Redmond", ("98052", "98053"), ("425",), 1.5),
    City("Kirkland", ("98033", "98034"), ("425",), 1.5),
    City("Puyallup", ("98371", "98372", "98373", "98374", "98375"), ("253",), 1.5),
    City("Olympia", ("98501", "98502", "98506", "98512"), ("360",), 1.5),
    City("Lynnwood", ("98036", "98037", "98087"), ("425",), 1.0),
    City("Bremerton", ("98310", "98311", "98312"), ("360",), 1.0),
    City("Burien", ("98146", "98148", "98166", "98168"), ("206",), 1.0),
    City("Shoreline", ("98155", "98177"), ("206",), 1.0),
    City("Edmonds", ("98020", "98026"), ("425",), 0.8),
    City("Longview", ("98632",), ("360",), 0.8),
    City("Wenatchee", ("98801",), ("509",), 0.8),
    City("Walla Walla", ("99362",), ("509",), 0.7),
    City("Mount Vernon", ("98273", "98274"), ("360",), 0.7),
)

_NUMBERED = tuple(
    f"{n}{'TH' if 10 <= n % 100 <= 20 else {1: 'ST', 2: 'ND', 3: 'RD'}.get(n % 10, 'TH')}"
    for n in range(1, 60)
)
_WORDS = (
    "PINE",
    "CEDAR",
    "MAPLE",
    "ALDER",
    "SPRUCE",
    "FIR",
    "HEMLOCK",
    "MADRONA",
    "BIRCH",
    "ASPEN",
    "WILLOW",
    "CHERRY",
    "LINDEN",
    "OAK",
    "ELM",
    "HOLLY",
    "LAUREL",
    "JUNIPER",
    "DOGWOOD",
    "RAINIER",
    "OLYMPIC",
    "CASCADE",
    "SHASTA",
    "BAKER",
    "ADAMS",
    "STEVENS",
    "SNOQUALMIE",
    "COLUMBIA",
    "YAKIMA",
    "CHELAN",
    "SKAGIT",
    "NISQUALLY",
    "PUYALLUP",
    "WASHINGTON",
    "JEFFERSON",
    "MADISON",
    "MONROE",
    "JACKSON",
    "LINCOLN",
    "GRANT",
    "GARFIELD",
    "HARRISON",
    "UNION",
    "COMMERCE",
    "MARKET",
    "MAIN",
    "CENTER",
    "PACIFIC",
    "HARBOR",
    "LAKEVIEW",
    "HILLSIDE",
    "MEADOW",
    "ORCHARD",
    "VALLEY",
    "RIVERSIDE",
    "SUNSET",
    "PROSPECT",
    "SUMMIT",
    "FOREST",
    "PARK",
    "MILL",
    "RIDGE",
    "CREST",
    "HIGHLAND",
    "VIEW",
    "BROOK",
    "SPRING",
    "MEADOWLARK",
    "HERON",
    "EAGLE",
    "OSPREY",
    "RAVEN",
    "SALMON",
    "TIMBER",
    "CANYON",
    "PRAIRIE",
    "BLUFF",
)
_TYPES = ("ST", "AVE", "WAY", "RD", "DR", "PL", "CT", "LN", "BLVD", "LOOP")
_DIRS = ("", "", "", "N", "S", "E", "W", "NE", "NW", "SE", "SW")


def _street_vocabulary() -> tuple[str, ...]:
    """About 3,000 street names: numbered streets with directions, named streets with types."""
    out: list[str] = []
    for n in _NUMBERED:
        for t in ("AVE", "ST", "PL"):
            for d in ("", "NE", "S", "SW"):
                out.append(f"{n} {t} {d}".strip())
    for i, w in enumerate(_WORDS):
        for j, t in enumerate(_TYPES):
            d = _DIRS[(i * 7 + j * 3) % len(_DIRS)]
            out.append(f"{d} {w} {t}".strip())
    return tuple(out)


WASHINGTON = Region(
    state="WA",
    time_zone="America/Los_Angeles",
    cities=_WA_CITIES,
    neighbour_states=("OR", "ID", "CA", "MT", "AK"),
    streets=_street_vocabulary(),
)

_REGIONS = {"WA": WASHINGTON}


def region_for(state: str) -> Region:
    """The region description for `state`. Raises ValueError for a state not described."""
    try:
        return _REGIONS[state.upper()]
    except KeyError:
        known = ", ".join(sorted(_REGIONS))
        raise ValueError(f'no synthetic region for state "{state}" (known: {known})') from None
