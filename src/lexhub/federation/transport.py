"""Sending one signed request to one peer, and naming how it went.

Statuses, as the broker lists them beside the merged hits:

    ok            the peer answered (HTTP 2xx)
    timeout       no answer before the deadline
    error         unreachable, a 5xx or otherwise unusable answer
    refused       the peer knows us but refused the request (HTTP 403: an agency it does
                  not accept from us, or its owners' policy)
    unauthorized  the peer did not accept our signature (HTTP 401: it does not know our
                  key, our clock is off, ...)

A 404 is passed on as `not-found` for retrieval, where it is an answer, not a failure.
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import threading
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import httpx

from lexhub.audit.chain import utc_now
from lexhub.federation.identity import NodeIdentity
from lexhub.federation.signing import sign_request
from lexhub.model.federation import Peer

__all__ = ["PREFIX", "FanOut", "Reply", "peer_client", "send_signed", "status_of"]

PREFIX = "/federation/v1"
T = TypeVar("T")


@functools.cache
def _tls() -> ssl.SSLContext:
    """The TLS context of every peer client, made once: building one loads the CA bundle,
    which cost 30-100 ms per federated search when each made its own client (measured,
    bench/load.py --federated). An SSLContext may be shared by connections and threads."""
    return httpx.create_ssl_context()


def peer_client(deadline: float) -> httpx.AsyncClient:
    """A client for one round of requests to peers (callers close it)."""
    return httpx.AsyncClient(timeout=deadline, verify=_tls())


class FanOut:
    """An event loop of its own, in a daemon thread, with ONE peer client kept on it, for
    the fan-outs of a node's request threads (`run`). A client made per federated search
    cost ~2 ms of CPU (its transports, and a new event loop for each), and new TCP and TLS
    connections to every peer each time; this one keeps its connections to the peers
    alive between searches. Started on first use; when the FanOut is collected its client
    is closed and its loop stopped. Each request's deadline is its own (`send_signed`)."""

    MAX_DEADLINE = 30.0  # the client's own timeout: above any request's deadline

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._client: httpx.AsyncClient | None = None
        self._thread: threading.Thread | None = None
        self.close: Callable[[], None] = lambda: None  # closes the client, stops the loop

    def run(self, work: Callable[[httpx.AsyncClient], Coroutine[Any, Any, T]]) -> T:
        """`work(client)` on the fan-out loop; blocks the calling thread until it is done,
        and raises what it raises."""
        loop, client = self._started()
        return asyncio.run_coroutine_threadsafe(work(client), loop).result()

    def _started(self) -> tuple[asyncio.AbstractEventLoop, httpx.AsyncClient]:
        with self._lock:
            if self._loop is None or self._client is None:
                loop = asyncio.new_event_loop()
                self._thread = threading.Thread(target=_serve, args=(loop,),
                                                name="federation-fan-out", daemon=True)  # fmt: skip
                self._thread.start()
                client = asyncio.run_coroutine_threadsafe(_new_client(), loop).result()
                self._loop, self._client = loop, client
                self.close = weakref.finalize(self, _shut_down, loop, client)
            return self._loop, self._client


def _serve(loop: asyncio.AbstractEventLoop) -> None:
    """The fan-out thread: the loop until `_shut_down` stops it, then closed (its sockets)."""
    try:
        loop.run_forever()
    finally:
        loop.close()


async def _new_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=FanOut.MAX_DEADLINE, verify=_tls())


def _shut_down(loop: asyncio.AbstractEventLoop, client: httpx.AsyncClient) -> None:
    """Close the client on its loop, then stop the loop; never blocks (the collector may
    run in any thread, the loop's own included)."""

    async def close() -> None:
        try:
            await client.aclose()
        finally:
            loop.stop()

    if not loop.is_closed():
        loop.call_soon_threadsafe(lambda: loop.create_task(close()))


@dataclass(frozen=True)
class Reply:
    """What came back from one peer: `status` as above, the JSON body when ok."""

    node: str
    status: str
    data: Any = None
    detail: str | None = None
    http_status: int | None = None


def status_of(code: int) -> str:
    if 200 <= code < 300:
        return "ok"
    return {401: "unauthorized", 403: "refused", 404: "not-found"}.get(code, "error")


def _problem(response: httpx.Response) -> str:
    try:
        data = response.json()
    except ValueError:
        return f"HTTP {response.status_code}"
    if isinstance(data, dict):
        return str(data.get("detail") or data.get("title") or f"HTTP {response.status_code}")
    return f"HTTP {response.status_code}"


async def send_signed(
    client: httpx.AsyncClient,
    identity: NodeIdentity,
    peer: Peer,
    method: str,
    path: str,
    *,
    body: bytes = b"",
    context: str | None = None,
    deadline: float,
    now: Callable[[], datetime] = utc_now,
) -> Reply:
    """Sign and send; never raises for what the peer or the network did (that is the
    status), only for programming errors. The deadline covers connecting, sending and
    reading: a peer still working when it passes is `timeout`, whatever it does later."""
    url = peer.url.rstrip("/") + path
    headers = sign_request(identity, method, url, body, to=peer.name, context=context, now=now())
    if body:
        headers["Content-Type"] = "application/json"
    try:
        async with asyncio.timeout(deadline):
            response = await client.request(method, url, content=body, headers=headers)
    except (TimeoutError, httpx.TimeoutException):
        return Reply(peer.name, "timeout", detail=f"no answer within {deadline:g} s")
    except httpx.HTTPError as e:
        where = urlsplit(url).netloc
        return Reply(peer.name, "error", detail=f"{type(e).__name__} at {where}")
    status = status_of(response.status_code)
    if status != "ok":
        return Reply(peer.name, status, detail=_problem(response),
                     http_status=response.status_code)  # fmt: skip
    try:
        data = response.json()
    except ValueError:
        return Reply(peer.name, "error", detail="answer is not JSON",
                     http_status=response.status_code)  # fmt: skip
    return Reply(peer.name, "ok", data=data, http_status=response.status_code)
