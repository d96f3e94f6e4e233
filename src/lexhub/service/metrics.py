"""What a node operator's Prometheus scrapes at /metrics.

One registry per app (not the process-global default), so two apps in one process, as in
the tests or a node serving two databases, never mix their counts. Labels are low
cardinality on purpose: the route template, never the path (a path can hold a record id),
and the purpose code, never a user.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from prometheus_client import CONTENT_TYPE_LATEST as CONTENT_TYPE
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from lexhub.federation import NodeStatus
from lexhub.service.limits import RefusalLimit

__all__ = ["CONTENT_TYPE", "PEER_STATUSES", "NodeMetrics"]

PEER_STATUSES = ("ok", "timeout", "error", "refused", "unauthorized")


class _Unaudited(Collector):
    """Refusals over the per-address limit, read from the RefusalLimit at scrape: the
    limit is shared with the federation router, which has no metrics of its own."""

    def __init__(self, refusals: RefusalLimit) -> None:
        self.refusals = refusals

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "lexhub_refusals_unaudited",
            "Refused unauthenticated requests over the per-address audit limit: counted "
            "here, not written to the audit chain",
            labels=["area"],
        )
        for area in ("api", "federation"):
            family.add_metric([area], self.refusals.unaudited.get(area, 0))
        yield family


class NodeMetrics:
    def __init__(self, refusals: RefusalLimit | None = None) -> None:
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

        self.peer_status = Gauge(
            "lexhub_peer_status",
            "Each peer's status in the latest federated search: 1 for the status it had, "
            "0 for the others",
            ["peer", "status"], registry=self.registry,
        )  # fmt: skip
        self.peer_seconds = Gauge(
            "lexhub_peer_seconds", "Each peer's round trip in the latest federated search",
            ["peer"], registry=self.registry,
        )  # fmt: skip
        if refusals is not None:
            self.registry.register(_Unaudited(refusals))

    def federated_round(self, nodes: Sequence[NodeStatus]) -> None:
        """Keep the peers' statuses and latencies of a federated search (the local node
        is not a peer). Peer names come from the registry, so the label set stays small."""
        for n in nodes:
            if n.local:
                continue
            for status in PEER_STATUSES:
                self.peer_status.labels(n.node, status).set(float(n.status == status))
            if n.seconds is not None:
                self.peer_seconds.labels(n.node).set(n.seconds)

    def render(self) -> bytes:
        return generate_latest(self.registry)
