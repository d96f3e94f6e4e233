"""lexhub's NIEM 5 XML subset, written as a stream (lxml `xmlfile`), one record at a time.

Writes exactly what `readers/niem_xml.py` reads, so reading a written file gives the same
records, for what the subset carries: everything but the normalized fields (phone e164,
address components/key/kind, plate key) and a mark's type/side/part (the SMT code holds
them). Text is written as given; XML cannot hold control characters and parsers turn CR
into LF, so such text does not survive (docs/formats.md).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from lxml import etree

from lexhub.ingest.readers.niem_names import ID_ELEMENTS, NSMAP, RECORD_ELEMENTS, clark
from lexhub.model import Address, Person, PersonName, Phone, PhoneKind, Record, Vehicle

__all__ = ["write_niem"]


def _sub(parent: Any, name: str, text: str | None = None) -> Any:
    el = etree.SubElement(parent, clark(name))
    if text is not None:
        el.text = text
    return el


def _ident(parent: Any, name: str, value: str | None, issuer: str | None = None) -> None:
    el = _sub(parent, name)
    if value is not None:
        _sub(el, "nc:IdentificationID", value)
    if issuer is not None:
        _sub(el, "nc:IdentificationSourceText", issuer)


def _date(parent: Any, name: str, iso: str) -> None:
    kind = {10: "nc:Date", 7: "nc:YearMonthDate", 4: "nc:Year"}[len(iso)]
    _sub(_sub(parent, name), kind, iso)


def _name(parent: Any, element: str, n: PersonName) -> None:
    el = _sub(parent, element)
    for tag, value in (
        ("nc:PersonGivenName", n.first),
        ("nc:PersonMiddleName", n.middle),
        ("nc:PersonSurName", n.last),
        ("nc:PersonNameSuffixText", n.suffix),
    ):
        if value is not None:
            _sub(el, tag, value)


def _phone(parent: Any, p: Phone) -> None:
    el = _sub(parent, "nc:TelephoneNumber")
    if p.kind is not PhoneKind.UNKNOWN:
        el.set("kind", p.kind.value)
    full = _sub(el, "nc:FullTelephoneNumber")
    _sub(full, "nc:TelephoneNumberFullID", p.number)
    if p.extension is not None:
        _sub(full, "nc:TelephoneSuffixID", p.extension)


def _location(parent: Any, a: Address, role: str | None = None) -> None:
    el = _sub(parent, "nc:Location")
    if role is not None:
        el.set("role", role)
    _sub(_sub(el, "nc:Address"), "nc:AddressFullText", a.text)


def _measure(parent: Any, name: str, value: int, unit_tag: str, unit: str) -> None:
    el = _sub(parent, name)
    _sub(el, "nc:MeasureIntegerValue", str(value))
    _sub(el, unit_tag, unit)


def _person(parent: Any, p: Person) -> None:
    el = _sub(parent, "nc:Person")
    el.set("ref", p.ref)
    el.set("role", p.role.value)
    _name(el, "nc:PersonName", p.name)
    for alias in p.aliases:
        _name(el, "nc:PersonAlternateName", alias)
    for moniker in p.monikers:
        _sub(el, "PersonMonikerText", moniker)
    if p.dob is not None:
        _date(el, "nc:PersonBirthDate", p.dob.iso())
    for tag, code in (("j:PersonSexCode", p.sex), ("j:PersonRaceCode", p.race)):
        if code is not None:
            _sub(el, tag, code.value)
    if p.height_in is not None:
        _measure(el, "nc:PersonHeightMeasure", p.height_in, "nc:LengthUnitCode", "INH")
    if p.weight_lb is not None:
        _measure(el, "nc:PersonWeightMeasure", p.weight_lb, "nc:WeightUnitCode", "LBR")
    for tag, color in (("j:PersonEyeColorCode", p.eye), ("j:PersonHairColorCode", p.hair)):
        if color is not None:
            _sub(el, tag, color.value)
    for mark in p.marks:
        feature = _sub(el, "j:PersonPhysicalFeature")
        if mark.code is not None:
            _sub(feature, "nc:PhysicalFeatureCategoryCode", mark.code)
        if mark.description is not None:
            _sub(feature, "nc:PhysicalFeatureDescriptionText", mark.description)
    for phone in p.phones:
        _phone(el, phone)
    for address in p.addresses:
        _location(el, address)
    for ident in p.identifiers:
        _ident(el, ID_ELEMENTS[ident.kind.value], ident.value, ident.issuer)


def _vehicle(parent: Any, v: Vehicle) -> None:
    el = _sub(parent, "nc:Vehicle")
    if v.vin is not None:
        _ident(el, "nc:VehicleIdentification", v.vin)
    if v.plate is not None or v.plate_state is not None:
        _ident(el, "nc:ConveyanceRegistrationPlateIdentification", v.plate, v.plate_state)
    for tag, value in (
        ("nc:VehicleMakeCode", v.make),
        ("nc:VehicleModelCode", v.model),
        ("nc:ItemColorDescriptionText", v.color),
        ("nc:ItemModelYearDate", None if v.year is None else str(v.year)),
    ):
        if value is not None:
            _sub(el, tag, value)


def record_element(r: Record) -> Any:
    """One record as its NIEM element (nc:Incident, j:Arrest, ...)."""
    nsmap: Any = NSMAP  # lxml takes None as the default-namespace key; its stubs do not
    el = etree.Element(clark(RECORD_ELEMENTS[r.type.value]), nsmap=nsmap)
    _ident(el, "nc:ActivityIdentification", r.source_id)
    _ident(el, "j:OrganizationORIIdentification", r.owner)
    if r.occurred is not None:
        _date(el, "nc:ActivityDate", r.occurred.isoformat())
    if r.reported is not None:
        _date(el, "ReportedDate", r.reported.isoformat())
    if r.narrative is not None:
        _sub(el, "nc:ActivityDescriptionText", r.narrative)
    _sub(el, "SensitivityCode", r.sensitivity.value)
    for offense in r.offenses:
        off = _sub(el, "j:Offense")
        _sub(off, "j:OffenseUCRCode", offense.code)
        if offense.description is not None:
            _sub(off, "nc:ActivityDescriptionText", offense.description)
    for person in r.persons:
        _person(el, person)
    for loc in r.locations:
        _location(el, loc.address, loc.role)
    for phone in r.phones:
        _phone(el, phone)
    for vehicle in r.vehicles:
        _vehicle(el, vehicle)
    return el


def write_niem(records: Iterable[Record], path: Path) -> int:
    """Write one Exchange document holding every record; returns the count written."""
    n = 0
    with etree.xmlfile(str(path), encoding="utf-8") as xf:
        xf.write_declaration()
        nsmap: Any = NSMAP
        with xf.element(clark("Exchange"), nsmap=nsmap):
            xf.write("\n")
            for record in records:
                xf.write(record_element(record), pretty_print=True)
                n += 1
    return n
