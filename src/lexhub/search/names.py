"""How alike two names are, and why, in the words an investigator reads.

Fuzziness grows with length: names of three letters or fewer must be spelled the same (or
sound the same, which counts for less), four to seven letters allow one edit, eight or
more two, with a transposition counting as one edit (optimal string alignment). So Li,
Ng and Kim do not match every short name, while Johnsno still finds Johnson. Between two
names of different lengths the longer one decides: a slip that drops a letter makes the
typed name shorter than the name it was meant to be (KOL for KOLB, WIKLIMS for WILLIAMS),
so the allowance must not shrink with the slip.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from rapidfuzz.distance import OSA, JaroWinkler

from lexhub.normalize import compact, nickname_forms, phonetic_keys, surname_parts

__all__ = ["NameMatch", "allowed_edits", "compare_first", "compare_last", "edits_for_length"]


@dataclass(frozen=True)
class NameMatch:
    score: float  # 0..1
    how: str  # "exact", "phonetic", "typo", "nickname", "initial", "compound", "similar"
    text: str  # "phonetic SMITH ~ SMYTH"


def allowed_edits(name: str) -> int:
    return edits_for_length(len(name))


def edits_for_length(n: int) -> int:
    return 0 if n <= 3 else 1 if n <= 7 else 2


def _edits(a: str, b: str) -> int | None:
    """Edits between a and b if within what the longer name allows, else None."""
    limit = allowed_edits(max(a, b, key=len))
    if limit == 0 or abs(len(a) - len(b)) > limit:
        return None
    d = OSA.distance(a, b, score_cutoff=limit)
    return d if d <= limit else None


def _phonetic(a: str, b: str) -> bool:
    return not set(phonetic_keys(a)).isdisjoint(phonetic_keys(b))


def _common(q: str, r: str) -> NameMatch | None:
    if q == r:
        return NameMatch(1.0, "exact", f"exact {r}")
    d = _edits(q, r)
    if d is not None:
        score = 0.88 if d == 1 else 0.78
        return NameMatch(score, "typo", f"spelling {q} ~ {r} ({d} edit{'s' * (d > 1)})")
    # Sounding alike is evidence only for names that also look alike: Double Metaphone
    # and NYSIIS alone put REID with ROHDE and JOHN with JAIME.
    short = min(len(q), len(r)) <= 3
    if short and abs(len(q) - len(r)) > 1:
        return None
    if _phonetic(q, r) and JaroWinkler.similarity(q, r) >= 0.8:
        score = 0.55 if short else 0.8
        return NameMatch(score, "phonetic", f"phonetic {q} ~ {r}")
    return None


@lru_cache(maxsize=1 << 16)
def compare_last(query: str, record: str) -> NameMatch | None:
    """A query surname against a recorded one (both as typed or folded). Cached: the
    same pairs recur across candidates (every JOHN)."""
    q, r = compact(query), compact(record)
    if not q or not r:
        return None
    found = _common(q, r)
    if found is not None:
        return found
    q_parts, r_parts = surname_parts(query), surname_parts(record)
    if len(r_parts) > 1 and q in r_parts or len(q_parts) > 1 and r in q_parts:
        return NameMatch(0.9, "compound", f"one part of compound surname {q} ~ {r}")
    for qp in q_parts:
        for rp in r_parts:
            if (qp, rp) != (q, r) and (part := _common(qp, rp)) and part.how != "phonetic":
                return NameMatch(0.7, "compound", f"compound surname part {qp} ~ {rp}")
    jw = JaroWinkler.similarity(q, r)
    if jw >= 0.9 and min(len(q), len(r)) >= 5:
        return NameMatch(0.6, "similar", f"similar {q} ~ {r}")
    return None


@lru_cache(maxsize=1 << 16)
def compare_first(query: str, record: str) -> NameMatch | None:
    """A query given name against a recorded one: also nicknames and initials."""
    q, r = compact(query), compact(record)
    if not q or not r:
        return None
    if q == r:
        return NameMatch(1.0, "exact", f"exact {r}")
    if len(q) == 1 or len(r) == 1:
        if q[0] == r[0]:
            return NameMatch(0.6, "initial", f"initial {q} = {r}")
        return None
    if (
        q in nickname_forms(r)
        or r in nickname_forms(q)
        or (nickname_forms(q) & nickname_forms(r) - {q, r})
    ):
        return NameMatch(0.9, "nickname", f"nickname {q} = {r}")
    found = _common(q, r)
    if found is not None:
        return found
    if len(q) >= 3 and r.startswith(q):
        return NameMatch(0.65, "prefix", f"{q} begins {r}")
    if min(len(q), len(r)) >= 4 and (r.endswith(q) or q.endswith(r)):
        return NameMatch(0.7, "clipped", f"short form {q} ~ {r}")
    jw = JaroWinkler.similarity(q, r)
    if jw >= 0.9 and min(len(q), len(r)) >= 5:
        return NameMatch(0.6, "similar", f"similar {q} ~ {r}")
    return None
