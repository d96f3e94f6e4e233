-- lexhub schema 3 (postgres): agreements, owner policies, groups (issue 4, lexhub.policy).
-- Nothing here is ever updated in place but a membership's removed_at: every change to
-- an agreement or owner policy is a new row of policy_versions, so history stays.

CREATE TABLE agency_groups (
    name        text PRIMARY KEY,
    description text,
    created_at  timestamptz NOT NULL
);

-- One row per period of membership; the current members have removed_at NULL.
CREATE TABLE group_members (
    group_name text NOT NULL REFERENCES agency_groups(name),
    agency     text NOT NULL REFERENCES agencies(id),
    added_at   timestamptz NOT NULL,
    removed_at timestamptz
);
CREATE UNIQUE INDEX group_members_current ON group_members (group_name, agency)
    WHERE removed_at IS NULL;
CREATE INDEX group_members_agency ON group_members (agency);

-- Every version of every agreement ("doc_id" = its id) and owner policy ("owner-policy:ORI").
-- action 'apply': source is the YAML as written, body the parsed document as canonical JSON
-- (what evaluation reads); action 'revoke': both NULL, and the document is no longer in force.
CREATE TABLE policy_versions (
    doc_id     text NOT NULL,
    version    integer NOT NULL,
    kind       text NOT NULL CHECK (kind IN ('agreement', 'owner-policy')),
    owner      text NOT NULL REFERENCES agencies(id),
    action     text NOT NULL CHECK (action IN ('apply', 'revoke')),
    source     text,
    body       text,
    applied_at timestamptz NOT NULL,
    applied_by text,
    PRIMARY KEY (doc_id, version)
);
CREATE INDEX policy_versions_owner ON policy_versions (owner);
