"""Nothing acknowledged is lost: SIGKILL the ingest process at random points, on both
backends, including while a commit is under way, and check every batch is all or nothing.

No timing is involved: the parent kills on events the child announces (the k-th chunk
done, or a commit beginning), chosen at random with a fixed seed.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from lexhub.ingest.writers import write_jsonl
from lexhub.model import Agency, AgencyKind, Contact
from lexhub.store import RecordStatus, open_store
from tests.ingest.conftest import OWNER, make_record

ROOT = Path(__file__).resolve().parents[2]
BATCHES = 5
RECORDS_PER_BATCH = 2500  # two chunks of the loader, so kills land between chunks too
KILLS = 6


def _prepare(url: str, tmp_path: Path) -> list[Path]:
    with open_store(url) as store:
        store.migrate()
        with store.transaction() as tx:
            tx.put_agency(
                Agency(
                    OWNER,
                    "Example County Sheriff",
                    "WA",
                    AgencyKind.SHERIFF,
                    "America/Los_Angeles",
                    Contact("Records"),
                )
            )
            tx.commit()
    files = []
    for b in range(BATCHES):
        path = tmp_path / f"batch{b}.jsonl"
        write_jsonl(
            (
                make_record(f"B{b}-{i}", narrative=f"Batch {b} item {i}.")
                for i in range(RECORDS_PER_BATCH)
            ),
            path,
        )
        files.append(path)
    return files


def _run_child(
    url: str, files: list[Path], kill_when: Callable[[str], bool]
) -> tuple[set[str], bool, bool]:
    """Run the child until `kill_when(line)` says so (then SIGKILL) or it ends.
    Returns (files acknowledged, killed, killed inside a commit)."""
    env = {**os.environ, "PYTHONPATH": f"{ROOT}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    child = subprocess.Popen(
        [sys.executable, "-m", "tests.ingest.crash_child", url, *map(str, files)],
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )
    assert child.stdout is not None
    done: set[str] = set()
    killed = in_commit = False
    for line in child.stdout:
        line = line.strip()
        if line.startswith("DONE "):
            done.add(line[5:])
        if kill_when(line):
            child.send_signal(signal.SIGKILL)
            killed = True
            # Whatever the child managed to print before dying says where it was.
            rest = child.stdout.read().split()
            in_commit = line == "COMMIT-BEGIN" and "COMMIT-END" not in rest
            done.update(rest[i + 1] for i, w in enumerate(rest) if w == "DONE")
            break
    child.wait()
    child.stdout.close()
    assert killed or child.returncode == 0
    return done, killed, in_commit


def _check(url: str, files: list[Path], acknowledged: set[str]) -> None:
    with open_store(url) as store:  # it opens: the database survived
        with store.transaction() as tx:
            for b, path in enumerate(files):
                ids = [f"B{b}-{i}" for i in range(RECORDS_PER_BATCH)]
                states = tx.record_states(OWNER, ids)
                assert len(states) in (0, RECORDS_PER_BATCH), (
                    f"batch {b} half-written: {len(states)}"
                )
                assert all(s.status is RecordStatus.ACTIVE for s in states.values())
                if str(path) in acknowledged:
                    assert len(states) == RECORDS_PER_BATCH, f"acknowledged batch {b} lost"


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["sqlite", "postgres"])
def test_sigkill_at_random_points_loses_nothing_acknowledged(
    engine: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    url = str(tmp_path / "crash.db") if engine == "sqlite" else request.getfixturevalue("pg_url")
    files = _prepare(url, tmp_path)
    rng = random.Random(20261125)
    acknowledged: set[str] = set()
    kills = inside_commits = 0
    for attempt in range(KILLS):
        if attempt % 2 == 0:
            # Kill the moment a commit begins: the transaction is being made durable.
            def when(line: str) -> bool:
                return line == "COMMIT-BEGIN"
        else:
            target = rng.randint(1, 2 * BATCHES)
            seen = [0]

            def when(line: str, target: int = target, seen: list[int] = seen) -> bool:
                seen[0] += line.startswith("PROGRESS")
                return seen[0] >= target

        done, killed, in_commit = _run_child(url, files, when)
        acknowledged |= done
        kills += killed
        inside_commits += in_commit
        _check(url, files, acknowledged)
    # Finally let it run to the end: everything loads, already-loaded batches are skipped.
    done, killed, _ = _run_child(url, files, lambda line: False)
    assert not killed
    acknowledged |= done
    _check(url, files, acknowledged)
    assert acknowledged == {str(f) for f in files}
    print(f"{engine}: {kills} kills, {inside_commits} inside a commit")
    assert kills >= KILLS - 1  # a run may finish before its kill point; nearly all must land
    assert inside_commits >= 1
