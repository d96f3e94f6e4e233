"""The bounded memo behind the hot caches: computes once, stays bounded, counts."""

from __future__ import annotations

import gc

from lexhub.normalize.memo import make_memo


def test_memo_computes_each_key_once_and_counts_hits() -> None:
    calls: list[str] = []

    def upper(text: str) -> str:
        calls.append(text)
        return text.upper()

    memo = make_memo(upper, maxsize=8)
    assert [memo("a"), memo("b"), memo("a")] == ["A", "B", "A"]
    assert calls == ["a", "b"]
    info = memo.cache_info()
    assert (info.hits, info.misses, info.currsize) == (1, 2, 2)


def test_memo_stays_bounded_and_keeps_the_newest_entries() -> None:
    memo = make_memo(lambda n: n * 2, maxsize=10)
    for n in range(1000):
        memo(n)
    info = memo.cache_info()
    assert info.currsize <= 10
    assert memo(999) == 1998 and memo.cache_info().misses == info.misses  # still cached
    memo.cache_clear()
    assert memo.cache_info() == (0, 0, 10, 0)


def test_memo_of_strings_and_tuples_leaves_the_garbage_collector() -> None:
    memo = make_memo(lambda s: (s, (s.upper(), None)), maxsize=100)
    for i in range(50):
        memo(f"k{i}")
    gc.collect()
    gc.collect()
    assert not gc.is_tracked(memo.cache_data)  # type: ignore[attr-defined]
