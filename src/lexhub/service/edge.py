"""What every HTTP request passes on its way in and out: the client's address for the
refusal limit, a declared body over its route's limit refused at once (413), the request
counted and timed for /metrics, and the security headers on every answer.

A plain ASGI middleware rather than FastAPI's `@app.middleware("http")`: that one runs
each request's app in a task group of its own and re-streams the answer through memory
streams, which cost more CPU per request than a 2-core node could spare at the request
rates it is meant to hold (docs/benchmarks.md, Service). The behaviour is the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from time import perf_counter

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lexhub.service.limits import client_address
from lexhub.service.metrics import NodeMetrics
from lexhub.service.problems import problem

__all__ = ["Edge"]


class Edge:
    """`limits` maps exact paths to their body limit (others get `default`); `headers` go
    on every answer, with the `Content-Security-Policy` that `csp_for(path)` names (None:
    none, for the API docs pages that load their scripts from a CDN; the console's pages
    get one that lets them load their stylesheet)."""

    def __init__(
        self, app: ASGIApp, *, metrics: NodeMetrics, default: int, limits: Mapping[str, int],
        headers: Mapping[str, str], csp_for: Callable[[str], str | None],
    ) -> None:  # fmt: skip
        self.app, self.metrics, self.default = app, metrics, default
        self.limits, self.csp_for = dict(limits), csp_for
        self.headers = {k: v for k, v in headers.items() if k != "Content-Security-Policy"}
        self._with_csp: dict[str | None, dict[str, str]] = {None: self.headers}

    def _headers(self, path: str) -> dict[str, str]:
        csp = self.csp_for(path)
        found = self._with_csp.get(csp)
        if found is None:  # one dict per distinct policy, built once
            found = self._with_csp[csp] = {**self.headers, "Content-Security-Policy": str(csp)}
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        client = scope.get("client")
        client_address.set(client[0] if client else "unknown")
        path: str = scope["path"]
        headers = self._headers(path)
        limit = self.limits.get(path, self.default)
        size = _content_length(scope)
        if size is not None and (not size.isdigit() or int(size) > limit):
            response = problem(413, f"the body is over {limit} bytes", instance=path)
            response.headers.update(headers)
            await response(scope, receive, send)
            return
        status = 500

        async def sending(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                MutableHeaders(scope=message).update(headers)
            await send(message)

        started = perf_counter()
        await self.app(scope, receive, sending)  # a body without a length: BodyLimit counts
        route = getattr(scope.get("route"), "path", "(unmatched)")
        self.metrics.latency.labels(route).observe(perf_counter() - started)
        self.metrics.requests.labels(scope["method"], route, str(status)).inc()


def _content_length(scope: Scope) -> str | None:
    for name, value in scope["headers"]:
        if name == b"content-length":
            return str(value.decode("latin-1"))
    return None
