"""`lexhub link --backend spark`: the same region, the same model, the same entities.

Why equality is expected, not just closeness: the Spark run scores with the model the
DuckDB run trained and saved (`LinkOptions.model`), carried over by its parameters
(`backend.model_for`), so EM's floating-point path on each engine plays no part. What each
engine still computes itself is each pair's comparison levels (Jaro-Winkler in DuckDB's C++
and in Splink's Scala UDF, array intersections, date arithmetic) and the term-frequency
tables; both implement the standard Jaro-Winkler (prefix scale 0.1, up to 4 characters),
and the frequencies are counts over the same rows, so every pair gets the same levels and
the same weight, up to float rounding in the sum. The test checks exactly that: the same
scored pairs with the same levels, weights within 1e-9, and the same entities.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from lexhub.linkage import link_mentions
from lexhub.linkage.backend import SparkOptions, spark_session
from lexhub.store import Store
from tests.linkage.conftest import OPTIONS

pyspark = pytest.importorskip("pyspark")
pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.skipif(shutil.which("java") is None, reason="Spark needs a Java runtime"),
]


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    """One local[1] session for the module (starting the JVM is most of Spark's cost)."""
    session = spark_session(SparkOptions(master="local[1]", shuffle_partitions=2))
    yield session
    session.stop()


def _entities(store: Store) -> set[frozenset[int]]:
    groups: dict[int, set[int]] = {}
    for mention, entity in store.entity_assignments().items():
        groups.setdefault(entity, set()).add(mention)
    return {frozenset(g) for g in groups.values()}


def test_spark_backend_links_the_region_into_the_duckdb_paths_entities(
    spark: Any, loaded: Store, region: Path
) -> None:
    duck = link_mentions(loaded, OPTIONS, lambda _: None)
    model = loaded.linkage_model()
    assert model is not None
    every = list(loaded.entity_assignments())
    duck_edges = {(k.left, k.right): k for k in loaded.entity_links_among(every)}
    duck_entities = _entities(loaded)
    assert any(len(e) > 1 for e in duck_entities)  # the region has people to link

    said: list[str] = []
    sparked = link_mentions(
        loaded, replace(OPTIONS, backend="spark", model=model.model), said.append
    )

    assert said[0] == "reading mentions" and said[-1] == "saving entities"
    assert sparked.model_id == duck.model_id + 1  # written back as a new run
    assert (sparked.mentions, sparked.pairs, sparked.links, sparked.entities) == (
        duck.mentions, duck.pairs, duck.links, duck.entities
    )  # fmt: skip
    spark_edges = {(k.left, k.right): k for k in loaded.entity_links_among(every)}
    assert spark_edges.keys() == duck_edges.keys()
    for key, edge in spark_edges.items():
        assert edge.levels == duck_edges[key].levels, key
        assert edge.weight == pytest.approx(duck_edges[key].weight, abs=1e-9), key
    assert _entities(loaded) == duck_entities
