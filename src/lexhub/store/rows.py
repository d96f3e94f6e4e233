"""Rows for the tables a record version fills, built once for both engines.

A `PreparedRecord` becomes one `records` row, one `record_versions` row, and the index
rows of an ACTIVE record: mentions, mention keys, record keys and the narrative. Ids are
allocated by the engine before the rows are built, so every table can be written in bulk
(executemany on SQLite, COPY on PostgreSQL) without a round trip per row.

Everything in those rows except ids, versions and times is known once a record is
prepared, so it is computed there, as flat values (`PackedRecord`): in the ingest worker,
whose output then pickles as strings and tuples instead of a graph of frozen dataclasses
(about a fifth of the cost to pickle and unpickle), and the loading process only numbers
and sorts the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain
from typing import Any

import orjson

from lexhub.model import (
    MentionIndex,
    Record,
    RecordIndex,
    canonical_json,
    record_from_dict,
    record_to_dict,
)
from lexhub.store.base import PreparedRecord

__all__ = [
    "COLUMNS",
    "IndexRows",
    "Packed",
    "PackedRecord",
    "as_packed",
    "build_index_rows",
    "content_of",
    "day",
    "mention_count",
    "offcats_column",
    "pack",
]

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
# A mention as (the mentions row after its two ids, its keys flattened: kind, key, kind, ...).
PackedMention = tuple[Row, tuple[str, ...]]
# The arguments of PackedRecord, in order: what crosses the pipe from the ingest worker.
Packed = tuple[
    str, str, str, str, str, str | None, str, str, str | None, tuple[PackedMention, ...],
    tuple[str, ...],
]  # fmt: skip


def _json(value: Any) -> str:
    return orjson.dumps(value).decode("utf-8")


def offcats_column(categories: Sequence[str]) -> str:
    """ " a b " form: `offcats LIKE '% a %'` tests one category on both engines."""
    return f" {' '.join(sorted(categories))} " if categories else " "


def pack(record: Record, content: str, digest: str, index: RecordIndex) -> Packed:
    """The flat form of a prepared record; `content` is its canonical JSON.

    Keys are de-duplicated per mention/record: the primary key forbids repeats, and a
    normalizer that emits a key twice must not fail a batch."""
    owner, kind, sensitivity = record.owner, record.type.value, record.sensitivity.value
    offcats = offcats_column(index.offense_categories)
    mentions = []
    for m in index.mentions:
        keys = list(dict.fromkeys(m.keys))
        tail = (
            owner, kind, sensitivity, m.ref, m.role, m.last, m.first, m.middle, m.dob,
            m.dob_year, m.sex, m.race, m.height_in, m.weight_lb, _json(keys),
            _json(m.profile) if m.profile else None, offcats,
        )  # fmt: skip
        mentions.append((tail, tuple(chain.from_iterable(keys))))
    record_keys = tuple(chain.from_iterable(dict.fromkeys(index.keys)))
    occurred = record.occurred.isoformat() if record.occurred else None
    return (
        owner, record.source_id, digest, kind, sensitivity, occurred, offcats, content,
        record.narrative, tuple(mentions), record_keys,
    )  # fmt: skip


class PackedRecord(PreparedRecord):
    """A `PreparedRecord` held as the values of its rows (`pack`). The store writes these
    directly; `record`, `content` and `index` are decoded from them on first use only
    (the loader never needs them; tests and callers that look may)."""

    owner: str
    source_id: str
    type_value: str
    sensitivity_value: str
    occurred_iso: str | None
    offcats: str
    content_json: str
    narrative: str | None
    mentions: tuple[PackedMention, ...]
    record_keys: tuple[str, ...]

    def __init__(
        self,
        owner: str,
        source_id: str,
        digest: str,
        type_value: str,
        sensitivity_value: str,
        occurred_iso: str | None,
        offcats: str,
        content_json: str,
        narrative: str | None,
        mentions: tuple[PackedMention, ...],
        record_keys: tuple[str, ...],
    ) -> None:
        # PreparedRecord is frozen: set the fields as its own __init__ would.
        put = object.__setattr__
        put(self, "owner", owner)
        put(self, "source_id", source_id)
        put(self, "digest", digest)
        put(self, "type_value", type_value)
        put(self, "sensitivity_value", sensitivity_value)
        put(self, "occurred_iso", occurred_iso)
        put(self, "offcats", offcats)
        put(self, "content_json", content_json)
        put(self, "narrative", narrative)
        put(self, "mentions", mentions)
        put(self, "record_keys", record_keys)

    @classmethod
    def of(cls, record: Record, content: str, digest: str, index: RecordIndex) -> PackedRecord:
        return cls(*pack(record, content, digest, index))

    @property
    def key(self) -> tuple[str, str]:
        return self.owner, self.source_id

    @property
    def record(self) -> Record:
        return record_from_dict(self.content)

    @property
    def content(self) -> dict[str, Any]:
        decoded: dict[str, Any] = orjson.loads(self.content_json)
        return decoded

    @property
    def index(self) -> RecordIndex:
        mentions = []
        for tail, flat in self.mentions:
            ref, role, last, first, middle, dob, dob_year, sex, race, height, weight = tail[3:14]
            keys = tuple(zip(flat[::2], flat[1::2], strict=True))
            profile = orjson.loads(tail[15]) if tail[15] else {}
            mentions.append(
                MentionIndex(
                    ref,
                    role,
                    last,
                    first,
                    middle,
                    dob,
                    dob_year,
                    sex,
                    race,
                    height,
                    weight,
                    keys,
                    profile,
                )  # fmt: skip
            )
        record_keys = tuple(zip(self.record_keys[::2], self.record_keys[1::2], strict=True))
        return RecordIndex(record_keys, tuple(mentions), tuple(self.offcats.split()))


def as_packed(p: PreparedRecord) -> PackedRecord:
    if isinstance(p, PackedRecord):
        return p
    return PackedRecord.of(p.record, canonical_json(p.content), p.digest, p.index)


@dataclass
class IndexRows:
    """Everything to insert for a set of records being written as new versions."""

    versions: list[Row] = field(default_factory=list)
    mentions: list[Row] = field(default_factory=list)
    mention_keys: list[Row] = field(default_factory=list)
    record_keys: list[Row] = field(default_factory=list)
    narratives: list[Row] = field(default_factory=list)


def mention_count(records: Sequence[PackedRecord]) -> int:
    return sum(len(p.mentions) for p in records)


def build_index_rows(
    items: Sequence[tuple[int, int, PackedRecord]],
    mention_ids: Iterator[int],
    batch_id: str,
    loaded_at: datetime | str,
    content: Callable[[str], Any] = lambda text: text,
) -> IndexRows:
    """Rows for `(record_id, version, packed)` items; each mention takes the next of
    `mention_ids` (allocated by the engine). Column orders are COLUMNS'."""
    out = IndexRows()
    versions, mentions, narratives = out.versions, out.mentions, out.narratives
    mention_keys, record_keys = out.mention_keys, out.record_keys
    for record_id, version, p in items:
        versions.append(
            (record_id, version, content(p.content_json), p.digest, batch_id, loaded_at)
        )
        for tail, flat in p.mentions:
            mention_id = next(mention_ids)
            mentions.append((mention_id, record_id, *tail))
            it = iter(flat)
            mention_keys.extend([(kind, key, mention_id) for kind, key in zip(it, it, strict=True)])
        it = iter(p.record_keys)
        record_keys.extend([(kind, key, record_id) for kind, key in zip(it, it, strict=True)])
        if p.narrative:
            narratives.append((record_id, p.narrative))
    # Inserting in key order turns random b-tree inserts into mostly sequential ones.
    mention_keys.sort(key=_key_order)
    record_keys.sort(key=_key_order)
    return out


def day(iso: str | None) -> date | None:
    return None if iso is None else date.fromisoformat(iso)


def _key_order(row: Row) -> str:
    """(kind, key) order as one string: a fraction of the cost of comparing tuples."""
    return f"{row[0]}\x00{row[1]}"


def content_of(record: Record) -> str:
    """The canonical JSON a version stores for a (normalized) record."""
    return canonical_json(record_to_dict(record))
