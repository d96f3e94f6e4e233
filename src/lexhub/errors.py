"""The one error tree of lexhub.

    LexhubError                 every error lexhub raises on purpose
    ├── InputError              bad input: names file, line (or element path), field, reason
    │   └── BatchRejected       a whole batch refused; carries every InputError found
    ├── AccessDenied            the request may not see or do this (fail closed)
    ├── NotFound                unknown id, or one outside the caller's scope (same answer)
    ├── Conflict                the request contradicts stored state
    ├── AuditWriteFailed        the audit entry could not be committed: nothing is disclosed
    ├── StoreError              the database failed or refused
    │   └── SchemaTooNew        the database was written by a newer lexhub
    └── PeerError               a federation peer failed, refused or timed out

`http_status` is a class attribute so the service maps errors in one handler;
the CLI catches `LexhubError` once and exits non-zero with `str(error)`.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = [
    "AccessDenied",
    "AuditWriteFailed",
    "BatchRejected",
    "Conflict",
    "InputError",
    "LexhubError",
    "NotFound",
    "PeerError",
    "QueryError",
    "SchemaTooNew",
    "StoreError",
]


class LexhubError(Exception):
    http_status = 500


class InputError(LexhubError):
    """One problem in one place of an input file.

    Renders as `batch.csv:1042: dob: "1987-02-30" is not a date`; `line` may be an
    XML element path instead of a number, and may be None for whole-file problems.
    """

    http_status = 422

    def __init__(self, file: str, line: int | str | None, field: str | None, reason: str) -> None:
        self.file = file
        self.line = line
        self.field = field
        self.reason = reason
        super().__init__(str(self))

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.field}: {self.reason}" if self.field else f"{where}: {self.reason}"


class QueryError(LexhubError):
    """A search query that cannot be run as typed: names the field and what is wrong."""

    http_status = 422

    def __init__(self, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"{field}: {reason}")


class BatchRejected(InputError):
    """A batch with at least one error; nothing of it was written."""

    def __init__(self, file: str, problems: Sequence[InputError], total: int | None = None) -> None:
        self.problems = list(problems)
        self.total = total if total is not None else len(self.problems)
        first = self.problems[0] if self.problems else None
        super().__init__(file, None, None, "batch rejected")
        self.first = first

    def __str__(self) -> str:
        head = f"{self.file}: batch rejected, {self.total} error(s), nothing written"
        shown = "\n".join(f"  {p}" for p in self.problems[:20])
        more = f"\n  ... and {self.total - 20} more" if self.total > 20 else ""
        return f"{head}\n{shown}{more}" if shown else head


class AccessDenied(LexhubError):
    http_status = 403


class NotFound(LexhubError):
    http_status = 404


class Conflict(LexhubError):
    http_status = 409


class AuditWriteFailed(LexhubError):
    http_status = 503


class StoreError(LexhubError):
    http_status = 503


class SchemaTooNew(StoreError):
    http_status = 503


class PeerError(LexhubError):
    http_status = 502
