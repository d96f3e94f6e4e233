"""Link analysis latency (issue 7): an entity formed for a request, and its associates.

    nice .venv/bin/python bench/associates.py --records 100000 --asks 300

A synthetic region (`--records`, people = records / 5, seed 7) is generated once under
the benchmark cache and loaded into SQLite and PostgreSQL (one fresh database each,
dropped at the end). The stored entities are the ground truth's people (each person's
mentions chained by links of weight 10): the benchmark measures the reads of link
analysis, not the linking, and needs entities spanning agencies the way real ones do.
Then, for `--asks` random mentions under full access to every agency, it times
`entity_for` and `associates_of` (which includes its own `entity_for` and one for each
associate) and reports medians and p95 per engine, with the data size and the machine.
"""

from __future__ import annotations

import argparse
import csv
import random
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).parent))

from common import CACHE, machine  # noqa: E402
from lexhub.linkage import entity_for  # noqa: E402
from lexhub.linkage.associates import associates_of  # noqa: E402
from lexhub.model import Scope  # noqa: E402
from lexhub.store import Store, open_store  # noqa: E402
from lexhub.store.linkage_sql import LINKAGE_COLUMNS, LinkRow  # noqa: E402
from lexhub.synth import SynthConfig, write_region  # noqa: E402
from search_stores import PG_ADMIN, PG_PREFIX, _analyze, _load, pg_database  # noqa: E402

_SRC, _REF, _OWNER = (LINKAGE_COLUMNS.index(c) for c in ("source_id", "ref", "owner"))


def region(records: int, seed: int) -> Path:
    root = CACHE / f"assoc-region-{records}-{seed}"
    if not (root / "truth" / "ground_truth.csv").exists():
        print(f"generating {records:,} records ...", flush=True)
        write_region(SynthConfig(agencies=12, people=records // 5, records=records, seed=seed,
                                 formats=("jsonl",)), root)  # fmt: skip
    return root


def save_truth_entities(store: Store, root: Path) -> tuple[int, int]:
    """Entities = true people; links chain each person's mentions. Returns (mentions,
    entities)."""
    with open(root / "truth" / "ground_truth.csv", newline="") as f:
        truth = {(r["owner"], r["source_id"], r["person_ref"]): r["person_id"]
                 for r in csv.DictReader(f)}  # fmt: skip
    people: dict[str, list[int]] = {}
    for row in store.linkage_mentions():
        person = truth.get((row[_OWNER], row[_SRC], row[_REF]), f"x{row[0]}")
        people.setdefault(person, []).append(int(row[0]))
    links, members = [], []
    for n, ids in enumerate(people.values(), start=1):
        ids.sort()
        links += [LinkRow(a, b, 10.0, 0.999, {}) for a, b in zip(ids, ids[1:], strict=False)]
        members += [(m, n, 10.0 if len(ids) > 1 else None) for m in ids]
    store.linkage_save("{}", 4.0, {}, links, members, datetime.now(UTC))
    return len(members), len(people)


def measure(url: str, asks: int, seed: int) -> dict[str, float]:
    with open_store(url) as store:
        owners = [a.id for a in store.list_agencies()]
        scope = Scope.full_access(owners)
        ids = [int(r[0]) for r in store.linkage_mentions()]
        chosen = random.Random(seed).sample(ids, min(asks, len(ids)))
        entity_ms, assoc_ms, found, conns = [], [], [], []
        for mid in chosen[:20]:  # warm the caches once
            e = entity_for(store, scope, mid)
            if e is not None:
                associates_of(store, scope, e)
        for mid in chosen:
            t0 = time.perf_counter()
            e = entity_for(store, scope, mid)
            t1 = time.perf_counter()
            assert e is not None
            answer = associates_of(store, scope, e)
            t2 = time.perf_counter()
            entity_ms.append((t1 - t0) * 1000)
            assoc_ms.append((t2 - t1) * 1000)
            found.append(len(answer.associates))
            conns.append(sum(len(a.connections) for a in answer.associates))
    q = statistics.quantiles
    return {
        "entity_p50": statistics.median(entity_ms), "entity_p95": q(entity_ms, n=20)[18],
        "assoc_p50": statistics.median(assoc_ms), "assoc_p95": q(assoc_ms, n=20)[18],
        "associates": statistics.mean(found), "connections": statistics.mean(conns),
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--asks", type=int, default=300)
    parser.add_argument("--engines", default="sqlite,postgres")
    args = parser.parse_args()
    root = region(args.records, args.seed)
    print(f"machine: {machine()}")
    results = {}
    for engine in args.engines.split(","):
        name = f"{PG_PREFIX}_assoc_{args.records}_{args.seed}"
        if engine == "sqlite":
            path = root / "assoc.db"
            for old in root.glob("assoc.db*"):
                old.unlink()
            url = f"sqlite:///{path}"
        else:
            url = pg_database(name)
        try:
            _load(url, root, engine)
            with open_store(url) as store:
                mentions, people = save_truth_entities(store, root)
            if engine == "postgres":
                _analyze(url)
            results[engine] = measure(url, args.asks, args.seed)
        finally:
            if engine == "postgres":
                with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
                    admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)")
                                  .format(sql.Identifier(name)))  # fmt: skip
        print(f"{engine}: {mentions:,} mentions, {people:,} true people", flush=True)
    print(f"\n{args.records:,} records, {args.asks} random mentions, full access\n")
    print("| engine | entity_for p50 / p95 ms | associates_of p50 / p95 ms |"
          " associates (mean) | connections (mean) |")  # fmt: skip
    print("| --- | --- | --- | --- | --- |")
    for engine, r in results.items():
        print(f"| {engine} | {r['entity_p50']:.1f} / {r['entity_p95']:.1f} |"
              f" {r['assoc_p50']:.1f} / {r['assoc_p95']:.1f} | {r['associates']:.1f} |"
              f" {r['connections']:.1f} |")  # fmt: skip


if __name__ == "__main__":
    main()
