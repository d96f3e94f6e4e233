"""The bulk write plan shared by both engines, and deletion of a record's index rows.

`write_records` does what needs answers at once (which records exist, their versions, old
index rows to drop, ids for new rows) on the caller's thread, then hands every INSERT to
the store's writer thread in one list, parents before children.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from lexhub.errors import StoreError
from lexhub.store.base import PreparedRecord, RecordStatus
from lexhub.store.linkage_sql import forget_linkage
from lexhub.store.rows import PackedRecord, as_packed, build_index_rows, day, mention_count

if TYPE_CHECKING:
    from lexhub.store.sql import SqlStore

__all__ = ["delete_index_rows", "write_records"]

CHUNK = 500  # ids per IN (...) list: well under both engines' parameter limits


def write_records(store: SqlStore, batch_id: str, records: Sequence[PreparedRecord]) -> None:
    """New records get fresh ids, known ones their next version; index rows of the
    known ones are replaced. Every table is then filled with one bulk call."""
    now = store._ts(datetime.now(UTC))
    packed = [as_packed(p) for p in records]
    current = _current_versions(store, packed)
    gone = [k for k, (_, _, status) in current.items() if status == RecordStatus.EXPUNGED]
    if gone:
        raise StoreError(f"record {gone[0][0]}/{gone[0][1]} is expunged; it may not be written")
    delete_index_rows(store, [rid for rid, _, _ in current.values()])

    new_ids = iter(store._allocate_ids("records", len(packed) - len(current)))
    items: list[tuple[int, int, PackedRecord]] = []
    inserts: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    for p in packed:
        known = current.get(p.key)
        rid, version = (next(new_ids), 1) if known is None else (known[0], known[1] + 1)
        items.append((rid, version, p))
        occurred = store._date(day(p.occurred_iso))
        if known is None:
            inserts.append((rid, p.owner, p.source_id, p.type_value, "active", version,
                            p.digest, p.sensitivity_value, occurred, batch_id, now,
                            p.offcats))  # fmt: skip
        else:
            updates.append((p.type_value, version, p.digest, p.sensitivity_value, occurred,
                            batch_id, now, p.offcats, rid))  # fmt: skip
    store._many(
        "UPDATE records SET type = ?, status = 'active', version = ?, digest = ?,"
        " sensitivity = ?, occurred = ?, batch_id = ?, updated_at = ?, offcats = ?"
        " WHERE id = ?",
        updates,
    )
    mention_ids = iter(store._allocate_ids("mentions", mention_count(packed)))
    rows = build_index_rows(items, mention_ids, batch_id, now, store._content)
    store._submit(
        [
            ("records", inserts),
            ("record_versions", rows.versions),
            ("mentions", rows.mentions),
            ("mention_keys", rows.mention_keys),
            ("record_keys", rows.record_keys),
            ("narratives", rows.narratives),
        ]
    )


def _current_versions(
    store: SqlStore, records: Sequence[PackedRecord]
) -> dict[tuple[str, str], tuple[int, int, str]]:
    """(owner, source_id) -> (id, version, status) of the records already known."""
    by_owner: dict[str, list[str]] = {}
    for p in records:
        by_owner.setdefault(p.owner, []).append(p.source_id)
    out: dict[tuple[str, str], tuple[int, int, str]] = {}
    for owner, sids in by_owner.items():
        for sid, rid, status, version, _ in store._lookup(owner, sids):
            out[(owner, sid)] = (int(rid), int(version), status)
    return out


def delete_index_rows(store: SqlStore, record_ids: Sequence[int]) -> None:
    """Drop the mentions, keys and narrative of these records (caller translates errors)."""
    for start in range(0, len(record_ids), CHUNK):
        part = tuple(record_ids[start : start + CHUNK])
        marks = ",".join("?" * len(part))
        listed = store._x(
            f"SELECT id, keys FROM mentions WHERE record_id IN ({marks})", part
        ).fetchall()
        keys = [(kind, key, mid) for mid, held in listed for kind, key in json.loads(held)]
        forget_linkage(store, [int(mid) for mid, _ in listed])
        store._many("DELETE FROM mention_keys WHERE kind = ? AND key = ? AND mention_id = ?", keys)
        store._x(f"DELETE FROM mentions WHERE record_id IN ({marks})", part)
        store._x(f"DELETE FROM record_keys WHERE record_id IN ({marks})", part)
        store._x(f"DELETE FROM narratives WHERE {store._narrative_id} IN ({marks})", part)
