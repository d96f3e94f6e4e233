"""What a node operator's Prometheus scrapes at /metrics.

One registry per app (not the process-global default), so two apps in one process, as in
the tests or a node serving two databases, never mix their counts. Labels are low
cardinality on purpose: the route template, never the path (a path can hold a record id),
and the purpose code, never a user.
"""

from __future__ import annotations

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

__all__ = ["CONTENT_TYPE", "NodeMetrics"]


class NodeMetrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "lexhub_http_requests", "HTTP requests answered", ["method", "route", "status"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "lexhub_http_request_seconds", "Time to answer an HTTP request", ["route"],
            buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=self.registry,
        )  # fmt: skip
        self.searches = Counter(
            "lexhub_searches", "Audited searches answered, by purpose", ["purpose"],
            registry=self.registry,
        )  # fmt: skip
        self.audit_entries = Gauge(
            "lexhub_audit_entries", "Entries in the audit chain (read at scrape)",
            registry=self.registry,
        )  # fmt: skip

    def render(self) -> bytes:
        return generate_latest(self.registry)
