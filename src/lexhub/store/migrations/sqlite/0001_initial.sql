-- lexhub schema 1 (SQLite). Index rows (mentions, *_keys, narratives) exist only for
-- ACTIVE records; versions keep every version's content until it is expunged.

CREATE TABLE agencies (
    id            TEXT PRIMARY KEY,            -- ORI-style, 9 characters
    name          TEXT NOT NULL,
    state         TEXT NOT NULL,
    kind          TEXT NOT NULL,
    time_zone     TEXT NOT NULL,
    contact_unit  TEXT NOT NULL,
    contact_phone TEXT,
    contact_email TEXT
);

CREATE TABLE batches (
    id          TEXT PRIMARY KEY,
    owner       TEXT,
    source      TEXT NOT NULL,
    status      TEXT NOT NULL,                 -- 'running' inside its transaction, then 'done'
    started_at  TEXT NOT NULL,
    finished_at TEXT,
    counts      TEXT                           -- JSON object of counts
);

-- One row per (owner, source_id): the current state. type/sensitivity/occurred are
-- copies of the current version's content for filters; NULL once expunged.
CREATE TABLE records (
    id          INTEGER PRIMARY KEY,
    owner       TEXT NOT NULL REFERENCES agencies(id),
    source_id   TEXT NOT NULL,
    type        TEXT,
    status      TEXT NOT NULL CHECK (status IN ('active', 'retracted', 'expunged')),
    version     INTEGER NOT NULL,
    digest      TEXT,                          -- current version's digest; NULL once expunged
    sensitivity TEXT,
    occurred    TEXT,                          -- YYYY-MM-DD
    batch_id    TEXT,                          -- batch that last changed the state
    updated_at  TEXT NOT NULL,
    UNIQUE (owner, source_id)
);

CREATE TABLE record_versions (
    record_id INTEGER NOT NULL REFERENCES records(id),
    version   INTEGER NOT NULL,
    content   TEXT,                            -- canonical JSON; NULL once expunged
    digest    TEXT NOT NULL,
    batch_id  TEXT,
    loaded_at TEXT NOT NULL,
    PRIMARY KEY (record_id, version)
);

-- Person mentions of the current version of active records: scoring columns, plus
-- owner/type/sensitivity copied from the record so candidate generation can apply the
-- caller's scope without a join.
CREATE TABLE mentions (
    id          INTEGER PRIMARY KEY,
    record_id   INTEGER NOT NULL REFERENCES records(id),
    owner       TEXT NOT NULL,
    type        TEXT NOT NULL,
    sensitivity TEXT NOT NULL,
    ref         TEXT NOT NULL,
    role        TEXT NOT NULL,
    last        TEXT,
    first       TEXT,
    middle      TEXT,
    dob         TEXT,
    dob_year    INTEGER,
    sex         TEXT,
    race        TEXT,
    height_in   INTEGER,
    weight_lb   INTEGER,
    keys        TEXT NOT NULL              -- JSON [[kind, key], ...]: what to delete from mention_keys
);
CREATE INDEX mentions_record ON mentions (record_id);

-- Blocking keys. The primary key serves `kind = ? AND key = ?` and, with
-- PRAGMA case_sensitive_like = ON (set on every connection), `key LIKE 'prefix%'`,
-- and is the table itself (WITHOUT ROWID). There is deliberately no index on
-- mention_id: deletion looks the rows up by their full key, listed in mentions.keys,
-- which keeps ingest to one b-tree insert per key.
CREATE TABLE mention_keys (
    kind       TEXT NOT NULL,
    key        TEXT NOT NULL,
    mention_id INTEGER NOT NULL,
    PRIMARY KEY (kind, key, mention_id)
) WITHOUT ROWID;

CREATE TABLE record_keys (
    kind      TEXT NOT NULL,
    key       TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    PRIMARY KEY (kind, key, record_id)
) WITHOUT ROWID;
CREATE INDEX record_keys_record ON record_keys (record_id);

-- Narrative full text; rowid = records.id.
CREATE VIRTUAL TABLE narratives USING fts5 (body, tokenize = 'unicode61 remove_diacritics 2');

-- Digests of expunged content: a feed that sends the same content again is refused.
CREATE TABLE expunged_digests (
    digest      TEXT PRIMARY KEY,
    record_id   INTEGER NOT NULL,
    expunged_at TEXT NOT NULL
);
