"""Per-token rate limits: a token bucket for each API token.

A partner's runaway script, or a stolen token, should slow down rather than take the node
(and the audit log, which grows by one entry per request) with it. The bucket refills at
`rate` requests a second up to `burst`; a request finding it empty gets 429 with the
seconds until one request's worth has refilled. In process: each node limits its own
traffic. The clock is injectable so tests advance time instead of sleeping.
"""

from __future__ import annotations

import ipaddress
import math
import threading
from collections.abc import Callable, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from time import monotonic

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lexhub.errors import LexhubError
from lexhub.service.problems import problem

__all__ = [
    "DEFAULT_BURST",
    "DEFAULT_RATE",
    "REFUSAL_BURST",
    "REFUSAL_RATE",
    "BodyLimit",
    "BodyTooLarge",
    "RateLimited",
    "RefusalLimit",
    "TokenBuckets",
    "client_address",
    "client_key",
]

# A person at a console never comes near; a partner's sync job should ask for its own.
DEFAULT_RATE, DEFAULT_BURST = 20.0, 40
# Audited refusals of unauthenticated requests per client address: a mistyped token or a
# misconfigured peer is recorded in full; a flood is counted, not chained.
REFUSAL_RATE, REFUSAL_BURST = 1.0, 30

# The client address of the request being answered, set by the app's middleware. A context
# variable, not a parameter: the token check runs deep in every route's `Gate.user`, and
# FastAPI copies the context into the thread that runs a handler.
client_address: ContextVar[str] = ContextVar("client_address", default="unknown")


class RateLimited(LexhubError):
    http_status = 429

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many requests for this token: retry after {retry_after} s")


@dataclass
class _Bucket:
    tokens: float
    at: float


class TokenBuckets:
    def __init__(self, rate: float, burst: int, *, clock: Callable[[], float] = monotonic) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("rate limit: rate > 0 and burst >= 1")
        self.rate, self.burst, self.clock = rate, burst, clock
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()  # handlers run in a thread pool

    def take(self, key: str) -> None:
        """Spend one request of `key`'s bucket, or raise RateLimited."""
        now = self.clock()
        with self._lock:
            b = self._buckets.setdefault(key, _Bucket(float(self.burst), now))
            b.tokens = min(float(self.burst), b.tokens + (now - b.at) * self.rate)
            b.at = now
            if b.tokens < 1.0:
                raise RateLimited(max(1, math.ceil((1.0 - b.tokens) / self.rate)))
            b.tokens -= 1.0

    def allow(self, key: str) -> bool:
        """`take` as a question: True (and one request spent) or False."""
        try:
            self.take(key)
        except RateLimited:
            return False
        return True

    def holds(self, key: str) -> bool:
        """Whether `key` has a bucket (no __len__: an empty TokenBuckets must stay truthy)."""
        return key in self._buckets

    def size(self) -> int:
        return len(self._buckets)

    def evict_full(self) -> int:
        """Forget every bucket that has refilled to `burst`: a key seen again starts full
        anyway, so forgetting it changes no answer. How many were forgotten."""
        now = self.clock()
        with self._lock:
            full = [k for k, b in self._buckets.items()
                    if b.tokens + (now - b.at) * self.rate >= self.burst]  # fmt: skip
            for k in full:
                del self._buckets[k]
        return len(full)


class RefusalLimit:
    """Which refusals of unauthenticated requests may be written to the audit chain.

    Each audited refusal is a chained entry, and anyone who can reach the node can cause
    one: unlimited, a flood of bad tokens or unsigned federation requests would grow the
    chain (and its checkpoints, exports, verification) at the attacker's pace. So each
    client address gets `rate` audited refusals a second (bursts of `burst`); beyond that a
    refusal is still refused, and only counted (`unaudited`, by area: api, federation),
    which /metrics shows. An IPv6 client is one /64 (`client_key`): a single host usually
    holds a whole /64 and could otherwise take a fresh bucket per address. The buckets are
    kept for at most `max_keys` clients: a new client finding the table full first evicts
    the buckets that have refilled (clients quiet for `burst / rate` seconds, whose buckets
    would start full again anyway); only while every kept client is still draining its
    bucket (a flood from more than `max_keys` clients at once) do new clients share one
    bucket, so memory stays bounded and a client already kept keeps its own.
    """

    def __init__(
        self, rate: float = REFUSAL_RATE, burst: int = REFUSAL_BURST, *, max_keys: int = 10_000,
        clock: Callable[[], float] = monotonic,
    ) -> None:  # fmt: skip
        self.buckets = TokenBuckets(rate, burst, clock=clock)
        self.max_keys = max_keys
        self.unaudited: dict[str, int] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._no_sweep_before = -math.inf

    def admit(self, area: str, address: str) -> bool:
        """True if this refusal may be audited; False (and counted) if over the limit."""
        key = client_key(address)
        if not self.buckets.holds(key) and self.buckets.size() >= self.max_keys:
            now = self._clock()
            # A sweep reads every bucket: during a flood that finds none refilled, sweep
            # again only when one could have (never more than once a second).
            if now >= self._no_sweep_before and self.buckets.evict_full() == 0:
                self._no_sweep_before = now + 1.0
        if not self.buckets.holds(key) and self.buckets.size() >= self.max_keys:
            key = "(many)"
        if self.buckets.allow(key):
            return True
        with self._lock:
            self.unaudited[area] = self.unaudited.get(area, 0) + 1
        return False


def client_key(address: str) -> str:
    """The client an address stands for in the refusal limit: an IPv4 address (also one
    mapped into IPv6) as it is, an IPv6 address as its /64, anything else as given."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address  # "unknown", a test client's name
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


class BodyTooLarge(LexhubError):
    """A request body over its route's limit (413): refused before it is read whole."""

    http_status = 413

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the body is over {limit} bytes")


class BodyLimit:
    """ASGI middleware: a request body may not grow past its route's limit, however it
    arrives. The app checks Content-Length up front; a body without one (Transfer-Encoding:
    chunked) is counted here as it arrives. The read that crosses the limit tells the app
    the client is gone (http.disconnect), so it stops reading and runs nothing, and the
    answer becomes a 413 problem whatever the app would have sent. Not an exception: one
    raised from `receive` reaches FastAPI inside an exception group and comes out as 400.
    `limits` maps exact paths to their own limit (ingest's batches); others get `default`.
    `headers` are added to the 413 (the app's security headers).
    """

    def __init__(
        self, app: ASGIApp, *, default: int, limits: Mapping[str, int],
        headers: Mapping[str, str] | None = None,
    ) -> None:  # fmt: skip
        self.app, self.default, self.limits = app, default, dict(limits)
        self.headers = dict(headers or {})

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default)
        seen, over, answered = 0, False, False

        async def counted() -> Message:
            nonlocal seen, over
            if over:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    over = True
                    return {"type": "http.disconnect"}
            return message

        async def refuse() -> None:
            nonlocal answered
            if not answered:
                answered = True
                response = problem(413, f"the body is over {limit} bytes",
                                   instance=scope["path"])  # fmt: skip
                response.headers.update(self.headers)
                await response(scope, receive, send)

        async def sending(message: Message) -> None:
            if over:  # whatever the app answers to a cut-off body, the answer is 413
                await refuse()
                return
            await send(message)

        try:
            await self.app(scope, counted, sending)
        except Exception:
            if not over:
                raise
        if over:
            await refuse()
