"""CSV reading: errors name the CSV line and column, mapping errors the mapping line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lexhub.errors import InputError
from lexhub.ingest.formats import ReadItem, read_batch
from lexhub.model import PartialDate, RecordType, Role, Sex
from tests.ingest.data.records import TODAY

MAPPING = """\
owner: WA0170000
record:
  source_id: Case Number
  type: {value: incident}
  occurred: {column: Occurred, format: "%m/%d/%Y"}
person:
  role: {column: Involvement, codes: {Suspect: suspect, Victim: victim}}
  last: LName
  first: FName
  dob: {column: DOB, format: ["%m/%d/%Y", "%Y"]}
  sex: {column: Sex, codes: {Male: M, Female: F}}
"""
HEADER = "Case Number,Occurred,Involvement,LName,FName,DOB,Sex\n"


def _files(tmp_path: Path, rows: str, mapping: str = MAPPING) -> tuple[Path, Path]:
    csv_path, map_path = tmp_path / "batch.csv", tmp_path / "map.yaml"
    csv_path.write_text(HEADER + rows, encoding="utf-8")
    map_path.write_text(mapping, encoding="utf-8")
    return csv_path, map_path


def _read(tmp_path: Path, rows: str, mapping: str = MAPPING) -> list[ReadItem]:
    csv_path, map_path = _files(tmp_path, rows, mapping)
    return list(read_batch(csv_path, mapping=map_path, today=TODAY))


def _messages(items: list[ReadItem]) -> list[str]:
    return [str(e) for item in items for e in item.errors]


def test_rows_sharing_a_case_number_form_one_record(tmp_path: Path) -> None:
    items = _read(
        tmp_path,
        "C-1,03/01/2026,Suspect,Testperson,Alma,04/12/1988,female\n"
        "C-1,03/01/2026,Victim,Exampleton,Bob,1970,Male\n"
        "C-2,03/02/2026,Victim,Sampleson,Cy,,\n",
    )
    assert [(i.line, i.source_ref, i.errors) for i in items] == [(2, "C-1", ()), (4, "C-2", ())]
    first = items[0].record
    assert first is not None and first.type is RecordType.INCIDENT
    assert [(p.ref, p.role, p.name.last) for p in first.persons] == [
        ("P1", Role.SUSPECT, "Testperson"),
        ("P2", Role.VICTIM, "Exampleton"),
    ]
    assert first.persons[0].sex is Sex.FEMALE  # code translation is case-insensitive
    assert first.persons[1].dob == PartialDate(1970)


def test_cell_errors_name_the_line_and_column(tmp_path: Path) -> None:
    items = _read(
        tmp_path,
        "C-1,03/01/2026,Suspect,Testperson,Alma,02/30/1987,Female\n"
        "C-2,2026-03-01,Suspect,Testperson,Alma,,Purple\n"
        "C-3,03/01/2026,Bystander,,Alma,,\n"
        "C-4,03/01/2026,Suspect,Testperson,Alma,,\n"
        "C-4,03/02/2026,Victim,Exampleton,Bob,,\n",
    )
    assert all(i.record is None for i in items)
    assert _messages(items) == [
        'batch.csv:2: DOB: "02/30/1987" is not a date',
        'batch.csv:3: Occurred: "2026-03-01" is not a date (MM/DD/YYYY)',
        "batch.csv:3: Sex: \"Purple\" is not one of 'M', 'F' or 'U'",
        "batch.csv:4: Involvement: \"Bystander\" is not one of 'suspect', 'arrestee', 'victim',"
        " 'witness', 'subject', 'reporting-party', 'driver', 'owner' or 'associate'",
        "batch.csv:4: LName: is required",
        'batch.csv:6: Occurred: "03/02/2026" differs from the record\'s first row (line 5)',
    ]


def test_rows_of_one_record_must_be_adjacent(tmp_path: Path) -> None:
    items = _read(
        tmp_path,
        "C-1,03/01/2026,Suspect,Testperson,Alma,,\n"
        "C-2,03/01/2026,Suspect,Exampleton,Bob,,\n"
        "C-1,03/01/2026,Victim,Sampleson,Cy,,\n",
    )
    assert [i.source_ref for i in items] == ["C-1", "C-2", "C-1"]
    assert _messages(items) == [
        'batch.csv:4: Case Number: "C-1" was a record number at line 2 already; the rows of'
        " one record must be adjacent"
    ]


def test_csv_without_a_mapping_is_refused(tmp_path: Path) -> None:
    csv_path, _ = _files(tmp_path, "C-1,03/01/2026,Suspect,Testperson,Alma,,\n")
    with pytest.raises(InputError) as caught:
        read_batch(csv_path)
    assert str(caught.value) == (
        "batch.csv: a CSV batch needs a mapping file (--mapping MAPPING.yaml)"
    )


def _mapping_error(tmp_path: Path, mapping: str) -> str:
    with pytest.raises(InputError) as caught:
        _read(tmp_path, "C-1,03/01/2026,Suspect,Testperson,Alma,,\n", mapping)
    return str(caught.value)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("last: LName", "last: Last Name"),
            'map.yaml:8: person.last: column "Last Name" is not in batch.csv (its columns:'
            " Case Number, Occurred, Involvement, LName, FName, DOB, Sex)",
        ),
        (
            ("first: FName", "frist: FName"),
            "map.yaml:9: person.frist: unknown field (one of ref, role, name, last, first,"
            " middle, suffix, aliases, monikers, dob, sex, race, height_in, weight_lb, eye,"
            " hair, marks, phones, addresses, state_id, state_id_issuer, drivers_license,"
            " drivers_license_issuer, fbi_number, booking_number)",
        ),
        (
            ("owner: WA0170000", "owner: WA17"),
            'map.yaml:1: owner: "WA17" is not an ORI (9 characters: two-letter state, then 7'
            " letters or digits)",
        ),
        (
            ("type: {value: incident}", "type: {value: incident"),
            "map.yaml:5: is not valid YAML: expected ',' or '}', but got ':'",
        ),
        (
            ("sex: {column: Sex,", "sex: {column: Sex, format: '%Y',"),
            "map.yaml:11: person.sex: format: applies to date fields only",
        ),
        (
            ("  source_id: Case Number\n", ""),
            "map.yaml:1: record.source_id: is required",
        ),
    ],
)
def test_mapping_errors_name_the_mapping_file_and_line(
    tmp_path: Path, change: tuple[str, str], message: str
) -> None:
    assert _mapping_error(tmp_path, MAPPING.replace(*change)) == message


def test_a_csv_with_only_a_header_or_broken_quoting_is_refused(tmp_path: Path) -> None:
    csv_path, map_path = _files(tmp_path, "")
    with pytest.raises(InputError) as caught:
        list(read_batch(csv_path, mapping=map_path, today=TODAY))
    assert str(caught.value) == "batch.csv: has a header but no rows"
    csv_path.write_text(HEADER + 'C-1,03/01/2026,Suspect,"Testperson,Alma,,\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(read_batch(csv_path, mapping=map_path, today=TODAY))
    assert str(caught.value) == "batch.csv:2: is not valid CSV: unexpected end of data"


def test_an_excel_bom_is_accepted(tmp_path: Path) -> None:
    csv_path, map_path = _files(tmp_path, "C-1,03/01/2026,Suspect,Testperson,Alma,,\n")
    csv_path.write_bytes(b"\xef\xbb\xbf" + csv_path.read_bytes())
    items: list[Any] = list(read_batch(csv_path, mapping=map_path, today=TODAY))
    assert [i.errors for i in items] == [()]
