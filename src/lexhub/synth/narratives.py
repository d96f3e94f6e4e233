"""Short narratives: what an officer would type, naming the people, place and vehicle.

Templates are combined from an opening, a body by record type (and offense for incidents)
and an optional closing, with synonyms drawn each time, so two narratives about the same
kind of event rarely read alike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from lexhub.model import RecordType

__all__ = ["Story", "narrative"]


@dataclass
class Story:
    rtype: RecordType
    offense: str | None
    place: str
    people: dict[str, str]  # role -> name as written ("SMITH, JOHN")
    vehicle: str | None  # "BLK HOND CIVIC WA ABC1234"


_OPEN = (
    "",
    "",
    "On arrival, ",
    "Dispatched to {place}. ",
    "Officers responded to {place}. ",
    "I was dispatched to {place} ref a call. ",
    "At approx 2200 hrs, ",
)
_WENT = ("went to", "responded to", "arrived at", "was dispatched to", "contacted parties at")
_SAID = ("stated", "reported", "advised", "told officers", "said")
_TOOK = ("took", "stole", "removed", "walked off with", "concealed and left with")
_ITEMS = (
    "a laptop",
    "tools",
    "a purse",
    "a bicycle",
    "merchandise",
    "a wallet",
    "a phone",
    "cash",
    "a catalytic converter",
    "jewelry",
    "a backpack",
    "power tools",
)
_HIT = ("punched", "pushed", "struck", "shoved", "slapped", "kicked", "grabbed")
_CLOSE = (
    "",
    "",
    " Case forwarded to investigations.",
    " No further.",
    " See supplemental.",
    " Photos taken.",
    " Victim declined medical aid.",
    " Report for information.",
    " Body cam activated.",
)

_INCIDENT = {
    "23H": "{rp} {said} that {sus} {took} {item} from {place}.",
    "23C": "Loss prevention {said} {sus} {took} {item} without paying at {place}.",
    "23D": "{vic} {said} {item} was taken from the business at {place}.",
    "23F": "{vic} {said} someone broke a window of {veh} and {took} {item}.",
    "240": "{vic} {said} {veh} was stolen from {place} overnight.",
    "13B": "{vic} {said} {sus} {hit} them during an argument at {place}.",
    "13A": "{vic} was assaulted with a weapon by {sus} at {place}; transported for injuries.",
    "13C": "{vic} {said} {sus} threatened to hurt them at {place}.",
    "220": "{rp} {said} the residence at {place} was entered and {item} was taken.",
    "290": "{rp} {said} {sus} damaged property at {place}.",
    "35A": "{sus} was found in possession of suspected narcotics at {place}.",
    "120": "{vic} {said} {sus} demanded money and {took} {item} at {place}.",
    "11A": "Sexual assault reported at {place}. Victim information restricted.",
    "11D": "Report of unwanted touching at {place}. Victim information restricted.",
    "36A": "Report of a sexual offense. Victim information restricted.",
}
_DEFAULT_INCIDENT = "{rp} {said} a {offense} at {place} involving {sus}."
_BODY = {
    RecordType.ARREST: (
        "{sus} was arrested at {place} for {offense}.",
        "Booked {sus} after contact at {place}; charge {offense}.",
        "{sus} taken into custody at {place} without incident for {offense}.",
    ),
    RecordType.BOOKING: (
        "{sus} booked into jail; charge {offense}.",
        "Booking of {sus} for {offense}. Property inventoried.",
        "Intake of {sus}, {offense}. Medical screening completed.",
    ),
    RecordType.FIELD_INTERVIEW: (
        "Contacted {sus} at {place} for loitering; FI completed.",
        "Stopped {sus} near {place}. {veh_clause}Released.",
        "FI card: {sus} seen at {place} with {assoc}.",
    ),
    RecordType.CITATION: (
        "Traffic stop of {veh} at {place}; driver {sus} cited for {offense}.",
        "Cited {sus} for {offense} after stop at {place}.",
        "{sus} stopped at {place} in {veh}; cited {offense}.",
    ),
    RecordType.WARRANT: (
        "Warrant issued for {sus} for {offense}.",
        "{sus}: warrant entered, {offense}. Last known {place}.",
        "Bench warrant for {sus} ({offense}). Address {place}.",
    ),
}


def narrative(story: Story, offense_words: str, rng: random.Random) -> str:
    names = story.people
    sus = (
        names.get("suspect")
        or names.get("arrestee")
        or names.get("subject")
        or names.get("driver")
        or "an unknown subject"
    )
    vic = names.get("victim") or "The victim"
    rp = names.get("reporting-party") or names.get("victim") or "The caller"
    veh = story.vehicle or "a vehicle"
    fields = {
        "place": story.place or "the location",
        "sus": sus,
        "vic": vic,
        "rp": rp,
        "assoc": names.get("associate") or "another male",
        "veh": veh,
        "veh_clause": f"Vehicle {story.vehicle}. " if story.vehicle else "",
        "said": rng.choice(_SAID),
        "took": rng.choice(_TOOK),
        "hit": rng.choice(_HIT),
        "item": rng.choice(_ITEMS),
        "went": rng.choice(_WENT),
        "offense": offense_words.lower() if rng.random() < 0.5 else offense_words,
    }
    if story.rtype is RecordType.INCIDENT:
        body = _INCIDENT.get(story.offense or "", _DEFAULT_INCIDENT)
    else:
        body = rng.choice(_BODY[story.rtype])
    opening = rng.choice(_OPEN) if story.rtype is RecordType.INCIDENT else ""
    text = (opening + body + rng.choice(_CLOSE)).format(**fields)
    return text[0].upper() + text[1:]
