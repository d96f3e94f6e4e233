-- lexhub schema 4 (postgres): users, roles, credentials, API tokens (issue 4, lexhub.identity).
-- Placeholder until the identity tables land; replace this statement.
SELECT 1;
