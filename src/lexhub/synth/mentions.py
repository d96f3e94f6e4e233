"""One person mention as one agency writes it: identity (true, false or mistaken), body,
marks, phones, addresses and identifiers, each present as often as that role and record
type carry it.

`MentionResult` says whether the written name or date of birth differs from the truth
(measured on the output, not assumed from the plan) and which error kinds were applied;
write.py aggregates both into summary.json and the ground truth.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date

from lexhub.model import (
    Address,
    EyeColor,
    HairColor,
    Identifier,
    IdentifierKind,
    Mark,
    PartialDate,
    Person,
    PersonName,
    Phone,
    PhoneKind,
    Race,
    RecordType,
    Role,
    Sex,
)
from lexhub.synth.deception import FalseIdentities
from lexhub.synth.errors import Identity, apply_error
from lexhub.synth.geography import Region
from lexhub.synth.marks import MARK_SPECS, render_mark
from lexhub.synth.people import NONE, People
from lexhub.synth.styles import AgencyStyle, address_text, name_case, phone_text, pick_case

__all__ = ["MentionResult", "Renderer"]

_R = Role
# Probability a field is present, by role: dob, race, body (height/weight/eyes/hair),
# phones, addresses.
_PRESENT = {
    _R.SUSPECT: (0.9, 0.85, 0.5, 0.3, 0.6),
    _R.ARRESTEE: (0.98, 0.95, 0.95, 0.4, 0.85),
    _R.VICTIM: (0.85, 0.8, 0.1, 0.75, 0.8),
    _R.WITNESS: (0.7, 0.7, 0.05, 0.8, 0.7),
    _R.SUBJECT: (0.9, 0.9, 0.7, 0.3, 0.6),
    _R.REPORTING_PARTY: (0.65, 0.6, 0.02, 0.9, 0.75),
    _R.DRIVER: (0.97, 0.85, 0.6, 0.2, 0.9),
    _R.OWNER: (0.8, 0.6, 0.05, 0.3, 0.9),
    _R.ASSOCIATE: (0.55, 0.7, 0.3, 0.2, 0.3),
}
_MARK_SHARE = {
    RecordType.BOOKING: 0.95,
    RecordType.ARREST: 0.5,
    RecordType.FIELD_INTERVIEW: 0.45,
    RecordType.WARRANT: 0.4,
}
_SEX = {"M": Sex.MALE, "F": Sex.FEMALE}
_RACE = {r.value: r for r in Race}
_EYE = {e.value: e for e in EyeColor}
_HAIR = {h.value: h for h in HairColor}


@dataclass
class MentionResult:
    person: Person
    kinds: list[str]  # error kinds applied, "false-identity" and "alias" included
    variant: bool  # written name or date of birth differs from the truth
    false_used: bool  # written identity is the person's false one


class Renderer:
    """Renders mentions for one agency with that agency's random stream and style."""

    def __init__(
        self,
        people: People,
        false_ids: FalseIdentities,
        region: Region,
        style: AgencyStyle,
        rng: random.Random,
    ) -> None:
        self.people, self.false_ids, self.region = people, false_ids, region
        self.style, self.rng = style, rng

    def _truth(self, i: int, day: int) -> Identity:
        p = self.people
        d = date.fromordinal(p.dob[i])
        return Identity(
            p.first[i],
            p.middle[i],
            p.last_at(i, day),
            p.suffix[i],
            (d.year, d.month, d.day),
            p.maiden[i],
        )

    def identity(
        self, i: int, day: int, false_id: bool, error: bool
    ) -> tuple[Identity, Identity, list[str]]:
        """(truth, as written, kinds applied) for person `i` on `day`."""
        rng = self.rng
        truth = self._truth(i, day)
        shown = Identity(
            truth.first, truth.middle, truth.last, truth.suffix, truth.dob, truth.maiden
        )
        kinds: list[str] = []
        if false_id:
            f = self.false_ids
            if f.first[i]:
                shown.first, shown.middle = f.first[i], ""
            if f.last[i]:
                shown.last = f.last[i]
            if f.dob[i]:
                d = date.fromordinal(f.dob[i])
                shown.dob = (d.year, d.month, d.day)
            kinds.append("false-identity")
        if error:
            kinds.append(apply_error(shown, rng))
            if rng.random() < 0.15:
                kinds.append(apply_error(shown, rng))
        return truth, shown, kinds

    def render(
        self, i: int, ref: str, role: Role, day: int, rtype: RecordType, false_id: bool, error: bool
    ) -> MentionResult:
        p, rng, style = self.people, self.rng, self.style
        truth, shown, kinds = self.identity(i, day, false_id, error)
        dob_p, race_p, body_p, phone_p, addr_p = _PRESENT[role]
        booking = rtype is RecordType.BOOKING
        if booking:
            dob_p, race_p, body_p, addr_p = 1.0, 1.0, 1.0, 0.9

        middle = shown.middle
        u = rng.random()
        if middle and u < 0.35:
            middle = middle[0] if u < 0.2 else ""
        suffix = shown.suffix if shown.suffix == "JR" or rng.random() < 0.4 else ""
        case = pick_case(style, rng)
        name = PersonName(
            name_case(shown.last, case),
            name_case(shown.first, case) or None,
            name_case(middle, case) or None,
            suffix or None,
        )
        aliases: tuple[PersonName, ...] = ()
        f = self.false_ids
        if not false_id and f.first[i] and rng.random() < 0.3 * (role in (_R.ARRESTEE, _R.SUSPECT)):
            aliases = (
                PersonName(name_case(f.last[i] or truth.last, case), name_case(f.first[i], case)),
            )
            kinds.append("alias")
        monikers = (
            (p.moniker[i],)
            if p.moniker[i]
            and role in (_R.SUSPECT, _R.ARRESTEE, _R.SUBJECT, _R.ASSOCIATE)
            and rng.random() < 0.6
            else ()
        )

        dob = None
        if rng.random() < dob_p:
            y, m, d = shown.dob
            dob = PartialDate(y, m, d) if m is not None else PartialDate(y)
        sex = _SEX[p.sex[i]] if rng.random() < 0.97 else None
        race = _RACE[p.race[i]] if rng.random() < race_p else None
        height = weight = None
        eye = hair = None
        if rng.random() < body_p:
            height = p.height[i] + rng.choice((0, 0, 0, -1, 1, 2, -2))
            weight = p.weight[i] + rng.randrange(-12, 13)
            eye = _EYE[p.eye[i]] if rng.random() < 0.9 else None
            hair = _HAIR[p.hair[i]] if rng.random() < 0.9 else None
        marks: tuple[Mark, ...] = ()
        share = _MARK_SHARE.get(rtype, 0.1 if role is _R.SUSPECT else 0.0)
        if p.marks[i] and rng.random() < share:
            out = []
            for spec_id in p.marks[i]:
                if booking or rng.random() < 0.6:
                    code, text = render_mark(
                        MARK_SPECS[spec_id], rng, rng.random() < style.mark_codes
                    )
                    out.append(Mark(code, text))
            marks = tuple(out)
        phones: tuple[Phone, ...] = ()
        if rng.random() < phone_p:
            ph = []
            mobile = p.mobile_at(i, day)
            if mobile:
                ph.append(Phone(phone_text(mobile, style, rng), PhoneKind.MOBILE))
            if p.home_phone[i] and (not ph or rng.random() < 0.4):
                ph.append(Phone(phone_text(p.home_phone[i], style, rng), PhoneKind.HOME))
            phones = tuple(ph)
        addresses: tuple[Address, ...] = ()
        if rng.random() < addr_p:
            a = p.address_at(i, day)
            if a != NONE or rng.random() < 0.5:
                addresses = (Address(address_text(p.addresses, a, self.region, style, rng)),)
        identifiers = self._identifiers(i, rtype, role, rng)
        person = Person(
            ref,
            role,
            name,
            aliases,
            monikers,
            dob,
            sex,
            race,
            height,
            weight,
            eye,
            hair,
            marks,
            phones,
            addresses,
            identifiers,
        )
        variant = (
            shown.first != truth.first
            or shown.last != truth.last
            or (dob is not None and shown.dob != truth.dob)
        )
        return MentionResult(person, kinds, variant, false_id and variant)

    def _identifiers(
        self, i: int, rtype: RecordType, role: Role, rng: random.Random
    ) -> tuple[Identifier, ...]:
        p = self.people
        out = []
        sid_p = {RecordType.BOOKING: 0.95, RecordType.ARREST: 0.8, RecordType.WARRANT: 0.7}
        if rng.random() < sid_p.get(rtype, 0.05):
            out.append(Identifier(IdentifierKind.STATE_ID, p.sid[i], self.region.state))
        dl_p = (
            0.95
            if role in (_R.DRIVER, _R.OWNER)
            else (0.5 if rtype in (RecordType.ARREST, RecordType.BOOKING) else 0.2)
        )
        if p.dl[i] and rng.random() < dl_p:
            out.append(Identifier(IdentifierKind.DRIVERS_LICENSE, p.dl[i], p.dl_state[i]))
        if p.fbi[i] and rtype is RecordType.BOOKING and rng.random() < 0.8:
            out.append(Identifier(IdentifierKind.FBI_NUMBER, p.fbi[i]))
        return tuple(out)
