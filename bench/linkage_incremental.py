"""Incremental linking (issue 7): a batch of new mentions linked against an existing region
with the model in force, timed, and its quality beside a full re-link of everything.

    nice .venv/bin/python bench/linkage_incremental.py --mentions 100000 --batch 10000 \
        --work /tmp/lexhub-incr

A synthetic region of about `--mentions + --batch` person mentions is generated (cached);
records are drawn at random (seeded) until they hold `--batch` mentions: those are the new
batch, the rest the existing region. The existing region is loaded into SQLite and linked
from scratch (`link_mentions`; cached as a copy of the database); then the batch is loaded
and `link_new` runs, timed end to end (reading every mention, scoring, saving edges and
entities). Then everything is linked again from scratch (timed) for comparison. Quality:
pairwise precision/recall/F1 and B-cubed against the ground truth (never read by the
linking) for both, and the incremental entities against the full re-link's (as if those
were the truth: how far the two ways agree).
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import shutil
import time
from pathlib import Path

from common import machine
from lexhub.cli.agency import agencies_from_file
from lexhub.ingest.load import load_file
from lexhub.linkage import LinkOptions, Quality, evaluate, link_mentions
from lexhub.linkage.incremental import link_new
from lexhub.store import Store, open_store
from lexhub.store.linkage_sql import LINKAGE_COLUMNS
from linkage import _region


def _split(root: Path, batch: int, seed: int) -> tuple[Path, Path]:
    """root/split-N/{old,new}/*.jsonl: records drawn at random until they hold `batch`
    person mentions go to new/, the rest to old/."""
    out = root / f"split-{batch}-{seed}"
    old, new = out / "old", out / "new"
    if (out / "done").exists():
        return old, new
    lines = [(p.name, line) for p in sorted(root.glob("*.jsonl")) for line in p.open()]
    order = list(range(len(lines)))
    random.Random(seed).shuffle(order)
    held, count = set(), 0
    for i in order:
        if count >= batch:
            break
        held.add(i)
        count += len(json.loads(lines[i][1]).get("persons", ()))
    for d in (old, new):
        d.mkdir(parents=True, exist_ok=True)
    files: dict[Path, list[str]] = {}
    for i, (name, line) in enumerate(lines):
        files.setdefault((new if i in held else old) / name, []).append(line)
    for path, rows in files.items():
        path.write_text("".join(rows))
    (out / "done").touch()
    return old, new


def _load(store: Store, root: Path, folder: Path) -> None:
    with store.transaction() as tx:
        for agency in agencies_from_file(root / "agencies.json"):
            if store.get_agency(agency.id) is None:
                tx.put_agency(agency)
        tx.commit()
    for path in sorted(folder.glob("*.jsonl")):
        load_file(store, path)


def _truth(store: Store, root: Path) -> dict[int, str]:
    source, ref = LINKAGE_COLUMNS.index("source_id"), LINKAGE_COLUMNS.index("ref")
    keys = {(r[2], r[source], r[ref]): int(r[0]) for r in store.linkage_mentions()}
    out: dict[int, str] = {}
    with open(root / "truth" / "ground_truth.csv", newline="") as f:
        for row in csv.DictReader(f):
            m = keys.get((row["owner"], row["source_id"], row["person_ref"]))
            if m is not None:
                out[m] = row["person_id"]
    return out


def _say(name: str, q: Quality) -> None:
    print(
        f"  {name:34s} pairwise P {q.precision:.4f} R {q.recall:.4f} F1 {q.f1:.4f}   "
        f"B-cubed P {q.bcubed_precision:.4f} R {q.bcubed_recall:.4f} F1 {q.bcubed_f1:.4f}"
    )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--mentions", type=int, default=100_000, help="existing mentions")
    ap.add_argument("--batch", type=int, default=10_000, help="new mentions")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--work", default="/tmp/lexhub-incr")
    ap.add_argument("--no-relink", action="store_true", help="time the batch only")
    args = ap.parse_args()
    work = Path(args.work)
    root = _region(work, args.mentions + args.batch, args.seed)
    old, new = _split(root, args.batch, args.seed)
    base = old.parent / "linked.db"
    if not base.exists():
        scratch = old.parent / "linking.db"
        scratch.unlink(missing_ok=True)
        with open_store(str(scratch)) as store:
            store.migrate()
            print("loading the existing region ...", flush=True)
            _load(store, root, old)
            started = time.perf_counter()
            result = link_mentions(store, LinkOptions(seed=args.seed), lambda _: None)
            print(
                f"full link of the existing region: {time.perf_counter() - started:.1f} s,"
                f" {result.mentions:,} mentions, {result.entities:,} entities",
                flush=True,
            )
        scratch.rename(base)
    db = old.parent / "run.db"
    shutil.copyfile(base, db)
    with open_store(str(db)) as store:
        existing = store.stats().mentions
        _load(store, root, new)
        marks: list[tuple[str, float]] = []
        started = time.perf_counter()
        inc = link_new(store, lambda what: marks.append((what, time.perf_counter())))
        ended = time.perf_counter()
        seconds = ended - started
        truth = _truth(store, root)
        incremental = store.entity_assignments()
        if not args.no_relink:
            started = time.perf_counter()
            full = link_mentions(store, LinkOptions(seed=args.seed), lambda _: None)
            full_seconds = time.perf_counter() - started
            relinked = store.entity_assignments()
    print(f"\nmachine: {machine()}")
    print(f"synthetic region seed {args.seed}: {existing:,} existing mentions, "
          f"{inc.new_mentions:,} new, {len(set(truth.values())):,} true people")  # fmt: skip
    print(f"incremental (SQLite, read + score + write back): {seconds:.1f} s; "
          f"edges {inc.pairs:,} (links {inc.links:,}); entities started {inc.started:,}, "
          f"joined {inc.joined:,}, merged {inc.merged:,}")  # fmt: skip
    for (what, at), (_, nxt) in zip(marks, [*marks[1:], ("end", ended)], strict=True):
        print(f"  {what:28s} {nxt - at:7.1f} s")
    _say("incremental vs ground truth", evaluate(incremental, truth))
    if args.no_relink:
        return
    print(f"full re-link of all {full.mentions:,}: {full_seconds:.1f} s "
          f"(ratio full/incremental {full_seconds / seconds:.1f})")  # fmt: skip
    _say("full re-link vs ground truth", evaluate(relinked, truth))
    _say("incremental vs full re-link", evaluate(incremental, relinked))


if __name__ == "__main__":
    main()
