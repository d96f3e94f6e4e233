"""The console's screens and who may open each: one table, read by the navigation (which
shows a user only what its roles open) and by each page's role check, so the two cannot
disagree. Adding a screen starts with a row here (docs/console.md)."""

from __future__ import annotations

from dataclasses import dataclass

from lexhub.model import UserRole

__all__ = ["AGREEMENTS", "AUDIT", "INGEST", "OVERSIGHT", "SCREENS", "SEARCH", "Screen", "home"]


@dataclass(frozen=True)
class Screen:
    path: str
    title: str
    roles: frozenset[UserRole]

    def opens_for(self, roles: frozenset[UserRole]) -> bool:
        return not self.roles.isdisjoint(roles)


R = UserRole
SEARCH = Screen("/search", "Search", frozenset({R.INVESTIGATOR, R.ANALYST}))
AGREEMENTS = Screen(
    "/agreements", "Agreements", frozenset({R.RECORDS_ADMIN, R.NODE_ADMIN, R.AUDITOR})
)
AUDIT = Screen("/audit", "Audit log", frozenset({R.AUDITOR, R.NODE_ADMIN}))
# As GET /api/v1/reports: auditors, and a records administrator for its own agency's data.
OVERSIGHT = Screen("/oversight", "Oversight", frozenset({R.AUDITOR, R.RECORDS_ADMIN}))
INGEST = Screen("/ingest", "Ingest", frozenset({R.RECORDS_ADMIN, R.NODE_ADMIN}))
SCREENS = (SEARCH, AGREEMENTS, AUDIT, OVERSIGHT, INGEST)


def home(roles: frozenset[UserRole]) -> str:
    """The first screen these roles open (where a login lands)."""
    return next((s.path for s in SCREENS if s.opens_for(roles)), "/account")
