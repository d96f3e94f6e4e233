"""Per-token rate limits: a token bucket for each API token.

A partner's runaway script, or a stolen token, should slow down rather than take the node
(and the audit log, which grows by one entry per request) with it. The bucket refills at
`rate` requests a second up to `burst`; a request finding it empty gets 429 with the
seconds until one request's worth has refilled. In process: each node limits its own
traffic. The clock is injectable so tests advance time instead of sleeping.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass
from time import monotonic

from lexhub.errors import LexhubError

__all__ = ["DEFAULT_BURST", "DEFAULT_RATE", "BodyTooLarge", "RateLimited", "TokenBuckets"]

# A person at a console never comes near; a partner's sync job should ask for its own.
DEFAULT_RATE, DEFAULT_BURST = 20.0, 40


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


class BodyTooLarge(LexhubError):
    """A request body over its route's limit (413): refused before it is read whole."""

    http_status = 413

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"the body is over {limit} bytes")
