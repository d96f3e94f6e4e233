"""The audit tables (issue 4): the AuditStore protocol and its SQL for both engines.

Owned by the audit work: add methods to `AuditStore` (the interface core code sees) and
implement them in `AuditSqlMixin` (mixed into SqlStore; use `self._x`, `self._errors`,
`self._reading` and `?` placeholders as store/search.py does).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["AuditSqlMixin", "AuditStore"]


class AuditStore(Protocol):
    """The audit part of the Store interface."""


class AuditSqlMixin:
    """SQL of the audit tables, shared by both engines."""
