"""What governance costs a search, and how many audited searches a node serves (issue 4).

    .venv/bin/python bench/access.py                       # 100,000 records, both engines
    .venv/bin/python bench/access.py --records 20000 --seconds 10 --engines sqlite
    .venv/bin/python bench/access.py --json > access.json

The search benchmark's data (bench/search_data.py: a synthetic region, some people held out)
is loaded once per engine and cached (~/.cache/lexhub-bench); each run works on a fresh copy
of it (a SQLite backup, a PostgreSQL database made from it as a template), so the audit log
starts empty and the cached database is never written. The copy gets the demo's agencies,
groups and agreements (lexhub.synth.policies: regional sharing, the sheriffs' pointers for
the federal partner, the sanctuary city's owner policy), and queries of the search
benchmark's mix are asked by four requesters in turn, each with its own partial scope.

1. Overhead: each query runs warm both ways, bare `search(store, query, scope)` with the
   scope its requester's agreements give, and `audited_search` (policy snapshot read,
   decide, scope, search, audit entry committed). The two alternate which goes first from
   one query to the next, so machine noise hits both alike; the ratio of medians is the
   overhead (goal: at most 1.10). The hits of both must be identical.
2. Throughput: N processes (spawned, one store connection each) run audited searches for a
   fixed time; total searches/s and each process's p50/p95. Then the audit chain must
   verify as one linear chain with exactly one new entry per search served.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import multiprocessing as mp
import os
import pstats
import random
import shutil
import sqlite3
import sys
import time
from collections.abc import Sequence
from contextlib import closing, redirect_stdout
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import CACHE, machine  # noqa: E402
from lexhub.access import audited_search  # noqa: E402
from lexhub.access.search import query_terms  # noqa: E402
from lexhub.audit import record_event, verify_store  # noqa: E402
from lexhub.cli.agency import agencies_from_file  # noqa: E402
from lexhub.cli.demo import FEDERAL  # noqa: E402
from lexhub.model import Agency, AgencyKind, Disclosure, Purpose, RequestContext, Scope, UserRole  # noqa: E402
from lexhub.model.audit import AuditEvent, AuditFilter, AuditKind, RecordRef  # noqa: E402
from lexhub.policy import Requester, decide, parse_policies  # noqa: E402
from lexhub.search import PersonQuery, SearchResult, search  # noqa: E402
from lexhub.store import Store, open_store  # noqa: E402
from lexhub.synth.policies import FEDERAL_GROUP, REGION_GROUP, demo_policies, sanctuary_city  # noqa: E402
from search_data import TODAY  # noqa: E402
from search_report import percentiles  # noqa: E402
from search_stores import PG_ADMIN, PG_PREFIX  # noqa: E402

__all__ = [
    "Ask",
    "breakdown",
    "make_asks",
    "overhead",
    "report",
    "requesters",
    "scope_of",
    "set_up_node",
    "throughput",
]

PAGE_SIZE = 20  # the API's default page


@dataclass(frozen=True)
class Ask:
    """One search as a requester would send it; `label` names the requester."""

    label: str
    context: RequestContext
    query: PersonQuery


def requesters(agencies: Sequence[Agency], federal: str) -> list[tuple[str, RequestContext]]:
    """Four requesters whose scopes differ: a partner police department (every region owner
    up to `sensitive`, the city's victims withheld), a sheriff's analyst (the same from a
    sheriff), and the federal partner for a criminal investigation (pointers from the
    sheriffs only) and for civil immigration enforcement (the same pointers; the city's
    owner policy blocks it, which the audit entry records)."""
    pairs = [(a.id, a.kind.value) for a in agencies]
    city = sanctuary_city(pairs)
    police = next((a.id for a in agencies if a.kind == AgencyKind.POLICE and a.id != city), None)
    sheriff = next((a.id for a in agencies if a.kind == AgencyKind.SHERIFF), None)
    if police is None or sheriff is None:
        raise SystemExit("the region needs a second police agency and a sheriff")
    ci, cie = Purpose.CRIMINAL_INVESTIGATION, Purpose.CIVIL_IMMIGRATION_ENFORCEMENT
    inv, ana = UserRole.INVESTIGATOR, UserRole.ANALYST
    return [
        ("partner police", RequestContext("det.partner", police, inv, ci, "26-0001")),
        ("sheriff analyst", RequestContext("analyst.county", sheriff, ana, ci, "26-S-42")),
        ("federal, criminal", RequestContext("agent.fed", federal, inv, ci, "TF-107")),
        ("federal, immigration", RequestContext("agent.fed", federal, inv, cie, "ERO-5531")),
    ]  # fmt: skip


def set_up_node(store: Store, region: Sequence[Agency], federal: Agency) -> None:
    """The demo's agencies, groups and agreements, on a store that holds the region."""
    with store.transaction() as tx:
        tx.put_agency(federal)
        tx.commit()
    store.create_group(REGION_GROUP, "The region's contributing agencies")
    store.add_group_members(REGION_GROUP, [a.id for a in region])
    store.create_group(FEDERAL_GROUP, "Federal partners")
    store.add_group_members(FEDERAL_GROUP, [federal.id])
    text = demo_policies([(a.id, a.kind.value) for a in region])
    docs = parse_policies(
        text, "agreements.yaml", agencies=[a.id for a in (*region, federal)],
        groups=[f"group:{REGION_GROUP}", f"group:{FEDERAL_GROUP}"],
    )  # fmt: skip
    store.apply_policies(docs, by="bench/access.py")


def scope_of(store: Store, context: RequestContext, today: date) -> Scope:
    """The scope `audited_search` computes for `context`: the bare run searches in it."""
    decisions = decide(Requester.of(context), store.policy_snapshot(), today)
    return Scope(tuple(d.grant for d in decisions if d.grant is not None))


def _same(a: SearchResult, b: SearchResult) -> bool:
    def key(r: SearchResult) -> list[tuple[Any, ...]]:
        return [
            (h.owner, h.source_id, h.record_type, h.disclosure, h.mention_id, round(h.score, 9))
            for h in r.hits
        ]

    return (a.total, key(a)) == (b.total, key(b))


@dataclass
class Overhead:
    bare_ms: list[float] = field(default_factory=list)
    audited_ms: list[float] = field(default_factory=list)
    labels: list[str] = field(default_factory=list)
    mismatches: int = 0
    entries: int = 0  # audit entries the audited runs added


def overhead(url: str, asks: Sequence[Ask], *, today: date = TODAY, warm: bool = True) -> Overhead:
    """Each ask bare and audited, the order alternating per ask, after an untimed pass."""
    out = Overhead()
    with open_store(url) as store:
        scopes = {a.context: scope_of(store, a.context, today) for a in asks}
        if warm:
            for a in asks:
                search(store, a.query, scopes[a.context], page_size=PAGE_SIZE, today=today)
        before = store.audit_head()[0]
        for i, a in enumerate(asks):
            scope = scopes[a.context]
            timed: dict[str, tuple[float, SearchResult]] = {}
            for mode in ("bare", "audited") if i % 2 == 0 else ("audited", "bare"):
                started = time.perf_counter()
                if mode == "bare":
                    result = search(store, a.query, scope, page_size=PAGE_SIZE, today=today)
                else:
                    result = audited_search(
                        store, a.context, a.query, page_size=PAGE_SIZE, today=today
                    )
                timed[mode] = ((time.perf_counter() - started) * 1000, result)
            out.bare_ms.append(timed["bare"][0])
            out.audited_ms.append(timed["audited"][0])
            out.labels.append(a.label)
            out.mismatches += not _same(timed["bare"][1], timed["audited"][1])
        out.entries = store.audit_head()[0] - before
    return out


@dataclass
class WorkerRun:
    worker: int
    searches: int
    failures: int  # audited searches that raised (no entry may then exist)
    started: float  # time.monotonic(): one clock for every process on Linux
    ended: float
    ms: list[float]


def _worker(
    url: str,
    asks: Sequence[Ask],
    worker: int,
    processes: int,
    seconds: float,
    limit: int,
    today: date,
    barrier: Any,
    results: Any,
) -> None:
    """One client process: warm up bare (no audit entries), wait for the others, then run
    audited searches until `seconds` pass or `limit` are done, each ask in turn from an
    offset of its own."""
    n = len(asks)
    offset = worker * n // processes
    with open_store(url) as store:
        scopes = {a.context: scope_of(store, a.context, today) for a in asks}
        for a in asks[offset : offset + 10]:
            search(store, a.query, scopes[a.context], page_size=PAGE_SIZE, today=today)
        barrier.wait()
        started = time.monotonic()
        deadline = started + seconds
        ms: list[float] = []
        failures = 0
        k = 0
        while len(ms) < limit and time.monotonic() < deadline:
            a = asks[(offset + k) % n]
            k += 1
            t0 = time.perf_counter()
            try:
                audited_search(store, a.context, a.query, page_size=PAGE_SIZE, today=today)
            except Exception:  # counted, and the chain check below must still hold
                failures += 1
                continue
            ms.append((time.perf_counter() - t0) * 1000)
        results.put(WorkerRun(worker, len(ms), failures, started, time.monotonic(), ms))


@dataclass
class Throughput:
    processes: int
    searches: int
    failures: int
    seconds: float
    per_second: float
    workers: list[dict[str, float]]
    entries: int  # audit entries added by the run
    search_entries: int  # of them, entries of kind search
    chain_ok: bool
    chain_entries: int
    problems: list[str]


def throughput(
    url: str,
    asks: Sequence[Ask],
    *,
    processes: int = 8,
    seconds: float = 20.0,
    limit: int = 10**9,
    today: date = TODAY,
) -> Throughput:
    """`processes` spawned clients at once; then verify the chain and count its entries."""
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(processes)
    results = ctx.Queue()
    with open_store(url) as store:
        before = store.audit_head()[0]
    procs = [
        ctx.Process(
            target=_worker,
            args=(url, asks, w, processes, seconds, limit, today, barrier, results),
        )
        for w in range(processes)
    ]
    for p in procs:
        p.start()
    runs: list[WorkerRun] = []
    while len(runs) < processes:
        try:
            runs.append(results.get(timeout=5))
        except Exception:
            dead = [p.exitcode for p in procs if p.exitcode not in (None, 0)]
            if dead:
                raise SystemExit(f"a client process failed (exit codes {dead})") from None
    for p in procs:
        p.join()
    runs.sort(key=lambda r: r.worker)
    total = sum(r.searches for r in runs)
    wall = max(r.ended for r in runs) - min(r.started for r in runs)
    with open_store(url) as store:
        new = store.audit_entries(AuditFilter(after_seq=before), total + processes + 10)
        report = verify_store(store)
    return Throughput(
        processes,
        total,
        sum(r.failures for r in runs),
        wall,
        total / wall if wall > 0 else float("nan"),
        [_worker_row(r) for r in runs],
        len(new),
        sum(e.data["kind"] == AuditKind.SEARCH.value for e in new),
        report.ok,
        report.entries,
        report.problems[:5],
    )


def _worker_row(r: WorkerRun) -> dict[str, float]:
    p50, p95, _ = percentiles(r.ms)
    return {"worker": r.worker, "searches": r.searches, "p50_ms": p50, "p95_ms": p95}


def make_asks(
    agencies: Sequence[Agency], federal: str, queries: Sequence[PersonQuery], seed: int
) -> list[Ask]:
    """The queries in a seeded shuffle (the mix arrives grouped by type), the requesters
    taking turns."""
    who = requesters(agencies, federal)
    order = list(queries)
    random.Random(seed).shuffle(order)
    return [Ask(*who[i % len(who)], q) for i, q in enumerate(order)]


def _copy_of(engine: str, base: str, tag: str) -> str:
    """A fresh copy of the cached database `base` for one run (audit log as loaded)."""
    if engine == "sqlite":
        src = base.removeprefix("sqlite:///")
        dst = Path(src).with_name("access-run.db")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{dst}{suffix}").unlink(missing_ok=True)
        with closing(sqlite3.connect(src)) as s, closing(sqlite3.connect(dst)) as d:
            s.backup(d)
        return f"sqlite:///{dst}"
    name = f"{PG_PREFIX}_acrun_{tag}"
    template = base.rsplit("/", 1)[1]
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    return PG_ADMIN.rsplit("/", 1)[0] + "/" + name


def _drop_copy(url: str) -> None:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with psycopg.connect(PG_ADMIN, autocommit=True) as admin:
        name = url.rsplit("/", 1)[1]
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )


def _scopes(url: str, asks: Sequence[Ask]) -> dict[str, str]:
    out: dict[str, str] = {}
    with open_store(url) as store:
        for a in asks:
            if a.label not in out:
                s = scope_of(store, a.context, TODAY)
                full = sum(g.disclosure == Disclosure.FULL for g in s.grants)
                out[a.label] = (
                    f"{len(s.owners)} owners, {full} full and {len(s.grants) - full} pointer"
                    " grants (owner, record type)"
                )
    return out


def breakdown(url: str, asks: Sequence[Ask], *, today: date = TODAY) -> dict[str, list[float]]:
    """The governance steps of `audited_search` timed one by one (ms), to show where the
    overhead goes: reading the policy snapshot, deciding, and appending and committing an
    audit entry like the one a search writes (hits named as disclosed)."""
    steps: dict[str, list[float]] = {"policy snapshot": [], "decide": [], "audit entry": []}
    with open_store(url) as store:
        for a in asks:
            t0 = time.perf_counter()
            snapshot = store.policy_snapshot()
            t1 = time.perf_counter()
            decisions = decide(Requester.of(a.context), snapshot, today)
            t2 = time.perf_counter()
            scope = Scope(tuple(d.grant for d in decisions if d.grant is not None))
            result = search(store, a.query, scope, page_size=PAGE_SIZE, today=today)
            event = AuditEvent(
                AuditKind.SEARCH, context=a.context, query=query_terms(a.query),
                owners_searched=scope.owners,
                disclosed=tuple(RecordRef(h.owner, h.source_id or "", h.record_type)
                                for h in result.hits),
                counts={"hits": len(result.hits), "total": result.total},
            )  # fmt: skip
            t3 = time.perf_counter()
            record_event(store, event)
            t4 = time.perf_counter()
            for step, ms in zip(steps, (t1 - t0, t2 - t1, t4 - t3), strict=True):
                steps[step].append(ms * 1000)
    return steps


def _profile(url: str, asks: Sequence[Ask], n: int) -> str:
    """cProfile of `n` audited searches: where the time beyond the search goes."""
    profiler = cProfile.Profile()
    with open_store(url) as store:
        profiler.enable()
        for a in asks[:n]:
            audited_search(store, a.context, a.query, page_size=PAGE_SIZE, today=TODAY)
        profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    return out.getvalue()


def run_engine(engine: str, base: str, tag: str, asks: Sequence[Ask], args: Any) -> dict[str, Any]:
    url = _copy_of(engine, base, tag)
    try:
        region = [a for a in _agencies(url) if a.id != FEDERAL.id]
        with open_store(url) as store:
            set_up_node(store, region, FEDERAL)
        log(f"{engine}: overhead, {len(asks)} searches each way ...")
        o = overhead(url, asks)
        log(f"{engine}: {args.processes} processes for {args.seconds:.0f} s ...")
        t = throughput(url, asks, processes=args.processes, seconds=args.seconds)
        log(f"{engine}: the governance steps one by one ...")
        steps = breakdown(url, asks)
        out: dict[str, Any] = {
            "engine": engine,
            "scopes": _scopes(url, asks),
            "overhead": asdict(o),
            "throughput": asdict(t),
            "steps": steps,
        }
        if args.profile:
            out["profile"] = _profile(url, asks, args.profile)
        return out
    finally:
        _drop_copy(url)


def _agencies(url: str) -> list[Agency]:
    with open_store(url) as store:
        return store.list_agencies()


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _row(label: str, bare: Sequence[float], audited: Sequence[float], extra: str = "") -> str:
    b, a = percentiles(bare), percentiles(audited)
    cells = " ".join(f"{v:>7.1f}" for v in (*b, *a))
    return f"{label:28} {len(bare):>5} {cells} {a[0] / b[0]:>6.3f} {a[1] / b[1]:>6.3f} {extra}"


def _pair(ms: Sequence[float]) -> str:
    p50, p95, _ = percentiles(ms)
    return f"{p50:.2f} / {p95:.2f}"


def report(header: Sequence[str], runs: Sequence[dict[str, Any]]) -> str:
    lines = list(header)
    for r in runs[:1]:
        lines += [f"  {label}: {text}" for label, text in r["scopes"].items()]
    lines += [
        "",
        "Search with policy and audit vs the bare engine, same scope (one process, warm,",
        "interleaved; ms; ratio = audited / bare of the percentile; goal p50 ratio <= 1.10)",
        f"{'':28} {'n':>5} {'bare p50':>7} {'p95':>7} {'p99':>7} {'aud p50':>7} {'p95':>7}"
        f" {'p99':>7} {'r p50':>6} {'r p95':>6} mismatches",
    ]
    for r in runs:
        o = r["overhead"]
        seq = 1000 * len(o["audited_ms"]) / sum(o["audited_ms"])
        lines.append(
            _row(r["engine"], o["bare_ms"], o["audited_ms"], f"{o['mismatches']}")
            + f"   ({seq:.0f} audited searches/s in one process)"
        )
        for label in dict.fromkeys(o["labels"]):
            pick = [i for i, x in enumerate(o["labels"]) if x == label]
            lines.append(
                _row(
                    f"  {label}",
                    [o["bare_ms"][i] for i in pick],
                    [o["audited_ms"][i] for i in pick],
                )
            )
    lines += ["", "Where the difference goes: each governance step alone (ms, p50 / p95)"]
    for r in runs:
        cells = [f"{k} {_pair(v)}" for k, v in r["steps"].items()]
        lines.append(f"{r['engine']:10} " + "; ".join(cells))
    lines += [
        "",
        "Audited searches with concurrent client processes (spawned, one connection each)",
        f"{'engine':10} {'procs':>5} {'seconds':>7} {'searches':>8} {'per s':>7} {'failed':>6}"
        f" {'entries':>7} chain",
    ]
    for r in runs:
        t = r["throughput"]
        chain = (
            "verified, one linear chain" if t["chain_ok"] else f"BROKEN: {'; '.join(t['problems'])}"
        )
        counted = (
            "= searches" if t["entries"] == t["search_entries"] == t["searches"] else "MISMATCH"
        )
        lines.append(
            f"{r['engine']:10} {t['processes']:>5} {t['seconds']:>7.1f} {t['searches']:>8}"
            f" {t['per_second']:>7.1f} {t['failures']:>6} {t['entries']:>7} {counted}; {chain}"
            f" ({t['chain_entries']} entries in all)"
        )
        per = ", ".join(f"{w['p50_ms']:.0f}/{w['p95_ms']:.0f}" for w in t["workers"])
        lines.append(f"{'':10} per-process p50/p95 ms: {per}")
    for r in runs:
        if "profile" in r:
            lines += ["", f"cProfile of audited searches, {r['engine']}:", r["profile"]]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--people", type=int, default=None, help="default: records / 5")
    parser.add_argument("--seed", type=int, default=7, help="region and query seed")
    parser.add_argument("--queries", type=int, default=800, help="about present people")
    parser.add_argument("--absent", type=int, default=200, help="about absent people")
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--processes", type=int, default=8, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=20.0, help="of the concurrent run")
    parser.add_argument("--profile", type=int, default=0, metavar="N",
                        help="also cProfile N audited searches")  # fmt: skip
    parser.add_argument("--rebuild", action="store_true", help="reload the databases")
    parser.add_argument("--json", action="store_true", help="JSON on stdout, not a table")
    args = parser.parse_args()

    with redirect_stdout(sys.stderr):  # progress of the shared builders, never the figures
        header, runs = _collect(args)
    if args.json:
        print(json.dumps({"header": header, "runs": runs}, indent=1, default=str))
    else:
        print(report(header, runs))


def _collect(args: Any) -> tuple[list[str], list[dict[str, Any]]]:
    from ingest import region_dir
    from search_data import prepare
    from search_quality import _data_code
    from search_queries import build_queries
    from search_stores import build_store, fingerprint

    people = args.people or args.records // 5
    region = region_dir(args.records, people, args.seed)
    family = f"{args.records}_{people}_{args.seed}_"
    tag = f"ac_{family}{args.absent}_{_data_code()}"
    for old in CACHE.glob(f"access-ac_{family}*"):
        if old.name != f"access-{tag}":
            shutil.rmtree(old)
    prep_dir = CACHE / f"access-{tag}"
    fp = fingerprint()
    prep = prepare(region, prep_dir, args.absent, max(4 * args.queries, 20_000), args.seed)
    queries = build_queries(prep.present, prep.absent, args.queries, args.absent, args.seed)
    region_agencies = agencies_from_file(prep_dir / "agencies.json")
    asks = make_asks(region_agencies, FEDERAL.id, [q.query for q in queries], args.seed)
    load = os.getloadavg()[0]
    runs = []
    for engine in [e for e in args.engines.split(",") if e]:
        base = build_store(engine, prep_dir, tag, fp, args.rebuild)
        runs.append(run_engine(engine, base, tag, asks, args))
    header = [
        f"machine: {machine()}; load average {load:.1f} at the start",
        f"data: {region.name}: {prep.records:,} records loaded, {len(prep.table.names):,}"
        f" person mentions, {len(region_agencies)} agencies + the federal partner;"
        f" demo agreements (lexhub.synth.policies); index code fingerprint {fp}",
        f"queries: {sum(not q.absent for q in queries):,} about present people and"
        f" {sum(q.absent for q in queries):,} about absent people (bench/search_queries.py"
        f" mix), seed {args.seed}, page size {PAGE_SIZE}, asked by 4 requesters in turn:",
    ]
    return header, runs


if __name__ == "__main__":
    main()
