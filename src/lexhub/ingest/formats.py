"""Format detection and dispatch: one entry point, `read_batch`, for every ingest format.

Readers stream: they yield one `ReadItem` per record, validated but not normalized (the
loader normalizes). A record with problems is still yielded, with every problem found in
it, so a batch can be rejected listing them all or loaded with `--skip-invalid`. A file
that is not in its format at all (binary, not UTF-8, cut-off XML, an over-long line, empty)
raises `InputError` instead: there is nothing per record to report.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lexhub.errors import InputError
from lexhub.ingest.readers.text import DEFAULT_LINE_LIMIT, check_text_file
from lexhub.ingest.schema import RecordValidator
from lexhub.model import Record

__all__ = ["DEFAULT_LINE_LIMIT", "FORMATS", "ReadItem", "detect_format", "read_batch"]

FORMATS = ("jsonl", "csv", "xml")
_EXTENSIONS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".xml": "xml"}
_KIND = {"jsonl": "JSON Lines", "csv": "CSV", "xml": "XML"}


@dataclass(frozen=True)
class ReadItem:
    """One record as read: where it starts, the record (None if it has errors), its errors,
    and its source id when that much could be read (for reject files)."""

    line: int | str
    record: Record | None
    errors: tuple[InputError, ...]
    source_ref: str | None


def detect_format(path: Path, fmt: str | None = None) -> str:
    """`fmt` if given, else from the extension, else from the first byte (`{` or `<`)."""
    name = path.name
    if fmt is not None:
        if fmt not in FORMATS:
            raise InputError(name, None, None, f'unknown format "{fmt}" (one of jsonl, csv, xml)')
        return fmt
    suffix = path.suffix.lower()
    if suffix in _EXTENSIONS:
        return _EXTENSIONS[suffix]
    try:
        with open(path, "rb") as f:
            head = f.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    except OSError as e:
        raise InputError(name, None, None, f"cannot be read: {e.strerror}") from None
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"<"):
        return "xml"
    raise InputError(
        name, None, None, "cannot tell the format from the name; give it (jsonl, csv or xml)"
    )


def read_batch(
    path: Path,
    fmt: str | None = None,
    mapping: Path | None = None,
    *,
    owner: str | None = None,
    today: date | None = None,
    line_limit: int = DEFAULT_LINE_LIMIT,
) -> Iterator[ReadItem]:
    """Stream the records of one batch file.

    `fmt` is "jsonl", "csv" or "xml", or detected (.jsonl/.ndjson, .csv, .xml). CSV needs
    `mapping` (a YAML mapping file, `lexhub.ingest.mapping`). `owner`, if given, is the
    batch owner every record must name. Checks that need no parsing (missing, empty,
    binary, UTF-16, CSV without mapping, a bad mapping) raise InputError HERE, before the
    first item; problems found later raise InputError from the iteration.
    """
    name = path.name
    kind = detect_format(path, fmt)
    check_text_file(path, name, _KIND[kind])
    validator = RecordValidator(name, owner=owner, today=today)
    if kind == "jsonl":
        from lexhub.ingest.readers.jsonl import read_jsonl

        return read_jsonl(path, name, validator, line_limit)
    if kind == "csv":
        if mapping is None:
            raise InputError(
                name, None, None, "a CSV batch needs a mapping file (--mapping MAPPING.yaml)"
            )
        from lexhub.ingest.mapping import load_mapping
        from lexhub.ingest.readers.csv import read_csv

        return read_csv(path, name, load_mapping(mapping), validator, line_limit)
    from lexhub.ingest.readers.niem_xml import read_niem_xml

    return read_niem_xml(path, name, validator)
