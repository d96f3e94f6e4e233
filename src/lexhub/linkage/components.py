"""Connected components over scored edges: the one clustering rule, used for the stored
entities of a run and for the entities formed per request from visible mentions only.

An edge joins its two mentions when a human accepted it, or when nobody rejected it and
its match weight reaches the threshold. Nothing else joins mentions, so an entity is
exactly what its edges justify, and removing a mention (or hiding it) can split an entity.
"""

from __future__ import annotations

from collections.abc import Iterable

from lexhub.store.linkage_sql import LinkRow

__all__ = ["components", "joins"]


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
