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

from collections.abc import Callable, Hashable
from typing import Generic, NamedTuple, TypeVar

__all__ = ["CacheInfo", "Memo"]

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class CacheInfo(NamedTuple):
    hits: int
    misses: int
    maxsize: int
    currsize: int


class Memo(Generic[K, V]):
    """`memo(key)` is `fn(key)`, computed once per key while the key stays cached."""

    def __init__(self, fn: Callable[[K], V], maxsize: int) -> None:
        self._fn = fn
        self._maxsize = maxsize
        self._data: dict[K, V] = {}
        self._calls = 0
        self._misses = 0
        self.__doc__ = fn.__doc__
        self.__wrapped__ = fn

    def __call__(self, key: K) -> V:
        self._calls += 1
        data = self._data
        try:
            return data[key]
        except KeyError:
            pass
        self._misses += 1
        value = self._fn(key)
        if len(data) >= self._maxsize:
            # Keep the newer half. Deleting the oldest entry one at a time would leave
            # holes at the front of the dict that every later `next(iter(...))` walks over.
            newer = list(data.items())[len(data) // 2 :]
            data.clear()
            data.update(newer)
        data[key] = value
        return value

    def cache_info(self) -> CacheInfo:
        return CacheInfo(self._calls - self._misses, self._misses, self._maxsize, len(self._data))

    def cache_clear(self) -> None:
        self._data.clear()
        self._calls = self._misses = 0


def memo(maxsize: int) -> Callable[[Callable[[K], V]], Memo[K, V]]:
    """Decorator form: `@memo(1 << 16)` over a one-argument function."""

    def wrap(fn: Callable[[K], V]) -> Memo[K, V]:
        return Memo(fn, maxsize)

    return wrap
