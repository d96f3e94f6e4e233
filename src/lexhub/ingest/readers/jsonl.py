"""JSON Lines in lexhub's own record form: one `record_to_dict` object per line.

A line that is not JSON, or not an object, is an error of that one item (so
`--skip-invalid` can pass over it); a file that is not text at all is refused whole
(`text.py`). Blank lines are skipped.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from lexhub.errors import InputError
from lexhub.ingest.formats import ReadItem
from lexhub.ingest.readers.text import text_lines
from lexhub.ingest.schema import Loc, RecordValidator, field_path

__all__ = ["read_jsonl"]

KIND = "JSON Lines"


def read_jsonl(path: Path, name: str, validator: RecordValidator, limit: int) -> Iterator[ReadItem]:
    seen = False
    for number, text in text_lines(path, name, KIND, limit):
        if not text.strip():
            continue
        seen = True
        try:
            data = json.loads(text)
        except json.JSONDecodeError as e:
            yield _bad(name, number, _json_reason(text, e))
            continue
        if not isinstance(data, dict):
            yield _bad(name, number, "is not a JSON object (one record per line)")
            continue

        def locate(loc: Loc, number: int = number) -> tuple[int, str]:
            return number, field_path(loc) or "record"

        record, errors = validator.check(data, locate)
        ref = data.get("source_id")
        yield ReadItem(number, record, errors, ref if isinstance(ref, str) else None)
    if not seen:
        raise InputError(name, None, None, "the file is empty (no records)")


def _json_reason(text: str, e: json.JSONDecodeError) -> str:
    if e.pos >= len(text.rstrip()) or e.msg.startswith("Unterminated string"):
        return "the line ends before its JSON does (cut off? truncated file?)"
    return f"not valid JSON: {e.msg} at column {e.colno}"


def _bad(name: str, number: int, reason: str) -> ReadItem:
    return ReadItem(number, None, (InputError(name, number, None, reason),), None)
