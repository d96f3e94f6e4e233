"""What a search returns: ranked hits, each with its evidence, paginated.

A hit carries only what the requester's scope discloses: a `full` hit the matched person's
visible fields and the record's identity; a `pointer` hit only the owner, the record type
and whom to contact. Withheld fields are absent, not blanked: they are never put in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from lexhub.model import Contact, Disclosure

__all__ = ["Band", "Evidence", "Hit", "SearchResult"]


class Band(StrEnum):
    """`likely`: the evidence points to this person; `possible`: worth a look. Hits below
    `possible` are not returned, so a query about someone absent can come back empty."""

    LIKELY = "likely"
    POSSIBLE = "possible"


@dataclass(frozen=True)
class Evidence:
    """One field's contribution: `field` its label ("last name", "date of birth"),
    `text` for people ("last name: phonetic SMITH ~ SMYTH"), `score` in 0..1."""

    field: str
    text: str
    score: float


@dataclass(frozen=True)
class Hit:
    score: float
    band: Band
    disclosure: Disclosure
    owner: str
    record_type: str
    occurred: str | None = None  # YYYY-MM-DD
    record_id: int | None = None  # None on pointer hits
    source_id: str | None = None
    mention_id: int | None = None  # person hits; None for record queries and pointers
    person: dict[str, object] = field(default_factory=dict)  # visible fields only
    evidence: tuple[Evidence, ...] = ()
    contact: Contact | None = None  # the owner's contact (pointer hits)

    @property
    def why(self) -> str:
        return "; ".join(e.text for e in self.evidence)


@dataclass(frozen=True)
class SearchResult:
    hits: tuple[Hit, ...]
    page: int
    page_size: int
    total: int  # hits at or above `possible` among the candidates scored
    candidates: int  # mentions or records scored
    owners_searched: tuple[str, ...] = ()

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.page_size))
