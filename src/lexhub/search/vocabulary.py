"""Spelling vocabularies: every surname and given name in the index, for typo expansion.

Blocking keys catch what sounds alike; a typed name with a slip ("Johnsno") shares none of
them with the record's "Johnson". The planner looks the typed name up in the vocabulary
of indexed names within the allowed edits and adds the neighbours' pair keys. The
vocabulary is a set of strings, not of records: no record is read through it, and the
candidates it suggests are still looked up inside the scope. It is rebuilt when the
store's data version changes (a batch started or finished).
"""

from __future__ import annotations

import threading
from collections import defaultdict
from dataclasses import dataclass, field

from rapidfuzz import process
from rapidfuzz.distance import OSA

from lexhub.search.names import allowed_edits
from lexhub.store import Store

__all__ = ["Vocabulary", "vocabulary"]


@dataclass
class Vocabulary:
    by_length: dict[int, list[str]] = field(default_factory=dict)

    @classmethod
    def of(cls, words: list[str]) -> Vocabulary:
        buckets: dict[int, list[str]] = defaultdict(list)
        for w in words:
            buckets[len(w)].append(w)
        return cls(dict(buckets))

    def near(self, word: str, limit: int = 12) -> list[str]:
        """Indexed names within the edits `word` allows (OSA: a transposition is one),
        nearest first, without `word` itself."""
        k = allowed_edits(word)
        if k == 0:
            return []
        found: list[tuple[int, str]] = []
        for n in range(len(word) - k, len(word) + k + 1):
            choices = self.by_length.get(n)
            if not choices:
                continue
            for choice, dist, _ in process.extract(
                word, choices, scorer=OSA.distance, score_cutoff=k, limit=limit
            ):
                if choice != word:
                    found.append((int(dist), choice))
        found.sort()
        return [w for _, w in found[:limit]]


_CACHE: dict[tuple[str, str], tuple[str, Vocabulary]] = {}
_LOCK = threading.Lock()


def vocabulary(store: Store, kind: str) -> Vocabulary:
    """The vocabulary of key kind `kind` ("ln" or "fn") in `store`, cached per database."""
    version = store.data_version()
    key = (store.url, kind)
    with _LOCK:
        cached = _CACHE.get(key)
    if cached is not None and cached[0] == version:
        return cached[1]
    words = store.key_values(kind)
    vocab = Vocabulary.of(words)
    with _LOCK:
        _CACHE[key] = (version, vocab)
    return vocab
