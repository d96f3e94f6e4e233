-- lexhub schema 8 (sqlite): entity resolution (issue 7, lexhub.linkage). See docs/linkage.md.

-- One row per `lexhub link` run: the Splink model (settings with the m and u estimated by EM,
-- as JSON) and the match-weight threshold chosen without labels. The newest row is in force.
CREATE TABLE linkage_models (
    id         INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    threshold  REAL NOT NULL,                 -- match weight at or above which a pair links
    model      TEXT NOT NULL,                 -- Splink settings JSON with trained parameters
    counts     TEXT NOT NULL                  -- JSON: mentions, pairs, links, entities
);

-- Scored pairwise edges kept from the run (weight at or above the review floor), so that an
-- entity can be formed per request from the mentions the requester may see and the edges
-- between them only. `levels`: JSON {comparison: gamma} for the evidence (waterfall).
-- `decision`: a human's accept/reject, kept through later runs (the review queue, part 2).
CREATE TABLE entity_links (
    left_id     INTEGER NOT NULL,             -- mentions.id, left_id < right_id
    right_id    INTEGER NOT NULL,
    weight      REAL NOT NULL,
    probability REAL NOT NULL,
    levels      TEXT NOT NULL,
    decision    TEXT CHECK (decision IN ('accept', 'reject')),
    decided_by  TEXT,
    decided_at  TEXT,
    PRIMARY KEY (left_id, right_id)
);
CREATE INDEX entity_links_right ON entity_links (right_id);

-- The run's entities: connected components over every mention (before any scope). A
-- request never sees these directly; it re-forms components from its visible members.
CREATE TABLE entities (
    id       INTEGER PRIMARY KEY,
    model_id INTEGER NOT NULL REFERENCES linkage_models (id),
    size     INTEGER NOT NULL
);

-- mention -> entity, with the best match weight that tied the mention in (NULL: alone).
CREATE TABLE entity_members (
    mention_id INTEGER PRIMARY KEY,
    entity_id  INTEGER NOT NULL REFERENCES entities (id),
    weight     REAL
);
CREATE INDEX entity_members_entity ON entity_members (entity_id);
