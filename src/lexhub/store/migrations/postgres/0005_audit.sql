-- lexhub schema 5 (postgres): the hash-chained audit log, its erasable side table, checkpoints
-- and audit keys (issue 4, lexhub.audit). Placeholder until they land; replace this statement.
SELECT 1;
