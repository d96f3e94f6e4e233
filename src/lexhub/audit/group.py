"""Group commit: the audit entries of concurrent requests chained and committed together.

Every search and retrieval commits its audit entry before it answers, and a durable commit
waits for the disk (an fsync: 2-3 ms at the median on the benchmark machine, tens of ms at
its tail under load). One commit per request, taken in turn under the database's write
lock, caps a node at a few hundred requests a second and puts every slow fsync into the
latency of all requests queued behind it. With a `GroupCommit` installed for a database,
`record_event` hands its event to one writer thread, which appends everything waiting
since its last commit to the chain, in arrival order, in ONE transaction, commits once,
and only then releases each waiting request with its entry.

Nothing changes for the caller: `record_event` returns when its entry is durable and
raises AuditWriteFailed when it is not, so nothing is disclosed before its entry is
committed. If a group's transaction fails, each of its events is tried again alone (one
unwritable event must not refuse its neighbours), and only those that fail alone raise.
The chain lock is taken per transaction as always, so other processes (the CLI, another
worker) append between groups safely.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import datetime

from lexhub.errors import AuditWriteFailed
from lexhub.model.audit import AuditEntry, AuditEvent
from lexhub.store import Store

__all__ = ["GroupCommit", "group_for", "install_group_commit"]

log = logging.getLogger(__name__)

MAX_GROUP = 256  # entries in one transaction: bounds how long one commit holds the lock

_lock = threading.RLock()  # re-entrant: an uninstall may run from the collector
_groups: dict[str, tuple[GroupCommit, int]] = {}  # database URL -> (writer, installs)


@dataclass
class _Pending:
    """One request's events: chained next to each other, committed or refused together."""

    events: Sequence[AuditEvent]
    now: Callable[[], datetime]
    done: Future[list[AuditEntry]] = field(default_factory=Future)


class GroupCommit:
    """One writer thread over its own Store from `opener` (reopened after a failure)."""

    def __init__(self, opener: Callable[[], Store]) -> None:
        self.opener = opener
        self._queue: list[_Pending] = []
        self._ready = threading.Condition()
        self._stopped = False
        self._store: Store | None = None
        self.groups = self.entries = 0  # commits made and entries in them (tests, bench)
        self._thread = threading.Thread(target=self._run, name="audit-group-commit",
                                        daemon=True)  # fmt: skip
        self._thread.start()

    def record(self, events: Sequence[AuditEvent], now: Callable[[], datetime]) -> list[AuditEntry]:
        """Chain `events` (adjacent, all or none) and wait until they are committed.
        Raises AuditWriteFailed."""
        pending = _Pending(events, now)
        with self._ready:
            if self._stopped:
                raise AuditWriteFailed("audit writer stopped, nothing disclosed")
            self._queue.append(pending)
            self._ready.notify_all()
        return pending.done.result()

    def stop(self) -> None:
        """Finish what is queued, then end the thread and close its Store."""
        with self._ready:
            self._stopped = True
            self._ready.notify_all()
        if threading.current_thread() is not self._thread:
            self._thread.join()

    def _run(self) -> None:
        while True:
            with self._ready:
                while not self._queue and not self._stopped:
                    self._ready.wait()
                if not self._queue:  # stopped and drained
                    break
                group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
                self._ready.notify_all()  # anyone watching the queue (tests)
            self._commit(group)
        if self._store is not None:
            self._store.close()

    def _commit(self, group: list[_Pending]) -> None:
        from lexhub.audit.chain import append_entry, commit_audited

        try:
            store = self._open()
            with store.transaction() as tx:
                entries = [[append_entry(store, e, now=p.now) for e in p.events] for p in group]
                commit_audited(tx)
        except Exception as e:  # noqa: BLE001 - every waiting request must be answered
            self._drop_store()
            if len(group) == 1:
                group[0].done.set_exception(_failed(e))
                return
            for p in group:  # alone, so one bad event refuses only its own request
                self._commit([p])
            return
        self.groups += 1
        self.entries += sum(len(x) for x in entries)
        for p, written in zip(group, entries, strict=True):
            p.done.set_result(written)

    def _open(self) -> Store:
        if self._store is None:
            self._store = self.opener()
        return self._store

    def _drop_store(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            try:
                store.close()
            except Exception:  # noqa: BLE001 - a broken connection may not close cleanly
                log.warning("audit writer: closing a failed store failed")


def _failed(e: Exception) -> AuditWriteFailed:
    if isinstance(e, AuditWriteFailed):
        return e
    failed = AuditWriteFailed(f"audit entry not written, nothing disclosed: {e}")
    failed.__cause__ = e
    return failed


def install_group_commit(url: str, opener: Callable[[], Store]) -> Callable[[], None]:
    """Make `record_event` group-commit for the database `url` in this process; returns the
    function that undoes it (installs are counted: the writer stops with the last)."""
    with _lock:
        writer, count = _groups.get(url, (None, 0))
        if writer is None:
            writer = GroupCommit(opener)
        _groups[url] = (writer, count + 1)
    done = threading.Event()

    def uninstall() -> None:
        if done.is_set():
            return
        done.set()
        with _lock:
            w, n = _groups[url]
            if n > 1:
                _groups[url] = (w, n - 1)
                return
            del _groups[url]
        w.stop()

    return uninstall


def group_for(url: str) -> GroupCommit | None:
    """The writer installed for `url`, if any."""
    with _lock:
        found = _groups.get(url)
    return None if found is None else found[0]
