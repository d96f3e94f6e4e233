"""The governance benchmark's core (bench/access.py) measures what it says, on both engines:
bare and audited runs of the same ask return the same hits, each audited search leaves
exactly one entry, and concurrent client processes leave one chain that verifies.
No timing is asserted: speed is the benchmark's business."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from lexhub.audit import verify_store
from lexhub.cli.agency import agencies_from_file
from lexhub.cli.demo import FEDERAL
from lexhub.model import Disclosure
from lexhub.store import Store
from lexhub.synth import SynthConfig, write_region

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
import access  # noqa: E402
from search_data import TODAY, Prepared, prepare  # noqa: E402
from search_queries import build_queries  # noqa: E402
from search_stores import _load  # noqa: E402


@pytest.fixture(scope="module")
def prepared(tmp_path_factory: pytest.TempPathFactory) -> Prepared:
    """A tiny region (three agencies: the city, a sheriff, a partner police department)."""
    root = tmp_path_factory.mktemp("access-bench")
    write_region(SynthConfig(agencies=3, people=80, records=300, seed=3), root / "region")
    return prepare(root / "region", root / "prepared", 5, 200, 3)


@pytest.fixture
def asks(store: Store, prepared: Prepared) -> list[access.Ask]:
    _load(store.url, prepared.directory, store.url.split(":", 1)[0])
    region = agencies_from_file(prepared.directory / "agencies.json")
    access.set_up_node(store, region, FEDERAL)
    queries = build_queries(prepared.present, prepared.absent, 24, 4, 3)
    return access.make_asks(region, FEDERAL.id, [q.query for q in queries], 3)


def test_requesters_have_partial_scopes_of_both_kinds(store: Store, asks: list[access.Ask]) -> None:
    owners = {a.id for a in store.list_agencies()}
    scopes = {a.label: access.scope_of(store, a.context, TODAY) for a in asks}
    assert len(scopes) == 4
    partner, federal = scopes["partner police"], scopes["federal, criminal"]
    assert set(partner.owners) == owners - {FEDERAL.id}
    assert all(g.disclosure == Disclosure.FULL for g in partner.grants)
    # the federal partner sees the sheriff's records as pointers only, and its own agency
    pointers = {g.owner for g in federal.grants if g.disclosure == Disclosure.POINTER}
    assert len(pointers) == 1 and pointers < set(federal.owners) < owners


def test_bare_and_audited_agree_and_each_audited_search_is_one_entry(
    store: Store, asks: list[access.Ask]
) -> None:
    result = access.overhead(store.url, asks, warm=False)
    assert len(result.bare_ms) == len(result.audited_ms) == len(asks) == 28
    assert result.mismatches == 0
    assert result.entries == len(asks)
    assert sum(a > 0 for a in result.audited_ms) == len(asks)


def test_concurrent_clients_leave_one_verified_chain_with_one_entry_per_search(
    store: Store, asks: list[access.Ask]
) -> None:
    before = store.audit_head()[0]
    result = access.throughput(store.url, asks, processes=2, seconds=600, limit=15)
    assert result.failures == 0
    assert result.searches == 30
    assert [w["searches"] for w in result.workers] == [15, 15]
    assert result.entries == result.search_entries == 30
    assert result.chain_ok, result.problems
    assert result.chain_entries == before + 30
    assert store.audit_head()[0] == before + 30
    assert verify_store(store).ok
