"""Ingest benchmark: a synthetic region from its files into SQLite and PostgreSQL, end to end
(reading, validation, normalization, every search index, commit).

    .venv/bin/python bench/ingest.py                      # 1,000,000 records, both engines
    .venv/bin/python bench/ingest.py --records 100000 --engines sqlite
    .venv/bin/python bench/ingest.py --records 200000 --people 40000 --repeat 3 \\
        --src base=/tmp/ab/base --src new=.          # A/B: interleaved runs of two trees

Each engine runs in its own child process so its peak memory (ru_maxrss) is its own.
The region is generated once and cached under ~/.cache/lexhub-bench (LEXHUB_BENCH_CACHE).

Besides wall-clock records/s, each run reports CPU time per record of the loading process,
of its ingest worker(s) and of the PostgreSQL backend serving it. The machine is shared:
wall time swings with other people's jobs, CPU per record much less, and on two cores the
sum of the three bounds the throughput (5,000 records/s needs under 400 µs in all).
`--src LABEL=DIR` runs the lexhub under DIR/src instead (e.g. an exported older commit);
runs of the variants are interleaved and summarized as medians, so ratios within one run
compare like with like.
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
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, free_disk_gb, machine, median  # noqa: E402

PG_ADMIN = os.environ.get("LEXHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
ROOT = Path(__file__).resolve().parents[1]


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


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def _backend_cpu(pid: int | None) -> float:
    """CPU seconds of a local PostgreSQL backend (/proc; 0 where it cannot be read)."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
        backend = _find_backend(url) if engine == "postgres" else None
        server0 = _backend_cpu(backend)
        children0 = _cpu(resource.RUSAGE_CHILDREN)
        self0 = _cpu(resource.RUSAGE_SELF)
        started = time.perf_counter()
        read = 0
        for path, mapping in batch_files([region]):
            report = load_file(store, path, mapping=mapping)
            read += report.read
        seconds = time.perf_counter() - started
        cpu = {
            "loader": _cpu(resource.RUSAGE_SELF) - self0,
            "worker": _cpu(resource.RUSAGE_CHILDREN) - children0,
            "server": _backend_cpu(backend) - server0,
        }
        stats = store.stats()
    print(
        json.dumps(
            {
                "engine": engine,
                "records": read,
                "seconds": seconds,
                "cpu_us": {k: v / max(read, 1) * 1e6 for k, v in cpu.items()},
                "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                "size_bytes": stats.size_bytes,
                "mentions": stats.mentions,
                "keys": stats.keys,
                "cache": cache_stats(),
            }
        )
    )


def _find_backend(url: str) -> int | None:
    """The pid of the store's backend: the only other session on this fresh database."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND pid <> pg_backend_pid()"
        ).fetchall()
    return int(rows[0][0]) if len(rows) == 1 else None


def run_engine(engine: str, region: Path, workdir: Path, src: Path) -> dict[str, Any]:
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
    env = {**os.environ, "PYTHONPATH": str(src / "src")}
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", engine, url, str(region)],
            check=True,
            capture_output=True,
            text=True,
            env=env,
        ).stdout
        return dict(json.loads(out.strip().splitlines()[-1]))
    finally:
        if admin is not None:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
        elif engine == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(url + suffix).unlink(missing_ok=True)


def _line(label: str, engine: str, r: dict[str, Any]) -> str:
    records, seconds = int(r["records"]), float(r["seconds"])
    size = r["size_bytes"]
    per = f"{int(size) / records:,.0f}" if size else "-"
    cpu = r.get("cpu_us", {})
    total = sum(cpu.values())
    return (
        f"{label:8} {engine:9} {records:>9,} {seconds:>7.1f} {records / seconds:>7,.0f} "
        f"{cpu.get('loader', 0):>7.0f} {cpu.get('worker', 0):>7.0f} {cpu.get('server', 0):>7.0f} "
        f"{total:>7.0f} {float(r['peak_rss_mb']):>7.0f} {per:>9}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=None, help="default: records / 5")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--repeat", type=int, default=1, help="runs per variant and engine")
    parser.add_argument(
        "--src",
        action="append",
        default=[],
        metavar="LABEL=DIR",
        help="a lexhub tree to measure (DIR/src); repeatable; default: this checkout",
    )
    parser.add_argument(
        "--child", nargs=3, metavar=("ENGINE", "URL", "REGION"), help=argparse.SUPPRESS
    )
    args = parser.parse_args()
    if args.child:
        child(args.child[0], args.child[1], Path(args.child[2]))
        return

    variants = [tuple(s.split("=", 1)) for s in args.src] or [("this", str(ROOT))]
    region = region_dir(args.records, args.people or args.records // 5, args.seed)
    print(f"machine: {machine()}")
    print(f"data: {region.name} ({args.records:,} records); load average {os.getloadavg()[0]:.1f}")
    workdir = CACHE / "ingest-db"
    workdir.mkdir(parents=True, exist_ok=True)
    print(
        f"{'variant':8} {'engine':9} {'records':>9} {'seconds':>7} {'rec/s':>7} "
        f"{'loader':>7} {'worker':>7} {'server':>7} {'cpu':>7} {'peakMB':>7} {'bytes/rec':>9}"
        "   (CPU in µs per record)"
    )
    results: dict[tuple[str, str], list[dict[str, Any]]] = {}
    for _ in range(args.repeat):
        for engine in args.engines.split(","):
            for label, src in variants:
                r = run_engine(engine, region, workdir, Path(src).resolve())
                results.setdefault((label, engine), []).append(r)
                print(_line(label, engine, r), flush=True)
    if args.repeat > 1 or len(variants) > 1:
        print("medians:")
        for (label, engine), runs in results.items():
            print(_line(label, engine, _median(runs)), flush=True)


def _median(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run of median records/s, with CPU figures replaced by their medians."""
    ordered = sorted(runs, key=lambda r: int(r["records"]) / float(r["seconds"]))
    mid = dict(ordered[len(ordered) // 2])
    if len(ordered) % 2 == 0:  # two middle runs: the mean of their times
        a, b = ordered[len(ordered) // 2 - 1], ordered[len(ordered) // 2]
        mid["seconds"] = (float(a["seconds"]) + float(b["seconds"])) / 2
    mid["cpu_us"] = {
        k: median([float(r.get("cpu_us", {}).get(k, 0)) for r in runs])
        for k in ("loader", "worker", "server")
    }
    return mid


if __name__ == "__main__":
    main()
