"""Connected components over scored edges: the one clustering rule, used for the stored
entities of a run and for the entities formed per request from visible mentions only.

An edge joins its two mentions when a human accepted it, or when nobody rejected it and
its match weight reaches the threshold. Nothing else joins mentions, so an entity is
exactly what its edges justify, and removing a mention (or hiding it) can split an entity.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from lexhub.store.linkage_sql import LinkRow

__all__ = ["component_roots", "components", "joins"]


def joins(link: LinkRow, threshold: float) -> bool:
    if link.decision == "accept":
        return True
    return link.decision != "reject" and link.weight >= threshold


def components(nodes: Iterable[int], links: Iterable[LinkRow], threshold: float) -> dict[int, int]:
    """mention id -> component id (the smallest mention id in it) for every node; an edge
    with an end outside `nodes` is ignored (it never bridges)."""
    parent = {n: n for n in nodes}

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for link in links:
        if link.left in parent and link.right in parent and joins(link, threshold):
            a, b = find(link.left), find(link.right)
            if a != b:
                parent[max(a, b)] = min(a, b)
    return {n: find(n) for n in parent}


def component_roots(ids: np.ndarray, left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The same rule as `components`, column-wise for a whole run: `ids` sorted mention
    ids, (`left`, `right`) the edges that join (both ends in `ids`); returns, for each id,
    the smallest id of its component.

    Vectorized label propagation with pointer jumping instead of a Python union-find,
    which at a million mentions (millions of joining edges) took most of a minute: each
    pass lowers both ends of every edge to the smaller label, then every label to its
    label's label; at the fixed point every edge joins equal labels, and each component's
    label is its smallest index (nothing can lower it, and it is in the component)."""
    li, ri = np.searchsorted(ids, left), np.searchsorted(ids, right)
    labels = np.arange(len(ids))
    while True:
        low = np.minimum(labels[li], labels[ri])
        new = labels.copy()
        np.minimum.at(new, li, low)
        np.minimum.at(new, ri, low)
        new = new[new]
        if np.array_equal(new, labels):
            return ids[labels]
        labels = new
