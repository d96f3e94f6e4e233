"""Open Stores kept between requests, so a request does not pay for a connection.

Opening a Store per request cost more than the search it served: on PostgreSQL a new
server backend (a fork, authentication, the settings and schema checks of `open_store`),
on SQLite a new connection with its pragmas and an empty page cache, so every index page a
search touched was read through the operating system again (docs/benchmarks.md, Service).
A `StorePool` lends each request a Store of its own - a Store serves one thread at a time,
and a lent Store is nobody else's until it comes back - and keeps up to `keep` idle ones.

What a Store carries from one request to the next is only its connection: both engines run
outside `transaction()` in autocommit (every statement reads the newest committed state),
and `transaction()` rolls back unless committed, so a returned Store holds no transaction.
A Store whose request failed with anything but a refusal (a store or audit failure, a bug)
is closed, not returned: a broken connection is never lent again. Beyond `keep` idle
Stores, a returned one is closed, so a burst leaves no more connections open than `keep`.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress

from lexhub.errors import AuditWriteFailed, LexhubError, StoreError
from lexhub.store import Store

__all__ = ["DEFAULT_KEEP", "StorePool"]

# Two cores answer a handful of requests at a time; more idle connections only hold
# PostgreSQL backends (a region's nodes may share one server's 100 connections).
DEFAULT_KEEP = 8


def _close_all(idle: list[Store]) -> None:
    while idle:
        with suppress(Exception):  # closing must not hide why the pool went away
            idle.pop().close()


class StorePool:
    """Stores from `opener`, lent one request at a time (`lease`), up to `keep` kept idle.
    Thread-safe. `close()` closes the idle Stores (also done when the pool is collected)."""

    def __init__(self, opener: Callable[[], Store], *, keep: int = DEFAULT_KEEP) -> None:
        if keep < 0:
            raise ValueError("keep >= 0")
        self.opener, self.keep = opener, keep
        self._idle: list[Store] = []
        self._lock = threading.Lock()
        self._closed = False
        # The idle list, not the pool, is closed at collection: a connection the pool held
        # is closed, never left to the driver's finalizer (which warns).
        self._finalizer = weakref.finalize(self, _close_all, self._idle)

    def idle(self) -> int:
        """How many Stores wait to be lent (for tests and metrics)."""
        with self._lock:
            return len(self._idle)

    @contextmanager
    def lease(self) -> Iterator[Store]:
        """A Store for this request alone. Raises what opening a Store raises (StoreError)."""
        with self._lock:
            store = self._idle.pop() if self._idle else None
        if store is None:
            store = self.opener()
        try:
            yield store
        except BaseException as e:
            if _keeps_store(e):
                self._give_back(store)
            else:
                _close_all([store])
            raise
        self._give_back(store)

    def _give_back(self, store: Store) -> None:
        with self._lock:
            if not self._closed and len(self._idle) < self.keep:
                self._idle.append(store)
                return
        _close_all([store])

    def close(self) -> None:
        """Close the idle Stores; Stores lent now are closed when they come back."""
        with self._lock:
            self._closed = True
        self._finalizer()


def _keeps_store(e: BaseException) -> bool:
    """A refusal (401, 403, 404, 422, 429) leaves the connection as it was; a store or audit
    failure, or anything unexpected, may have left it broken or mid-transaction."""
    return isinstance(e, LexhubError) and not isinstance(e, StoreError | AuditWriteFailed)
