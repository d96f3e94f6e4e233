"""Rows to domain values for the reads both engines share.

Engines return the same columns in different Python types (SQLite: ISO text and JSON
text; PostgreSQL: datetime and parsed jsonb); these functions accept either.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from lexhub.model import Agency, AgencyKind, Contact, record_from_dict
from lexhub.store.base import BatchInfo, RecordStatus, StoredRecord

__all__ = [
    "AGENCY_COLUMNS",
    "BATCH_SELECT",
    "VERSION_SELECT",
    "agency_from_row",
    "as_datetime",
    "batch_from_row",
    "stored_from_row",
]

AGENCY_COLUMNS = "id, name, state, kind, time_zone, contact_unit, contact_phone, contact_email"

VERSION_SELECT = (
    "SELECT r.id, r.owner, r.source_id, r.status, v.version, v.digest, v.loaded_at,"
    " v.batch_id, v.content FROM records r JOIN record_versions v ON v.record_id = r.id"
)

BATCH_SELECT = (
    "SELECT id, owner, source, status, started_at, finished_at, counts FROM batches WHERE id = ?"
)


def as_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def agency_from_row(row: Sequence[Any]) -> Agency:
    return Agency(
        row[0], row[1], row[2], AgencyKind(row[3]), row[4], Contact(row[5], row[6], row[7])
    )


def stored_from_row(row: Sequence[Any]) -> StoredRecord:
    """A VERSION_SELECT row; `record` is None when the content was expunged."""
    content = _json(row[8])
    return StoredRecord(
        record_id=int(row[0]),
        owner=row[1],
        source_id=row[2],
        status=RecordStatus(row[3]),
        version=int(row[4]),
        digest=row[5],
        loaded_at=as_datetime(row[6]),
        batch_id=row[7],
        record=None if content is None else record_from_dict(content),
    )


def batch_from_row(row: Sequence[Any]) -> BatchInfo:
    started = as_datetime(row[4])
    if started is None:  # NOT NULL in both schemas
        raise ValueError(f"batch {row[0]} has no start time")
    return BatchInfo(
        row[0], row[1], row[2], row[3], started, as_datetime(row[5]), dict(_json(row[6]) or {})
    )
