"""Eight separate processes append at once: one linear chain, nothing lost, on both engines."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from lexhub.audit import verify_store
from lexhub.model.audit import AuditFilter
from lexhub.store import Store

WRITERS = 8
EACH = 12
ROOT = Path(__file__).resolve().parents[2]


def test_concurrent_writers_keep_one_linear_chain(store: Store) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.audit.writer_child", store.url, str(w), str(EACH)],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for w in range(WRITERS)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err

    entries = store.audit_entries(AuditFilter(), 10_000)
    assert [e.seq for e in entries] == list(range(1, WRITERS * EACH + 1))
    for w in range(WRITERS):
        mine = [e.data["details"]["i"] for e in entries if e.data["actor"] == f"writer-{w}"]
        assert mine == list(range(EACH))  # each writer's entries, all there, in its order
    writers_in_order = [e.data["actor"] for e in entries]
    switches = sum(a != b for a, b in zip(writers_in_order, writers_in_order[1:], strict=False))
    assert switches >= WRITERS - 1
    report = verify_store(store)
    assert report.ok, report.problems
    assert store.audit_head() == (WRITERS * EACH, entries[-1].hash)
