"""Writers for the ingest formats, used by `synth` and by tests to make input files.

`write_jsonl` is complete; `write_csv` and `write_niem_xml` are filled in with their readers
(one module owns each format in both directions, so the two can never drift).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from lexhub.model import Record, canonical_json, record_to_dict

__all__ = ["write_csv", "write_jsonl", "write_niem_xml"]


def write_jsonl(records: Iterable[Record], path: Path) -> int:
    """One record per line in lexhub's own record form; returns the count written."""
    n = 0
    with open(path, "w", encoding="utf-8", newline="\n") as out:
        for record in records:
            out.write(canonical_json(record_to_dict(record)))
            out.write("\n")
            n += 1
    return n


def write_csv(records: Iterable[Record], path: Path, mapping_path: Path, style: str = "rms") -> int:
    """CSV (one row per person mention, record columns repeated) plus its YAML mapping."""
    raise NotImplementedError("write_csv is provided by the CSV format module")


def write_niem_xml(records: Iterable[Record], path: Path) -> int:
    """The documented NIEM 5 subset, one exchange document per file."""
    raise NotImplementedError("write_niem_xml is provided by the XML format module")
