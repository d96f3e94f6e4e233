"""What a record contributes to the search indexes, computed once at ingest.

`normalize.index_record` produces a `RecordIndex`; the store writes it beside the record's
content and deletes it on retraction and expungement. Keys are (kind, value) pairs; the
kinds are listed in `normalize/keys.py` and `docs/normalization.md`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MentionIndex", "RecordIndex", "SearchKey"]

SearchKey = tuple[str, str]


@dataclass(frozen=True)
class MentionIndex:
    """One person mention's normalized columns (for scoring and filters) and blocking keys."""

    ref: str
    role: str
    last: str | None
    first: str | None
    middle: str | None
    dob: str | None  # YYYY, YYYY-MM or YYYY-MM-DD
    dob_year: int | None
    sex: str | None
    race: str | None
    height_in: int | None
    weight_lb: int | None
    keys: tuple[SearchKey, ...]
    # The scoring fields without a column of their own, stored as compact JSON (schema 2):
    # "a": aliases [[last, first, middle]], "m": monikers, "ph": phones (E.164 or digits),
    # "ad": addresses [[key, street key, text]], "mk": marks [[code, type, part, side,
    # description]], "id": identifiers [[kind, issuer, value]], "eye", "hair", "sfx".
    # Only non-empty entries are present.
    profile: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordIndex:
    """Record-level keys (plates, record phones, location addresses, offenses) and mentions."""

    keys: tuple[SearchKey, ...]
    mentions: tuple[MentionIndex, ...]
    offense_categories: tuple[str, ...] = ()  # NIBRS categories of the record's offenses
