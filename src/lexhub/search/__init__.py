"""Search: find people and records across agencies, inside the requester's scope.

`search(store, query, scope)` plans candidate keys from the query, lets the store find the
candidates inside the scope (blocking keys shared by both engines, plus engine full text),
scores them in Python from per-field evidence, and returns ranked, explained hits.
"""

from lexhub.search.engine import MAX_PAGE_SIZE, search
from lexhub.search.query import PersonQuery, Query, RecordQuery
from lexhub.search.result import Band, Evidence, Hit, SearchResult

__all__ = [
    "MAX_PAGE_SIZE",
    "Band",
    "Evidence",
    "Hit",
    "PersonQuery",
    "Query",
    "RecordQuery",
    "SearchResult",
    "search",
]
