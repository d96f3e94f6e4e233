-- lexhub schema 6 (sqlite): federation (issue 5, lexhub.federation). See docs/federation.md.

-- Registered peers. A removed peer keeps its row (removed_at set) so audit entries that name
-- it stay explained; adding it again clears removed_at.
CREATE TABLE peers (
    name       TEXT PRIMARY KEY,              -- the peer's own node name (keyid prefix)
    url        TEXT NOT NULL,                 -- base URL, e.g. https://node-b.example:8443
    added_at   TEXT NOT NULL,
    removed_at TEXT
);

-- Every federation public key a peer has used; old ones stay (key rotation).
CREATE TABLE peer_keys (
    peer       TEXT NOT NULL REFERENCES peers (name),
    key_id     TEXT NOT NULL,
    public_key TEXT NOT NULL,                 -- raw Ed25519 public key, base64
    added_at   TEXT NOT NULL,
    PRIMARY KEY (peer, key_id)
);

-- The agencies (ORIs) a peer may speak for: any other claimed agency is refused.
CREATE TABLE peer_agencies (
    peer   TEXT NOT NULL REFERENCES peers (name),
    agency TEXT NOT NULL,
    PRIMARY KEY (peer, agency)
);

-- Nonces of accepted signed requests, kept until the signature could no longer be fresh,
-- so a replayed request is refused.
CREATE TABLE peer_nonces (
    peer       TEXT NOT NULL,
    nonce      TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (peer, nonce)
);
CREATE INDEX peer_nonces_expires ON peer_nonces (expires_at);

-- Audit checkpoints peers sent us (witnessing): kept as received, never changed.
CREATE TABLE peer_checkpoints (
    id          INTEGER PRIMARY KEY,
    peer        TEXT NOT NULL,
    size        INTEGER NOT NULL,
    head        TEXT NOT NULL,
    at          TEXT NOT NULL,
    key_id      TEXT NOT NULL,
    signature   TEXT NOT NULL,
    received_at TEXT NOT NULL
);
CREATE INDEX peer_checkpoints_peer ON peer_checkpoints (peer, size);
