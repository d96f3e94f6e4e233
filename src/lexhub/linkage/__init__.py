"""Entity resolution: person mentions into entities with Splink (DuckDB), and entities as
each request may see them. See docs/linkage.md."""

from lexhub.linkage.entities import RequestEntity, entity_for, form_entities, visible
from lexhub.linkage.evaluate import Quality, evaluate
from lexhub.linkage.evidence import Evidence, evidence, evidence_text
from lexhub.linkage.run import LinkOptions, LinkResult, choose_threshold, link_mentions

__all__ = [
    "Evidence",
    "LinkOptions",
    "LinkResult",
    "Quality",
    "RequestEntity",
    "choose_threshold",
    "entity_for",
    "evaluate",
    "evidence",
    "evidence_text",
    "form_entities",
    "link_mentions",
    "visible",
]
