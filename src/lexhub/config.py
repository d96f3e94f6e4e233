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
    "default_phone_region": "Region assumed for phone numbers written without a country "
    "code (ISO 3166 alpha-2). Environment LEXHUB_PHONE_REGION; default US.",
}


@dataclass(frozen=True)
class Settings:
    db: str = DEFAULT_DB
    default_phone_region: str = "US"
    extra: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, **flags: str | None) -> Settings:
        """Flags that are not None win over the environment, which wins over defaults."""
        env = os.environ if environ is None else environ
        db = flags.get("db") or env.get("LEXHUB_DB") or DEFAULT_DB
        region = flags.get("default_phone_region") or env.get("LEXHUB_PHONE_REGION") or "US"
        return cls(db=db, default_phone_region=region)


def documented_settings() -> list[str]:
    return [f.name for f in fields(Settings) if f.name != "extra"]
