-- lexhub schema 8 (postgres): entity resolution (issue 7, lexhub.linkage). See docs/linkage.md.

-- One row per `lexhub link` run: the Splink model (settings with the m and u estimated by EM,
-- as JSON) and the match-weight threshold chosen without labels. The newest row is in force.
CREATE TABLE linkage_models (
    id         bigint PRIMARY KEY,
    created_at timestamptz NOT NULL,
    threshold  double precision NOT NULL,                 -- match weight at or above which a pair links
    model      TEXT NOT NULL,                 -- Splink settings JSON with trained parameters
    counts     TEXT NOT NULL                  -- JSON: mentions, pairs, links, entities
);

-- Scored pairwise edges kept from the run (weight at or above the review floor), so that an
-- entity can be formed per request from the mentions the requester may see and the edges
-- between them only. `levels`: JSON {comparison: gamma} for the evidence (waterfall).
-- `decision`: a human's accept/reject, kept through later runs (the review queue, part 2).
CREATE TABLE entity_links (
    left_id     bigint NOT NULL,             -- mentions.id, left_id < right_id
    right_id    bigint NOT NULL,
    weight      double precision NOT NULL,
    probability double precision NOT NULL,
    levels      TEXT NOT NULL,
    decision    TEXT CHECK (decision IN ('accept', 'reject')),
    decided_by  TEXT,
    decided_at  timestamptz,
    PRIMARY KEY (left_id, right_id)
);
CREATE INDEX entity_links_right ON entity_links (right_id);

-- The run's entities: connected components over every mention (before any scope). A
-- request never sees these directly; it re-forms components from its visible members.
CREATE TABLE entities (
    id       bigint PRIMARY KEY,
    model_id bigint NOT NULL REFERENCES linkage_models (id),
    size     bigint NOT NULL
);

-- mention -> entity, with the best match weight that tied the mention in (NULL: alone).
CREATE TABLE entity_members (
    mention_id bigint PRIMARY KEY,
    entity_id  bigint NOT NULL REFERENCES entities (id),
    weight     double precision
);
CREATE INDEX entity_members_entity ON entity_members (entity_id);
