"""NIEM XML reading: errors name the line and element path; DTDs and entities refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from lexhub.errors import InputError
from lexhub.ingest.formats import ReadItem, read_batch
from lexhub.ingest.readers.niem_names import LH, NC, J
from lexhub.model import Address, PartialDate, PersonName
from tests.ingest.data.records import TODAY

HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<Exchange xmlns="{LH}" xmlns:nc="{NC}" xmlns:j="{J}">\n'
)


def _incident(source_id: str, persons: str = "", extra: str = "") -> str:
    return (
        "<nc:Incident>\n"
        f"<nc:ActivityIdentification><nc:IdentificationID>{source_id}</nc:IdentificationID>"
        "</nc:ActivityIdentification>\n"
        "<j:OrganizationORIIdentification><nc:IdentificationID>WA0170000</nc:IdentificationID>"
        "</j:OrganizationORIIdentification>\n"
        f"{extra}{persons}</nc:Incident>\n"
    )


def _person(body: str, role: str = "suspect", ref: str = "P1") -> str:
    return f'<nc:Person ref="{ref}" role="{role}">\n{body}</nc:Person>\n'


NAME = (
    "<nc:PersonName><nc:PersonGivenName>Alma</nc:PersonGivenName>"
    "<nc:PersonSurName>Testperson</nc:PersonSurName></nc:PersonName>\n"
)


def _read(tmp_path: Path, body: str, name: str = "batch.xml") -> list[ReadItem]:
    path = tmp_path / name
    path.write_text(HEAD + body + "</Exchange>\n", encoding="utf-8")
    return list(read_batch(path, today=TODAY))


def _messages(items: list[ReadItem]) -> list[str]:
    return [str(e) for item in items for e in item.errors]


def test_reads_people_partial_dates_and_address_parts(tmp_path: Path) -> None:
    address = (
        "<nc:Location><nc:Address><nc:LocationStreet><nc:StreetFullText>1200 N Example Ave"
        "</nc:StreetFullText></nc:LocationStreet><nc:LocationCityName>Sampletown"
        "</nc:LocationCityName><nc:LocationStateUSPostalServiceCode>WA"
        "</nc:LocationStateUSPostalServiceCode><nc:LocationPostalCode>98000"
        "</nc:LocationPostalCode></nc:Address></nc:Location>\n"
    )
    dob = "<nc:PersonBirthDate><nc:Year>1988</nc:Year></nc:PersonBirthDate>\n"
    sex = "<nc:PersonSexCode>F</nc:PersonSexCode>\n"
    items = _read(tmp_path, _incident("R1", _person(NAME + dob + sex + address)))
    assert [(i.line, i.errors) for i in items] == [("/Exchange/nc:Incident[1]", ())]
    person = items[0].record.persons[0]  # type: ignore[union-attr]
    assert person.name == PersonName("Testperson", "Alma")
    assert person.dob == PartialDate(1988)
    assert person.addresses == (Address("1200 N Example Ave, Sampletown, WA 98000"),)


def test_errors_name_the_line_and_element_path(tmp_path: Path) -> None:
    bad_dob = "<nc:PersonBirthDate><nc:Date>1987-02-30</nc:Date></nc:PersonBirthDate>\n"
    height = (
        "<nc:PersonHeightMeasure><nc:MeasureIntegerValue>180</nc:MeasureIntegerValue>"
        "<nc:LengthUnitCode>CMT</nc:LengthUnitCode></nc:PersonHeightMeasure>\n"
    )
    items = _read(
        tmp_path,
        _incident("R1", _person(NAME))
        + _incident("R2", _person(NAME) + _person(NAME + bad_dob, ref="P2"))
        + _incident("R3", _person("<nc:PersonEyeColour>BLU</nc:PersonEyeColour>\n" + height))
        + _incident("R4", _person(NAME, role="bystander")),
    )
    assert [i.line for i in items] == [f"/Exchange/nc:Incident[{n}]" for n in (1, 2, 3, 4)]
    assert items[0].errors == ()
    assert _messages(items) == [
        "batch.xml:18: /Exchange/nc:Incident[2]/nc:Person[2]/nc:PersonBirthDate/nc:Date:"
        ' "1987-02-30" is not a date',
        "batch.xml:25: /Exchange/nc:Incident[3]/nc:Person[1]/nc:PersonEyeColour: element not"
        " in lexhub's NIEM subset (docs/formats.md)",
        "batch.xml:26: /Exchange/nc:Incident[3]/nc:Person[1]/nc:PersonHeightMeasure/"
        'nc:LengthUnitCode: unit "CMT" is not supported (give INH)',
        "batch.xml:24: /Exchange/nc:Incident[3]/nc:Person[1] (persons[0].name): is required",
        'batch.xml:32: /Exchange/nc:Incident[4]/nc:Person[1]/@role: "bystander" is not one of'
        " 'suspect', 'arrestee', 'victim', 'witness', 'subject', 'reporting-party', 'driver',"
        " 'owner' or 'associate'",
    ]


def _refused(tmp_path: Path, content: bytes, name: str = "bad.xml") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError) as caught:
        list(read_batch(path, today=TODAY))
    return str(caught.value)


def test_truncated_xml_is_refused_with_its_line(tmp_path: Path) -> None:
    whole = (HEAD + _incident("R1", _person(NAME)) + "</Exchange>\n").encode()
    message = _refused(tmp_path, whole[: len(whole) - 40])
    assert message.startswith("bad.xml:8: the XML ends early (truncated file?): ")


def test_external_entities_and_dtds_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP SECRET", encoding="utf-8")
    xxe = (
        f'<?xml version="1.0"?>\n<!DOCTYPE Exchange [<!ENTITY xxe SYSTEM "file://{secret}">]>\n'
        f'<Exchange xmlns="{LH}" xmlns:nc="{NC}" xmlns:j="{J}">'
        + _incident("&xxe;")
        + "</Exchange>\n"
    )
    assert _refused(tmp_path, xxe.encode()) == (
        "bad.xml:1: has a DOCTYPE; DTDs and entities are not accepted"
    )


def test_xml_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    latin = (HEAD + _incident("Caf\xe9")).encode("latin-1")
    assert _refused(tmp_path, latin).startswith("bad.xml:4: is not UTF-8 text: ")
    declared = HEAD.replace("UTF-8", "ISO-8859-1") + _incident("R1") + "</Exchange>\n"
    assert _refused(tmp_path, declared.encode("latin-1")) == (
        "bad.xml:1: declares encoding ISO-8859-1; use UTF-8"
    )


def test_binary_empty_and_foreign_xml_are_refused(tmp_path: Path) -> None:
    assert _refused(tmp_path, b"") == "bad.xml: the file is empty"
    assert _refused(tmp_path, b"<x>\x00</x>") == (
        "bad.xml: is a binary file (NUL byte at offset 3), not XML"
    )
    assert _refused(tmp_path, b"<Exchange/>") == (
        f"bad.xml:1: the root element must be Exchange in {LH} (docs/formats.md)"
    )
    assert _refused(tmp_path, (HEAD + "</Exchange>").encode()) == (
        "bad.xml: the file is empty (no records under Exchange)"
    )
