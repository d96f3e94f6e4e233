"""NIEM XML round trip: what the subset carries comes back unchanged."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from lxml import etree

from lexhub.ingest.formats import read_batch
from lexhub.ingest.readers.niem_names import LH, NC
from lexhub.ingest.writers import write_niem_xml
from lexhub.model import Record
from tests.ingest.data.records import TODAY, sample_record, xml_batches

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(xml_batches())
def test_xml_round_trips_what_the_subset_carries(records: list[Record]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "batch.xml"
        assert write_niem_xml(records, path) == len(records)
        items = list(read_batch(path, today=TODAY))
    assert [i.errors for i in items] == [()] * len(records)
    assert [i.record for i in items] == records


def test_written_xml_uses_niem_5_names(tmp_path: Path) -> None:
    path = tmp_path / "batch.xml"
    write_niem_xml([sample_record("R1")], path)
    root = etree.parse(str(path)).getroot()
    assert root.tag == f"{{{LH}}}Exchange"
    ns = {"nc": NC}
    assert root.xpath("//nc:Person/nc:PersonName/nc:PersonSurName/text()", namespaces=ns) == [
        "Testperson"
    ]
    assert root.xpath("//nc:PersonBirthDate/nc:Date/text()", namespaces=ns) == ["1988-04-12"]
