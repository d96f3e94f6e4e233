"""Small records and their index, built by hand so the store tests need no normalizer.

All names and numbers are fictitious. `prepared()` mirrors what `ingest` hands the store:
the content dict (the record's own form), its digest, and a RecordIndex whose keys are
simple enough to assert on (`("last", "TESTPERSON")`, ...).
"""

from __future__ import annotations

from datetime import date

from lexhub.model import (
    Address,
    Agency,
    AgencyKind,
    Contact,
    Location,
    MentionIndex,
    Offense,
    PartialDate,
    Person,
    PersonName,
    Phone,
    Record,
    RecordIndex,
    RecordType,
    Role,
    Sensitivity,
    Sex,
    Vehicle,
    record_digest,
    record_to_dict,
)
from lexhub.store import PreparedRecord

OWNER = "WA0170000"
OTHER = "WA0171500"


def agency(ori: str = OWNER, name: str = "Example County Sheriff") -> Agency:
    return Agency(
        ori,
        name,
        ori[:2],
        AgencyKind.SHERIFF,
        "America/Los_Angeles",
        Contact("Records Unit", "+12065550100", "records@example.org"),
    )


def person(
    ref: str = "P1",
    last: str = "Testperson",
    first: str = "Alma",
    dob: PartialDate | None = None,
    role: Role = Role.SUSPECT,
) -> Person:
    return Person(
        ref=ref,
        role=role,
        name=PersonName(last, first, "Q"),
        aliases=(PersonName(last, "Al"),),
        dob=dob or PartialDate(1988, 4, 12),
        sex=Sex.FEMALE,
        height_in=65,
        weight_lb=140,
        phones=(Phone("(206) 555-0142", e164="+12065550142"),),
        addresses=(Address("1200 N Example Ave", key="1200 N EXAMPLE AVE"),),
    )


def record(
    source_id: str,
    owner: str = OWNER,
    persons: tuple[Person, ...] | None = None,
    narrative: str | None = "Subject stopped near the park.",
    type: RecordType = RecordType.FIELD_INTERVIEW,
    sensitivity: Sensitivity = Sensitivity.STANDARD,
) -> Record:
    return Record(
        owner=owner,
        source_id=source_id,
        type=type,
        occurred=date(2026, 3, 1),
        offenses=(Offense("90Z", "All other offenses"),),
        sensitivity=sensitivity,
        narrative=narrative,
        persons=(person(),) if persons is None else persons,
        locations=(Location("incident", Address("300 Example Blvd", key="300 EXAMPLE BLVD")),),
        vehicles=(Vehicle(plate="ABC1234", plate_state="WA", plate_key="A8C1234"),),
        phones=(Phone("206-555-0199", e164="+12065550199"),),
    )


def index_of(r: Record) -> RecordIndex:
    """A hand-made index: a few keys per mention, plates/phones/offenses per record."""
    mentions = []
    for p in r.persons:
        last = p.name.last.upper()
        first = (p.name.first or "").upper()
        keys = [("last", last), ("first", first), ("last_first", f"{last}|{first}")]
        keys += [("alias_last", a.last.upper()) for a in p.aliases]
        keys += [("phone", ph.e164) for ph in p.phones if ph.e164]
        keys += [("address", a.key) for a in p.addresses if a.key]
        if p.dob:
            keys.append(("dob", p.dob.iso()))
        mentions.append(
            MentionIndex(
                ref=p.ref,
                role=p.role.value,
                last=last,
                first=first or None,
                middle=(p.name.middle or "").upper() or None,
                dob=p.dob.iso() if p.dob else None,
                dob_year=p.dob.year if p.dob else None,
                sex=p.sex.value if p.sex else None,
                race=p.race.value if p.race else None,
                height_in=p.height_in,
                weight_lb=p.weight_lb,
                keys=tuple(keys),
            )
        )
    rkeys = [("plate", v.plate_key) for v in r.vehicles if v.plate_key]
    rkeys += [("phone", ph.e164) for ph in r.phones if ph.e164]
    rkeys += [("offense", o.code) for o in r.offenses]
    return RecordIndex(keys=tuple(rkeys), mentions=tuple(mentions))


def prepared(r: Record) -> PreparedRecord:
    """What ingest hands the store; the digest leaves out the source id, as ingest's does."""
    content = record_to_dict(r)
    sent = dict(content)
    del sent["source_id"]
    return PreparedRecord(record=r, content=content, digest=record_digest(sent), index=index_of(r))
