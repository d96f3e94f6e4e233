"""The search benchmark's prepared data does not depend on how its files were scanned:
files are read in parallel and merged in file order, so one process and three give the
same people, queries' facts, name table, truth and JSON Lines, byte for byte."""

from __future__ import annotations

import json
import sys
from collections import Counter, defaultdict
from pathlib import Path

from lexhub.synth import SynthConfig, write_region

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from search_data import prepare, truth_key  # noqa: E402


def test_parallel_scan_gives_what_one_process_gives(tmp_path: Path) -> None:
    region = tmp_path / "region"
    write_region(SynthConfig(agencies=4, people=150, records=900, seed=5), region)
    one = prepare(region, tmp_path / "one", 10, 60, 5, workers=1)
    three = prepare(region, tmp_path / "three", 10, 60, 5, workers=3)

    assert one.present and one.absent  # the comparison below is about something
    assert len(one.table.names) > one.records > 0
    assert one.present == three.present
    assert one.absent == three.absent
    assert one.excluded == three.excluded
    assert one.records == three.records
    assert one.table == three.table
    assert one.truth == three.truth
    files = sorted(p.name for p in (tmp_path / "one").glob("*.jsonl"))
    assert files == sorted(p.name for p in (tmp_path / "three").glob("*.jsonl"))
    for name in files:
        assert (tmp_path / "one" / name).read_bytes() == (tmp_path / "three" / name).read_bytes()


def test_held_out_records_are_dropped_and_facts_span_every_file(tmp_path: Path) -> None:
    """No written record names a held-out person, and each pool person's mention count is
    what the written files hold of them, summed over the agencies' files (the merge)."""
    region = tmp_path / "region"
    write_region(SynthConfig(agencies=3, people=120, records=600, seed=9), region)
    prep = prepare(region, tmp_path / "prep", 10, 60, 9, workers=2)
    absent = {f.person_id for f in prep.absent}
    assert absent
    written = 0
    mentions: Counter[str] = Counter()
    files_of: dict[str, set[str]] = defaultdict(set)
    for path in (tmp_path / "prep").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            record = json.loads(line)
            written += 1
            for person in record.get("persons", []):  # a record may name nobody
                pid = prep.truth[truth_key(record["owner"], record["source_id"], person["ref"])]
                assert pid not in absent
                mentions[pid] += 1
                files_of[pid].add(path.name)
    assert written == prep.records
    assert {f.person_id: f.mentions for f in prep.present} == {
        f.person_id: mentions[f.person_id] for f in prep.present
    }
    assert any(len(files_of[f.person_id]) > 1 for f in prep.present)
