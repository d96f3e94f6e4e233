"""The audit log: append-only, hash-chained, checkpointed with a signature (docs/audit.md).

Core code records what happened with `record_event` (own transaction) or `append_entry`
+ `commit_audited` (inside its own transaction); either raises AuditWriteFailed, and then
nothing may be disclosed.
"""

from lexhub.audit.chain import (
    append_entry,
    canonical,
    commit_audited,
    entry_body,
    entry_hash,
    record_event,
    record_events,
)
from lexhub.audit.checkpoint import checkpoint_text, create_checkpoint, signature_valid
from lexhub.audit.export import export_log, read_entries, read_export, read_keys, verify_export
from lexhub.audit.keys import DEFAULT_KEY_DIR, ensure_audit_key, rotate_audit_key
from lexhub.audit.retention import MIN_RETENTION_DAYS, erase_expired_terms, erase_terms
from lexhub.audit.verify import Anchor, VerifyReport, verify_entries, verify_store

__all__ = [
    "DEFAULT_KEY_DIR",
    "MIN_RETENTION_DAYS",
    "Anchor",
    "VerifyReport",
    "append_entry",
    "canonical",
    "checkpoint_text",
    "commit_audited",
    "create_checkpoint",
    "ensure_audit_key",
    "entry_body",
    "entry_hash",
    "erase_expired_terms",
    "erase_terms",
    "export_log",
    "read_entries",
    "read_export",
    "read_keys",
    "record_event",
    "record_events",
    "rotate_audit_key",
    "signature_valid",
    "verify_entries",
    "verify_export",
    "verify_store",
]
