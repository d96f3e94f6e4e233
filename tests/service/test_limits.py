"""The refusal limit's table of client buckets (service.limits.RefusalLimit): bounded,
yet a new client gets its own bucket whenever a kept one has refilled; IPv6 clients are
counted by /64. No store: the limit is the process's own memory."""

from __future__ import annotations

from lexhub.service.limits import RefusalLimit, client_key


def test_a_full_table_forgets_refilled_clients_so_a_new_one_gets_its_own_bucket() -> None:
    clock = [0.0]
    limit = RefusalLimit(rate=1.0, burst=2, max_keys=2, clock=lambda: clock[0])
    assert limit.admit("api", "192.0.2.1") and limit.admit("api", "192.0.2.2")
    clock[0] = 5.0  # both have refilled to 2 (1 a second)
    assert limit.admit("api", "192.0.2.3")
    assert limit.buckets.holds("192.0.2.3") and not limit.buckets.holds("(many)")
    assert limit.buckets.size() == 1  # the refilled two were forgotten
    assert limit.admit("api", "192.0.2.3") and not limit.admit("api", "192.0.2.3")
    assert limit.unaudited == {"api": 1}


def test_while_every_kept_client_drains_new_clients_share_one_bucket() -> None:
    limit = RefusalLimit(rate=1.0, burst=2, max_keys=2, clock=lambda: 0.0)
    assert limit.admit("api", "192.0.2.1") and limit.admit("api", "192.0.2.2")
    # A flood from more clients than the table holds: the newcomers share one bucket...
    assert limit.admit("api", "198.51.100.1") and limit.admit("federation", "198.51.100.2")
    assert not limit.admit("api", "198.51.100.3")
    assert limit.buckets.size() == 3  # bounded: the two kept clients and the shared one
    # ... and the clients already kept still have their own.
    assert limit.admit("api", "192.0.2.1")
    assert limit.unaudited == {"api": 1}


def test_ipv6_clients_are_counted_by_their_64() -> None:
    limit = RefusalLimit(rate=1.0, burst=2, clock=lambda: 0.0)
    assert limit.admit("api", "2001:db8:0:7::1") and limit.admit("api", "2001:db8:0:7:ffff::2")
    assert not limit.admit("api", "2001:db8:0:7::abcd")  # a third address, the same /64
    assert limit.admit("api", "2001:db8:0:8::1")  # the next /64 is another client


def test_client_keys() -> None:
    assert client_key("2001:db8:0:7:1:2:3:4") == "2001:db8:0:7::/64"
    assert client_key("::ffff:192.0.2.9") == "192.0.2.9"  # IPv4 mapped into IPv6
    assert client_key("192.0.2.9") == "192.0.2.9"
    assert client_key("unknown") == "unknown"
