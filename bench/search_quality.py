"""Search quality and latency, lexhub beside two baselines, from one command.

    .venv/bin/python bench/search_quality.py --records 20000 --people 4000   # ~2 minutes
    .venv/bin/python bench/search_quality.py                                  # 1M records

A synthetic region (generated and cached as in bench/ingest.py), some people held out,
the rest loaded into SQLite and PostgreSQL (cached, rebuilt when the index code changes);
2,000 queries about present people in a fixed mix of types and 500 about absent people,
made by bench/search_corrupt.py; lexhub's search and the baselines (pg_trgm,
exhaustive rapidfuzz) on the same queries. Method and mix: docs/search-benchmark.md.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import multiprocessing
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, machine  # noqa: E402
from lexhub.search import PersonQuery  # noqa: E402
from search_data import TODAY, NameTable, prepare  # noqa: E402
from search_queries import BenchQuery, build_queries  # noqa: E402
from search_report import Outcome, report  # noqa: E402
from search_stores import build_store, drop_stale, fingerprint, mention_people, pg_database  # noqa: E402


@dataclass
class Run:
    system: str
    outcomes: list[Outcome]


def run_lexhub(
    url: str, queries: list[BenchQuery], people: dict[int, str], warmup: int
) -> list[Outcome] | str:
    """Every query once after a warm-up pass over a spread sample; the timed pass is also
    the one scored. Returns the reason instead when the engine cannot search yet."""
    from lexhub.model import Scope
    from lexhub.search import Band, search
    from lexhub.store import open_store

    with open_store(url) as store:
        scope = Scope.full_access(a.id for a in store.list_agencies())
        step = max(1, len(queries) // max(1, warmup))
        try:
            for q in queries[::step][:warmup]:
                search(store, q.query, scope, page_size=10, today=TODAY)
        except NotImplementedError as e:
            return f"not implemented ({e})"
        out: list[Outcome] = []
        for q in queries:
            started = time.perf_counter()
            result = search(store, q.query, scope, page_size=10, today=TODAY)
            ms = (time.perf_counter() - started) * 1000
            hits = result.hits[:10]
            found = [people.get(h.mention_id or -1) == q.person_id for h in hits]
            rank = found.index(True) + 1 if True in found else None
            top = hits[0] if hits else None
            out.append(
                Outcome(
                    q.qid,
                    rank,
                    ms,
                    likely=any(h.band == Band.LIKELY for h in hits),
                    top=(
                        f"{top.score:.2f} {top.band} {people.get(top.mention_id or -1)} "
                        f"{top.person} :: {top.why}"
                        if top
                        else None
                    ),
                )
            )
        return out


class NameSearch(Protocol):
    def search(self, q: PersonQuery, k: int = 10) -> list[int]: ...


def run_baseline(
    baseline: NameSearch, queries: list[BenchQuery], table_people: list[str], warmup: int
) -> list[Outcome]:
    """Name-bearing queries only (present and absent, so latency covers both)."""
    fn = baseline.search
    named = [q for q in queries if q.has_name]
    for q in named[:: max(1, len(named) // max(1, warmup))][:warmup]:
        fn(q.query)
    out: list[Outcome] = []
    for q in named:
        started = time.perf_counter()
        positions: list[int] = fn(q.query)
        ms = (time.perf_counter() - started) * 1000
        found = [table_people[p] == q.person_id for p in positions]
        out.append(Outcome(q.qid, found.index(True) + 1 if True in found else None, ms))
    return out


def _data_code() -> str:
    """What the prepared data depends on besides its parameters: the code that makes it."""
    h = hashlib.sha256()
    for name in ("search_data.py", "search_corrupt.py"):
        h.update((Path(__file__).parent / name).read_bytes())
    return h.hexdigest()[:6]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--people", type=int, default=None, help="default: records / 5")
    parser.add_argument("--seed", type=int, default=7, help="region and query seed")
    parser.add_argument("--queries", type=int, default=2000, help="about present people")
    parser.add_argument("--absent", type=int, default=500, help="about absent people")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--baselines", default="pg_trgm,rapidfuzz", help="or empty")
    parser.add_argument("--warmup", type=int, default=500, help="untimed queries first")
    parser.add_argument("--misses", type=int, default=10, help="missed queries to print")
    parser.add_argument("--rebuild", action="store_true", help="reload the databases")
    parser.add_argument(
        "--types", default="", help="only these query types, comma-separated (profiling)"
    )
    args = parser.parse_args()

    from ingest import region_dir

    people = args.people or args.records // 5
    region = region_dir(args.records, people, args.seed)
    family = f"{args.records}_{people}_{args.seed}_"
    tag = f"{family}{args.absent}_{_data_code()}"
    prep_dir = CACHE / f"search-{tag}"
    fp = fingerprint()
    drop_stale(family, tag, fp)
    started = time.perf_counter()
    prep_args = (region, prep_dir, args.absent, max(4 * args.queries, 20_000), args.seed)
    if not (prep_dir / "prepared.pickle").exists():
        # Built in a child process, which hands back to the system the memory its scan
        # used (pymalloc keeps freed arenas): at 10M, gigabytes the page cache needs.
        child = multiprocessing.get_context("fork").Process(target=prepare, args=prep_args)
        child.start()
        child.join()
        if child.exitcode != 0:
            sys.exit(f"preparing the data failed (exit code {child.exitcode})")
    prep = prepare(*prep_args)
    queries = build_queries(prep.present, prep.absent, args.queries, args.absent, args.seed)
    if args.types:  # the same queries as a full run, a subset of them
        wanted = set(args.types.split(","))
        queries = [q for q in queries if q.kind in wanted and not q.absent or
                   q.absent and "absent" in wanted]  # fmt: skip
    print(f"prepared data and queries in {time.perf_counter() - started:.0f} s", flush=True)
    baselines = [b for b in args.baselines.split(",") if b]
    mentions = len(prep.table.names)
    if not baselines:  # only they read the name table: at 10M its gigabytes serve as page cache
        prep.table = NameTable()

    runs: list[Run] = []
    notes: list[str] = []

    def ran(system: str, got: list[Outcome] | str, since: float) -> None:
        if isinstance(got, str):
            notes.append(f"{system}: {got}")
        else:
            runs.append(Run(system, got))
        print(f"  {system}: ran in {time.perf_counter() - since:.0f} s", flush=True)

    for engine in [e for e in args.engines.split(",") if e]:
        url = build_store(engine, prep_dir, tag, fp, args.rebuild)
        since = time.perf_counter()
        people_of = mention_people(url, prep.truth)
        ran(f"lexhub {engine}", run_lexhub(url, queries, people_of, args.warmup), since)
    if "pg_trgm" in baselines:
        from search_baselines import TrigramBaseline

        since = time.perf_counter()
        trgm = TrigramBaseline(pg_database(f"lexhub_sqb_{tag}"), prep.table)
        ran("pg_trgm", run_baseline(trgm, queries, prep.table.people, args.warmup), since)
        trgm.close()
    if "rapidfuzz" in baselines:
        from search_baselines import RapidfuzzScan

        since = time.perf_counter()
        scan = RapidfuzzScan(prep.table)
        warm = min(args.warmup, 50)  # nothing to warm but the allocator
        ran("rapidfuzz", run_baseline(scan, queries, prep.table.people, warm), since)

    header = [
        f"machine: {machine()}",
        f"data: {region.name}: {prep.records:,} records loaded ({args.records:,} generated;"
        f" records of {len(prep.absent):,}+ held-out people dropped),"
        f" {mentions:,} person mentions",
        f"queries: {sum(not q.absent for q in queries):,} about present people,"
        f" {sum(q.absent for q in queries):,} about absent people; seed {args.seed};"
        f" ages at {TODAY}; index code fingerprint {fp}",
        "pool people without a usable value because it is shared with another person"
        f" (not asked about): {prep.excluded}",
        *notes,
    ]
    outcomes = {r.system: r.outcomes for r in runs}
    text, misses = report(header, queries, outcomes, args.misses, prep.records)
    print(text)
    out = prep_dir / "report.json"
    out.write_text(
        json.dumps(
            {
                "header": header,
                "queries": [
                    {**asdict(q), "query": {k: v for k, v in asdict(q.query).items() if v}}
                    for q in queries
                ],
                "runs": {r.system: [asdict(o) for o in r.outcomes] for r in runs},
                "misses": misses,
            },
            default=str,
            indent=1,
        )
    )
    print(f"\nevery query and outcome: {out}")


if __name__ == "__main__":
    main()
