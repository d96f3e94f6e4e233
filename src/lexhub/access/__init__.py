"""Requests as users make them: policy, search or retrieval, and audit, in that order.

Core code with a RequestContext calls these, never `search` directly: they evaluate the
agreements into a scope, run inside it, and commit the audit entry before returning.
"""

from lexhub.access.events import AUDIT_KIND, audit_sink
from lexhub.access.record import RecordView, WithheldField, audited_record, record_view
from lexhub.access.search import audited_search, blocked_owners, query_terms

__all__ = [
    "AUDIT_KIND",
    "RecordView",
    "WithheldField",
    "audit_sink",
    "audited_record",
    "audited_search",
    "blocked_owners",
    "query_terms",
    "record_view",
]
