-- lexhub schema 4 (postgres): users, roles, credentials, API tokens (issue 4, lexhub.identity).
-- No secret is stored in clear but, without a key file, the TOTP seed (docs/identity.md):
-- passwords are argon2id hashes, API tokens SHA-256 digests of a 256-bit random value.

CREATE TABLE users (
    username            text PRIMARY KEY,
    agency              text NOT NULL REFERENCES agencies(id),
    display_name        text NOT NULL DEFAULT '',
    oversight           boolean NOT NULL DEFAULT false,
    created_at          timestamptz NOT NULL,
    disabled_at         timestamptz,
    password_hash       text,
    password_changed_at timestamptz,
    failed_logins       integer NOT NULL DEFAULT 0,
    locked_until        timestamptz,
    last_login_at       timestamptz,
    totp_secret         text,
    totp_enrolled_at    timestamptz,
    totp_last_step      bigint
);
CREATE INDEX users_agency ON users (agency);

CREATE TABLE user_roles (
    username text NOT NULL REFERENCES users(username),
    role     text NOT NULL CHECK (role IN
             ('investigator', 'analyst', 'records-admin', 'auditor', 'node-admin')),
    PRIMARY KEY (username, role)
);

CREATE TABLE api_tokens (
    id           text PRIMARY KEY,
    username     text NOT NULL REFERENCES users(username),
    name         text NOT NULL,
    token_hash   text NOT NULL,
    created_at   timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
CREATE INDEX api_tokens_user ON api_tokens (username);
