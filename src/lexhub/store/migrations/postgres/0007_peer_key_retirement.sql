-- lexhub schema 7 (postgres): retired peer keys (issue 5 review). See docs/federation.md.

-- When a peer's new federation key is registered, its older keys are retired: a signature
-- by a retired key is refused (audited as unknown-key), so a key the peer rotated away from,
-- perhaps because it leaked, stops opening this node. The row stays: audit entries name it.
ALTER TABLE peer_keys ADD COLUMN retired_at timestamptz;
