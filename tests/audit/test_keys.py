"""The audit key: created once, private to its owner, rotatable, old public keys kept."""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization

from lexhub.audit import create_checkpoint, ensure_audit_key, rotate_audit_key, verify_store
from lexhub.audit.checkpoint import sign_checkpoint
from lexhub.audit.keys import private_key_path
from lexhub.errors import AccessDenied, Conflict, NotFound
from lexhub.model.audit import AuditFilter
from lexhub.store import Store
from tests.audit.conftest import Clock


def test_key_is_created_once_and_readable_by_its_owner_only(
    store: Store, key_dir: Path, clock: Clock
) -> None:
    with pytest.raises(NotFound, match="no audit key on record"):
        create_checkpoint(store, key_dir)
    key = ensure_audit_key(store, key_dir, now=clock)
    path = private_key_path(key_dir, key.key_id)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_dir.stat().st_mode) == 0o700
    assert ensure_audit_key(store, key_dir, now=clock) == key  # idempotent
    assert os.listdir(key_dir) == [path.name]
    assert store.audit_keys() == [key]
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")
    assert key.public_key not in path.read_text()  # the database holds the public half only
    [entry] = store.audit_entries(AuditFilter(kind="audit-key"), 10)
    assert entry.data["details"]["key_id"] == key.key_id


def test_unsafe_or_missing_private_key_is_refused(
    store: Store, key_dir: Path, clock: Clock, tmp_path: Path
) -> None:
    key = ensure_audit_key(store, key_dir, now=clock)
    path = private_key_path(key_dir, key.key_id)
    path.chmod(0o644)
    with pytest.raises(AccessDenied, match="readable by others"):
        create_checkpoint(store, key_dir)
    with pytest.raises(Conflict, match="does not exist"):
        ensure_audit_key(store, tmp_path / "elsewhere")


def test_rotation_keeps_old_checkpoints_verifiable(
    store: Store, key_dir: Path, clock: Clock
) -> None:
    old = ensure_audit_key(store, key_dir, now=clock)
    first = create_checkpoint(store, key_dir, now=clock)
    new = rotate_audit_key(store, key_dir, actor="ops", now=clock)
    second = create_checkpoint(store, key_dir, now=clock)
    keys = store.audit_keys()
    assert [k.key_id for k in keys] == [old.key_id, new.key_id]
    assert keys[0].retired_at == new.created_at and keys[1].retired_at is None
    assert (first.key_id, second.key_id) == (old.key_id, new.key_id)
    rotation = store.audit_entries(AuditFilter(kind="audit-key"), 10)[-1]
    assert rotation.data["details"]["retired"] == [old.key_id]
    assert rotation.data["actor"] == "ops"
    report = verify_store(store)
    assert report.ok and report.latest_checkpoint == second.size == 2, report.problems

    # a checkpoint claiming the retired key after its retirement is not accepted
    pem = private_key_path(key_dir, old.key_id).read_bytes()
    private = serialization.load_pem_private_key(pem, password=None)
    late = sign_checkpoint(private, old.key_id, 2, second.head,  # type: ignore[arg-type]
                           second.at + timedelta(days=1))  # fmt: skip
    store.audit_add_checkpoint(late)
    assert any("outside the key's validity" in p for p in verify_store(store).problems)
