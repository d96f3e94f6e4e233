"""The packed form of a prepared record (store/rows.py): what the ingest worker sends and
the store writes. It must decode to what it was made from, survive pickling, and write
exactly the rows the unpacked PreparedRecord writes."""

from __future__ import annotations

import pickle
from dataclasses import replace

from lexhub.model import MentionIndex, canonical_json
from lexhub.store import PreparedRecord, Store
from lexhub.store.rows import PackedRecord, as_packed, pack
from tests.store.conftest import Raw
from tests.store.helpers import OWNER, person, prepared, record


def _with_repeated_key(p: PreparedRecord) -> PreparedRecord:
    """A normalizer that emits a key twice must not fail a batch (primary key)."""
    first: MentionIndex = p.index.mentions[0]
    doubled = replace(first, keys=(*first.keys, first.keys[0]), profile={"ph": ["+12065550142"]})
    return replace(p, index=replace(p.index, mentions=(doubled, *p.index.mentions[1:])))


def test_packed_record_decodes_to_what_it_was_made_from() -> None:
    p = _with_repeated_key(prepared(record("R1", persons=(person("P1"), person("P2", "Other")))))
    packed = as_packed(p)
    assert packed.key == (OWNER, "R1") and packed.digest == p.digest
    assert packed.record == p.record
    assert packed.content == p.content
    assert packed.content_json == canonical_json(p.content)
    first = p.index.mentions[0]
    assert packed.index.mentions[0] == replace(first, keys=tuple(dict.fromkeys(first.keys)))
    assert packed.index.mentions[1:] == p.index.mentions[1:]
    assert packed.index.keys == p.index.keys


def test_packed_record_survives_pickling_as_its_flat_tuple() -> None:
    p = prepared(record("R1"))
    flat = pack(p.record, canonical_json(p.content), p.digest, p.index)
    again = PackedRecord(*pickle.loads(pickle.dumps(flat)))
    assert again.record == p.record and again.index.mentions == p.index.mentions


def _rows(raw: Raw) -> list[tuple[object, ...]]:
    return sorted(
        raw("SELECT kind, key FROM mention_keys")
        + raw("SELECT 'mention', keys, coalesce(profile, '-') FROM mentions")
        + raw("SELECT kind, key FROM record_keys")
        + raw("SELECT 'record', type, sensitivity, offcats, digest FROM records")
    )


def test_packed_and_plain_records_write_the_same_rows(region: Store, raw: Raw) -> None:
    plain = _with_repeated_key(prepared(record("R1")))
    with region.transaction() as tx:
        tx.write_records("b1", [plain])
        tx.commit()
    written_plain = _rows(raw)
    with region.transaction() as tx:
        tx.retract(OWNER, ["R1"], "b2")
        tx.commit()
    assert not raw("SELECT * FROM mention_keys")
    with region.transaction() as tx:
        tx.write_records("b3", [as_packed(plain)])
        tx.commit()
    assert _rows(raw) == written_plain
    stored = region.get_record(OWNER, "R1")
    assert stored is not None and stored.version == 2 and stored.record == plain.record
