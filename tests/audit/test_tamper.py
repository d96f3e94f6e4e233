"""Tampering, each way the issue names, in the database (both engines) and in an export
verified with only the public keys: every one is caught, and named."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from lexhub.audit import (
    create_checkpoint,
    ensure_audit_key,
    export_log,
    read_export,
    record_event,
    verify_entries,
    verify_export,
    verify_store,
)
from lexhub.audit.chain import canonical, entry_hash
from lexhub.audit.checkpoint import checkpoint_from_dict, checkpoint_to_dict, sign_checkpoint
from lexhub.audit.keys import key_id_of, public_key_of
from lexhub.model.audit import AuditEntry
from lexhub.store import Store, open_store
from tests.audit.conftest import T0, Clock, Raw, allow_tampering, search_event


@pytest.fixture
def signed(store: Store, log: list[AuditEntry], key_dir: Path, raw: Raw) -> Raw:
    """Seven entries, a checkpoint over all of them, and the triggers gone."""
    create_checkpoint(store, key_dir, now=Clock(T0 + timedelta(hours=1)))
    assert verify_store(store).ok
    allow_tampering(raw)
    return raw


def _rechain(raw: Raw, rows: list[tuple[int, str]]) -> None:
    """Rewrite seq/body rows as a careful forger would: fresh, consistent hashes."""
    prev = "0" * 64
    for seq, body in rows:
        h = entry_hash(prev, body)
        raw("UPDATE audit_entries SET body = ?, prev_hash = ?, hash = ? WHERE seq = ?",
            body, prev, h, seq)  # fmt: skip
        prev = h
    raw("UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", rows[-1][0], prev)


def _bodies(raw: Raw) -> list[tuple[int, str]]:
    return [(int(s), b) for s, b in raw("SELECT seq, body FROM audit_entries ORDER BY seq")]


def change_one(raw: Raw) -> None:
    raw("UPDATE audit_entries SET body = replace(body, 'INC-2', 'INC-9') WHERE seq = 4")


def change_and_rehash(raw: Raw) -> None:
    rows = _bodies(raw)
    rows[3] = (4, rows[3][1].replace("INC-2", "INC-9"))
    _rechain(raw, rows)


def remove_one(raw: Raw) -> None:
    raw("DELETE FROM audit_entries WHERE seq = 4")


def insert_one(raw: Raw) -> None:
    for seq in (7, 6, 5, 4):
        raw("UPDATE audit_entries SET seq = ? WHERE seq = ?", seq + 1, seq)
    [(prev,)] = raw("SELECT hash FROM audit_entries WHERE seq = 3")
    body = canonical({**json.loads(_bodies(raw)[2][1]), "seq": 4})
    raw("INSERT INTO audit_entries (seq, at, kind, body, prev_hash, hash)"
        " VALUES (4, ?, 'search', ?, ?, ?)", T0.isoformat(), body, prev,
        entry_hash(prev, body))  # fmt: skip


def reorder_two(raw: Raw) -> None:
    raw("UPDATE audit_entries SET seq = -1 WHERE seq = 4")
    raw("UPDATE audit_entries SET seq = 4 WHERE seq = 5")
    raw("UPDATE audit_entries SET seq = 5 WHERE seq = -1")


def truncate_tail(raw: Raw) -> None:
    raw("DELETE FROM audit_entries WHERE seq > 5")
    [(h,)] = raw("SELECT hash FROM audit_entries WHERE seq = 5")
    raw("UPDATE audit_head SET seq = 5, hash = ? WHERE id = 1", h)


def foreign_checkpoint(raw: Raw) -> None:
    private = Ed25519PrivateKey.generate()
    key_id = key_id_of(public_key_of(private))
    [(h,)] = raw("SELECT hash FROM audit_entries WHERE seq = 7")
    c = sign_checkpoint(private, key_id, 7, h, T0 + timedelta(hours=2))
    raw("INSERT INTO audit_checkpoints (size, head, at, key_id, signature) VALUES (?,?,?,?,?)",
        7, h, c.at.isoformat(), key_id, c.signature)  # fmt: skip


TAMPERS: dict[str, tuple[Callable[[Raw], None], str]] = {
    "changed": (change_one, "entry 4: hash does not match its content (changed)"),
    "changed-and-rehashed": (
        change_and_rehash,
        "checkpoint of 7 entries signed by {key}: entries 1..7 are not the ones it signed",
    ),
    "removed": (remove_one, "position 4 holds entry 5: an entry was removed"),
    "inserted": (insert_one, "entry 5: its body says seq 4 (changed or moved)"),
    "reordered": (reorder_two, "entry 4: does not link to the entry before it"),
    "truncated": (
        truncate_tail,
        "checkpoint of 7 entries signed by {key}: the log has only 5 entries",
    ),
    "unknown-key": (foreign_checkpoint, "is not on record"),
}


_TABLES = {
    "audit_entries": "seq, at, kind, agency, username, body, prev_hash, hash",
    "audit_head": "id, seq, hash",
    "audit_checkpoints": "id, size, head, at, key_id, signature",
}


def _snapshot(raw: Raw) -> dict[str, list[tuple[object, ...]]]:
    return {t: raw(f"SELECT {cols} FROM {t}") for t, cols in _TABLES.items()}


def _restore(raw: Raw, snap: dict[str, list[tuple[object, ...]]]) -> None:
    for table, cols in _TABLES.items():
        raw(f"DELETE FROM {table}")
        marks = ", ".join("?" * len(cols.split(",")))
        for row in snap[table]:
            raw(f"INSERT INTO {table} ({cols}) VALUES ({marks})", *row)


def test_each_tampering_of_the_database_fails_verification(store: Store, signed: Raw) -> None:
    """Every tampering on the same signed log, restored in between (one database per
    engine keeps this fast)."""
    [key] = store.audit_keys()
    snap = _snapshot(signed)
    for how, (tamper, expected) in TAMPERS.items():
        tamper(signed)
        report = verify_store(store)
        wanted = expected.format(key=key.key_id)
        assert any(wanted in p for p in report.problems), (how, report.problems)
        _restore(signed, snap)
        assert verify_store(store).ok, f"restoring after {how} failed"


def test_key_slipped_into_the_database_is_not_trusted(
    store: Store, signed: Raw, tmp_path: Path
) -> None:
    trusted = store.audit_keys()
    foreign_checkpoint(signed)
    [(key_id,)] = signed("SELECT key_id FROM audit_checkpoints WHERE id = 2")
    signed("INSERT INTO audit_keys (key_id, public_key, created_at) VALUES (?, ?, ?)",
           key_id, "A" * 43 + "=", T0.isoformat())  # fmt: skip
    assert not verify_store(store).ok  # the slipped-in key does not match its signature
    report = verify_store(store, keys=trusted)
    assert any(f"key {key_id} is not on record" in p for p in report.problems)


# -- the export, verified offline ---------------------------------------------------------


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> tuple[list[str], list[object]]:
    """An export's lines and the trusted keys, built once (SQLite; the format is the same
    whichever engine wrote it)."""
    d = tmp_path_factory.mktemp("export")
    clock = Clock()
    with open_store(f"sqlite:///{d}/n.db") as s:
        s.migrate()
        ensure_audit_key(s, d / "keys", now=clock)
        for i in range(5):
            record_event(s, search_event(i), now=clock)
        create_checkpoint(s, d / "keys", now=clock)
        export_log(s, d / "log.jsonl", actor="aud", now=clock)
        keys = list(s.audit_keys())
    return (d / "log.jsonl").read_text().splitlines(), keys


def _verify_lines(lines: list[str], keys: list[object], tmp_path: Path) -> list[str]:
    path = tmp_path / "t.jsonl"
    path.write_text("\n".join(lines) + "\n")
    report = verify_export(read_export(path), keys)  # type: ignore[arg-type]
    return report.problems


def _entry_line_index(lines: list[str], seq: int) -> int:
    return next(i for i, ln in enumerate(lines) if f'"type": "entry", "seq": {seq},' in ln)


def test_untouched_export_verifies(
    exported: tuple[list[str], list[object]], tmp_path: Path
) -> None:
    lines, keys = exported
    assert _verify_lines(lines, keys, tmp_path) == []


def _ex_change(lines: list[str]) -> None:
    i = _entry_line_index(lines, 3)
    lines[i] = lines[i].replace("INC-1", "INC-8")


def _ex_remove(lines: list[str]) -> None:
    del lines[_entry_line_index(lines, 3)]


def _ex_insert(lines: list[str]) -> None:
    i = _entry_line_index(lines, 3)
    lines.insert(i, lines[i])


def _ex_reorder(lines: list[str]) -> None:
    i = _entry_line_index(lines, 3)
    lines[i], lines[i + 1] = lines[i + 1], lines[i]


def _ex_truncate(lines: list[str]) -> None:
    for seq in (7, 6):
        del lines[_entry_line_index(lines, seq)]
    header = json.loads(lines[0])
    lines[0] = json.dumps({**header, "size": 5})


def _ex_foreign(lines: list[str]) -> None:
    private = Ed25519PrivateKey.generate()
    key_id = key_id_of(public_key_of(private))
    c = sign_checkpoint(private, key_id, 1, "00" * 32, T0)
    lines.append(json.dumps({"type": "checkpoint", **checkpoint_to_dict(c)}))


EXPORT_TAMPERS = {
    "changed": (_ex_change, "entry 3: hash does not match its content (changed)"),
    "removed": (_ex_remove, "position 3 holds entry 4"),
    "inserted": (_ex_insert, "position 4 holds entry 3"),
    "reordered": (_ex_reorder, "position 3 holds entry 4"),
    "truncated": (_ex_truncate, "the log has only 5 entries (its tail was cut off)"),
    "unknown-key": (_ex_foreign, "is not on record"),
}


@pytest.mark.parametrize("how", list(EXPORT_TAMPERS))
def test_tampered_export_fails_verification(
    exported: tuple[list[str], list[object]], tmp_path: Path, how: str
) -> None:
    lines, keys = list(exported[0]), exported[1]
    tamper, expected = EXPORT_TAMPERS[how]
    tamper(lines)
    problems = _verify_lines(lines, keys, tmp_path)
    assert any(expected in p for p in problems), problems


@settings(max_examples=60, deadline=None)
@given(data=st.data())
def test_any_changed_character_fails_verification(
    exported: tuple[list[str], list[object]], data: st.DataObject
) -> None:
    lines, keys = exported
    entries = [AuditEntry(d["seq"], d["body"], d["prev_hash"], d["hash"])
               for d in map(json.loads, lines[1:]) if d.get("type") == "entry"]  # fmt: skip
    checkpoints = [
        checkpoint_from_dict(d) for d in map(json.loads, lines[1:]) if d["type"] == "checkpoint"
    ]
    i = data.draw(st.integers(0, len(entries) - 1), label="entry")
    field = data.draw(st.sampled_from(["body", "prev_hash", "hash"]), label="field")
    text = getattr(entries[i], field)
    j = data.draw(st.integers(0, len(text) - 1), label="position")
    new = data.draw(st.characters(codec="utf-8").filter(lambda c: c != text[j]), label="char")
    changed = text[:j] + new + text[j + 1 :]
    forged = AuditEntry(**{**vars(entries[i]), field: changed})
    tampered = [*entries[:i], forged, *entries[i + 1 :]]
    assert verify_entries(entries, checkpoints, keys).ok  # type: ignore[arg-type]
    assert not verify_entries(tampered, checkpoints, keys).ok  # type: ignore[arg-type]


def test_rewrite_resigned_with_the_key_is_caught_by_an_earlier_export(
    store: Store, signed: Raw, key_dir: Path, tmp_path: Path
) -> None:
    """An operator with the database AND the key rewrites the log and signs it again: the
    log agrees with itself, but not with the copy an auditor took earlier (witnessing)."""
    export_log(store, tmp_path / "earlier.jsonl", actor="aud")
    earlier = read_export(tmp_path / "earlier.jsonl")
    anchor = earlier.anchor("earlier.jsonl")
    assert anchor is not None
    assert verify_store(store, anchors=[anchor], extra_checkpoints=earlier.checkpoints).ok

    change_and_rehash(signed)
    signed("DELETE FROM audit_checkpoints")
    create_checkpoint(store, key_dir, now=Clock(T0 + timedelta(hours=3)))
    assert verify_store(store).ok  # consistent with itself: what one copy cannot show
    report = verify_store(store, anchors=[anchor], extra_checkpoints=earlier.checkpoints)
    assert "earlier.jsonl: entries 1..8 differ from the log's" in report.problems
    assert any("entries 1..7 are not the ones it signed" in p for p in report.problems)
