"""What every command shares: the settings from the root options, JSON output, errors."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import typer
from rich.console import Console
from rich.table import Table
from typer.core import TyperGroup

from lexhub.config import Settings
from lexhub.errors import LexhubError
from lexhub.store import Store, open_store

__all__ = [
    "CliState",
    "LexhubGroup",
    "console",
    "emit_json",
    "err_console",
    "opened_store",
    "table",
]

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)

JSON_HELP = "Print machine-readable JSON instead of tables."


@dataclass
class CliState:
    settings: Settings


class LexhubGroup(TyperGroup):
    """Turns every LexhubError, from any command, into `Error: ...` on stderr and exit 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except LexhubError as e:
            typer.echo(f"Error: {e}", err=True)
            raise typer.Exit(1) from None


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    obj = root.obj
    if not isinstance(obj, CliState):
        obj = CliState(Settings.from_env())
        root.obj = obj
    return obj


@contextmanager
def opened_store(ctx: typer.Context, migrate: bool = False) -> Iterator[Store]:
    """The node's store. Commands other than `init`/`demo` expect an initialized database."""
    settings = state(ctx).settings
    with open_store(settings.db) as store:
        if migrate:
            store.migrate()
        elif store.schema_version() == 0:
            raise LexhubError(f"{settings.db} is not a lexhub database yet: run `lexhub init`")
        yield store


def emit_json(value: Any) -> None:
    typer.echo(json.dumps(value, indent=2, ensure_ascii=False, default=str))


def table(title: str | None, columns: list[str], rows: list[list[Any]]) -> Table:
    t = Table(title=title, title_justify="left")
    for name in columns:
        numeric = rows and all(isinstance(r[columns.index(name)], int | float) for r in rows)
        t.add_column(name, justify="right" if numeric else "left")
    for row in rows:
        t.add_row(*("" if v is None else str(v) for v in row))
    return t
