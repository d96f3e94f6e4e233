"""A tiny synthetic region, generated once per session, loaded into each engine's store,
with its ground truth keyed by (owner, source id, person ref)."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from lexhub.cli.agency import agencies_from_file
from lexhub.ingest.load import load_file
from lexhub.linkage import LinkOptions
from lexhub.store import Store
from lexhub.store.linkage_sql import LINKAGE_COLUMNS
from lexhub.synth import SynthConfig, write_region

OPTIONS = LinkOptions(u_pairs=2e4)
_SOURCE, _REF = LINKAGE_COLUMNS.index("source_id"), LINKAGE_COLUMNS.index("ref")


@pytest.fixture(scope="session")
def region(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("linkage") / "region"
    write_region(SynthConfig(agencies=3, people=70, records=260, seed=5, formats=("jsonl",)), root)
    return root


@pytest.fixture
def loaded(store: Store, region: Path) -> Iterator[Store]:
    with store.transaction() as tx:
        for agency in agencies_from_file(region / "agencies.json"):
            tx.put_agency(agency)
        tx.commit()
    for path in sorted(region.glob("*.jsonl")):
        load_file(store, path)
    yield store


def truth_of(store: Store, region: Path) -> dict[int, str]:
    """mention id -> true person id."""
    with open(region / "truth" / "ground_truth.csv", newline="") as f:
        rows = {
            (r["owner"], r["source_id"], r["person_ref"]): r["person_id"] for r in csv.DictReader(f)
        }
    return {int(m[0]): rows[(m[2], m[_SOURCE], m[_REF])] for m in store.linkage_mentions()}


def steps() -> list[str]:
    return []
