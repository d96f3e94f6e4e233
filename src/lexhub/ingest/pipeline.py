"""Reading and preparing a batch file in a second process, so ingest uses both cores.

Per record, reading and validating (~110 µs) plus preparing it (digest, normalize, index:
~160 µs) cost about as much as the store's write in the loading process. A worker process
reads the file and prepares each record; the loading process gets prepared entries through
a pipe and does only what needs the batch's transaction: batch-level checks (owner,
duplicates, expunged), classification and writes. The two halves overlap.

Why these choices:
- **A pipe, not a queue.** `Connection.send` blocks once the OS pipe buffer is full, so the
  worker never runs more than one message ahead of the loader: memory stays flat for any
  file size, with no feeder thread competing for the worker's GIL.
- **A fresh interpreter, not fork nor multiprocessing's 'spawn'.** The loader holds open
  database connections (and psycopg threads) that a forked child would inherit, and 'spawn'
  re-runs the loader's `__main__` script in the child (breaking any script without a main
  guard). The worker is `python -c` importing only this module, given the pipe's fd.
- **The worker dies with the loader.** It asks Linux to SIGKILL it when its parent dies
  (SIGKILL of the loader, as the crash test does), a write to the pipe of a dead loader
  fails, and the loader kills it on leaving the batch, however it leaves. A worker that
  dies or raises surfaces in the loader as `WorkerFailed` (or the reader's own
  `InputError`) inside the batch's transaction, which then rolls back.
- **What crosses the pipe** is flat: each prepared record as the values of its rows
  (`store.rows.pack`: strings, numbers and tuples, content already canonical JSON), the
  as-sent record as JSON bytes (for reject files, decoded only for rejected items), and
  `InputError`s as plain tuples (they do not unpickle). Pickling the `Record` and
  `RecordIndex` dataclasses instead cost ~40 µs a record in the worker and ~30 in the
  loader, which then also had to rebuild the content dict (~35 µs).
- **The loader takes a share of the preparing when it would otherwise wait.** Once the
  hand-off is lean, the worker (read, validate, normalize, index: ~330 µs a record) has
  two to three times the loader's work, and the loader's core idles. When the loader
  finds no message waiting it says so on a second pipe, and the worker sends its next
  message unprepared (the records as sent, in JSON, which it makes anyway); the loader
  decodes (~30 µs) and prepares those itself. The share settles where neither waits.
- **The worker reads a message's worth of records, then prepares them**, rather than
  alternating record by record: each stage's code and caches stay warm in the CPU, which
  measured ~15% less worker CPU (362 vs 316 µs a record, median of 4).
"""

from __future__ import annotations

import ctypes
import gc
import json
import logging
import multiprocessing
import os
import pickle
import queue
import signal
import subprocess
import sys
import threading
import traceback
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from multiprocessing.connection import Connection
from pathlib import Path
from types import TracebackType
from typing import Any

import orjson

from lexhub.errors import InputError, LexhubError
from lexhub.ingest.formats import ReadItem, read_batch
from lexhub.model import Record, record_digest, record_from_dict, record_to_dict
from lexhub.normalize.keys import index_record
from lexhub.normalize.record import normalize_record
from lexhub.store.rows import Packed, PackedRecord, content_of, pack

__all__ = ["Entry", "WorkerFailed", "WorkerReader", "entries_in_process", "prepare"]

log = logging.getLogger(__name__)

MESSAGE = 250  # entries per message: small enough to overlap early, large enough to amortize
BUFFERED = 16  # messages received ahead of the loader: two of its chunks, a few MB

_ErrorFields = tuple[str, int | str | None, str | None, str]
# (line, source ref, errors, the prepared record packed, the record as sent in JSON)
_Wire = tuple[int | str, str | None, tuple[_ErrorFields, ...], Packed | None, bytes | None]


class WorkerFailed(LexhubError):
    """The reading worker raised something other than an input error, or died."""


@dataclass(slots=True)
class Entry:
    """One item of a batch as the loader sees it: where, its errors, and its record, either
    as read (in-process; prepared later) or already prepared by the worker."""

    line: int | str
    source_ref: str | None
    errors: tuple[InputError, ...]
    record: Record | None  # as sent; None when prepared elsewhere or unreadable
    packed: Packed | None = None  # prepared by the worker
    sent_json: bytes | None = None
    prepared: PackedRecord | None = None
    sent_dict: dict[str, Any] | None = None  # record_to_dict(record), where known

    @property
    def owner_and_id(self) -> tuple[str, str] | None:
        """(owner, source id): normalization changes neither."""
        if self.record is not None:
            return self.record.owner, self.record.source_id
        return None if self.packed is None else (self.packed[0], self.packed[1])

    def ready(self, region: str) -> PackedRecord:
        if self.prepared is None:
            if self.packed is not None:
                self.prepared = PackedRecord(*self.packed)
            else:
                assert self.record is not None
                self.prepared = prepare(self.record, region, self.sent_dict)
        return self.prepared

    def sent(self) -> dict[str, Any] | None:
        """The record as sent, as a dict (for reject files)."""
        if self.record is not None:
            return record_to_dict(self.record)
        if self.sent_json is not None:
            decoded: dict[str, Any] = orjson.loads(self.sent_json)
            return decoded
        return None


def prepare(record: Record, region: str, sent: dict[str, Any] | None = None) -> PackedRecord:
    """Digest of the record AS SENT, without its source id: stable across normalizer
    versions, and an expunged record is recognised even when a feed re-keys it.
    Content and index come from the normalized form. `sent` is `record_to_dict(record)`
    when the caller already has it."""
    return PackedRecord(*_pack(record, region, sent))


def _pack(record: Record, region: str, sent: dict[str, Any] | None = None) -> Packed:
    sent = dict(sent) if sent is not None else record_to_dict(record)
    del sent["source_id"]
    normalized = normalize_record(record, region)
    index = index_record(normalized)
    return pack(normalized, content_of(normalized), record_digest(sent), index)


def entries_in_process(items: Iterable[ReadItem]) -> Iterator[Entry]:
    for item in items:
        yield Entry(item.line, item.source_ref, item.errors, item.record)


class WorkerReader:
    """`with WorkerReader(path, ...) as entries: for entry in entries: ...` reads and
    prepares in a worker process. Whole-file problems the reader finds before the first
    record raise `InputError` from `__enter__`, as `read_batch` does."""

    def __init__(self, path: Path, fmt: str | None, mapping: Path | None, region: str) -> None:
        self.source = path.name
        self.conn, child = multiprocessing.Pipe(duplex=False)
        asks, self.asking = os.pipe()  # "prepare less": the loader has nothing to do
        self.shared = 0  # messages the loader prepared itself
        job = {
            "fd": child.fileno(),
            "asks": asks,
            "path": str(path),
            "fmt": fmt,
            "mapping": None if mapping is None else str(mapping),
            "region": region,
            "parent": os.getpid(),
            "sys_path": sys.path,
        }
        try:
            self.process = subprocess.Popen(
                [sys.executable, "-c", _BOOT, json.dumps(job)],
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                pass_fds=(child.fileno(), asks),
            )
        finally:
            child.close()  # ours closed: the worker's death reads as end of file
            os.close(asks)
        # Raw messages, unpickled by the loader's thread: this thread only waits on the pipe
        # (GIL released), so it does not contend with the store's calls for the GIL.
        self.inbox: queue.Queue[bytes] = queue.Queue(maxsize=BUFFERED)
        self.stopping = threading.Event()
        self.receiver = threading.Thread(target=self._receive_all, name="lexhub-ingest-inbox")
        self.receiver.daemon = True
        self.receiver.start()

    def __enter__(self) -> Iterator[Entry]:
        try:
            kind, _ = self._receive()  # "ready" once read_batch's up-front checks pass
            assert kind == _READY
        except BaseException:
            self.close()
            raise
        return self._entries()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self.stopping.set()
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self.receiver.join()  # it ends on the end of file of the killed worker, or `stopping`
        self.conn.close()
        os.close(self.asking)
        log.debug("%s: the loader prepared %d messages of the worker", self.source, self.shared)

    def _receive_all(self) -> None:
        """The receiving thread: keeps the pipe drained into a bounded buffer, so the worker
        works on while the loader writes a chunk (the pipe alone holds one message)."""
        while True:
            try:
                message = self.conn.recv_bytes()
            except (EOFError, OSError):  # OSError: "got end of file during message"
                message = b""  # the worker died
            while not self.stopping.is_set():
                try:
                    self.inbox.put(message, timeout=0.1)
                    break
                except queue.Full:
                    continue
            if self.stopping.is_set() or message[:1] not in (_READY, _ENTRIES):
                return

    def _entries(self) -> Iterator[Entry]:
        while True:
            kind, payload = self._receive()
            if kind == _DONE:
                return
            shared = False
            for line, ref, errors, packed, sent_json in payload:
                entry = Entry(line, ref, tuple(InputError(*e) for e in errors), None,
                              packed, sent_json)  # fmt: skip
                if packed is None and not errors and sent_json is not None:
                    entry.sent_dict = orjson.loads(sent_json)  # left for us to prepare
                    entry.record = record_from_dict(entry.sent_dict)
                    shared = True
                yield entry
            self.shared += shared

    def _receive(self) -> tuple[bytes, Any]:
        try:
            message = self.inbox.get_nowait()
        except queue.Empty:
            self._ask_for_work()
            message = self.inbox.get()
        if not message:
            code = self.process.wait()
            raise WorkerFailed(f"{self.source}: the ingest worker died (exit code {code})")
        kind = message[:1]
        payload = pickle.loads(memoryview(message)[1:])
        if kind == _INPUT_ERROR:
            raise InputError(*payload)
        if kind == _FAILED:
            raise WorkerFailed(f"{self.source}: the ingest worker failed:\n{payload}")
        return kind, payload

    def _ask_for_work(self) -> None:
        try:
            os.write(self.asking, b"h")  # never blocks: one byte per message at most
        except OSError:
            pass  # the worker is gone; its end of file is on its way to the inbox


# A message is one tag byte, then the pickled payload.
_READY, _ENTRIES, _DONE, _INPUT_ERROR, _FAILED = b"r", b"e", b"d", b"i", b"f"


def _send(conn: Connection, tag: bytes, payload: Any) -> None:
    conn.send_bytes(tag + pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL))


_BOOT = (
    "import json, sys; job = json.loads(sys.argv[1]); sys.path[:0] = job['sys_path'];"
    " from lexhub.ingest.pipeline import work; work(job)"
)


def work(job: dict[str, Any]) -> None:
    """The worker's main: read, validate and prepare, MESSAGE entries per message."""
    _die_with_parent(job["parent"])
    # As in the loader (load._fewer_collections): the objects made here are acyclic and
    # short-lived; the cyclic collector scanning them would cost a quarter of the time.
    gc.freeze()
    gc.set_threshold(100_000, 50, 1000)
    conn = Connection(job["fd"], readable=False)
    asks: int = job["asks"]
    os.set_blocking(asks, False)
    region: str = job["region"]
    mapping = None if job["mapping"] is None else Path(job["mapping"])
    try:
        try:
            items = iter(read_batch(Path(job["path"]), job["fmt"], mapping))
            _send(conn, _READY, None)
            while read := list(islice(items, MESSAGE)):  # read, then prepare: see above
                share = _asked(asks)
                _send(conn, _ENTRIES, [_encode(item, region, share) for item in read])
            _send(conn, _DONE, None)
        except InputError as e:
            _send(conn, _INPUT_ERROR, (e.file, e.line, e.field, e.reason))
        except Exception as e:  # noqa: BLE001 - any failure is reported to the loader
            _send(conn, _FAILED, "".join(traceback.format_exception(e)))
    except (BrokenPipeError, ConnectionResetError):
        pass  # the loader is gone: nothing to report to
    finally:
        conn.close()
        os.close(asks)


def _asked(asks: int) -> bool:
    """Did the loader ask for work since the last message? (Reads every request.)"""
    try:
        return bool(os.read(asks, 4096))  # b"": the loader is gone
    except BlockingIOError:
        return False


def _encode(item: ReadItem, region: str, share: bool = False) -> _Wire:
    """`share`: leave the record unprepared, for the loader (sent JSON only)."""
    errors = tuple((e.file, e.line, e.field, e.reason) for e in item.errors)
    record = item.record
    if record is None:
        return (item.line, item.source_ref, errors, None, None)
    sent = record_to_dict(record)
    packed = None if item.errors or share else _pack(record, region, sent)
    return (item.line, item.source_ref, errors, packed, orjson.dumps(sent))


def _die_with_parent(parent: int) -> None:
    """Linux: have the kernel SIGKILL this process when the loader dies, however it dies."""
    if sys.platform != "linux":
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)
