-- lexhub schema 9 (sqlite): console sessions (issue 6, lexhub.service.console).
-- Only the SHA-256 of a session id is kept: the cookie's value never reaches the database.

CREATE TABLE console_sessions (
    id_hash      TEXT PRIMARY KEY,                        -- SHA-256 hex of the cookie's id
    username     TEXT NOT NULL REFERENCES users(username),
    stage        TEXT NOT NULL CHECK (stage IN ('enrol', 'full')),
    created_at   TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,                           -- the idle lock counts from here
    expires_at   TEXT NOT NULL                            -- absolute end, whatever the use
);
CREATE INDEX console_sessions_seen ON console_sessions (last_seen_at);
