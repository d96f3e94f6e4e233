"""How much traffic one `lexhub serve` node holds, and what federation costs a search (issue 5).

    .venv/bin/python bench/load.py --records 100000 --engines sqlite --rates 50,100 --seconds 5
    .venv/bin/python bench/load.py                    # 1,000,000 records, both engines
    .venv/bin/python bench/load.py --federated --records 300000 --engines sqlite

1. Open-loop load. A separate client process (asyncio + httpx) sends requests on a fixed
   timetable, each at its scheduled moment whether or not earlier ones were answered, so a
   slow server meets a growing queue instead of a politely slowing client (a closed loop
   hides overload). Latency runs from the scheduled moment to the answer. The mix: ~80%
   searches (the search benchmark's queries, four requesters with different scopes, policy
   and audit on) and ~20% retrievals of records those searches disclosed. The per-token rate
   limit stays on, set above the offered rate. For each rate: achieved throughput (answers
   per second over the run), p50/p95/p99 and errors (any status but 200, or no answer). The
   figure that counts: the highest rate held with p95 <= 100 ms and no errors.
2. Federation (`--federated`): the same records split by owner over 3 nodes (each its own
   `lexhub serve` process, peers of each other) vs one node holding all; the same queries,
   asked one at a time and interleaved, as a search of the single node and as a federated
   search from the first of the three. The p95 ratio is the cost of federation.

The databases are the search benchmark's (bench/search_data.py, cached per engine by
bench/search_stores.py under ~/.cache/lexhub-bench); each run works on a copy, with the
demo agreements (as bench/access.py), so the audit log starts empty.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import closing, contextmanager, redirect_stdout
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access import _copy_of, _drop_copy, make_asks, set_up_node  # noqa: E402
from common import CACHE, machine  # noqa: E402
from lexhub.cli.agency import agencies_from_file  # noqa: E402
from lexhub.cli.demo import FEDERAL  # noqa: E402
from lexhub.federation import add_peer, ensure_node_key  # noqa: E402
from lexhub.federation.wire import query_to_wire  # noqa: E402
from lexhub.identity import IdentitySettings, add_user, create_token  # noqa: E402
from lexhub.model.federation import PeerKey  # noqa: E402
from search_report import percentiles  # noqa: E402

__all__ = ["BenchData", "Request", "RateRun", "bench_data", "open_loop"]

P95_GOAL_MS = 100.0
LEXHUB = str(Path(sys.executable).with_name("lexhub"))


@dataclass(frozen=True)
class Request:
    """One request of the plan: `kind` is search or record."""

    kind: str
    method: str
    path: str
    token: str
    body: dict[str, Any] | None = None


@dataclass
class RateRun:
    rate: float
    sent: int
    seconds: float
    per_second: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    errors: int
    statuses: dict[str, int]
    search_p95_ms: float
    record_p95_ms: float


# ---- the client: a fixed timetable, never waiting for answers ------------------------------


async def _fire(base: str, plan: Sequence[Request], rate: float) -> list[tuple[str, float, int]]:
    loop = asyncio.get_running_loop()
    limits = httpx.Limits(max_connections=1000, max_keepalive_connections=1000)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60.0) as client:

        async def one(r: Request, at: float) -> tuple[str, float, int]:
            try:
                resp = await client.request(r.method, r.path, json=r.body, headers=_auth(r.token))
                status = resp.status_code
            except httpx.HTTPError:
                status = 0
            return r.kind, (loop.time() - at) * 1000, status

        start = loop.time() + 0.2
        tasks = []
        for i, r in enumerate(plan):
            at = start + i / rate
            delay = at - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(one(r, at)))
        done = await asyncio.gather(*tasks)
        done.append(("_elapsed", (loop.time() - start) * 1000, -1))
        return done


def _client(base: str, plan: Sequence[Request], rate: float, out: Any) -> None:
    out.put(asyncio.run(_fire(base, plan, rate)))


def open_loop(base: str, plan: Sequence[Request], rate: float) -> RateRun:
    """`plan` sent at `rate` requests/s from a spawned process; the figures of the run."""
    ctx = mp.get_context("spawn")
    q = ctx.Queue()
    p = ctx.Process(target=_client, args=(base, list(plan), rate, q))
    p.start()
    results = q.get()
    p.join()
    elapsed = results.pop()[1] / 1000
    ms = [r[1] for r in results]
    statuses: dict[str, int] = {}
    for _, _, s in results:
        statuses[str(s)] = statuses.get(str(s), 0) + 1
    ok = statuses.get("200", 0)
    p50, p95, p99 = percentiles(ms)
    by = {k: [r[1] for r in results if r[0] == k] for k in ("search", "record")}
    return RateRun(
        rate, len(results), elapsed, ok / elapsed, p50, p95, p99, len(results) - ok, statuses,
        percentiles(by["search"])[1] if by["search"] else 0.0,
        percentiles(by["record"])[1] if by["record"] else 0.0,
    )  # fmt: skip


def _copy(engine: str, base: str, tag: str) -> str:
    """A fresh copy of a cached database named by `tag` (bench/access.py names every
    SQLite copy alike, and a federated run needs four at once)."""
    if engine != "sqlite":
        return _copy_of(engine, base, tag)
    src = base.removeprefix("sqlite:///")
    dst = Path(src).with_name(f"load-{tag}.db")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{dst}{suffix}").unlink(missing_ok=True)
    with closing(sqlite3.connect(src)) as s, closing(sqlite3.connect(dst)) as d:
        s.backup(d)
    return f"sqlite:///{dst}"


# ---- the node: a copy of the cached database, agreements, users, tokens, `lexhub serve` ----


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a live process, from /proc (its threads included)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with closing(socket.socket()) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def serving(
    url: str, key_dir: Path, name: str, *, workers: int = 1, env: dict[str, str] | None = None,
    pid: list[int] | None = None,
) -> Iterator[str]:  # fmt: skip
    """`lexhub serve` on a free loopback port, rate limit far above the offered load; its
    base URL once /readyz answers. `env`: the server's environment (another checkout's
    PYTHONPATH, to compare two versions); `pid` receives the server's process id."""
    port = _free_port()
    cmd = [LEXHUB, "--db", url, "--key-dir", str(key_dir), "serve", "--port", str(port),
           "--node", name, "--rate", "100000", "--burst", "100000"]  # fmt: skip
    if workers > 1:
        cmd += ["--workers", str(workers)]
    log_path = CACHE / f"load-serve-{name}.log"
    with open(log_path, "w") as log_file:
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT, env=env)
    if pid is not None:
        pid.append(proc.pid)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None:
                raise SystemExit(f"lexhub serve exited; see {log_path}")
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def add_requesters(url: str, contexts: Sequence[Any]) -> dict[str, str]:
    """An API user and token for each requester's user name; {username: token}."""
    from lexhub.store import open_store

    now = datetime.now(UTC)
    settings = IdentitySettings()
    tokens: dict[str, str] = {}
    with open_store(url) as store:
        for c in contexts:
            if c.user in tokens:
                continue
            add_user(store, settings, c.user, c.agency, [c.role], now=now, actor="bench")
            t = create_token(store, settings, c.user, name="bench/load.py", now=now,
                             lifetime=timedelta(days=1), actor="bench")  # fmt: skip
            tokens[c.user] = t.token
    return tokens


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def _search_body(ask: Any, federated: bool = False) -> dict[str, Any]:
    body = {"purpose": ask.context.purpose.value, "case_number": ask.context.case_number,
            "role": ask.context.role.value, "query": query_to_wire(ask.query)}  # fmt: skip
    return body | ({"deadline": 30} if federated else {})


def make_plan(
    base: str, asks: Sequence[Any], tokens: dict[str, str], n: int, seed: int
) -> list[Request]:
    """`n` requests: searches of `asks` in turn, and (1 in 5) retrievals of records that
    searches by the same requester disclosed in full (found once, before the runs)."""
    searches = [Request("search", "POST", "/api/v1/search", tokens[a.context.user],
                        _search_body(a)) for a in asks]  # fmt: skip
    records: list[Request] = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for a, s in zip(asks[:400], searches, strict=False):
            r = client.post(s.path, json=s.body, headers={"Authorization": f"Bearer {s.token}"})
            r.raise_for_status()
            for h in r.json()["hits"][:2]:
                if h.get("disclosure") == "full" and h.get("source_id"):
                    c = a.context
                    query = f"purpose={c.purpose.value}&case_number={c.case_number}"
                    path = f"/api/v1/records/{h['owner']}/{h['source_id']}?{query}"
                    path += f"&role={c.role.value}"
                    records.append(Request("record", "GET", path, s.token))
    if not records:
        raise SystemExit("no search disclosed a record in full: nothing to retrieve")
    rng = random.Random(seed)
    plan = []
    for i in range(n):
        plan.append(rng.choice(records) if i % 5 == 4 else searches[i % len(searches)])
    return plan


# ---- federation: three nodes, each a third of the owners ------------------------------------


def split_prepared(prepared: Path, parts: int) -> list[Path]:
    """`parts` prepared directories, each with the agencies file and a share of the owners'
    record files (by size, greedily), as symbolic links."""
    files = sorted(prepared.glob("*.jsonl"), key=lambda f: -f.stat().st_size)
    shares: list[list[Path]] = [[] for _ in range(parts)]
    sizes = [0] * parts
    for f in files:
        i = sizes.index(min(sizes))
        shares[i].append(f)
        sizes[i] += f.stat().st_size
    out = []
    for i, share in enumerate(shares):
        d = prepared / f"split{parts}-{i}"
        if d.exists():
            shutil.rmtree(d)
        d.mkdir()
        (d / "agencies.json").symlink_to(prepared / "agencies.json")
        for f in share:
            (d / f.name).symlink_to(f)
        out.append(d)
    return out


def _federation_dbs(engine: str, prepared: Path, tag: str, fp: str) -> list[str]:
    from search_stores import PG_PREFIX, _analyze, _load, pg_database

    urls = []
    for i, d in enumerate(split_prepared(prepared, 3)):
        done = prepared / f"split3-{i}-{engine}-{fp}.done"
        if engine == "sqlite":
            path = prepared / f"split3-{i}-{fp}.db"
            url = f"sqlite:///{path}"
            if not done.exists():
                path.unlink(missing_ok=True)
                _load(url, d, engine)
        else:
            url = pg_database(f"{PG_PREFIX}_fed{i}_{tag}_{fp}")
            if not done.exists():
                _load(url, d, engine)
            _analyze(url)
        done.touch()
        urls.append(url)
    return urls


def federated(engine: str, base_url: str, prepared: Path, tag: str, fp: str,
              asks: Sequence[Any], n: int) -> dict[str, Any]:  # fmt: skip
    """p50/p95 of a search of the one node holding all vs a federated search over three."""
    from lexhub.store import open_store

    region = [a for a in agencies_from_file(prepared / "agencies.json") if a.id != FEDERAL.id]
    single = _copy(engine, base_url, "fedall")
    urls = _federation_dbs(engine, prepared, tag, fp)
    copies = [_copy(engine, u, f"fed{i}") for i, u in enumerate(urls)]
    names = ["one", "two", "three"]
    try:
        for u in (single, *copies):
            with open_store(u) as s:
                set_up_node(s, region, FEDERAL)
        asks = [a for a in asks if a.context.agency != FEDERAL.id][:n]
        ctxs = [a.context for a in asks]
        tok_single = add_requesters(single, ctxs)
        tok_fed = add_requesters(copies[0], ctxs)
        keys = [ensure_node_key(CACHE / f"load-keys-{nm}", nm) for nm in names]
        pids: list[int] = []  # the single node's, then the three nodes'
        with serving(single, CACHE / "load-keys-all", "all", pid=pids) as b_all, \
             serving(copies[0], CACHE / "load-keys-one", "one", pid=pids) as b1, \
             serving(copies[1], CACHE / "load-keys-two", "two", pid=pids) as b2, \
             serving(copies[2], CACHE / "load-keys-three", "three", pid=pids) as b3:  # fmt: skip
            bases = [b1, b2, b3]
            agencies = sorted({c.agency for c in ctxs})
            now = datetime.now(UTC)
            for i, u in enumerate(copies):
                with open_store(u) as s:
                    for j in range(3):
                        if i != j:
                            k = keys[j].active
                            add_peer(s, names[j], bases[j], [PeerKey(k.key_id, k.public_key, now)],
                                     agencies, actor="bench")  # fmt: skip
            one_ms: list[float] = []
            fed_ms: list[float] = []
            problems = 0
            with httpx.Client(timeout=60) as client:
                for a in asks[:20]:  # warm both
                    user = a.context.user
                    client.post(f"{b_all}/api/v1/search", json=_search_body(a),
                                headers=_auth(tok_single[user]))  # fmt: skip
                    client.post(f"{b1}/api/v1/federated-search", json=_search_body(a, True),
                                headers=_auth(tok_fed[user]))  # fmt: skip
                cpu = [cpu_seconds(p) for p in pids]
                for i, a in enumerate(asks):
                    runs = [("one", f"{b_all}/api/v1/search", _search_body(a), tok_single),
                            ("fed", f"{b1}/api/v1/federated-search", _search_body(a, True),
                             tok_fed)]  # fmt: skip
                    for label, url, body, toks in runs if i % 2 else runs[::-1]:
                        t0 = time.perf_counter()
                        r = client.post(url, json=body, headers=_auth(toks[a.context.user]))
                        ms = (time.perf_counter() - t0) * 1000
                        ok = r.status_code == 200 and (
                            label == "one" or all(x["status"] == "ok" for x in r.json()["nodes"])
                        )
                        problems += not ok
                        (one_ms if label == "one" else fed_ms).append(ms)
                used = [cpu_seconds(p) - c for p, c in zip(pids, cpu, strict=True)]
                cpu = [u * 1000 / len(asks) for u in used]
        o, f = percentiles(one_ms), percentiles(fed_ms)
        return {"engine": engine, "searches": len(asks), "one_ms": o, "federated_ms": f,
                "p95_ratio": f[1] / o[1], "p50_ratio": f[0] / o[0],
                "problems": problems, "cpu_ms_one": cpu[0], "cpu_ms_nodes": cpu[1:]}  # fmt: skip
    finally:
        for u in (single, *copies):
            _drop_copy(u)


# ---- the run -------------------------------------------------------------------------------


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def load_engine(engine: str, base_url: str, asks: Sequence[Any], args: Any) -> dict[str, Any]:
    url = _copy(engine, base_url, "load")
    region: list[Any] = []
    try:
        from lexhub.store import open_store

        with open_store(url) as s:
            region = [a for a in s.list_agencies() if a.id != FEDERAL.id]
            set_up_node(s, region, FEDERAL)
        tokens = add_requesters(url, [a.context for a in asks])
        out: dict[str, Any] = {"engine": engine, "workers": {}}
        for workers in [int(w) for w in args.workers.split(",")]:
            with serving(url, CACHE / "load-keys", "load", workers=workers) as base:
                plan_all = make_plan(base, asks, tokens, int(max(args.rates) * args.seconds),
                                     args.seed)  # fmt: skip
                runs = []
                for rate in args.rates:
                    plan = plan_all[: int(rate * args.seconds)]
                    load = os.getloadavg()[0]
                    r = open_loop(base, plan, rate)
                    log(f"{engine} x{workers} {rate:>5.0f}/s: {r.per_second:.1f}/s, p50 "
                        f"{r.p50_ms:.0f} p95 {r.p95_ms:.0f} p99 {r.p99_ms:.0f} ms, "
                        f"{r.errors} errors (load {load:.1f})")  # fmt: skip
                    runs.append({**asdict(r), "load_before": load})
                    if r.p95_ms > 10 * P95_GOAL_MS:
                        break  # far past saturation: higher rates only queue longer
            out["workers"][str(workers)] = runs
        return out
    finally:
        _drop_copy(url)


def held(runs: Sequence[dict[str, Any]]) -> float:
    good = [r["rate"] for r in runs if r["p95_ms"] <= P95_GOAL_MS and r["errors"] == 0]
    return max(good, default=0.0)


def report(header: Sequence[str], engines: Sequence[dict[str, Any]],
           fed: Sequence[dict[str, Any]]) -> str:  # fmt: skip
    lines = [*header, "",
             f"{'engine':8} {'wrk':>3} {'rate':>5} {'got/s':>6} {'p50':>6} {'p95':>6} {'p99':>6}"
             f" {'errors':>6} {'srch p95':>8} {'rec p95':>7} load"]  # fmt: skip
    for e in engines:
        for w, runs in e["workers"].items():
            for r in runs:
                lines.append(
                    f"{e['engine']:8} {w:>3} {r['rate']:>5.0f} {r['per_second']:>6.1f}"
                    f" {r['p50_ms']:>6.1f} {r['p95_ms']:>6.1f} {r['p99_ms']:>6.1f}"
                    f" {r['errors']:>6} {r['search_p95_ms']:>8.1f} {r['record_p95_ms']:>7.1f}"
                    f" {r['load_before']:.1f}"
                )
            lines.append(f"{'':8} {w:>3} highest rate held (p95 <= {P95_GOAL_MS:.0f} ms, no "
                         f"errors): {held(runs):.0f} requests/s")  # fmt: skip
    for f in fed:
        o, d = f["one_ms"], f["federated_ms"]
        lines.append(
            f"federated {f['engine']}: {f['searches']} searches each way; one node p50/p95/p99 "
            f"{o[0]:.1f}/{o[1]:.1f}/{o[2]:.1f} ms, three nodes {d[0]:.1f}/{d[1]:.1f}/{d[2]:.1f}"
            f" ms; ratio p50 {f['p50_ratio']:.2f}, p95 {f['p95_ratio']:.2f}; problems "
            f"{f['problems']}; server CPU per search: one node {f['cpu_ms_one']:.1f} ms, the "
            f"three {' + '.join(f'{c:.1f}' for c in f['cpu_ms_nodes'])} ms"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engines", default="sqlite,postgres")
    parser.add_argument("--rates", default="25,50,100,150,200,250,300",
                        help="requests/s, comma-separated")  # fmt: skip
    parser.add_argument("--seconds", type=float, default=15.0, help="per rate")
    parser.add_argument("--workers", default="1", help="uvicorn workers to try, e.g. 1,2")
    parser.add_argument("--federated", action="store_true", help="also the 3-node comparison")
    parser.add_argument("--fed-searches", type=int, default=300)
    parser.add_argument("--no-load", action="store_true", help="skip the open-loop runs")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    args.rates = [float(r) for r in args.rates.split(",")]
    with redirect_stdout(sys.stderr):
        header, engines, fed = _collect(args)
    if args.json:
        print(json.dumps({"header": header, "engines": engines, "federated": fed}, indent=1))
    else:
        print(report(header, engines, fed))


@dataclass(frozen=True)
class BenchData:
    """The region at `records`, prepared (cached) as the access benchmark does, and the
    asks of its queries; `tag` and `fp` name its cached databases."""

    region: Path
    prep_dir: Path
    tag: str
    fp: str
    records: int
    agencies: list[Any]
    asks: list[Any]


def bench_data(records: int, seed: int) -> BenchData:
    from ingest import region_dir
    from search_data import prepare
    from search_quality import _data_code
    from search_queries import build_queries
    from search_stores import fingerprint

    people = records // 5
    region = region_dir(records, people, seed)
    tag = f"ac_{records}_{people}_{seed}_200_{_data_code()}"
    prep_dir = CACHE / f"access-{tag}"
    fp = fingerprint()
    prep = prepare(region, prep_dir, 200, 20_000, seed)
    queries = build_queries(prep.present, prep.absent, 800, 200, seed)
    agencies = agencies_from_file(prep_dir / "agencies.json")
    asks = make_asks(agencies, FEDERAL.id, [q.query for q in queries], seed)
    return BenchData(region, prep_dir, tag, fp, prep.records, agencies, asks)


def _collect(args: Any) -> tuple[list[str], list[dict[str, Any]], list[dict[str, Any]]]:
    from search_stores import build_store

    data = bench_data(args.records, args.seed)
    region, prep_dir, tag, fp, asks = data.region, data.prep_dir, data.tag, data.fp, data.asks
    region_agencies = data.agencies
    load = os.getloadavg()[0]
    engines, fed = [], []
    for engine in [e for e in args.engines.split(",") if e]:
        base = build_store(engine, prep_dir, tag, fp, False)
        if not args.no_load:
            engines.append(load_engine(engine, base, asks, args))
        if args.federated:
            log(f"{engine}: federated vs one node ...")
            fed.append(federated(engine, base, prep_dir, tag, fp, asks, args.fed_searches))
    header = [
        f"machine: {machine()}; load average {load:.1f} at the start (2 cores shared with"
        " other work: compare within a run)",
        f"data: {region.name}: {data.records:,} records, {len(region_agencies)} agencies +"
        f" the federal partner; demo agreements; policy, audit and the rate limit on",
        f"mix: 80% searches (bench/search_queries.py, 4 requesters in turn), 20% retrievals;"
        f" {args.seconds:.0f} s per rate, open loop from a separate process",
    ]
    return header, engines, fed


if __name__ == "__main__":
    main()
