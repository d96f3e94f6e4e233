"""Rows for the tables a record version fills, built once for both engines.

A `PreparedRecord` becomes one `records` row, one `record_versions` row, and the index
rows of an ACTIVE record: mentions, mention keys, record keys and the narrative. Ids are
allocated by the engine before the rows are built, so every table can be written in bulk
(executemany on SQLite, COPY on PostgreSQL) without a round trip per row.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from lexhub.model import canonical_json
from lexhub.store.base import PreparedRecord

__all__ = ["COLUMNS", "IndexRows", "build_index_rows", "mention_count", "offcats_column"]

# table -> the columns `build_index_rows` fills, in order ("{narrative_id}" is the
# engine's name for the record id in the narratives table).
COLUMNS = {
    "records": "id, owner, source_id, type, status, version, digest, sensitivity, occurred,"
    " batch_id, updated_at, offcats",
    "record_versions": "record_id, version, content, digest, batch_id, loaded_at",
    "mentions": "id, record_id, owner, type, sensitivity, ref, role, last, first, middle, dob,"
    " dob_year, sex, race, height_in, weight_lb, keys, profile, offcats",
    "mention_keys": "kind, key, mention_id",
    "record_keys": "kind, key, record_id",
    "narratives": "{narrative_id}, body",
}

Row = tuple[Any, ...]

_KEYS_JSON = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode


@dataclass
class IndexRows:
    """Everything to insert for a set of records being written as new versions."""

    versions: list[Row] = field(default_factory=list)
    mentions: list[Row] = field(default_factory=list)
    mention_keys: list[Row] = field(default_factory=list)
    record_keys: list[Row] = field(default_factory=list)
    narratives: list[Row] = field(default_factory=list)


def mention_count(records: Sequence[PreparedRecord]) -> int:
    return sum(len(p.index.mentions) for p in records)


def build_index_rows(
    items: Sequence[tuple[int, int, PreparedRecord]],
    mention_ids: Iterator[int],
    batch_id: str,
    loaded_at: datetime | str,
    content: Callable[[str], Any] = lambda text: text,
) -> IndexRows:
    """Rows for `(record_id, version, prepared)` items; each mention takes the next of
    `mention_ids` (allocated by the engine). Column orders match `sql.py`'s COLUMNS.

    Keys are de-duplicated per mention/record: the primary key forbids repeats, and a
    normalizer that emits a key twice must not fail a batch."""
    out = IndexRows()
    for record_id, version, p in items:
        r = p.record
        offcats = offcats_column(p.index.offense_categories)
        out.versions.append(
            (record_id, version, content(canonical_json(p.content)), p.digest, batch_id, loaded_at)
        )
        for m in p.index.mentions:
            mention_id = next(mention_ids)
            keys = list(dict.fromkeys(m.keys))
            out.mentions.append(
                (
                    mention_id, record_id, r.owner, r.type.value, r.sensitivity.value,
                    m.ref, m.role, m.last, m.first, m.middle, m.dob, m.dob_year,
                    m.sex, m.race, m.height_in, m.weight_lb,
                    _KEYS_JSON(keys), _KEYS_JSON(m.profile) if m.profile else None, offcats,
                )
            )  # fmt: skip
            out.mention_keys.extend((kind, key, mention_id) for kind, key in keys)
        for kind, key in dict.fromkeys(p.index.keys):
            out.record_keys.append((kind, key, record_id))
        if r.narrative:
            out.narratives.append((record_id, r.narrative))
    # Inserting in key order turns random b-tree inserts into mostly sequential ones.
    out.mention_keys.sort(key=_key_order)
    out.record_keys.sort(key=_key_order)
    return out


def offcats_column(categories: Sequence[str]) -> str:
    """ " a b " form: `offcats LIKE '% a %'` tests one category on both engines."""
    return f" {' '.join(sorted(categories))} " if categories else " "


def _key_order(row: Row) -> str:
    """(kind, key) order as one string: a fraction of the cost of comparing tuples."""
    return f"{row[0]}\x00{row[1]}"
