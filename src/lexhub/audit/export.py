"""Reading the log out: listings and exports, each an audited read itself.

An export is JSON Lines: a header, every public key, every entry (its canonical body as a
JSON string, byte for byte), every checkpoint (its signed text and signature). It is all an
outside auditor needs, with the public keys they trust, to run `verify_export`. Query terms
(personal data, erasable) are never exported.

    {"format": "lexhub-audit-export/1", "exported_at": "...", "size": 1042}
    {"type": "key", "key_id": "...", "public_key": "...", "created_at": "...", "retired_at": null}
    {"type": "entry", "seq": 1, "body": "{...}", "prev_hash": "...", "hash": "..."}
    {"type": "checkpoint", "text": "lexhub-audit-checkpoint/1\\n...", "signature": "..."}
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from lexhub.audit.chain import entry_hash, record_event, utc_now
from lexhub.audit.checkpoint import checkpoint_from_dict, checkpoint_to_dict
from lexhub.audit.verify import Anchor, VerifyReport, verify_entries
from lexhub.errors import InputError
from lexhub.model.audit import (
    GENESIS_HASH,
    AuditEntry,
    AuditEvent,
    AuditFilter,
    AuditKey,
    AuditKind,
    Checkpoint,
)
from lexhub.store import Store

__all__ = [
    "EXPORT_FORMAT",
    "AuditExport",
    "export_log",
    "read_entries",
    "read_export",
    "read_keys",
    "verify_export",
]

EXPORT_FORMAT = "lexhub-audit-export/1"
_CHUNK = 2000


@dataclass(frozen=True)
class AuditExport:
    exported_at: str
    size: int
    keys: list[AuditKey]
    entries: list[AuditEntry]
    checkpoints: list[Checkpoint]

    def anchor(self, source: str) -> Anchor | None:
        """The export's last entry as a reference point for a later log."""
        if not self.entries:
            return None
        head = GENESIS_HASH
        for e in self.entries:
            head = entry_hash(head, e.body)
        return Anchor(len(self.entries), head, source)


def read_entries(
    store: Store,
    where: AuditFilter,
    limit: int,
    *,
    actor: str,
    now: Callable[[], datetime] = utc_now,
) -> list[AuditEntry]:
    """Entries meeting `where`, after committing the audit-read entry that says who asked
    for what (AuditWriteFailed, and nothing returned, if it cannot be written)."""
    asked = {
        "action": "list",
        "filter": {
            k: (v.isoformat() if isinstance(v, datetime) else v)
            for k, v in vars(where).items()
            if v not in (None, 0)
        },
        "limit": limit,
    }
    record_event(store, AuditEvent(AuditKind.AUDIT_READ, actor=actor, details=asked), now=now)
    return store.audit_entries(where, limit)


def _key_dict(k: AuditKey) -> dict[str, Any]:
    return {
        "type": "key",
        "key_id": k.key_id,
        "public_key": k.public_key,
        "created_at": k.created_at.isoformat(),
        "retired_at": None if k.retired_at is None else k.retired_at.isoformat(),
    }


def export_log(
    store: Store, path: str | Path, *, actor: str, now: Callable[[], datetime] = utc_now
) -> int:
    """Write the export (atomically: a temporary file renamed into place) after recording
    the read; returns the number of entries written. Checkpoints beyond the exported size
    are left out, so the export verifies on its own."""
    record_event(
        store,
        AuditEvent(AuditKind.AUDIT_READ, actor=actor, details={"action": "export"}),
        now=now,
    )
    size, _ = store.audit_head()
    target = Path(path)
    tmp = target.with_name(target.name + ".part")
    with tmp.open("w", encoding="utf-8") as f:

        def line(value: dict[str, Any]) -> None:
            f.write(json.dumps(value, ensure_ascii=False) + "\n")

        line({"format": EXPORT_FORMAT, "exported_at": now().isoformat(), "size": size})
        for k in store.audit_keys():
            line(_key_dict(k))
        after = 0
        while after < size:
            chunk = store.audit_entries(AuditFilter(after_seq=after), min(_CHUNK, size - after))
            if not chunk:
                break
            for e in chunk:
                line({"type": "entry", "seq": e.seq, "body": e.body,
                      "prev_hash": e.prev_hash, "hash": e.hash})  # fmt: skip
            after = chunk[-1].seq
        for c in store.audit_checkpoints():
            if c.size <= size:
                line({"type": "checkpoint", **checkpoint_to_dict(c)})
    os.replace(tmp, target)
    return size


def _key_from(d: dict[str, Any]) -> AuditKey:
    return AuditKey(
        str(d["key_id"]),
        str(d["public_key"]),
        datetime.fromisoformat(str(d["created_at"])),
        None if d.get("retired_at") is None else datetime.fromisoformat(str(d["retired_at"])),
    )


def read_export(path: str | Path) -> AuditExport:
    """Parse an export. Raises InputError naming the file, line and field of the first
    malformed line (verification, not parsing, judges whether the content is genuine)."""
    name = Path(path).name
    keys: list[AuditKey] = []
    entries: list[AuditEntry] = []
    checkpoints: list[Checkpoint] = []
    header: dict[str, Any] = {}
    with Path(path).open(encoding="utf-8") as f:
        for n, text in enumerate(f, 1):
            try:
                d = json.loads(text)
                if n == 1:
                    if d.get("format") != EXPORT_FORMAT:
                        raise InputError(name, n, "format", f"not a {EXPORT_FORMAT} file")
                    header = d
                elif d["type"] == "key":
                    keys.append(_key_from(d))
                elif d["type"] == "entry":
                    entries.append(
                        AuditEntry(int(d["seq"]), str(d["body"]), str(d["prev_hash"]), d["hash"])
                    )
                elif d["type"] == "checkpoint":
                    checkpoints.append(checkpoint_from_dict(d))
                else:
                    raise InputError(name, n, "type", f"unknown line type {d['type']!r}")
            except KeyError as e:
                raise InputError(name, n, str(e.args[0]), "missing") from None
            except (ValueError, TypeError, AttributeError) as e:
                raise InputError(name, n, None, f"malformed line: {e}") from None
    if not header:
        raise InputError(name, None, None, "empty file")
    return AuditExport(
        str(header.get("exported_at")), int(header.get("size", 0)), keys, entries, checkpoints
    )


def read_keys(path: str | Path) -> list[AuditKey]:
    """Trusted public keys from a file: an export (its key lines) or the JSON array that
    `lexhub audit key list --json` prints."""
    text = Path(path).read_text(encoding="utf-8")
    try:
        value = json.loads(text)
    except ValueError:
        return read_export(path).keys
    if isinstance(value, dict) and value.get("format") == EXPORT_FORMAT:
        return read_export(path).keys
    if not isinstance(value, list):
        raise InputError(Path(path).name, None, None, "expected a JSON array of keys")
    try:
        return [_key_from(d) for d in value]
    except (KeyError, ValueError, TypeError) as e:
        raise InputError(Path(path).name, None, None, f"not a key list: {e}") from None


def verify_export(
    export: AuditExport,
    keys: Sequence[AuditKey] | None = None,
    anchors: Sequence[Anchor] = (),
    extra_checkpoints: Sequence[Checkpoint] = (),
) -> VerifyReport:
    """Verify an export offline. Without `keys`, the export's own keys are used and the
    report warns that they prove nothing about who signed."""
    report = verify_entries(
        export.entries,
        [*export.checkpoints, *extra_checkpoints],
        export.keys if keys is None else keys,
        anchors,
    )
    if keys is None:
        report.warnings.append(
            "checked against the keys inside the export: pass the public keys you trust"
        )
    if len(export.entries) != export.size:
        report.problem(f"the header says {export.size} entries, the file holds "
                       f"{len(export.entries)}")  # fmt: skip
    return report
