"""The fan-out loop (federation.transport.FanOut): one peer client kept across federated
searches on a loop of its own, errors raised in the calling thread, and the client closed
and the loop stopped when the FanOut goes."""

from __future__ import annotations

import httpx
import pytest

from lexhub.federation.transport import FanOut


async def _client_of(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return client


async def _refuse(client: httpx.AsyncClient) -> None:
    raise LookupError("the peer list is empty")


def test_one_client_serves_every_fan_out_until_closed() -> None:
    fan_out = FanOut()
    first = fan_out.run(_client_of)
    assert fan_out.run(_client_of) is first and not first.is_closed
    with pytest.raises(LookupError, match="peer list"):
        fan_out.run(_refuse)
    thread = fan_out._thread
    assert thread is not None and thread.is_alive()
    fan_out.close()
    thread.join(timeout=30)
    assert not thread.is_alive() and first.is_closed
