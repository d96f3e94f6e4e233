"""Ingest benchmark: a synthetic region from its files into SQLite and PostgreSQL, end to end
(reading, validation, normalization, every search index, commit).

    .venv/bin/python bench/ingest.py                      # 1,000,000 records, both engines
    .venv/bin/python bench/ingest.py --records 100000 --engines sqlite

Each engine runs in its own child process so its peak memory (ru_maxrss) is its own.
The region is generated once and cached under ~/.cache/lexhub-bench (LEXHUB_BENCH_CACHE).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, free_disk_gb, machine  # noqa: E402

PG_ADMIN = os.environ.get("LEXHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")


def region_dir(records: int, people: int, seed: int) -> Path:
    from lexhub.synth import SynthConfig, write_region

    out = CACHE / f"region-{records}-{people}-{seed}"
    if not (out / "summary.json").exists():
        if free_disk_gb(CACHE) < 5:
            sys.exit(f"less than 5 GB free under {CACHE}; not generating the region")
        print(f"generating the region into {out} ...", flush=True)
        started = time.perf_counter()
        write_region(SynthConfig(people=people, records=records, seed=seed), out)
        print(f"  generated in {time.perf_counter() - started:.0f} s", flush=True)
    return out


def child(engine: str, url: str, region: Path) -> None:
    """Load every file of the region as one batch each and print the figures as JSON."""
    from lexhub.cli.agency import agencies_from_file
    from lexhub.cli.ingest import batch_files
    from lexhub.ingest.load import load_file
    from lexhub.normalize import cache_stats
    from lexhub.store import open_store

    with open_store(url) as store:
        store.migrate()
        with store.transaction() as tx:
            for agency in agencies_from_file(region / "agencies.json"):
                tx.put_agency(agency)
            tx.commit()
        started = time.perf_counter()
        read = 0
        for path, mapping in batch_files([region]):
            report = load_file(store, path, mapping=mapping)
            read += report.read
        seconds = time.perf_counter() - started
        stats = store.stats()
    print(
        json.dumps(
            {
                "engine": engine,
                "records": read,
                "seconds": seconds,
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "size_bytes": stats.size_bytes,
                "mentions": stats.mentions,
                "keys": stats.keys,
                "cache": cache_stats(),
            }
        )
    )


def run_engine(engine: str, region: Path, workdir: Path) -> dict[str, object]:
    admin = None
    if engine == "sqlite":
        url = str(workdir / "bench.db")
        for suffix in ("", "-wal", "-shm"):
            Path(url + suffix).unlink(missing_ok=True)
    else:
        import psycopg

        name = f"lexhub_bench_{uuid.uuid4().hex[:8]}"
        admin = psycopg.connect(PG_ADMIN, autocommit=True)
        admin.execute(f'CREATE DATABASE "{name}"')
        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", engine, url, str(region)],
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        return dict(json.loads(out.strip().splitlines()[-1]))
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=None, help="default: records / 5")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument(
        "--child", nargs=3, metavar=("ENGINE", "URL", "REGION"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return

    region = region_dir(args.records, args.people or args.records // 5, args.seed)
    print(f"machine: {machine()}")
    print(f"data: {region.name} ({args.records:,} records)")
    workdir = CACHE / "ingest-db"
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"{'engine':10} {'records':>10} {'seconds':>8} {'rec/s':>8} {'peak MB':>8} "
        f"{'bytes/rec':>9} {'parsed share':>12}"
    )
    for engine in args.engines.split(","):
        r = run_engine(engine, region, workdir)
        print(f"  raw: {json.dumps(r)}", flush=True)
        records, seconds = int(r["records"]), float(r["seconds"])  # type: ignore[call-overload,arg-type]
        size = r["size_bytes"]
        per = f"{int(size) / records:,.0f}" if size else "-"  # type: ignore[call-overload]
        cache = r["cache"] if isinstance(r["cache"], dict) else {}
        parsed = cache.get("parsed_share")
        shown = "in worker" if parsed is None else f"{parsed:.1%}"
        print(
            f"{engine:10} {records:>10,} {seconds:>8.1f} {records / seconds:>8,.0f} "
            f"{float(r['peak_rss_mb']):>8.0f} {per:>9} {shown:>12}",
            flush=True,
        )  # type: ignore[arg-type]


if __name__ == "__main__":
    main()
