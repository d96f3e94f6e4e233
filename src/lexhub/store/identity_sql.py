"""The identity tables (issue 4): the IdentityStore protocol and its SQL for both engines.

Owned by the identity work: add methods to `IdentityStore` (the interface core code sees) and
implement them in `IdentitySqlMixin` (mixed into SqlStore; use `self._x`, `self._errors`,
`self._reading` and `?` placeholders as store/search.py does).
"""

from __future__ import annotations

from typing import Protocol

__all__ = ["IdentitySqlMixin", "IdentityStore"]


class IdentityStore(Protocol):
    """The identity part of the Store interface."""


class IdentitySqlMixin:
    """SQL of the identity tables, shared by both engines."""
