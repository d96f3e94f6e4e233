-- lexhub schema 4 (sqlite): users, roles, credentials, API tokens (issue 4, lexhub.identity).
-- No secret is stored in clear but, without a key file, the TOTP seed (docs/identity.md):
-- passwords are argon2id hashes, API tokens SHA-256 digests of a 256-bit random value.

CREATE TABLE users (
    username            TEXT PRIMARY KEY,                 -- lower case, [a-z0-9._-]
    agency              TEXT NOT NULL REFERENCES agencies(id),
    display_name        TEXT NOT NULL DEFAULT '',
    oversight           INTEGER NOT NULL DEFAULT 0 CHECK (oversight IN (0, 1)),
    created_at          TEXT NOT NULL,
    disabled_at         TEXT,
    password_hash       TEXT,                             -- argon2id PHC string
    password_changed_at TEXT,
    failed_logins       INTEGER NOT NULL DEFAULT 0,       -- since the last success or lockout
    locked_until        TEXT,
    last_login_at       TEXT,
    totp_secret         TEXT,                             -- 'aesgcm1:...' sealed or 'plain:...'
    totp_enrolled_at    TEXT,
    totp_last_step      INTEGER                           -- last accepted time step: no reuse
);
CREATE INDEX users_agency ON users (agency);

CREATE TABLE user_roles (
    username TEXT NOT NULL REFERENCES users(username),
    role     TEXT NOT NULL CHECK (role IN
             ('investigator', 'analyst', 'records-admin', 'auditor', 'node-admin')),
    PRIMARY KEY (username, role)
);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY,                        -- the public part of the token
    username     TEXT NOT NULL REFERENCES users(username),
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL,                           -- SHA-256 hex of the whole token
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL,
    revoked_at   TEXT,
    last_used_at TEXT
);
CREATE INDEX api_tokens_user ON api_tokens (username);
