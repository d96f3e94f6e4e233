"""Reading and preparing in a worker process gives the same batches as in-process, and a
failure in the worker fails the whole batch (the `store` fixtures are SQLite and PostgreSQL)."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lexhub.errors import BatchRejected, InputError
from lexhub.ingest import load
from lexhub.ingest.load import load_file
from lexhub.ingest.pipeline import WorkerFailed, WorkerReader
from lexhub.store import Store, StoreStats, open_store
from tests.ingest.conftest import OTHER, OWNER, make_record

BatchFile = Callable[..., Path]


def content(store: Store) -> StoreStats:
    return replace(store.stats(), size_bytes=None)


def _big(batch_file: BatchFile, n: int, **kw: Any) -> Path:
    """More than one loader chunk, so a failure lands after a chunk was written."""
    return batch_file([make_record(f"R{i}", last=f"Person{i % 50}") for i in range(n)], **kw)


def test_a_batch_whose_reading_fails_in_the_worker_is_rejected_whole(
    region: Store, batch_file: BatchFile
) -> None:
    too_long = '{"owner": "' + "x" * (1 << 20) + '"}'
    path = _big(batch_file, 2500, extra_lines=[too_long])
    before = content(region)
    with pytest.raises(InputError) as caught:
        load_file(region, path, workers=1)
    assert str(caught.value).startswith("batch.jsonl:2501")
    assert content(region) == before
    assert region.get_record(OWNER, "R0") is None


def test_record_errors_found_in_the_worker_reject_the_batch_as_in_process(
    region: Store, batch_file: BatchFile
) -> None:
    records = [make_record(f"R{i}") for i in range(5)] + [
        make_record("R1"),
        make_record("R9", owner=OTHER),
    ]
    path = batch_file(records, extra_lines=['{"owner": "WA0170000"'])
    before = content(region)
    problems = []
    for workers in (0, 1):
        with pytest.raises(BatchRejected) as caught:
            load_file(region, path, workers=workers)
        problems.append([str(p) for p in caught.value.problems])
        assert content(region) == before
    assert problems[0] == problems[1]
    assert len(problems[0]) == 3


def test_parallel_and_in_process_loads_store_the_same(
    tmp_path: Path, batch_file: BatchFile
) -> None:
    records = [make_record(f"R{i}", last=f"Person{i % 50}") for i in range(2300)]
    records += [make_record("R7"), make_record("R8", owner=OTHER)]
    path = batch_file(records, extra_lines=['{"owner": "WA0170000"'])
    changed = batch_file(
        [make_record(f"R{i}", last="Changed") for i in range(0, 2300, 2)], name="snap.jsonl"
    )
    seen = []
    for workers in (0, 1):
        with open_store(f"sqlite:///{tmp_path}/w{workers}.db") as store:
            store.migrate()
            with store.transaction() as tx:
                for agency in _agencies():
                    tx.put_agency(agency)
                tx.commit()
            rejects = tmp_path / f"rejects{workers}.jsonl"
            first = load_file(store, path, skip_invalid=True, reject_path=rejects, workers=workers)
            second = load_file(store, changed, snapshot=True, workers=workers)
            stored = [store.record_history(OWNER, f"R{i}") for i in range(0, 2300, 7)]
            seen.append(
                (
                    first.counts(),
                    second.counts(),
                    rejects.read_bytes(),
                    content(store),
                    [[(s.version, s.status, s.digest, s.record) for s in h] for h in stored],
                )
            )
    assert seen[0][0]["rejected"] == 3 and seen[0][1]["retracted"] == 1150
    assert seen[0] == seen[1]


def test_a_worker_that_dies_fails_the_batch_and_leaves_no_process(
    region: Store, batch_file: BatchFile, monkeypatch: pytest.MonkeyPatch
) -> None:
    readers: list[WorkerReader] = []

    class Watched(WorkerReader):
        def __init__(self, *args: Any) -> None:
            super().__init__(*args)
            readers.append(self)

    monkeypatch.setattr(load, "WorkerReader", Watched)
    path = _big(batch_file, 5000)
    before = content(region)

    def kill_worker(read: int, errors: int) -> None:
        readers[0].process.kill()

    with pytest.raises(WorkerFailed, match="the ingest worker died"):
        load_file(region, path, workers=1, progress=kill_worker)
    assert content(region) == before
    assert readers[0].process.poll() is not None

    report = load_file(region, path, workers=1)  # and a healthy worker is reaped too
    assert report.new == 5000
    assert readers[1].process.poll() == 0


def _agencies() -> list[Any]:
    from lexhub.model import Agency, AgencyKind, Contact

    return [
        Agency(
            ori,
            "Example Agency",
            "WA",
            AgencyKind.POLICE,
            "America/Los_Angeles",
            Contact("Records Unit"),
        )  # fmt: skip
        for ori in (OWNER, OTHER)
    ]


_KILLED_CHILD = """
import sys
from pathlib import Path
from lexhub.ingest import load, pipeline
from lexhub.store import open_store

class Announced(pipeline.WorkerReader):
    def __init__(self, *args):
        super().__init__(*args)
        print("WORKER", self.process.pid, flush=True)

load.WorkerReader = Announced
with open_store(sys.argv[1]) as store:
    load.load_file(store, Path(sys.argv[2]), workers=1,
                   progress=lambda read, errors: print("PROGRESS", flush=True))
"""


@pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="needs Linux pidfd")
def test_the_worker_dies_with_a_killed_loader(tmp_path: Path, batch_file: BatchFile) -> None:
    url = f"sqlite:///{tmp_path}/k.db"
    with open_store(url) as store:
        store.migrate()
        with store.transaction() as tx:
            for agency in _agencies():
                tx.put_agency(agency)
            tx.commit()
    path = _big(batch_file, 5000)
    root = Path(__file__).resolve().parents[2]
    child = subprocess.Popen(
        [sys.executable, "-c", _KILLED_CHILD, url, str(path)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=root,
    )
    assert child.stdout is not None
    worker = None
    for line in child.stdout:
        if line.startswith("WORKER "):
            worker = int(line.split()[1])
        if line.startswith("PROGRESS"):  # one chunk written: the worker is mid-file
            break
    assert worker is not None
    pidfd = os.pidfd_open(worker)
    try:
        child.send_signal(signal.SIGKILL)
        child.wait()
        child.stdout.close()
        ready, _, _ = select.select([pidfd], [], [], 30)  # readable once the worker exited
        assert ready, "the worker outlived its killed loader"
    finally:
        os.close(pidfd)
    with open_store(url) as store:
        assert store.get_record(OWNER, "R0") is None
