"""A documented subset of NIEM 5 XML (docs/formats.md), streamed with lxml's iterparse.

Each child of the root `Exchange` is one record; it is turned into the record dict form and
validated like any other format, then cleared from memory, so a file of any size reads in
flat memory. Safety: no DTD is loaded, no entity is resolved, nothing is fetched from the
network, and a document with a DOCTYPE is refused outright. Inside the subset, elements
lexhub does not know are errors (as unknown JSON keys are), so nothing is dropped silently.
Errors name the lxml line and the element path:
`batch.xml:57: /Exchange/nc:Incident[3]/nc:Person[2]/nc:PersonBirthDate: "1987-02-30" is
not a date`.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lxml import etree

from lexhub.errors import InputError
from lexhub.ingest.formats import ReadItem
from lexhub.ingest.readers.niem_names import ID_ELEMENTS, LH, RECORD_ELEMENTS, REPEATABLE, qname
from lexhub.ingest.schema import Loc, RecordValidator, field_path

__all__ = ["read_niem_xml"]

_TYPES = {element: rtype for rtype, element in RECORD_ELEMENTS.items()}
_KINDS = {element: kind for kind, element in ID_ELEMENTS.items()}
_NAME_PARTS = {
    "nc:PersonGivenName": "first",
    "nc:PersonMiddleName": "middle",
    "nc:PersonSurName": "last",
    "nc:PersonNameSuffixText": "suffix",
}
_PERSON_CODES = {
    "j:PersonSexCode": "sex",
    "nc:PersonSexCode": "sex",
    "j:PersonRaceCode": "race",
    "nc:PersonRaceCode": "race",
    "j:PersonEyeColorCode": "eye",
    "nc:PersonEyeColorCode": "eye",
    "j:PersonHairColorCode": "hair",
    "nc:PersonHairColorCode": "hair",
}
_VEHICLE = {
    "nc:VehicleMakeCode": "make",
    "nc:VehicleModelCode": "model",
    "nc:ItemColorDescriptionText": "color",
    "nc:ItemModelYearDate": "year",
}
_DATES = {"nc:Date", "nc:YearMonthDate", "nc:Year"}
Kid = tuple[str, Any, str]
_DECLARED = re.compile(
    rb"""<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9._-]+)["']"""
)  # (qualified name, element, path)


def read_niem_xml(path: Path, name: str, validator: RecordValidator) -> Iterator[ReadItem]:
    with open(path, "rb") as f:
        declared = _DECLARED.match(f.read(256).lstrip(b"\xef\xbb\xbf"))
    if declared and declared.group(1).upper().replace(b"_", b"-") not in (b"UTF-8", b"UTF8"):
        encoding = declared.group(1).decode("ascii")
        raise InputError(name, 1, None, f"declares encoding {encoding}; use UTF-8")
    counts: Counter[str] = Counter()
    try:
        with open(path, "rb") as source:
            events = etree.iterparse(
                source,
                events=("start", "end"),
                resolve_entities=False,
                no_network=True,
                load_dtd=False,
                huge_tree=False,
                remove_comments=True,
                remove_pis=True,
            )
            yield from _walk(events, name, validator, counts)
    except etree.XMLSyntaxError as e:
        msg = (e.msg or str(e)).strip()
        if "not proper UTF-8" in msg or "encoding" in msg.lower():
            reason = f"is not UTF-8 text: {msg}"
        elif "end of data" in msg or "not found" in msg or "Premature" in msg:
            reason = f"the XML ends early (truncated file?): {msg}"
        else:
            reason = f"is not well-formed XML: {msg}"
        raise InputError(name, e.lineno, None, reason) from None
    if not counts:
        raise InputError(name, None, None, "the file is empty (no records under Exchange)")


def _walk(
    events: Any, name: str, validator: RecordValidator, counts: Counter[str]
) -> Iterator[ReadItem]:
    """Yield one item per child of the root, clearing each once read (flat memory)."""
    depth = 0
    root: Any = None
    for event, el in events:
        if event == "start":
            depth += 1
            if depth == 1:
                root = el
                _check_root(el, name)
            continue
        depth -= 1
        if depth != 1:
            continue
        q = qname(el.tag) if isinstance(el.tag, str) else "?"
        counts[q] += 1
        where = f"/Exchange/{q}" + (f"[{counts[q]}]" if q in REPEATABLE else "")
        if q in _TYPES:
            yield _Record(name, validator).read(el, where, _TYPES[q])
        else:
            why = "is not a record element of lexhub's NIEM subset (docs/formats.md)"
            yield ReadItem(where, None, (InputError(name, el.sourceline, where, why),), None)
        el.clear()
        while el.getprevious() is not None:
            del root[0]


def _check_root(el: Any, name: str) -> None:
    info = el.getroottree().docinfo
    if info.doctype:
        raise InputError(name, 1, None, "has a DOCTYPE; DTDs and entities are not accepted")
    if el.tag != f"{{{LH}}}Exchange":
        raise InputError(
            name,
            el.sourceline,
            None,
            f"the root element must be Exchange in {LH} (docs/formats.md)",
        )


class _Record:
    """Reads one record element into the dict form, noting each field's element."""

    def __init__(self, name: str, validator: RecordValidator) -> None:
        self.name = name
        self.validator = validator
        self.where: dict[Loc, tuple[int, str]] = {}
        self.errors: list[InputError] = []

    def read(self, el: Any, path: str, rtype: str) -> ReadItem:
        self.where[()] = (el.sourceline, path)
        d: dict[str, Any] = {"type": rtype}
        lists: dict[str, list[Any]] = {k: [] for k in ("offenses", "persons", "locations")}
        lists.update(vehicles=[], phones=[])
        for q, c, cp in self.kids(el, path):
            if q == "nc:ActivityIdentification":
                d["source_id"] = self.ident(c, cp, ("source_id",))[0]
            elif q == "j:OrganizationORIIdentification":
                d["owner"] = self.ident(c, cp, ("owner",))[0]
            elif q in ("nc:ActivityDate", "ReportedDate"):
                key = "occurred" if q == "nc:ActivityDate" else "reported"
                d[key] = self.date(c, cp, (key,))
            elif q == "nc:ActivityDescriptionText":
                d["narrative"] = self.leaf(c, cp, ("narrative",))
            elif q == "SensitivityCode":
                d["sensitivity"] = self.leaf(c, cp, ("sensitivity",))
            elif q == "j:Offense":
                loc: Loc = ("offenses", len(lists["offenses"]))
                lists["offenses"].append(self.fields(c, cp, loc, _OFFENSE))
            elif q == "nc:Person":
                lists["persons"].append(self.person(c, cp, ("persons", len(lists["persons"]))))
            elif q == "nc:Location":
                loc = ("locations", len(lists["locations"]))
                role = c.get("role")
                address = self.address(c, cp, loc + ("address",))
                lists["locations"].append({"role": role, "address": address})
                self.where[loc + ("role",)] = (c.sourceline, cp + "/@role")
            elif q == "nc:TelephoneNumber":
                lists["phones"].append(self.phone(c, cp, ("phones", len(lists["phones"]))))
            elif q == "nc:Vehicle":
                lists["vehicles"].append(self.vehicle(c, cp, ("vehicles", len(lists["vehicles"]))))
            else:
                self.unknown(c, cp)
        d.update({k: v for k, v in lists.items() if v})
        data = {k: v for k, v in d.items() if v is not None}

        def locate(loc: Loc) -> tuple[int, str]:
            for n in range(len(loc), -1, -1):
                hit = self.where.get(loc[:n])
                if hit is not None:
                    return hit[0], hit[1] if n == len(loc) else f"{hit[1]} ({field_path(loc)})"
            return el.sourceline, path

        record, problems = self.validator.check(data, locate)
        found = tuple(self.errors) + problems
        ref = data.get("source_id")
        return ReadItem(
            path, None if found else record, found, ref if isinstance(ref, str) else None
        )

    # -- generic pieces -------------------------------------------------------------------

    def kids(self, el: Any, path: str) -> Iterator[Kid]:
        counts: Counter[str] = Counter()
        for child in el:
            if not isinstance(child.tag, str):
                continue
            q = qname(child.tag)
            counts[q] += 1
            yield q, child, f"{path}/{q}" + (f"[{counts[q]}]" if q in REPEATABLE else "")

    def unknown(self, el: Any, path: str) -> None:
        why = "element not in lexhub's NIEM subset (docs/formats.md)"
        self.errors.append(InputError(self.name, el.sourceline, path, why))

    def leaf(self, el: Any, path: str, loc: Loc) -> str | None:
        self.where[loc] = (el.sourceline, path)
        for _, c, cp in self.kids(el, path):
            self.unknown(c, cp)
        text = (el.text or "").strip()
        return text or None

    def fields(self, el: Any, path: str, loc: Loc, table: dict[str, str]) -> dict[str, Any]:
        """Leaf children named in `table` (element -> field)."""
        self.where[loc] = (el.sourceline, path)
        out: dict[str, Any] = {}
        for q, c, cp in self.kids(el, path):
            if q in table:
                out[table[q]] = self.leaf(c, cp, loc + (table[q],))
            else:
                self.unknown(c, cp)
        return {k: v for k, v in out.items() if v is not None}

    def ident(self, el: Any, path: str, loc: Loc) -> tuple[str | None, str | None]:
        got = self.fields(el, path, loc, _IDENT)
        if "value" in got:
            self.where[loc] = self.where[loc + ("value",)]
        return got.get("value"), got.get("issuer")

    def date(self, el: Any, path: str, loc: Loc) -> str | None:
        self.where[loc] = (el.sourceline, path)
        value = None
        for q, c, cp in self.kids(el, path):
            if q in _DATES:
                value = self.leaf(c, cp, loc)
            else:
                self.unknown(c, cp)
        return value

    # -- record parts ---------------------------------------------------------------------

    def person(self, el: Any, path: str, loc: Loc) -> dict[str, Any]:
        self.where[loc] = (el.sourceline, path)
        p: dict[str, Any] = {"ref": el.get("ref"), "role": el.get("role")}
        self.where[loc + ("ref",)] = (el.sourceline, path + "/@ref")
        self.where[loc + ("role",)] = (el.sourceline, path + "/@role")
        many: dict[str, list[Any]] = {
            k: [] for k in ("aliases", "monikers", "marks", "phones", "addresses", "identifiers")
        }
        for q, c, cp in self.kids(el, path):
            if q == "nc:PersonName":
                p["name"] = self.fields(c, cp, loc + ("name",), _NAME_PARTS)
            elif q == "nc:PersonAlternateName":
                i = len(many["aliases"])
                many["aliases"].append(self.fields(c, cp, loc + ("aliases", i), _NAME_PARTS))
            elif q == "PersonMonikerText":
                many["monikers"].append(self.leaf(c, cp, loc + ("monikers", len(many["monikers"]))))
            elif q == "nc:PersonBirthDate":
                p["dob"] = self.date(c, cp, loc + ("dob",))
            elif q in _PERSON_CODES:
                p[_PERSON_CODES[q]] = self.leaf(c, cp, loc + (_PERSON_CODES[q],))
            elif q in ("nc:PersonHeightMeasure", "nc:PersonWeightMeasure"):
                height = q == "nc:PersonHeightMeasure"
                key = "height_in" if height else "weight_lb"
                p[key] = self.measure(c, cp, loc + (key,), "INH" if height else "LBR")
            elif q == "j:PersonPhysicalFeature":
                i = len(many["marks"])
                many["marks"].append(self.fields(c, cp, loc + ("marks", i), _FEATURE))
            elif q == "nc:TelephoneNumber":
                many["phones"].append(self.phone(c, cp, loc + ("phones", len(many["phones"]))))
            elif q == "nc:Location":
                i = len(many["addresses"])
                many["addresses"].append(self.address(c, cp, loc + ("addresses", i)))
            elif q in _KINDS:
                i = len(many["identifiers"])
                value, issuer = self.ident(c, cp, loc + ("identifiers", i))
                ident = {"kind": _KINDS[q], "value": value, "issuer": issuer}
                many["identifiers"].append({k: v for k, v in ident.items() if v is not None})
            else:
                self.unknown(c, cp)
        p.update({k: v for k, v in many.items() if v})
        return {k: v for k, v in p.items() if v is not None}

    def measure(self, el: Any, path: str, loc: Loc, unit: str) -> str | None:
        self.where[loc] = (el.sourceline, path)
        value, bad_unit = None, False
        for q, c, cp in self.kids(el, path):
            if q in ("nc:MeasureIntegerValue", "nc:MeasureValueText", "nc:MeasureDecimalValue"):
                value = self.leaf(c, cp, loc)
            elif q in ("nc:LengthUnitCode", "nc:WeightUnitCode"):
                given = (c.text or "").strip()
                if given != unit:
                    why = f'unit "{given}" is not supported (give {unit})'
                    self.errors.append(InputError(self.name, c.sourceline, cp, why))
                    bad_unit = True
            else:
                self.unknown(c, cp)
        return None if bad_unit else value

    def phone(self, el: Any, path: str, loc: Loc) -> dict[str, Any]:
        self.where[loc] = (el.sourceline, path)
        out: dict[str, Any] = {"kind": el.get("kind")}
        self.where[loc + ("kind",)] = (el.sourceline, path + "/@kind")
        for q, c, cp in self.kids(el, path):
            if q == "nc:FullTelephoneNumber":
                out.update(self.fields(c, cp, loc, _PHONE))
            else:
                self.unknown(c, cp)
        return {k: v for k, v in out.items() if v is not None}

    def address(self, el: Any, path: str, loc: Loc) -> dict[str, Any]:
        """nc:Location/nc:Address: nc:AddressFullText, or the parts joined into one line
        ("street, city, ST zip"). `loc` is the address's own location."""
        self.where[loc] = (el.sourceline, path)
        text: str | None = None
        for q, c, cp in self.kids(el, path):
            if q != "nc:Address":
                self.unknown(c, cp)
                continue
            self.where[loc + ("text",)] = (c.sourceline, cp)
            parts: dict[str, str | None] = {}
            for aq, a, ap in self.kids(c, cp):
                if aq == "nc:LocationStreet":
                    parts["street"] = self.fields(a, ap, loc + ("text",), _STREET).get("text")
                elif aq in _ADDRESS:
                    parts[_ADDRESS[aq]] = self.leaf(a, ap, loc + ("text",))
                else:
                    self.unknown(a, ap)
            self.where[loc + ("text",)] = (c.sourceline, cp)
            if parts.get("full"):
                text = parts["full"]
            else:
                tail = " ".join(x for x in (parts.get("state"), parts.get("zip")) if x)
                line = (parts.get("street"), parts.get("city"), tail)
                text = ", ".join(x for x in line if x) or None
        return {"text": text} if text is not None else {}

    def vehicle(self, el: Any, path: str, loc: Loc) -> dict[str, Any]:
        self.where[loc] = (el.sourceline, path)
        out: dict[str, Any] = {}
        for q, c, cp in self.kids(el, path):
            if q == "nc:VehicleIdentification":
                out["vin"] = self.ident(c, cp, loc + ("vin",))[0]
            elif q == "nc:ConveyanceRegistrationPlateIdentification":
                out["plate"], out["plate_state"] = self.ident(c, cp, loc + ("plate",))
                self.where[loc + ("plate_state",)] = self.where[loc + ("plate",)]
            elif q in _VEHICLE:
                out[_VEHICLE[q]] = self.leaf(c, cp, loc + (_VEHICLE[q],))
            else:
                self.unknown(c, cp)
        return {k: v for k, v in out.items() if v is not None}


_OFFENSE = {"j:OffenseUCRCode": "code", "nc:ActivityDescriptionText": "description"}
_IDENT = {"nc:IdentificationID": "value", "nc:IdentificationSourceText": "issuer"}
_FEATURE = {
    "nc:PhysicalFeatureCategoryCode": "code",
    "nc:PhysicalFeatureDescriptionText": "description",
}
_PHONE = {"nc:TelephoneNumberFullID": "number", "nc:TelephoneSuffixID": "extension"}
_STREET = {"nc:StreetFullText": "text"}
_ADDRESS = {
    "nc:AddressFullText": "full",
    "nc:LocationCityName": "city",
    "nc:LocationStateUSPostalServiceCode": "state",
    "nc:LocationPostalCode": "zip",
}
