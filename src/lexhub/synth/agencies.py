"""The region's contributing agencies: ORI-style ids, kinds, sizes and what they send.

ORIs follow the NCIC shape: state, three-digit county, two-digit agency, a digit, and the
type character (0 police and sheriff, A prosecutor, C corrections, G probation, J courts).
The agencies are modelled on a Washington region; the ids are synthetic and the contacts
use the reserved `.example` domain and 555-01xx numbers.
"""

from __future__ import annotations

from dataclasses import dataclass

from lexhub.model import Agency, AgencyKind, Contact, RecordType
from lexhub.synth.geography import Region

__all__ = ["AgencyPlan", "DEFAULT_FORMATS", "plan_agencies"]

_T = RecordType
# Record-type mixes: what each kind of agency writes (shares, summed to 1 per kind).
MIXES: dict[str, dict[RecordType, float]] = {
    "police": {
        _T.INCIDENT: 0.45,
        _T.CITATION: 0.17,
        _T.ARREST: 0.14,
        _T.FIELD_INTERVIEW: 0.12,
        _T.BOOKING: 0.05,
        _T.WARRANT: 0.07,
    },
    "sheriff": {
        _T.INCIDENT: 0.38,
        _T.CITATION: 0.12,
        _T.ARREST: 0.14,
        _T.FIELD_INTERVIEW: 0.08,
        _T.BOOKING: 0.12,
        _T.WARRANT: 0.16,
    },
    "state-police": {
        _T.CITATION: 0.70,
        _T.INCIDENT: 0.14,
        _T.ARREST: 0.11,
        _T.FIELD_INTERVIEW: 0.05,
    },
    "corrections": {_T.BOOKING: 1.0},
}


@dataclass(frozen=True)
class _Template:
    name: str
    kind: AgencyKind
    county: int
    unit: str
    prefix: str  # case-number prefix
    size: float  # relative share of the region's records
    home_cities: tuple[str, ...]


_WA = (
    _Template(
        "Seattle Police Department",
        AgencyKind.POLICE,
        17,
        "Records Unit",
        "",
        24.0,
        ("Seattle", "Burien", "Shoreline"),
    ),
    _Template(
        "King County Sheriff's Office",
        AgencyKind.SHERIFF,
        17,
        "Records Section",
        "C",
        11.0,
        ("Kent", "Auburn", "Federal Way", "Renton", "Burien", "Shoreline"),
    ),
    _Template(
        "Tacoma Police Department",
        AgencyKind.POLICE,
        27,
        "Records",
        "TPD",
        9.0,
        ("Tacoma", "Lakewood"),
    ),
    _Template(
        "Spokane Police Department",
        AgencyKind.POLICE,
        32,
        "Records Unit",
        "SPD",
        8.0,
        ("Spokane", "Spokane Valley"),
    ),
    _Template(
        "Pierce County Sheriff's Department",
        AgencyKind.SHERIFF,
        27,
        "Records",
        "PC",
        7.0,
        ("Puyallup", "Lakewood", "Tacoma"),
    ),
    _Template(
        "Everett Police Department",
        AgencyKind.POLICE,
        31,
        "Records",
        "EV",
        4.0,
        ("Everett", "Marysville", "Lynnwood"),
    ),
    _Template(
        "Washington State Patrol", AgencyKind.STATE_POLICE, 34, "Criminal Records", "W", 8.0, ()
    ),
    _Template(
        "Bellevue Police Department",
        AgencyKind.POLICE,
        17,
        "Records",
        "BV",
        3.0,
        ("Bellevue", "Redmond", "Kirkland"),
    ),
    _Template(
        "Vancouver Police Department",
        AgencyKind.POLICE,
        6,
        "Records Unit",
        "VPD",
        6.0,
        ("Vancouver", "Longview"),
    ),
    _Template(
        "King County Department of Adult and Juvenile Detention",
        AgencyKind.CORRECTIONS,
        17,
        "Jail Records",
        "B",
        9.0,
        ("Seattle", "Kent", "Renton", "Auburn", "Bellevue"),
    ),
    _Template(
        "Yakima Police Department",
        AgencyKind.POLICE,
        39,
        "Records",
        "YPD",
        4.0,
        ("Yakima", "Kennewick", "Pasco", "Wenatchee"),
    ),
    _Template(
        "Snohomish County Sheriff's Office",
        AgencyKind.SHERIFF,
        31,
        "Records",
        "SC",
        5.0,
        ("Everett", "Marysville", "Lynnwood", "Edmonds", "Mount Vernon"),
    ),
)
_TYPE_CHAR = {
    AgencyKind.CORRECTIONS: "C",
    AgencyKind.PROSECUTOR: "A",
    AgencyKind.PROBATION: "G",
    AgencyKind.COURT: "J",
}

# Formats in agency order, cycled: 9 JSON Lines, 2 CSV and 1 NIEM XML for twelve agencies.
DEFAULT_FORMATS = (
    "jsonl",
    "jsonl",
    "jsonl",
    "jsonl",
    "jsonl",
    "csv",
    "jsonl",
    "csv",
    "jsonl",
    "jsonl",
    "xml",
    "jsonl",
)


@dataclass(frozen=True)
class AgencyPlan:
    """An agency and what the generator needs to know about it."""

    agency: Agency
    format: str
    size: float
    mix: dict[RecordType, float]
    prefix: str
    home_cities: tuple[str, ...]

    def to_json(self) -> dict[str, object]:
        a = self.agency
        return {
            "id": a.id,
            "name": a.name,
            "state": a.state,
            "kind": a.kind.value,
            "time_zone": a.time_zone,
            "contact": {"unit": a.contact.unit, "phone": a.contact.phone, "email": a.contact.email},
        }


def _ori(state: str, county: int, number: int, kind: AgencyKind) -> str:
    return f"{state}{county:03d}{number:02d}0{_TYPE_CHAR.get(kind, '0')}"


def _slug(name: str) -> str:
    return "".join(w[0] for w in name.replace("'s", "").split() if w[0].isalpha()).lower()


def plan_agencies(count: int, region: Region, formats: tuple[str, ...] | None) -> list[AgencyPlan]:
    """`count` agencies; beyond the twelve templates, more city police departments follow.

    `formats` gives each agency's format in order (cycled); None uses DEFAULT_FORMATS.
    """
    if count < 1:
        raise ValueError("a region needs at least one agency")
    chosen = formats or DEFAULT_FORMATS
    state = region.state
    area_of = {c.name: c.area_codes[0] for c in region.cities}
    plans: list[AgencyPlan] = []
    used: set[str] = set()
    for i in range(count):
        t = _WA[i % len(_WA)]
        round_ = i // len(_WA)
        name = t.name if round_ == 0 else f"{t.name} District {round_ + 1}"
        number = 0
        ori = _ori(state, t.county, number, t.kind)
        while ori in used:
            number += 1
            ori = _ori(state, t.county, number, t.kind)
        used.add(ori)
        kind_key = t.kind.value if t.kind.value in MIXES else "police"
        area = area_of.get(t.home_cities[0] if t.home_cities else "", "360")
        contact = Contact(
            t.unit,
            f"({area}) 555-01{i % 100:02d}",
            f"records@{_slug(name)}.example",
        )
        agency = Agency(ori, name, state, t.kind, region.time_zone, contact)
        plans.append(
            AgencyPlan(
                agency, chosen[i % len(chosen)], t.size, MIXES[kind_key], t.prefix, t.home_cities
            )
        )
    return plans
