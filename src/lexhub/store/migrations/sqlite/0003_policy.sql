-- lexhub schema 3 (sqlite): agreements, owner policies, groups (issue 4, lexhub.policy).
-- Placeholder until the policy tables land; replace this statement.
SELECT 1;
