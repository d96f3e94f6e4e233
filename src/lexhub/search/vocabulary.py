"""Spelling vocabularies: every surname and given name in the index, for typo expansion.

Blocking keys catch what sounds alike; a typed name with a slip ("Johnsno") shares none of
them with the record's "Johnson". The planner looks the typed name up in the vocabulary
of indexed names within the allowed edits and adds the neighbours' pair keys. One-edit
neighbours come from a deletion index (SymSpell's idea: a few dictionary lookups instead
of a scan); two-edit neighbours of long names from a scan of names of about the same
length with the same first letter. The
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

from lexhub.search.names import edits_for_length
from lexhub.store import Store

__all__ = ["Vocabulary", "vocabulary"]


@dataclass
class Vocabulary:
    """Names by one-deletion variant (a name and each string one letter shorter point to
    it: two names within one edit, transpositions included, share a variant) and, for the
    two-edit neighbours of long names, by length and first letter."""

    by_deletion: dict[str, list[str]] = field(default_factory=dict)
    by_length_initial: dict[tuple[int, str], list[str]] = field(default_factory=dict)
    by_ending: dict[str, list[str]] = field(default_factory=dict)  # last 4 letters

    @classmethod
    def of(cls, words: list[str]) -> Vocabulary:
        deletions: dict[str, list[str]] = defaultdict(list)
        buckets: dict[tuple[int, str], list[str]] = defaultdict(list)
        endings: dict[str, list[str]] = defaultdict(list)
        for w in words:
            if len(w) >= 6:
                endings[w[-4:]].append(w)
            for variant in _deletions(w):
                deletions[variant].append(w)
            if len(w) >= 6:
                buckets[(len(w), w[0])].append(w)
        return cls(dict(deletions), dict(buckets), dict(endings))

    def clipped(self, word: str, limit: int = 4) -> list[str]:
        """Longer names that `word` (four letters or more) ends: the clipped forms of given
        names that nickname tables miss (LIAM of WILLIAM, TOPHER of CHRISTOPHER)."""
        if len(word) < 4:
            return []
        found = [w for w in self.by_ending.get(word[-4:], ()) if w != word and w.endswith(word)]
        return sorted(found, key=lambda w: (len(w), w))[:limit]

    def near(self, word: str, limit: int = 12) -> list[str]:
        """Indexed names within the edits the longer of `word` and the name allows (OSA: a
        transposition is one; names.py says why the longer), nearest first, without `word`
        itself: KOL finds KOLB, WIKLIMS finds WILLIAMS."""
        found: dict[str, int] = {}
        for variant in _deletions(word):
            for choice in self.by_deletion.get(variant, ()):
                if choice != word and choice not in found and _allows(word, choice, 1):
                    d = OSA.distance(word, choice, score_cutoff=1)
                    if d <= 1:
                        found[choice] = d
        for n in range(len(word) - 2, len(word) + 3):
            if edits_for_length(max(n, len(word))) < 2:
                continue
            choices = self.by_length_initial.get((n, word[0]))
            if not choices:
                continue
            for choice, dist, _ in process.extract(
                word, choices, scorer=OSA.distance, score_cutoff=2, limit=limit
            ):
                if choice != word and choice not in found:
                    found[choice] = int(dist)
        ranked = sorted(found.items(), key=lambda item: (item[1], item[0]))
        return [w for w, _ in ranked[:limit]]


def _allows(a: str, b: str, edits: int) -> bool:
    return edits_for_length(max(len(a), len(b))) >= edits


def _deletions(word: str) -> list[str]:
    return [word, *(word[:i] + word[i + 1 :] for i in range(len(word)))]


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
