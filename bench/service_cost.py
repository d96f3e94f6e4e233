"""What one API request costs the server, this checkout against another (issue 5).

    .venv/bin/python bench/service_cost.py --records 100000 --base /work/wt-base/src
    .venv/bin/python bench/service_cost.py --records 100000 --base /work/wt-base/src \\
        --py-spy /tmp/pyspy/bin/py-spy        # also: where this checkout's server spends CPU

Two `lexhub serve` processes (1 worker each) on two copies of the same database, one
running the checkout whose `src` is --base (its PYTHONPATH), one running this checkout;
bench/load.py's requests (80% searches by four requesters, 20% retrievals; policy, audit
and the rate limit on) sent one at a time, alternating between the two servers, so both
meet the same load on a shared machine and the ratio new/base is measured in one run. Per
server: wall latency p50/p95 and the server process's CPU per request (utime + stime from
/proc over the measured requests; on PostgreSQL the backends' CPU is not included).

With --py-spy, the new server's stacks are sampled during the run and each sample is put
in one area, the first of: audit, search, policy, auth, retrieval (its reads), store
(opening and closing connections), serialization, logging/metrics, HTTP/ASGI (the rest);
waiting threads are left out, and a durable commit's samples (mostly waiting for the
disk) are counted apart.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from access import _drop_copy, set_up_node  # noqa: E402
from common import CACHE, machine  # noqa: E402
from lexhub.cli.demo import FEDERAL  # noqa: E402
from load import _auth, _copy, add_requesters, bench_data, cpu_seconds, make_plan, serving  # noqa: E402
from search_report import percentiles  # noqa: E402

HERE_SRC = str(Path(__file__).resolve().parents[1] / "src")

# (area, substrings of a frame "function (file)"), in order: a sample goes to the first
# area any of its frames names.
AREAS: list[tuple[str, tuple[str, ...]]] = [
    ("audit", ("lexhub/audit/",)),
    ("search", ("lexhub/search/", "lexhub/store/search.py")),
    ("policy", ("lexhub/access/decisions.py", "lexhub/policy/")),
    ("auth", ("lexhub/identity/", "lexhub/service/auth.py", "lexhub/service/limits.py")),
    ("retrieval", ("lexhub/access/record.py",)),
    (
        "store",
        (
            "_connect (",
            "lexhub/store/sql.py",
            "lexhub/store/sqlite/",
            "lexhub/store/postgres/",
            "lexhub/service/pool.py",
        ),
    ),  # fmt: skip
    (
        "serialization",
        (
            "pydantic",
            "encoders.py",
            "serialize_response",
            "json",
            "orjson",
            "lexhub/federation/wire.py",
            "lexhub/access/record.py",
        ),
    ),  # fmt: skip
    ("logging/metrics", ("logging/", "prometheus_client", "lexhub/service/metrics.py")),
]
# A sampled thread whose innermost frame is one of these is waiting, not computing (py-spy
# sees a thread blocked in uvloop's or a lock's C code at its last Python frame).
IDLE = ("Condition.wait (threading.py", "Condition.notify", "Runner.run (asyncio/runners.py",
        "Future.result (concurrent", "WorkerThread.run (anyio", "main_loop (uvicorn",
        "select (selectors.py", "Queue.get (queue", "_worker (concurrent")  # fmt: skip
COMMIT = "SqlStore._commit (lexhub/store/sql.py"  # a durable commit: waiting for the disk


def area_of(stack: str) -> str | None:
    """The area of one collapsed stack (root;...;leaf), None for a waiting thread."""
    frames = stack.split(";")
    if any(frames[-1].startswith(i) for i in IDLE):
        return None
    if any(f.startswith(COMMIT) for f in frames[-3:]):
        return "commit (disk)"
    for area, marks in AREAS:
        if any(m in f for f in frames for m in marks):
            return area
    return "HTTP/ASGI"


def split(raw: Path) -> dict[str, float]:
    """Shares of CPU samples by area, from py-spy's raw (collapsed) output."""
    counts: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, n = line.rpartition(" ")
        area = area_of(stack)
        if area is not None and n.isdigit():
            counts[area] += int(n)
    total = sum(counts.values()) or 1
    return {a: counts[a] / total for a in ["commit (disk)", *[a for a, _ in AREAS], "HTTP/ASGI"]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--engine", default="sqlite")
    parser.add_argument("--base", required=True, help="the `src` directory to compare against")
    parser.add_argument("--requests", type=int, default=400, help="measured, per server")
    parser.add_argument("--py-spy", help="py-spy executable: also split this server's CPU")
    args = parser.parse_args()
    from search_stores import build_store

    data = bench_data(args.records, args.seed)
    asks = data.asks
    base_url = build_store(args.engine, data.prep_dir, data.tag, data.fp, False)
    load = os.getloadavg()[0]
    urls = [_copy(args.engine, base_url, t) for t in ("costbase", "costnew")]
    try:
        tokens = []
        for u in urls:
            from lexhub.store import open_store

            with open_store(u) as s:
                region_agencies = [a for a in s.list_agencies() if a.id != FEDERAL.id]
                set_up_node(s, region_agencies, FEDERAL)
            tokens.append(add_requesters(u, [a.context for a in asks]))
        result = _measure(args, urls, tokens, asks)
    finally:
        for u in urls:
            _drop_copy(u)
    print(f"machine: {machine()}; load average {load:.1f} at the start")
    print(f"data: {data.records:,} records on {args.engine}; {args.requests} requests per server"
          " (80% searches, 20% retrievals), one at a time, alternating")  # fmt: skip
    for name, r in result["servers"].items():
        print(f"{name:5} p50 {r['p50']:6.1f} ms  p95 {r['p95']:6.1f} ms  server CPU "
              f"{r['cpu_ms']:6.2f} ms/request  errors {r['errors']}")  # fmt: skip
    b, n = result["servers"]["base"], result["servers"]["new"]
    print(f"new/base: p50 {n['p50'] / b['p50']:.2f}, p95 {n['p95'] / b['p95']:.2f}, "
          f"CPU/request {n['cpu_ms'] / b['cpu_ms']:.2f}")  # fmt: skip
    for area, share in result.get("split", {}).items():
        print(f"  new server CPU in {area:16} {share * 100:5.1f}%")


def _measure(args: Any, urls: list[str], tokens: list[dict[str, str]],
             asks: list[Any]) -> dict[str, Any]:  # fmt: skip
    envs = [{**os.environ, "PYTHONPATH": p} for p in (args.base, HERE_SRC)]
    pids: list[list[int]] = [[], []]
    keys = (CACHE / "cost-keys-base", CACHE / "cost-keys-new")
    with serving(urls[0], keys[0], "costbase", env=envs[0], pid=pids[0]) as b0, \
         serving(urls[1], keys[1], "costnew", env=envs[1], pid=pids[1]) as b1:  # fmt: skip
        plans = [make_plan(b, asks, t, args.requests + 40, args.seed)
                 for b, t in zip((b0, b1), tokens, strict=True)]  # fmt: skip
        bases = (b0, b1)
        ms: list[list[float]] = [[], []]
        errors = [0, 0]
        cpu = [0.0, 0.0]
        spy = None
        with httpx.Client(timeout=60) as client:

            def send(i: int, k: int) -> float:
                r = plans[i][k]
                t0 = time.perf_counter()
                resp = client.request(r.method, bases[i] + r.path, json=r.body,
                                      headers=_auth(r.token))  # fmt: skip
                errors[i] += resp.status_code != 200
                return (time.perf_counter() - t0) * 1000

            for k in range(40):  # warm both
                send(0, k)
                send(1, k)
            errors[:] = [0, 0]
            if args.py_spy:
                raw = CACHE / "service-cost.pyspy.txt"
                cmd = [args.py_spy, "record", "-p", str(pids[1][0]), "-f", "raw", "-o", str(raw),
                       "-r", "250", "--nonblocking"]  # fmt: skip
                spy = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                time.sleep(1.0)
            start = [cpu_seconds(p[0]) for p in pids]
            for k in range(40, 40 + args.requests):
                order = (0, 1) if k % 2 else (1, 0)
                for i in order:
                    ms[i].append(send(i, k))
            used = [cpu_seconds(p[0]) - s for p, s in zip(pids, start, strict=True)]
            cpu = [u * 1000 / args.requests for u in used]
            if spy is not None:
                spy.send_signal(2)
                spy.wait(60)
    out: dict[str, Any] = {"servers": {}}
    for name, i in (("base", 0), ("new", 1)):
        p50, p95, _ = percentiles(ms[i])
        out["servers"][name] = {"p50": p50, "p95": p95, "cpu_ms": cpu[i], "errors": errors[i]}
    if spy is not None:
        out["split"] = split(CACHE / "service-cost.pyspy.txt")
    return out


if __name__ == "__main__":
    main()
