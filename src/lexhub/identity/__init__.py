"""Identity: users of agencies, roles, passwords (argon2id), TOTP second factor, lockout and
API tokens (issue 4)."""
