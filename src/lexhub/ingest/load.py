"""The atomic load of one batch: validate, normalize, index and write, all or nothing.

A batch is one file from one owner. It is read as a stream and written inside ONE store
transaction, chunk by chunk, so memory stays flat however large the file while the batch
stays atomic: if any item has an error the transaction is rolled back and `BatchRejected`
lists every problem (unless `skip_invalid`, which writes the valid records and sends the
rejected ones, with their errors, to a reject file).

Records are keyed by (owner, source_id). A record whose content digest equals the stored
one is left alone, so loading the same file twice changes nothing; a changed record
becomes a new version. A `snapshot` batch is the owner's full extract: the owner's active
records missing from it are retracted. A record that was expunged is refused by its
source id and by its content digest, whoever sends it.

A file big enough for it to pay is read and prepared in a worker process
(`lexhub.ingest.pipeline`) while this process checks and writes: both cores work.

Given an `audit` (`BatchAudit`), the batch's audit entry is the last write of the batch's
own transaction, so the records and the entry saying who loaded them commit together or not
at all; a rejected batch is audited after its rollback, as rejected.
"""

from __future__ import annotations

import gc
import json
import logging
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from lexhub.audit import record_event
from lexhub.errors import BatchRejected, InputError
from lexhub.ingest.formats import ReadItem, read_batch
from lexhub.ingest.lifecycle import commit_changes
from lexhub.ingest.pipeline import Entry, WorkerReader, entries_in_process
from lexhub.model.audit import AuditEvent
from lexhub.store.base import RecordState, RecordStatus, Store, Transaction
from lexhub.store.rows import PackedRecord

__all__ = ["BatchAudit", "LoadReport", "load_file", "load_items"]

log = logging.getLogger(__name__)

CHUNK = 2000
# From this size on (about 3,000 records) a worker process pays for its start (~0.3 s
# of CPU to import the readers and normalizers) and the pickling between processes.
PARALLEL_BYTES = 3_000_000
MAX_PROBLEMS_KEPT = 1000

Progress = Callable[[int, int], None]  # (items read so far, items with errors so far)
# The audit entry of a batch from its report; the flag says whether it was rejected.
BatchAudit = Callable[["LoadReport", bool], AuditEvent]
_Bad = tuple[Entry, tuple[InputError, ...]]


@dataclass
class LoadReport:
    batch_id: str
    source: str
    owner: str | None
    snapshot: bool
    read: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    retracted: int = 0
    rejected: int = 0
    already_loaded: bool = False
    reject_file: str | None = None
    seconds: float = 0.0
    problems: list[InputError] = field(default_factory=list)

    @property
    def written(self) -> int:
        return self.new + self.changed

    def counts(self) -> dict[str, int]:
        return {
            "read": self.read,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "retracted": self.retracted,
            "rejected": self.rejected,
        }


def load_file(
    store: Store,
    path: Path,
    *,
    fmt: str | None = None,
    mapping: Path | None = None,
    owner: str | None = None,
    snapshot: bool = False,
    skip_invalid: bool = False,
    reject_path: Path | None = None,
    batch_id: str | None = None,
    region: str = "US",
    progress: Progress | None = None,
    workers: int | None = None,
    audit: BatchAudit | None = None,
) -> LoadReport:
    """Load one file as one batch. Raises BatchRejected (nothing written) or InputError for
    a file that is not in its format at all. A `batch_id` that was loaded before is answered
    from that load's counts and changes nothing (the API's idempotent uploads); without one,
    unchanged records are recognised by their digests. With `skip_invalid`, rejects go to
    `reject_path` (default: `<file>.rejects.jsonl`). `workers`: 0 reads and prepares in
    this process, 1 in a worker process; None (default) picks 1 for files of at least
    PARALLEL_BYTES. `audit`: see the module docstring; AuditWriteFailed if its entry
    cannot be committed (then nothing of the batch is)."""
    batch_id = batch_id or uuid.uuid4().hex
    if skip_invalid and reject_path is None:
        reject_path = path.with_name(path.name + ".rejects.jsonl")
    if workers is None:
        workers = 1 if _size(path) >= PARALLEL_BYTES else 0
    options = _Options(
        batch_id, owner, snapshot, skip_invalid, reject_path, region, progress, audit
    )
    if workers <= 0:
        items = read_batch(path, fmt, mapping)
        return _load(store, entries_in_process(items), path.name, options)
    with WorkerReader(path, fmt, mapping, region) as entries:
        return _load(store, entries, path.name, options)


def load_items(
    store: Store,
    items: Iterable[ReadItem],
    *,
    source: str,
    batch_id: str,
    owner: str | None = None,
    snapshot: bool = False,
    skip_invalid: bool = False,
    reject_path: Path | None = None,
    region: str = "US",
    progress: Progress | None = None,
    audit: BatchAudit | None = None,
) -> LoadReport:
    """Load already-read items as one batch (the service passes uploaded batches here)."""
    options = _Options(
        batch_id, owner, snapshot, skip_invalid, reject_path, region, progress, audit
    )
    return _load(store, entries_in_process(items), source, options)


@dataclass(frozen=True)
class _Options:
    batch_id: str
    owner: str | None
    snapshot: bool
    skip_invalid: bool
    reject_path: Path | None
    region: str
    progress: Progress | None
    audit: BatchAudit | None = None


def _load(store: Store, entries: Iterable[Entry], source: str, o: _Options) -> LoadReport:
    started = time.perf_counter()
    batch_id, owner, snapshot, skip_invalid = o.batch_id, o.owner, o.snapshot, o.skip_invalid
    reject_path, region, progress = o.reject_path, o.region, o.progress
    report = LoadReport(batch_id=batch_id, source=source, owner=owner, snapshot=snapshot)
    previous = store.batch(batch_id)
    if previous is not None and previous.status == "done":
        report.already_loaded = True
        report.owner = previous.owner
        for name, value in previous.counts.items():
            if hasattr(report, name):
                setattr(report, name, value)
        return report

    batch = _BatchWriter(store, report, region, skip_invalid)
    rejects = _RejectFile(reject_path) if skip_invalid and reject_path else None
    try:
        with _fewer_collections(), store.transaction() as tx:
            tx.begin_batch(batch_id, owner, source)
            for chunk in _chunks(entries, CHUNK):
                bad = batch.take(tx, chunk)
                if rejects is not None:
                    for item, errors in bad:
                        rejects.write(item, errors)
                if progress is not None:
                    progress(report.read, report.rejected)
            if report.problems and not skip_invalid:
                raise BatchRejected(source, report.problems, total=report.rejected)
            if snapshot:
                report.retracted = batch.retract_missing(tx, batch_id)
            tx.finish_batch(batch_id, report.counts())
            commit_changes(store, tx, None if o.audit is None else o.audit(report, False))
    except BatchRejected:
        if o.audit is not None:  # rolled back by now: the entry says so, in its own commit
            record_event(store, o.audit(report, True))
        raise
    finally:
        if rejects is not None:
            rejects.close()
            report.reject_file = str(reject_path) if report.rejected else None
            if not report.rejected and reject_path is not None:
                reject_path.unlink(missing_ok=True)
    report.seconds = time.perf_counter() - started
    log.info("batch %s loaded: %s in %.1fs", batch_id, report.counts(), report.seconds)
    return report


class _BatchWriter:
    """Per-batch state: the owner, the source ids seen (duplicates, snapshot) and counts."""

    def __init__(self, store: Store, report: LoadReport, region: str, skip_invalid: bool) -> None:
        # Agencies are only ever added, so reading them outside the batch's transaction is safe.
        self.store = store
        self.report = report
        self.region = region
        self.skip_invalid = skip_invalid
        self.seen: dict[str, int | str] = {}  # source id -> line where first seen
        self.known_agencies: dict[str, bool] = {}

    def take(self, tx: Transaction, chunk: Sequence[Entry]) -> list[_Bad]:
        """Check, normalize and write one chunk; return the items rejected in it."""
        report = self.report
        report.read += len(chunk)
        bad: list[_Bad] = []
        good: list[Entry] = []
        for item in chunk:
            key = item.owner_and_id
            errors = item.errors or (self._batch_errors(item.line, *key) if key else ())
            if errors or key is None:
                bad.append((item, errors))
            else:
                good.append(item)

        owner = report.owner
        if owner is not None and good:
            to_write = self._classify(tx, owner, good, bad)
            # Once the batch has an error it will be rejected: writing would be wasted work.
            if to_write and (self.skip_invalid or not (report.problems or bad)):
                tx.write_records(report.batch_id, to_write)

        for _, errors in bad:
            report.rejected += 1
            room = MAX_PROBLEMS_KEPT - len(report.problems)
            if room > 0:
                report.problems.extend(errors[:room])
        return bad

    def _batch_errors(self, line: int | str, owner: str, source_id: str) -> tuple[InputError, ...]:
        """Errors only visible at batch level: owner, unknown agency, duplicate ids."""
        source = self.report.source
        if self.report.owner is None:
            self.report.owner = owner
        if owner != self.report.owner:
            return (
                InputError(
                    source,
                    line,
                    "owner",
                    f'"{owner}" differs from the batch owner "{self.report.owner}"'
                    " (a batch holds one agency's records)",
                ),
            )
        if owner not in self.known_agencies:
            self.known_agencies[owner] = self.store.get_agency(owner) is not None
        if not self.known_agencies[owner]:
            return (
                InputError(
                    source,
                    line,
                    "owner",
                    f'agency "{owner}" is not registered on this node (lexhub agency add)',
                ),
            )
        first = self.seen.get(source_id)
        if first is not None:
            return (
                InputError(
                    source,
                    line,
                    "source_id",
                    f'"{source_id}" appears twice in this batch (first at {first})',
                ),
            )
        self.seen[source_id] = line
        return ()

    def _classify(
        self,
        tx: Transaction,
        owner: str,
        good: list[Entry],
        bad: list[_Bad],
    ) -> list[PackedRecord]:
        """Count new, changed and unchanged records; refuse expunged ones into `bad`."""
        report = self.report
        prepared = [(item, item.ready(self.region)) for item in good]
        states: dict[str, RecordState] = tx.record_states(owner, [p.source_id for _, p in prepared])
        gone = tx.expunged_digests([p.digest for _, p in prepared])
        to_write: list[PackedRecord] = []
        for item, p in prepared:
            state = states.get(p.source_id)
            if p.digest in gone or (state is not None and state.status is RecordStatus.EXPUNGED):
                reason = f'"{p.source_id}" was expunged; it may not be loaded again'
                bad.append((item, (InputError(report.source, item.line, "source_id", reason),)))
            elif state is None:
                report.new += 1
                to_write.append(p)
            elif state.digest != p.digest or state.status is not RecordStatus.ACTIVE:
                report.changed += 1
                to_write.append(p)
            else:
                report.unchanged += 1
        return to_write

    def retract_missing(self, tx: Transaction, batch_id: str) -> int:
        owner = self.report.owner
        if owner is None:
            return 0
        missing = [sid for sid in tx.active_source_ids(owner) if sid not in self.seen]
        return tx.retract(owner, missing, batch_id) if missing else 0


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0  # missing: the in-process reader says so, in its words


@contextmanager
def _fewer_collections() -> Iterator[None]:
    """Ingest allocates millions of short-lived, acyclic objects; the cyclic collector
    scanning them took a quarter to a third of the time (bench/normalize.py). Freezing
    what exists and collecting less often during the batch keeps memory flat (reference
    counting frees these objects) at a fraction of the cost; settings are restored after."""
    thresholds = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        gc.unfreeze()


def _chunks(items: Iterable[Entry], size: int) -> Iterator[list[Entry]]:
    chunk: list[Entry] = []
    for item in items:
        chunk.append(item)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


class _RejectFile:
    """JSON Lines of rejected items: where, which source id, and every error."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.out = open(path, "w", encoding="utf-8")

    def write(self, item: Entry, errors: tuple[InputError, ...]) -> None:
        row = {
            "line": item.line,
            "source_id": item.source_ref,
            "errors": [str(e) for e in errors],
            "record": item.sent(),
        }
        self.out.write(json.dumps(row, ensure_ascii=False) + "\n")

    def close(self) -> None:
        self.out.close()
