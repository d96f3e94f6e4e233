"""Requests as users make them: policy, search or retrieval, and audit, in that order.

Core code with a RequestContext calls these, never `search` directly: they evaluate the
agreements into a scope, run inside it, and commit the audit entry before returning.
Changes made for the node operator (batches, retractions, expungements, agreements, groups)
go through the `audited_*` functions here, which commit each change with its entry.
"""

from lexhub.access.contributions import audited_expunge, audited_load, audited_retract
from lexhub.access.events import AUDIT_KIND, audit_sink
from lexhub.access.governance import (
    GroupChange,
    audited_apply,
    audited_group_change,
    audited_revoke,
)
from lexhub.access.record import RecordView, WithheldField, audited_record, record_view
from lexhub.access.search import audited_search, blocked_owners, query_terms

__all__ = [
    "AUDIT_KIND",
    "GroupChange",
    "RecordView",
    "WithheldField",
    "audit_sink",
    "audited_apply",
    "audited_expunge",
    "audited_group_change",
    "audited_load",
    "audited_record",
    "audited_retract",
    "audited_revoke",
    "audited_search",
    "blocked_owners",
    "query_terms",
    "record_view",
]
