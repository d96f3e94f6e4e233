"""`write_region`: plan the region, render every agency's file, merge the ground truth and
measure what was written.

Layout of `out_dir`:
    agencies.json                 the agencies (for `lexhub agency import`)
    <ORI>.jsonl | <ORI>.csv + <ORI>.mapping.yaml | <ORI>.xml   one batch per agency
    truth/ground_truth.csv        owner,source_id,person_ref,person_id,errors (every mention)
    summary.json                  counts and measured error rates (no timings: byte-stable)

The ground truth sits in a subdirectory so that ingesting `out_dir` (every batch file in
it) does not take it for a CSV batch. Agencies are rendered independently, in worker
processes when there are several cores; the output does not depend on the worker count.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import time
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lexhub.ingest.writers import write_csv, write_jsonl, write_niem_xml
from lexhub.model import Record
from lexhub.synth.agencies import AgencyPlan, plan_agencies
from lexhub.synth.config import RegionSummary, SynthConfig
from lexhub.synth.deception import FalseIdentities, build_false_identities
from lexhub.synth.geography import Region, region_for
from lexhub.synth.people import People, build_people
from lexhub.synth.plan import AgencyWork, plan_region
from lexhub.synth.records import AgencyStats, generate_agency
from lexhub.synth.summary import summarize

__all__ = ["write_region"]

log = logging.getLogger(__name__)
TRUTH_HEADER = "owner,source_id,person_ref,person_id,errors\n"
_PROGRESS_EVERY = 1000


@dataclass
class _Region:
    config: SynthConfig
    region: Region
    plans: list[AgencyPlan]
    people: People
    false_ids: FalseIdentities
    work: list[AgencyWork]
    out_dir: Path


# Set in the parent before worker processes fork; they read it instead of unpickling it.
_SHARED: _Region | None = None
_COUNTER: Any = None


def _files(plan: AgencyPlan, out: Path, fmt: str) -> dict[str, Path]:
    ori = plan.agency.id
    if fmt == "csv":
        return {"data": out / f"{ori}.csv", "mapping": out / f"{ori}.mapping.yaml"}
    return {"data": out / f"{ori}.{fmt}"}


def _write(fmt: str, records: Iterator[Record], files: dict[str, Path]) -> None:
    if fmt == "csv":
        write_csv(records, files["data"], files["mapping"])
    elif fmt == "xml":
        write_niem_xml(records, files["data"])
    else:
        write_jsonl(records, files["data"])


def _counted(records: Iterator[Record], tick: Callable[[int], None]) -> Iterator[Record]:
    n = 0
    for r in records:
        yield r
        n += 1
        if n % _PROGRESS_EVERY == 0:
            tick(_PROGRESS_EVERY)
    tick(n % _PROGRESS_EVERY)


def _render_agency(
    shared: _Region, index: int, tick: Callable[[int], None]
) -> tuple[AgencyStats, str, str | None]:
    """Write one agency's batch and ground-truth part; (stats, format used, fallback note)."""
    plan = shared.plans[index]
    part = shared.out_dir / "truth" / f".part-{index:04d}"
    fmt, note = plan.format, None
    while True:
        with open(part, "w", encoding="utf-8", newline="\n") as truth:
            records, stats = generate_agency(
                plan,
                shared.work[index],
                shared.people,
                shared.false_ids,
                shared.region,
                shared.config.seed,
                truth,
            )
            try:
                _write(fmt, _counted(records, tick), _files(plan, shared.out_dir, fmt))
                return stats, fmt, note
            except NotImplementedError:
                if fmt == "jsonl":
                    raise
                note = f"{plan.agency.id}: {fmt} writer not available, wrote jsonl"
                log.warning(
                    "agency %s: %s writer not implemented; falling back to jsonl",
                    plan.agency.id,
                    fmt,
                )
                for path in _files(plan, shared.out_dir, fmt).values():
                    path.unlink(missing_ok=True)
                fmt = "jsonl"


def _worker(index: int) -> tuple[int, AgencyStats, str, str | None]:
    assert _SHARED is not None

    def tick(n: int) -> None:
        with _COUNTER.get_lock():
            _COUNTER.value += n

    stats, fmt, note = _render_agency(_SHARED, index, tick)
    return index, stats, fmt, note


def _workers(config: SynthConfig) -> int:
    if config.workers is not None:
        return max(1, config.workers)
    if config.records < 50_000 or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(os.cpu_count() or 1, 4))


def _render_all(
    shared: _Region, workers: int, progress: Callable[[int], None] | None
) -> list[tuple[AgencyStats, str, str | None]]:
    global _SHARED, _COUNTER
    n = len(shared.plans)
    results: list[tuple[AgencyStats, str, str | None] | None] = [None] * n
    done = 0

    def tick(k: int) -> None:
        nonlocal done
        done += k
        if progress is not None and k:
            progress(done)

    if workers == 1:
        for i in range(n):
            results[i] = _render_agency(shared, i, tick)
    else:
        ctx = multiprocessing.get_context("fork")
        _SHARED, _COUNTER = shared, ctx.Value("q", 0)
        # Largest agencies first, so two workers finish together.
        order = sorted(range(n), key=lambda i: -len(shared.work[i].types))
        try:
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                pending: set[Future[tuple[int, AgencyStats, str, str | None]]] = {
                    pool.submit(_worker, i) for i in order
                }
                while pending:
                    finished, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                    for fut in finished:
                        i, stats, fmt, note = fut.result()
                        results[i] = (stats, fmt, note)
                    if progress is not None:
                        progress(int(_COUNTER.value))
        finally:
            _SHARED, _COUNTER = None, None
    return [r for r in results if r is not None]


def _merge_truth(out: Path, n: int) -> Path:
    target = out / "truth" / "ground_truth.csv"
    with open(target, "wb") as dst:
        dst.write(TRUTH_HEADER.encode())
        for i in range(n):
            part = out / "truth" / f".part-{i:04d}"
            with open(part, "rb") as src:
                while chunk := src.read(1 << 22):
                    dst.write(chunk)
            part.unlink()
    return target


def write_region(
    config: SynthConfig, out_dir: Path, progress: Callable[[int], None] | None = None
) -> RegionSummary:
    """Generate the region `config` describes into `out_dir` (created if missing; files of
    the same names are overwritten). `progress` is called with the count of records written
    so far, as it grows. Raises ValueError for a state without a region description."""
    started = time.perf_counter()
    region = region_for(config.state)
    plans = plan_agencies(config.agencies, region, config.formats)
    rng = np.random.default_rng(config.seed)
    people = build_people(rng, config.people, region)
    false_ids = build_false_identities(rng, people)
    work = plan_region(rng, config.records, people, region, plans)
    out_dir = Path(out_dir)
    (out_dir / "truth").mkdir(parents=True, exist_ok=True)
    agencies_json = json.dumps([p.to_json() for p in plans], indent=2, ensure_ascii=False)
    (out_dir / "agencies.json").write_text(agencies_json + "\n", encoding="utf-8")
    log.info(
        "synth: %d people, %d agencies, %d records planned", people.n, len(plans), config.records
    )

    shared = _Region(config, region, plans, people, false_ids, work, out_dir)
    results = _render_all(shared, _workers(config), progress)
    truth = _merge_truth(out_dir, len(plans))
    files = {
        p.agency.id: _files(p, out_dir, fmt)["data"].name
        for p, (_, fmt, _) in zip(plans, results, strict=True)
    }
    files["ground_truth"] = str(truth.relative_to(out_dir))
    summary = summarize(
        config, out_dir, [r[0] for r in results], files, [note for _, _, note in results if note]
    )
    data = {k: v for k, v in summary.__dict__.items() if k not in ("seconds", "out_dir")}
    (out_dir / "summary.json").write_text(
        json.dumps(data, indent=2, sort_keys=True) + "\n", encoding="utf-8"
    )
    seconds = round(time.perf_counter() - started, 2)
    log.info("synth: %d records, %d mentions in %.1f s", summary.records, summary.mentions, seconds)
    return RegionSummary(**{**summary.__dict__, "seconds": seconds})
