"""JSON Lines round trip: every record the model can hold comes back unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings

from lexhub.ingest.formats import read_batch
from lexhub.ingest.writers import write_jsonl
from lexhub.model import Record
from tests.ingest.data.records import TODAY, json_batches

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(json_batches())
def test_jsonl_round_trips_every_record(records: list[Record]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.jsonl"
        assert write_jsonl(records, path) == len(records)
        items = list(read_batch(path, today=TODAY))
    assert [i.errors for i in items] == [()] * len(records)
    assert [i.record for i in items] == records
    assert [i.line for i in items] == list(range(1, len(records) + 1))
    assert [i.source_ref for i in items] == [r.source_id for r in records]
