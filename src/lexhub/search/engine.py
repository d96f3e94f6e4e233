"""search(store, query, scope): plan, candidates inside the scope, score, rank, page."""

from __future__ import annotations

from datetime import date

from lexhub.model import Scope
from lexhub.search.query import Query
from lexhub.search.result import SearchResult
from lexhub.store import Store

__all__ = ["search"]


def search(
    store: Store,
    query: Query,
    scope: Scope,
    *,
    page: int = 1,
    page_size: int = 20,
    today: date | None = None,
) -> SearchResult:
    raise NotImplementedError("search engine: in progress")
