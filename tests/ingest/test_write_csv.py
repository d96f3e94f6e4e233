"""CSV round trip through the RMS-style export and the mapping written beside it."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings

from lexhub.ingest.formats import read_batch
from lexhub.ingest.writers import write_csv
from lexhub.model import Record
from tests.ingest.data.records import TODAY, csv_batches, sample_record

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(csv_batches())
def test_csv_round_trips_what_a_flat_export_carries(records: list[Record]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path, mapping = Path(tmp) / "batch.csv", Path(tmp) / "batch.mapping.yaml"
        assert write_csv(records, path, mapping) == len(records)
        items = list(read_batch(path, mapping=mapping, today=TODAY))
    assert [i.errors for i in items] == [()] * len(records)
    assert [i.record for i in items] == records


def test_csv_export_looks_like_an_rms_export(tmp_path: Path) -> None:
    path, mapping = tmp_path / "batch.csv", tmp_path / "batch.yaml"
    write_csv([sample_record("C-1")], path, mapping)
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 1
    row = rows[0]
    assert (row["Case Number"], row["LName"], row["FName"]) == ("C-1", "Testperson", "Alma")
    assert (row["DOB"], row["Sex"], row["Report Type"]) == (
        "04/12/1988",
        "Female",
        "Field Interview",
    )
    assert row["Occurred Date"] == "03/01/2026"
    spec = yaml.safe_load(mapping.read_text(encoding="utf-8"))
    assert spec["owner"] == "WA0170000"
    assert spec["person"]["sex"]["codes"]["Female"] == "F"


def test_unknown_csv_style_is_refused(tmp_path: Path) -> None:
    import pytest

    with pytest.raises(ValueError, match='unknown CSV style "fancy"'):
        write_csv([], tmp_path / "x.csv", tmp_path / "x.yaml", style="fancy")
