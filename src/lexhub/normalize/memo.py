"""A bounded memo for the normalizers' hot caches, kind to the garbage collector.

`functools.lru_cache` keeps a linked list of 4-item lists, one per entry: objects the
cyclic garbage collector tracks and scans on every full collection. With a few hundred
thousand cached addresses, phones and names those scans cost more than the parsing saved
(measured with bench/normalize.py). A plain dict whose keys and values are strings and
tuples of strings is untracked by CPython, so it costs the collector nothing. Eviction is
first-in first-out (dicts keep insertion order): a little less precise than LRU, but O(1)
and without per-entry bookkeeping.

Callers MUST return only strings, numbers, None and tuples of those from memoized
functions; anything else would be tracked again, and mutable results would be shared.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable
from typing import Any, NamedTuple, Protocol, TypeVar, cast

__all__ = ["CacheInfo", "Memo", "make_memo", "memo"]

K = TypeVar("K", bound=Hashable, contravariant=True)
V = TypeVar("V", covariant=True)


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int


class Memo(Protocol[K, V]):
    """What `memo` returns: the memoized function plus lru_cache's inspection methods."""

    def __call__(self, key: K, /) -> V: ...

    def cache_info(self) -> CacheInfo: ...

    def cache_clear(self) -> None: ...


def make_memo(fn: Callable[[K], V], maxsize: int) -> Memo[K, V]:
    """`fn` memoized in a dict of at most `maxsize` entries. A plain closure rather than an
    object with `__call__`: it runs for every name, phone and address of every record,
    and a closure call is the cheapest call Python has."""
    data: dict[K, V] = {}
    counts = [0, 0]  # calls, misses

    def call(key: K) -> V:
        counts[0] += 1
        try:
            return data[key]
        except KeyError:
            pass
        counts[1] += 1
        value = fn(key)
        if len(data) >= maxsize:
            # Keep the newer half. Deleting the oldest entry one at a time would leave
            # holes at the front of the dict that every later `next(iter(...))` walks over.
            newer = list(data.items())[len(data) // 2 :]
            data.clear()
            data.update(newer)
        data[key] = value
        return value

    def cache_info() -> CacheInfo:
        return CacheInfo(counts[0] - counts[1], counts[1], maxsize, len(data))

    def cache_clear() -> None:
        data.clear()
        counts[0] = counts[1] = 0

    functools.update_wrapper(call, fn)
    wrapped: Any = call
    wrapped.cache_info = cache_info
    wrapped.cache_clear = cache_clear
    wrapped.cache_data = data
    return cast(Memo[K, V], wrapped)


def memo(maxsize: int) -> Callable[[Callable[[K], V]], Memo[K, V]]:
    """Decorator form: `@memo(1 << 16)` over a one-argument function."""

    def wrap(fn: Callable[[K], V]) -> Memo[K, V]:
        return make_memo(fn, maxsize)

    return wrap
