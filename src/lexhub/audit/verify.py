"""Verification: does the log still say what was written?

Recomputes the chain from the entries' bodies alone, in stored order, and checks every
link, every stored hash, every sequence number and every checkpoint's signature and head.
An entry changed, removed, inserted or reordered breaks a link or a hash; a tail cut off
leaves a checkpoint covering more entries than remain; a checkpoint signed by a key that
is not on record is reported as such. What the checkpoints cannot show (an operator holding
both database and key who rewrites everything and re-signs) is what witnessing is for:
`anchors` from a copy kept elsewhere (an earlier export, a peer's checkpoints) are checked
the same way.

Callers that verify for an outside party MUST pass the public keys they trust rather than
the ones stored beside the log.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field

from lexhub.audit.chain import canonical, entry_hash, terms_digest
from lexhub.audit.checkpoint import signature_valid
from lexhub.model.audit import GENESIS_HASH, AuditEntry, AuditFilter, AuditKey, Checkpoint
from lexhub.store import Store

__all__ = ["Anchor", "VerifyReport", "verify_entries", "verify_store"]

MAX_PROBLEMS = 200
_HEX = re.compile(r"[0-9a-f]{64}")
_CHUNK = 2000


@dataclass(frozen=True)
class Anchor:
    """A (size, head) pair known from elsewhere, e.g. the last entry of an earlier export."""

    size: int
    head: str
    source: str


@dataclass
class VerifyReport:
    entries: int = 0
    head: str = GENESIS_HASH  # recomputed from the bodies
    checkpoints: int = 0
    latest_checkpoint: int | None = None  # size covered by the latest valid checkpoint
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    problem_count: int = 0

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def problem(self, message: str) -> None:
        self.problem_count += 1
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(message)


def _check_entry(report: VerifyReport, pos: int, e: AuditEntry, prev_stored: str) -> None:
    where = f"entry {e.seq}"
    if e.seq != pos:
        report.problem(
            f"position {pos} holds entry {e.seq}: an entry was removed, inserted or reordered"
        )
    try:
        data = json.loads(e.body)
        if canonical(data) != e.body:
            report.problem(f"{where}: body is not canonical JSON (changed)")
        elif not isinstance(data, dict) or data.get("seq") != e.seq:
            report.problem(f"{where}: its body says seq {data.get('seq')!r} (changed or moved)")
    except (ValueError, TypeError):
        report.problem(f"{where}: body is not JSON (changed)")
    if e.prev_hash != prev_stored:
        report.problem(
            f"{where}: does not link to the entry before it (removed, inserted or reordered)"
        )
    if not _HEX.fullmatch(e.prev_hash) or entry_hash(e.prev_hash, e.body) != e.hash:
        report.problem(f"{where}: hash does not match its content (changed)")


def verify_entries(
    entries: Iterable[AuditEntry],
    checkpoints: Sequence[Checkpoint],
    keys: Sequence[AuditKey],
    anchors: Sequence[Anchor] = (),
) -> VerifyReport:
    """Verify entries given in stored order against checkpoints signed by `keys`.
    Streams the entries; keeps only the recomputed hashes at checkpointed sizes."""
    report = VerifyReport(checkpoints=len(checkpoints))
    by_id = {k.key_id: k for k in keys}
    wanted = {c.size for c in checkpoints} | {a.size for a in anchors}
    at_size: dict[int, str] = {0: GENESIS_HASH}
    running = GENESIS_HASH  # over the bodies only: what the checkpoints signed
    prev_stored = GENESIS_HASH
    pos = 0
    for pos, e in enumerate(entries, 1):
        _check_entry(report, pos, e, prev_stored)
        prev_stored = e.hash
        running = entry_hash(running, e.body)
        if pos in wanted:
            at_size[pos] = running
    report.entries = pos
    report.head = running

    for c in checkpoints:
        label = f"checkpoint of {c.size} entries signed by {c.key_id}"
        key = by_id.get(c.key_id)
        if key is None:
            report.problem(f"{label}: key {c.key_id} is not on record")
            continue
        if not signature_valid(c, key.public_key):
            report.problem(f"{label}: signature does not verify")
            continue
        if c.at < key.created_at or (key.retired_at is not None and c.at > key.retired_at):
            report.problem(f"{label}: signed at {c.at} outside the key's validity")
        if c.size > pos:
            report.problem(f"{label}: the log has only {pos} entries (its tail was cut off)")
        elif at_size[c.size] != c.head:
            report.problem(f"{label}: entries 1..{c.size} are not the ones it signed")
        else:
            report.latest_checkpoint = max(report.latest_checkpoint or 0, c.size)
    for a in anchors:
        if a.size > pos:
            report.problem(f"{a.source}: it holds {a.size} entries, the log only {pos}")
        elif at_size[a.size] != a.head:
            report.problem(f"{a.source}: entries 1..{a.size} differ from the log's")
    if not checkpoints:
        report.warnings.append("no checkpoint: a cut-off tail cannot be detected")
    elif report.latest_checkpoint is not None and report.latest_checkpoint < pos:
        report.warnings.append(
            f"entries {report.latest_checkpoint + 1}..{pos} are not covered by a checkpoint yet"
        )
    return report


def _scan(store: Store) -> Iterator[AuditEntry]:
    after = 0
    while True:
        chunk = store.audit_entries(AuditFilter(after_seq=after), _CHUNK)
        if not chunk:
            return
        yield from chunk
        after = chunk[-1].seq


def verify_store(
    store: Store,
    keys: Sequence[AuditKey] | None = None,
    anchors: Sequence[Anchor] = (),
    extra_checkpoints: Sequence[Checkpoint] = (),
) -> VerifyReport:
    """Verify the database's log, its checkpoints, its head row and its side table.
    `keys`: the public keys to trust (default: those on record in the database);
    `anchors`, `extra_checkpoints`: what copies kept elsewhere say the log held."""
    checkpoints = [*store.audit_checkpoints(), *extra_checkpoints]
    trusted = store.audit_keys() if keys is None else keys
    last: list[AuditEntry] = []

    def tracked() -> Iterator[AuditEntry]:
        for e in _scan(store):
            last[:] = [e]
            yield e

    report = verify_entries(tracked(), checkpoints, trusted, anchors)
    # The head row moves in the same transaction as each append, so once the scan is done
    # it is at or past the last entry read; past it only if entries were appended meanwhile.
    seq, head = store.audit_head()
    end = (last[0].seq, last[0].hash) if last else (0, GENESIS_HASH)
    if end != (seq, head):
        appended = seq > end[0] and store.audit_entries(AuditFilter(after_seq=end[0]), 1)
        if not appended:
            report.problem(
                f"the head row says {seq} entries ending in {head[:16]}, "
                f"the log has {report.entries}"
            )
    for t in store.audit_terms():
        if terms_digest(t.nonce, t.terms) != t.digest:
            report.problem(f"query terms of entry {t.seq}: digest does not match (changed)")
    return report
