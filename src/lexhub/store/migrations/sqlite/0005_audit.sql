-- lexhub schema 5 (sqlite): the hash-chained audit log, its erasable side table, checkpoints
-- and audit keys (issue 4, lexhub.audit). See docs/audit.md.

-- One row per entry. `body` is the entry's canonical JSON (RFC 8785), the only source of
-- truth; kind/at/agency/username are copies for filtering. hash = SHA-256(prev_hash || body).
CREATE TABLE audit_entries (
    seq       INTEGER PRIMARY KEY,             -- 1, 2, 3, ... without gaps
    at        TEXT NOT NULL,                   -- ISO 8601 UTC
    kind      TEXT NOT NULL,
    agency    TEXT,
    username  TEXT,
    body      TEXT NOT NULL,
    prev_hash TEXT NOT NULL,                   -- hex
    hash      TEXT NOT NULL                    -- hex
);
CREATE INDEX audit_entries_at ON audit_entries (at);
CREATE INDEX audit_entries_agency ON audit_entries (agency, at);

-- Append-only: no command updates or deletes an entry. (Anyone who can drop a trigger can
-- still try; `lexhub audit verify` and the signed checkpoints catch what they do.)
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN
    SELECT RAISE(ABORT, 'audit entries are append-only');
END;

-- The chain head, one row. Appends serialize on the writer lock (BEGIN IMMEDIATE).
CREATE TABLE audit_head (
    id   INTEGER PRIMARY KEY CHECK (id = 1),
    seq  INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');

-- Query terms that are personal data, referenced from the chained entry by
-- digest = SHA-256(nonce || canonical terms). Erasing a row (retention, expungement) drops
-- the nonce too, so the digest left in the chain cannot be confirmed by guessing terms.
CREATE TABLE audit_query_terms (
    digest     TEXT PRIMARY KEY,
    seq        INTEGER NOT NULL,
    nonce      TEXT NOT NULL,                  -- hex
    terms      TEXT NOT NULL,                  -- canonical JSON
    created_at TEXT NOT NULL
);
CREATE INDEX audit_query_terms_created ON audit_query_terms (created_at);

-- Public halves of every audit key ever used; the active one has retired_at NULL.
CREATE TABLE audit_keys (
    key_id     TEXT PRIMARY KEY,
    public_key TEXT NOT NULL,                  -- raw Ed25519 public key, base64
    created_at TEXT NOT NULL,
    retired_at TEXT
);

CREATE TABLE audit_checkpoints (
    id        INTEGER PRIMARY KEY,
    size      INTEGER NOT NULL,                -- entries covered: seq 1..size
    head      TEXT NOT NULL,                   -- hash of entry `size`
    at        TEXT NOT NULL,
    key_id    TEXT NOT NULL,
    signature TEXT NOT NULL                    -- Ed25519 over the checkpoint text, base64
);
