"""The policy tables (issue 4): the PolicyStore protocol and its SQL for both engines.

Owned by the policy work: add methods to `PolicyStore` (the interface core code sees) and
implement them in `PolicySqlMixin` (mixed into SqlStore; use `self._x`, `self._errors`,
`self._reading` and `?` placeholders as store/search.py does).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["PolicySqlMixin", "PolicyStore"]


class PolicyStore(Protocol):
    """The policy part of the Store interface."""


class PolicySqlMixin:
    """SQL of the policy tables, shared by both engines."""
