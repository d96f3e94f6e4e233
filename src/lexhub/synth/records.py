"""One agency's records, in date order, rendered from the plan with the agency's own random
stream: roles, offenses, sensitivity, places, vehicles, narrative, and the ground truth
for every person mention.

The stream depends only on (seed, agency index) and the plan, so agencies can be generated
in any order or in parallel and the bytes stay the same.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TextIO

import numpy as np

from lexhub.model import (
    Address,
    Location,
    Offense,
    Phone,
    PhoneKind,
    Record,
    RecordType,
    Role,
    Sensitivity,
    Vehicle,
)
from lexhub.synth.agencies import AgencyPlan
from lexhub.synth.deception import FalseIdentities
from lexhub.synth.geography import Region
from lexhub.synth.mentions import Renderer
from lexhub.synth.narratives import Story, narrative
from lexhub.synth.offenses import DESCRIPTIONS, OFFENSES, OTHER_WORDING, RESTRICTED, VEHICLE
from lexhub.synth.people import NONE, People
from lexhub.synth.plan import RECORD_TYPES, AgencyWork
from lexhub.synth.styles import (
    address_text,
    block_text,
    intersection_text,
    phone_text,
    plate_text,
    style_for,
)

__all__ = ["AgencyStats", "generate_agency"]

_T, _R = RecordType, Role
_FIRST_ROLE = {
    _T.ARREST: _R.ARRESTEE,
    _T.BOOKING: _R.ARRESTEE,
    _T.FIELD_INTERVIEW: _R.SUBJECT,
    _T.CITATION: _R.DRIVER,
    _T.WARRANT: _R.SUBJECT,
}
_OTHER_ROLES = {
    _T.ARREST: ((_R.VICTIM, 0.5), (_R.ARRESTEE, 0.3), (_R.WITNESS, 0.2)),
    _T.FIELD_INTERVIEW: ((_R.ASSOCIATE, 0.7), (_R.SUBJECT, 0.3)),
    _T.CITATION: ((_R.OWNER, 0.8), (_R.WITNESS, 0.2)),
    _T.INCIDENT: ((_R.WITNESS, 0.5), (_R.SUSPECT, 0.2), (_R.VICTIM, 0.2), (_R.ASSOCIATE, 0.1)),
}
_LOCATION_ROLE = {
    _T.INCIDENT: "occurred",
    _T.ARREST: "arrest",
    _T.BOOKING: "arrest",
    _T.WARRANT: "last-known",
    _T.CITATION: "stop",
    _T.FIELD_INTERVIEW: "stop",
}
_DOMESTIC = frozenset({"13B", "13C", "13A", "90F"})
_YEAR = 365.25


@dataclass
class AgencyStats:
    """What one agency's records turned out to hold; summed by write.py."""

    records: int = 0
    mentions: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    variants: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    false_uses: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    kinds: dict[str, int] = field(default_factory=dict)
    types: dict[str, int] = field(default_factory=dict)
    sensitivity: dict[str, int] = field(default_factory=dict)


def _roles(rtype: RecordType, n: int, restricted: bool, rng: random.Random) -> list[Role]:
    if n == 0:
        return []
    if rtype is _T.INCIDENT:
        if n == 1:
            first = rng.choices((_R.VICTIM, _R.REPORTING_PARTY, _R.SUSPECT), (45, 25, 30))[0]
            return [_R.VICTIM if restricted else first]
        roles = [
            _R.VICTIM if restricted or rng.random() < 0.6 else _R.REPORTING_PARTY,
            _R.SUSPECT if rng.random() < 0.75 else _R.WITNESS,
        ]
    else:
        roles = [_FIRST_ROLE[rtype]]
    others = _OTHER_ROLES.get(rtype, ((_R.ASSOCIATE, 1.0),))
    while len(roles) < n:
        roles.append(rng.choices([r for r, _ in others], [w for _, w in others])[0])
    return roles


def _offenses(rtype: RecordType, rng: random.Random) -> tuple[Offense, ...]:
    table = OFFENSES[rtype]
    if not table:
        return ()
    k = 1 if rng.random() < 0.8 or rtype in (_T.CITATION, _T.INCIDENT) else 2
    codes = rng.choices([c for c, _ in table], [w for _, w in table], k=k)
    out = []
    for code in dict.fromkeys(codes):
        words = DESCRIPTIONS[code]
        if code == "90Z" and rtype in OTHER_WORDING:
            words = rng.choice(OTHER_WORDING[rtype])
        out.append(Offense(code, words if rng.random() < 0.85 else None))
    return tuple(out)


class _Agency:
    def __init__(
        self,
        plan: AgencyPlan,
        work: AgencyWork,
        people: People,
        false_ids: FalseIdentities,
        region: Region,
        seed: int,
    ) -> None:
        self.plan, self.work, self.people, self.region = plan, work, people, region
        self.rng = random.Random(seed * 1_000_003 + work.index)
        self.style = style_for(work.index)
        self.renderer = Renderer(people, false_ids, region, self.style, self.rng)
        names = {c.name: i for i, c in enumerate(region.cities)}
        self.cities = [names[c] for c in plan.home_cities if c in names] or list(
            range(len(region.cities))
        )
        self.stats = AgencyStats(
            mentions=np.zeros(people.n, dtype=np.int32),
            variants=np.zeros(people.n, dtype=np.int32),
            false_uses=np.zeros(people.n, dtype=np.int32),
        )

    def _place(self, rtype: RecordType, home: int) -> str:
        rng = self.rng
        city = rng.choice(self.cities)
        u = rng.random()
        if rtype in (_T.WARRANT,) and home != NONE:
            return address_text(self.people.addresses, home, self.region, self.style, rng)
        if self.plan.agency.kind.value == "state-police" and u < 0.5:
            return (
                f"{rng.choice(('I-5', 'I-90', 'I-405', 'SR 167', 'SR 99', 'I-82'))} "
                f"{rng.choice(('NB', 'SB', 'EB', 'WB'))} MP {rng.randrange(1, 280)}"
            )
        if u < 0.45:
            return block_text(self.region, city, rng)
        if u < 0.75:
            return intersection_text(self.region, city, rng)
        number = rng.randrange(100, 20000)
        return f"{number} {rng.choice(self.region.streets)}, {self.region.cities[city].name}"

    def _vehicle(self, owner: int) -> Vehicle:
        p, rng = self.people, self.rng
        v = p.vehicle[owner] if owner != NONE else NONE
        vt = p.vehicles
        if v == NONE:
            v = rng.randrange(len(vt.plate)) if vt.plate else NONE
        if v == NONE:
            return Vehicle(make="UNK")
        plate = vt.plate[v]
        if rng.random() < 0.02:
            plate = plate.replace("0", "O", 1) if "0" in plate else plate[:-1] + "8"
            self.stats.kinds["plate-typo"] = self.stats.kinds.get("plate-typo", 0) + 1
        return Vehicle(
            plate_text(plate, rng) if rng.random() < 0.97 else None,
            vt.state[v] if rng.random() < 0.95 else None,
            vt.vin[v] if rng.random() < 0.35 else None,
            vt.make[v],
            vt.model[v] if rng.random() < 0.8 else None,
            vt.color[v],
            vt.year[v] if rng.random() < 0.7 else None,
        )

    def _fit_ages(
        self, who: list[int], roles: list[Role], rtype: RecordType, day: int
    ) -> tuple[list[int], list[Role]]:
        """Children are victims and witnesses, and nobody under 16 drives: a mention the
        plan gave a child in any other part goes to the head of the child's household."""
        p = self.people
        out_who: list[int] = []
        out_roles: list[Role] = []
        for i, role in zip(who, roles, strict=True):
            age = (day - p.dob[i]) / _YEAR
            if rtype is _T.INCIDENT and age < 12 and role not in (_R.VICTIM, _R.WITNESS):
                role = _R.VICTIM
            elif age < (16 if rtype is _T.CITATION else 12) and rtype is not _T.INCIDENT:
                head = int(p.hh.start[p.hh.of[i]])
                if head in who or head in out_who or (day - p.dob[head]) < 16 * _YEAR:
                    continue
                i = head
            out_who.append(i)
            out_roles.append(role)
        return out_who, out_roles

    def records(self, truth: TextIO) -> Iterator[Record]:
        w, p, rng, stats = self.work, self.people, self.rng, self.stats
        owner = self.plan.agency.id
        prefix = self.plan.prefix
        seq: dict[int, int] = {}
        slot = 0
        types = w.types.tolist()
        days = w.days.tolist()
        nper = w.persons.tolist()
        pid, false_id, error = w.pid.tolist(), w.false_id.tolist(), w.error.tolist()
        # Plain lists while rendering (numpy scalar updates cost ~10x more); arrays at the end.
        n_mentions, n_variants, n_false = [0] * p.n, [0] * p.n, [0] * p.n
        for k in range(len(types)):
            rtype = RECORD_TYPES[types[k]]
            day = days[k]
            occurred = date.fromordinal(day)
            year = occurred.year
            seq[year] = seq.get(year, 0) + 1
            source_id = (
                f"{prefix}{year % 100:02d}-{seq[year]:06d}" if prefix else f"{year}-{seq[year]:06d}"
            )
            offenses = _offenses(rtype, rng)
            codes = {o.code for o in offenses}
            restricted = bool(codes & RESTRICTED)
            who = list(dict.fromkeys(pid[slot : slot + nper[k]]))  # a person once per record
            flags = {
                i: (false_id[j], error[j])
                for j, i in zip(
                    range(slot, slot + nper[k]), pid[slot : slot + nper[k]], strict=True
                )
            }
            slot += nper[k]
            roles = _roles(rtype, len(who), restricted, rng)
            who, roles = self._fit_ages(who, roles, rtype, day)
            domestic = False
            if rtype is _T.INCIDENT and who and codes & _DOMESTIC and rng.random() < 0.35:
                h = p.hh.of[who[0]]
                mates = [
                    j
                    for j in range(int(p.hh.start[h]), int(p.hh.start[h] + p.hh.size[h]))
                    if j not in who
                ]
                if mates:
                    who.append(rng.choice(mates))
                    roles.append(_R.SUSPECT)
                    domestic = True
            persons = []
            juvenile = False
            names: dict[str, str] = {}
            for n, (i, role) in enumerate(zip(who, roles, strict=True)):
                f, e = flags.get(i, (False, False))
                m = self.renderer.render(i, f"P{n + 1}", role, day, rtype, f, e)
                persons.append(m.person)
                n_mentions[i] += 1
                n_variants[i] += m.variant
                n_false[i] += m.false_used
                for kind in m.kinds:
                    stats.kinds[kind] = stats.kinds.get(kind, 0) + 1
                juvenile = juvenile or (day - p.dob[i]) < 18 * _YEAR
                if role.value not in names:
                    nm = m.person.name
                    names[role.value] = (
                        f"{nm.first} {nm.last}" if nm.first and rng.random() < 0.6 else nm.display()
                    )
                truth.write(f"{owner},{source_id},P{n + 1},P{i + 1:07d},{'|'.join(m.kinds)}\n")
            sensitivity = Sensitivity.STANDARD
            if restricted:
                sensitivity = Sensitivity.RESTRICTED
            elif juvenile or (domestic and rng.random() < 0.5) or rng.random() < 0.015:
                sensitivity = Sensitivity.SENSITIVE
            first = who[0] if who else NONE
            home = p.address_at(first, day) if first != NONE else NONE
            place = self._place(rtype, home)
            vehicles: tuple[Vehicle, ...] = ()
            if (
                rtype is _T.CITATION
                or codes & VEHICLE
                or (rtype is _T.FIELD_INTERVIEW and rng.random() < 0.3)
            ):
                vehicles = (self._vehicle(first),)
            phones: tuple[Phone, ...] = ()
            if rtype is _T.INCIDENT and rng.random() < 0.3:
                rp = next((x for x in persons if x.phones), None)
                if rp is not None:
                    phones = (Phone(rp.phones[0].number, PhoneKind.UNKNOWN),)
                elif first != NONE and p.mobile_at(first, day):
                    phones = (Phone(phone_text(p.mobile_at(first, day), self.style, rng)),)
            v = vehicles[0] if vehicles else None
            story = Story(
                rtype,
                offenses[0].code if offenses else None,
                place,
                names,
                " ".join(x for x in (v.color, v.make, v.plate_state, v.plate) if x) if v else None,
            )
            words = (
                offenses[0].description or DESCRIPTIONS.get(offenses[0].code, "")
                if (offenses)
                else "suspicious circumstances"
            )
            text = narrative(story, words or "offense", rng)
            loc_role = _LOCATION_ROLE[rtype]
            lag = 0 if rng.random() < 0.6 else rng.choice((1, 1, 2, 3, 5, 9))
            stats.records += 1
            stats.types[rtype.value] = stats.types.get(rtype.value, 0) + 1
            stats.sensitivity[sensitivity.value] = stats.sensitivity.get(sensitivity.value, 0) + 1
            yield Record(
                owner,
                source_id,
                rtype,
                occurred,
                occurred + timedelta(days=lag),
                offenses,
                sensitivity,
                text,
                tuple(persons),
                (Location(loc_role, Address(place)),),
                vehicles,
                phones,
            )
        stats.mentions = np.array(n_mentions, dtype=np.int32)
        stats.variants = np.array(n_variants, dtype=np.int32)
        stats.false_uses = np.array(n_false, dtype=np.int32)


def generate_agency(
    plan: AgencyPlan,
    work: AgencyWork,
    people: People,
    false_ids: FalseIdentities,
    region: Region,
    seed: int,
    truth: TextIO,
) -> tuple[Iterator[Record], AgencyStats]:
    """The agency's records (a lazy iterator; ground-truth rows go to `truth` as records
    are drawn) and the stats object the iterator fills in."""
    agency = _Agency(plan, work, people, false_ids, region, seed)
    return agency.records(truth), agency.stats
