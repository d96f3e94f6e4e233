"""Writers for the ingest formats, used by `synth` and by tests to make input files.

Each writer has a reader in `readers/` that reads its output back to the same records (for
what the format carries; tests/ingest/test_write_*.py hold them to it). Writers import no
normalizer, so `synth` stays light.
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
    """CSV (one row per person mention, record columns repeated) plus its YAML mapping.

    `style` "rms" is the only style: column names and codes as records systems export them
    (writers/csv.py says what a flat file cannot carry). Returns the count of records.
    """
    if style != "rms":
        raise ValueError(f'unknown CSV style "{style}" (only "rms")')
    from lexhub.ingest.writers.csv import write_rms_csv

    return write_rms_csv(records, path, mapping_path)


def write_niem_xml(records: Iterable[Record], path: Path) -> int:
    """The documented NIEM 5 subset (docs/formats.md), one Exchange document per file;
    returns the count of records written."""
    from lexhub.ingest.writers.niem_xml import write_niem

    return write_niem(records, path)
