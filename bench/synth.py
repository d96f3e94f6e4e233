"""Synthetic region benchmark: `write_region` for one million records, timed end to end
(name tables, people, plan, rendering, writing every file, ground truth, summary).

    .venv/bin/python bench/synth.py                         # 12 agencies, 200k people, 1M records
    .venv/bin/python bench/synth.py --records 100000 --people 20000 --formats jsonl

Prints records/s, wall time, peak memory (this process and its workers), the data size and
the machine. The region goes to a temporary directory under LEXHUB_BENCH_CACHE, removed after.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, free_disk_gb, machine  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--agencies", type=int, default=12)
    parser.add_argument("--people", type=int, default=200_000)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=None, help="default: one per core")
    parser.add_argument(
        "--formats", default=None, help="comma-separated, cycled over agencies (default mix)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the generated files")
    args = parser.parse_args()

    from lexhub.synth import SynthConfig, write_region

    if free_disk_gb(CACHE) < 3:
        sys.exit(f"less than 3 GB free under {CACHE}")
    formats = tuple(args.formats.split(",")) if args.formats else None
    config = SynthConfig(
        agencies=args.agencies,
        people=args.people,
        records=args.records,
        seed=args.seed,
        formats=formats,
        workers=args.workers,
    )
    out = Path(tempfile.mkdtemp(prefix="synth-", dir=CACHE))
    try:
        started = time.perf_counter()
        summary = write_region(config, out)
        seconds = time.perf_counter() - started
        own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(f"machine: {machine()}")
        print(
            f"config: {config.agencies} agencies, {config.people:,} people, "
            f"{config.records:,} records, seed {config.seed}, formats {formats or 'default mix'}"
        )
        print(f"wall time: {seconds:.1f} s   records/s: {summary.records / seconds:,.0f}")
        print(f"peak RSS: parent {own:,.0f} MB, largest worker {kids:,.0f} MB")
        print(
            f"data: {summary.bytes_written / 1e9:.2f} GB "
            f"({summary.bytes_written / summary.records:,.0f} bytes/record), "
            f"{summary.mentions:,} mentions"
        )
        print(f"rates: {summary.rates}")
        print(f"mentions per person: {summary.mentions_per_person}")
        if args.keep:
            print(f"kept in {out}")
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main()
