-- lexhub schema 9 (postgres): console sessions (issue 6, lexhub.service.console).
-- Only the SHA-256 of a session id is kept: the cookie's value never reaches the database.

CREATE TABLE console_sessions (
    id_hash      text PRIMARY KEY,
    username     text NOT NULL REFERENCES users(username),
    stage        text NOT NULL CHECK (stage IN ('enrol', 'full')),
    created_at   timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL
);
CREATE INDEX console_sessions_seen ON console_sessions (last_seen_at);
