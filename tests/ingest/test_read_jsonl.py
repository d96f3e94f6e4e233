"""JSON Lines reading: every error names file:line: field: reason; non-text files refused."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from lexhub.errors import InputError
from lexhub.ingest.formats import ReadItem, read_batch
from lexhub.ingest.schema import schema_text
from lexhub.model import PersonName, record_to_dict
from tests.ingest.data.records import TODAY, sample_record

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _write(tmp_path: Path, lines: list[Any], name: str = "batch.jsonl") -> Path:
    path = tmp_path / name
    text = "".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines)
    path.write_text(text, encoding="utf-8")
    return path


def _read(path: Path, **kw: Any) -> list[ReadItem]:
    return list(read_batch(path, today=TODAY, **kw))


def _messages(items: list[ReadItem]) -> list[str]:
    return [str(e) for item in items for e in item.errors]


def _good(**changes: Any) -> dict[str, Any]:
    d = record_to_dict(sample_record())
    d.update(changes)
    return d


def _person(**changes: Any) -> dict[str, Any]:
    p = dict(_good()["persons"][0])
    p.update(changes)
    return _good(persons=[p])


def test_published_schema_is_the_generated_one() -> None:
    assert (DOCS / "record.schema.json").read_text(encoding="utf-8") == schema_text()


def test_each_field_error_names_line_field_and_reason(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            _good(),
            _person(dob="1987-02-30"),
            _person(dob="02/14/1987"),
            _person(sex="X", height_in=400),
            _good(owner="WA17"),
            _good(type="incidnt"),
            _good(occurred="2026-03-12"),
            _good(offenses=[{"code": "13"}]),
            _person(dobb="1987-01-01"),
            _good(persons=[_good()["persons"][0], _good()["persons"][0]]),
            {"owner": "WA0170000", "type": "arrest"},
        ],
    )
    items = _read(path)
    assert items[0].errors == () and items[0].record == sample_record()
    assert all(item.record is None for item in items[1:])
    assert _messages(items) == [
        'batch.jsonl:2: persons[0].dob: "1987-02-30" is not a date',
        'batch.jsonl:3: persons[0].dob: "02/14/1987" is not a date (YYYY, YYYY-MM or YYYY-MM-DD)',
        "batch.jsonl:4: persons[0].sex: \"X\" is not one of 'M', 'F' or 'U'",
        "batch.jsonl:4: persons[0].height_in: 400 is out of range (12-108 inches)",
        'batch.jsonl:5: owner: "WA17" is not an ORI (9 characters: two-letter state, then 7'
        " letters or digits)",
        "batch.jsonl:6: type: \"incidnt\" is not one of 'incident', 'arrest', 'booking',"
        " 'field-interview', 'citation' or 'warrant'",
        'batch.jsonl:7: occurred: "2026-03-12" is in the future',
        'batch.jsonl:8: offenses[0].code: "13" is not a NIBRS offense code (3 characters,'
        " e.g. 13A, 220, 90Z)",
        'batch.jsonl:9: persons[0].dobb: unknown field (did you mean "dob"?)',
        'batch.jsonl:10: persons[1].ref: "P1" is already used by persons[0]',
        "batch.jsonl:11: source_id: is required",
    ]
    assert [i.source_ref for i in items[:3]] == ["R1", "R1", "R1"]
    assert items[-1].source_ref is None


def test_a_record_of_another_owner_than_the_batch_owner_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, [_good(), _good(owner="WA0171500")])
    assert _messages(_read(path, owner="WA0170000")) == [
        'batch.jsonl:2: owner: "WA0171500" is not the batch owner "WA0170000"'
    ]


def test_a_name_may_be_one_string(tmp_path: Path) -> None:
    path = _write(tmp_path, [_person(name="TESTPERSON, ALMA Q", aliases=["Sample, Al"])])
    person = _read(path)[0].record.persons[0]  # type: ignore[union-attr]
    assert person.name == PersonName("TESTPERSON", "ALMA", "Q")
    assert person.aliases == (PersonName("Sample", "Al"),)


def test_lines_that_are_not_json_objects_are_item_errors(tmp_path: Path) -> None:
    path = _write(tmp_path, [_good(), "[1, 2]", "{not json}", "", '{"owner": "WA0170000"'])
    items = _read(path)
    assert [i.line for i in items] == [1, 2, 3, 5]
    assert _messages(items) == [
        "batch.jsonl:2: is not a JSON object (one record per line)",
        "batch.jsonl:3: not valid JSON: Expecting property name enclosed in double quotes at"
        " column 2",
        "batch.jsonl:5: the line ends before its JSON does (cut off? truncated file?)",
    ]


def test_a_truncated_last_line_is_an_error_not_a_traceback(tmp_path: Path) -> None:
    path = tmp_path / "cut.jsonl"
    whole = json.dumps(_good())
    path.write_text(whole + "\n" + whole[: len(whole) // 2], encoding="utf-8")
    assert _messages(_read(path)) == [
        "cut.jsonl:2: the line ends before its JSON does (cut off? truncated file?)"
    ]


def _refused(path: Path, **kw: Any) -> str:
    with pytest.raises(InputError) as caught:
        _read(path, **kw)
    return str(caught.value)


def test_a_binary_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "photo.jsonl"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    assert _refused(path) == "photo.jsonl: is a binary file (NUL byte at offset 8), not JSON Lines"


def test_invalid_utf8_names_line_column_and_offset(tmp_path: Path) -> None:
    path = tmp_path / "latin1.jsonl"
    first = json.dumps(_good()) + "\n"
    path.write_bytes(first.encode() + '{"narrative": "caf\xe9"}\n'.encode("latin-1"))
    assert _refused(path) == (
        f"latin1.jsonl:2: not UTF-8: byte 0xe9 at column 19 (byte offset {len(first) + 18});"
        " re-export the file as UTF-8"
    )


def test_utf16_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "wide.jsonl"
    path.write_bytes(json.dumps(_good()).encode("utf-16"))
    assert _refused(path) == "wide.jsonl: is UTF-16 text; JSON Lines must be UTF-8"


def test_a_huge_single_line_is_refused_without_reading_it_whole(tmp_path: Path) -> None:
    path = tmp_path / "huge.jsonl"
    with open(path, "wb") as f:
        f.write(b'{"narrative": "')
        chunk = b"x" * (1 << 20)
        for _ in range(5):
            f.write(chunk)
    items = read_batch(path, line_limit=64 * 1024)
    with pytest.raises(InputError) as caught:
        next(items)
    assert str(caught.value) == (
        "huge.jsonl:1: line is longer than 65536 bytes; not a JSON Lines file?"
    )


@pytest.mark.parametrize("content", [b"", b"\n\n  \n"])
def test_an_empty_file_is_refused(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.jsonl"
    path.write_bytes(content)
    assert _refused(path) == "empty.jsonl: the file is empty"


def test_a_missing_file_and_an_unknown_format_are_clear_errors(tmp_path: Path) -> None:
    assert _refused(tmp_path / "nope.jsonl") == (
        "nope.jsonl: cannot be read: No such file or directory"
    )
    path = _write(tmp_path, [_good()], name="batch.txt")
    assert len(_read(path)) == 1  # sniffed from its first byte
    assert _refused(path, fmt="yaml") == 'batch.txt: unknown format "yaml" (one of jsonl, csv, xml)'


@pytest.mark.parametrize(
    ("name", "mapping"),
    [("batch.jsonl", None), ("batch.csv", "batch.mapping.yaml"), ("batch.xml", None)],
)
def test_the_documented_examples_read_without_errors(name: str, mapping: str | None) -> None:
    examples = DOCS / "examples"
    items = list(read_batch(examples / name, mapping=examples / mapping if mapping else None))
    assert [(i.source_ref, i.errors) for i in items] == [
        ("EX-2026-0001", ()),
        ("EX-2026-0002", ()),
    ]
