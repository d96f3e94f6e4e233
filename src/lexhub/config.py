"""Settings, built once at an entry point (flags first, then environment) and passed down.

Nothing in lexhub reads `os.environ` at import time; `Settings.from_env` is called by
the CLI and the service only.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields

__all__ = ["DEFAULT_DB", "Settings", "SETTINGS_HELP"]

DEFAULT_DB = "./lexhub.db"

SETTINGS_HELP: dict[str, str] = {
    "db": "Database URL: a file path or sqlite:///path for SQLite (default ./lexhub.db), "
    "postgresql://... for PostgreSQL. Flag --db, environment LEXHUB_DB.",
    "key_dir": "Directory of the node's private keys (the audit signing key), mode 700, never "
    "inside the database or its backups. Flag --key-dir, environment LEXHUB_KEY_DIR; default "
    "lexhub-keys beside a SQLite database, ./lexhub-keys otherwise.",
    "default_phone_region": "Region assumed for phone numbers written without a country "
    "code (ISO 3166 alpha-2). Environment LEXHUB_PHONE_REGION; default US.",
}


@dataclass(frozen=True)
class Settings:
    db: str = DEFAULT_DB
    default_phone_region: str = "US"
    key_dir: str = "./lexhub-keys"
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **flags: str | None) -> Settings:
        """Flags that are not None win over the environment, which wins over defaults."""
        env = os.environ if environ is None else environ
        db = flags.get("db") or env.get("LEXHUB_DB") or DEFAULT_DB
        region = flags.get("default_phone_region") or env.get("LEXHUB_PHONE_REGION") or "US"
        key_dir = flags.get("key_dir") or env.get("LEXHUB_KEY_DIR") or default_key_dir(db)
        return cls(db=db, default_phone_region=region, key_dir=key_dir)


def default_key_dir(db: str) -> str:
    """`lexhub-keys` beside a SQLite database file (each node its own keys), else
    `./lexhub-keys`."""
    if "://" in db and not db.startswith("sqlite:"):
        return "./lexhub-keys"
    path = db.removeprefix("sqlite:///").removeprefix("sqlite://")
    return os.path.join(os.path.dirname(path) or ".", "lexhub-keys")


def documented_settings() -> list[str]:
    return [f.name for f in fields(Settings) if f.name != "extra"]
