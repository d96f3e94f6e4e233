"""RMS-style CSV exports and the mapping that reads them back (`readers/csv.py`).

Columns are named the way records-management systems name them ("Case Number", "LName",
"DOB" as MM/DD/YYYY, sex as Male/Female), so synthetic feeds look like real ones and the
mapping exercises dates and code translations. One row per person mention, record columns
repeated on every row; row i of a record also carries the record's i-th vehicle, location
and phone, so a record gets max(persons, vehicles, locations, phones, 1) rows.

What a flat CSV does not carry (docs/formats.md): offense descriptions, phone kinds and
more than one identifier of a kind on a person, "other" identifiers, mark codes (only the
description), and every normalized field (e164, address components and key, plate key).
Cells are trimmed on reading, and list cells are split on ";" and aliases parsed as
"LAST, FIRST MIDDLE".
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from lexhub.model import IdentifierKind, Person, PhoneKind, Record

__all__ = ["RMS_COLUMNS", "rms_mapping", "write_rms_csv"]

OWNER_PLACEHOLDER = "WA0000000"
_DATE = "%m/%d/%Y"
_TYPE = {
    "Incident": "incident",
    "Arrest": "arrest",
    "Booking": "booking",
    "Field Interview": "field-interview",
    "Citation": "citation",
    "Warrant": "warrant",
}
_ROLE = {
    "Suspect": "suspect",
    "Arrestee": "arrestee",
    "Victim": "victim",
    "Witness": "witness",
    "Subject": "subject",
    "Reporting Party": "reporting-party",
    "Driver": "driver",
    "Owner": "owner",
    "Associate": "associate",
}
_SEX = {"Male": "M", "Female": "F", "Unknown": "U"}
_RACE = {
    "Asian": "A",
    "Black": "B",
    "Hispanic": "H",
    "American Indian": "I",
    "Pacific Islander": "P",
    "Unknown": "U",
    "White": "W",
}
_PHONE_KIND = {"Cell": "mobile", "Home": "home", "Work": "work"}
_LIST = {"separator": ";"}

# (section, field, column, extra spec keys)
RMS_COLUMNS: tuple[tuple[str, str, str, dict[str, Any]], ...] = (
    ("record", "source_id", "Case Number", {}),
    ("record", "type", "Report Type", {"codes": _TYPE}),
    ("record", "occurred", "Occurred Date", {"format": _DATE}),
    ("record", "reported", "Reported Date", {"format": _DATE}),
    ("record", "offenses", "Offense Codes", _LIST),
    ("record", "sensitivity", "Sensitivity", {}),
    ("record", "narrative", "Narrative", {}),
    ("person", "ref", "Person Seq", {}),
    ("person", "role", "Involvement", {"codes": _ROLE}),
    ("person", "last", "LName", {}),
    ("person", "first", "FName", {}),
    ("person", "middle", "MName", {}),
    ("person", "suffix", "Suffix", {}),
    ("person", "dob", "DOB", {"format": [_DATE, "%m/%Y", "%Y"]}),
    ("person", "sex", "Sex", {"codes": _SEX}),
    ("person", "race", "Race", {"codes": _RACE}),
    ("person", "height_in", "Height", {}),
    ("person", "weight_lb", "Weight", {}),
    ("person", "eye", "Eyes", {}),
    ("person", "hair", "Hair", {}),
    ("person", "aliases", "Aliases", _LIST),
    ("person", "monikers", "Monikers", _LIST),
    ("person", "marks", "SMT", _LIST),
    ("person", "phones", "Phone", _LIST),
    ("person", "addresses", "Address", _LIST),
    ("person", "state_id", "SID", {}),
    ("person", "state_id_issuer", "SID State", {}),
    ("person", "drivers_license", "DL Number", {}),
    ("person", "drivers_license_issuer", "DL State", {}),
    ("person", "fbi_number", "FBI Number", {}),
    ("person", "booking_number", "Booking Number", {}),
    ("vehicle", "plate", "Plate", {}),
    ("vehicle", "plate_state", "Plate State", {}),
    ("vehicle", "vin", "VIN", {}),
    ("vehicle", "make", "Make", {}),
    ("vehicle", "model", "Model", {}),
    ("vehicle", "color", "Color", {}),
    ("vehicle", "year", "Year", {}),
    ("location", "role", "Location Type", {}),
    ("location", "address", "Location Address", {}),
    ("phone", "number", "Contact Phone", {}),
    ("phone", "kind", "Contact Phone Type", {"codes": _PHONE_KIND}),
)


def rms_mapping(owner: str) -> dict[str, Any]:
    """The mapping that reads `write_rms_csv` output (as written to the mapping file)."""
    out: dict[str, Any] = {"owner": owner}
    for section, fname, column, extra in RMS_COLUMNS:
        spec: Any = {"column": column, **extra} if extra else column
        out.setdefault(section, {})[fname] = spec
    return out


def _word(table: dict[str, str], code: str | None) -> str:
    for word, value in table.items():
        if value == code:
            return word
    return ""


def _dob(p: Person) -> str:
    d = p.dob
    if d is None:
        return ""
    if d.month is None:
        return f"{d.year:04d}"
    if d.day is None:
        return f"{d.month:02d}/{d.year:04d}"
    return f"{d.month:02d}/{d.day:02d}/{d.year:04d}"


def _first_id(p: Person, kind: IdentifierKind) -> tuple[str, str]:
    for i in p.identifiers:
        if i.kind is kind:
            return i.value, i.issuer or ""
    return "", ""


def _person_cells(p: Person) -> dict[str, str]:
    sid, sid_state = _first_id(p, IdentifierKind.STATE_ID)
    dl, dl_state = _first_id(p, IdentifierKind.DRIVERS_LICENSE)
    return {
        "Person Seq": p.ref,
        "Involvement": _word(_ROLE, p.role.value),
        "LName": p.name.last,
        "FName": p.name.first or "",
        "MName": p.name.middle or "",
        "Suffix": p.name.suffix or "",
        "DOB": _dob(p),
        "Sex": _word(_SEX, p.sex.value if p.sex else None),
        "Race": _word(_RACE, p.race.value if p.race else None),
        "Height": "" if p.height_in is None else str(p.height_in),
        "Weight": "" if p.weight_lb is None else str(p.weight_lb),
        "Eyes": p.eye.value if p.eye else "",
        "Hair": p.hair.value if p.hair else "",
        "Aliases": "; ".join(a.display() for a in p.aliases),
        "Monikers": "; ".join(p.monikers),
        "SMT": "; ".join(m.description for m in p.marks if m.description),
        "Phone": "; ".join(x.number for x in p.phones),
        "Address": "; ".join(a.text for a in p.addresses),
        "SID": sid,
        "SID State": sid_state,
        "DL Number": dl,
        "DL State": dl_state,
        "FBI Number": _first_id(p, IdentifierKind.FBI_NUMBER)[0],
        "Booking Number": _first_id(p, IdentifierKind.BOOKING_NUMBER)[0],
    }


def _record_cells(r: Record) -> dict[str, str]:
    return {
        "Case Number": r.source_id,
        "Report Type": _word(_TYPE, r.type.value),
        "Occurred Date": r.occurred.strftime(_DATE) if r.occurred else "",
        "Reported Date": r.reported.strftime(_DATE) if r.reported else "",
        "Offense Codes": ";".join(o.code for o in r.offenses),
        "Sensitivity": r.sensitivity.value,
        "Narrative": r.narrative or "",
    }


def _rows(r: Record) -> Iterable[dict[str, str]]:
    n = max(len(r.persons), len(r.vehicles), len(r.locations), len(r.phones), 1)
    for i in range(n):
        row = _record_cells(r)
        if i < len(r.persons):
            row.update(_person_cells(r.persons[i]))
        if i < len(r.vehicles):
            v = r.vehicles[i]
            row.update(
                {
                    "Plate": v.plate or "",
                    "Plate State": v.plate_state or "",
                    "VIN": v.vin or "",
                    "Make": v.make or "",
                    "Model": v.model or "",
                    "Color": v.color or "",
                    "Year": "" if v.year is None else str(v.year),
                }
            )
        if i < len(r.locations):
            loc = r.locations[i]
            row.update({"Location Type": loc.role, "Location Address": loc.address.text})
        if i < len(r.phones):
            ph = r.phones[i]
            kind = "" if ph.kind is PhoneKind.UNKNOWN else _word(_PHONE_KIND, ph.kind.value)
            row.update({"Contact Phone": ph.number, "Contact Phone Type": kind})
        yield row


def write_rms_csv(records: Iterable[Record], path: Path, mapping_path: Path) -> int:
    """Write records as an RMS export and its mapping; returns the count of records.

    The mapping names one owner (a batch is one agency's): the first record's, or a
    placeholder for an empty file.
    """
    columns = [column for _, _, column, _ in RMS_COLUMNS]
    owner: str | None = None
    n = 0
    with open(path, "w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=columns, restval="", lineterminator="\r\n")
        writer.writeheader()
        for record in records:
            owner = owner or record.owner
            writer.writerows(_rows(record))
            n += 1
    text = yaml.safe_dump(
        rms_mapping(owner or OWNER_PLACEHOLDER), sort_keys=False, allow_unicode=True
    )
    header = f"# Mapping for {path.name}: an RMS-style export written by lexhub.\n"
    mapping_path.write_text(header + text, encoding="utf-8")
    return n
