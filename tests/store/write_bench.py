"""write_records throughput with realistic prepared records. Not a test (not collected):

    .venv/bin/python -m tests.store.write_bench URL [records] [per_transaction] [client_us]

URL must name a new, empty database (a fresh SQLite path, or an empty PostgreSQL database).
Records: 1-2 persons (mean 1.6), 25 keys per mention, 6 record keys, a 45-word narrative;
written in chunks of 1,000 as the loader does (record_states, expunged_digests,
write_records). `client_us` burns that much Python CPU per record before each chunk, as
normalization would, to show how much database work overlaps the caller's.
Figures are in docs/storage.md. It belongs in bench/ once that is shared.
"""

from __future__ import annotations

import random
import string
import sys
import time

from lexhub.model import MentionIndex, PartialDate, RecordIndex, record_digest, record_to_dict
from lexhub.store import PreparedRecord, open_store
from tests.store.helpers import OWNER, agency, person, record

WORDS = (
    "subject vehicle stopped northbound officer observed residence report complainant "
    "stated approximately hours"
).split()


def make_records(total: int, seed: int = 7) -> list[PreparedRecord]:
    rng = random.Random(seed)

    def word(lo: int, hi: int) -> str:
        return "".join(rng.choice(string.ascii_uppercase) for _ in range(rng.randint(lo, hi)))

    lasts = [word(4, 10) for _ in range(5000)]
    firsts = [word(3, 8) for _ in range(800)]
    out = []
    for i in range(total):
        persons, mentions = [], []
        for k in range(2 if rng.random() < 0.6 else 1):
            last, first = rng.choice(lasts), rng.choice(firsts)
            dob = PartialDate(rng.randint(1950, 2005), rng.randint(1, 12), rng.randint(1, 28))
            p = person(f"P{k + 1}", last.title(), first.title(), dob)
            persons.append(p)
            keys = [
                ("last", last), ("first", first), ("last_first", f"{last}|{first}"),
                ("dob", dob.iso()), ("dob_year", str(dob.year)),
                ("phone", f"+1206555{rng.randint(0, 9999):04d}"),
                ("addr", f"{rng.randint(1, 9999)} {rng.choice(lasts)} ST"),
                ("nick", first[:3]), ("lf_init", last + first[0]),
                ("sex_yob", f"F{dob.year}"), ("soundex", last[:4]),
            ]  # fmt: skip
            keys += [(f"dm{j}", last[j:] + first[:2]) for j in range(8)]
            keys += [(f"ny{j}", first[j:] + last[:3]) for j in range(6)]
            mentions.append(
                MentionIndex(
                    p.ref, "suspect", last, first, "Q", dob.iso(), dob.year, "F", None, 65, 140,
                    tuple(keys),
                )
            )  # fmt: skip
        r = record(
            f"S{i:08d}",
            persons=tuple(persons),
            narrative=" ".join(rng.choice(WORDS) for _ in range(45)),
        )
        rkeys = (
            ("plate", f"ABC{i % 10000:04d}"), ("plate_fuzzy", f"A8C{i % 10000:04d}"),
            ("phone", "+12065550199"), ("offense", "90Z"), ("addr", "300 EXAMPLE BLVD"),
            ("type", "field-interview"),
        )  # fmt: skip
        content = record_to_dict(r)
        out.append(
            PreparedRecord(r, content, record_digest(content), RecordIndex(rkeys, tuple(mentions)))
        )
    return out


def main() -> None:
    url = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    per_tx = int(sys.argv[3]) if len(sys.argv) > 3 else 25_000
    client_us = float(sys.argv[4]) if len(sys.argv) > 4 else 0.0
    chunk = 1000
    records = make_records(total)
    with open_store(url) as store:
        store.migrate()
        with store.transaction() as tx:
            tx.put_agency(agency())
            tx.commit()
        started = time.perf_counter()
        for b in range(0, total, per_tx):
            t = time.perf_counter()
            part = records[b : b + per_tx]
            with store.transaction() as tx:
                tx.begin_batch(f"b{b}", OWNER, "bench")
                for c in range(0, len(part), chunk):
                    rows = part[c : c + chunk]
                    _burn(client_us * len(rows))
                    tx.record_states(OWNER, [p.record.source_id for p in rows])
                    tx.expunged_digests([p.digest for p in rows])
                    tx.write_records(f"b{b}", rows)
                tx.finish_batch(f"b{b}", {"new": len(part)})
                tx.commit()
            print(f"  records {b:>9,}+: {len(part) / (time.perf_counter() - t):,.0f} records/s")
        seconds = time.perf_counter() - started
        size = store.stats().size_bytes or 0
        print(
            f"{store.engine}: {total / seconds:,.0f} records/s overall ({seconds:.1f} s), "
            f"{size / total:,.0f} bytes/record"
        )


def _burn(micros: float) -> None:
    """Busy Python work (holding the GIL) standing in for normalization."""
    end = time.perf_counter() + micros / 1e6
    n = 0
    while time.perf_counter() < end:
        n += sum(range(50))


if __name__ == "__main__":
    main()
