"""The `lexhub` command: a thin layer over the core. No SQL and no domain rules here."""

from __future__ import annotations

from typing import Annotated

import typer

from lexhub.cli import (
    agency,
    agreement,
    audit,
    demo,
    entity,
    group,
    ingest,
    link,
    peer,
    record,
    report,
    search,
    serve,
    stats,
    synth,
    token,
    user,
)
from lexhub.cli.output import CliState, LexhubGroup
from lexhub.config import SETTINGS_HELP, Settings

__all__ = ["app", "main"]

app = typer.Typer(
    cls=LexhubGroup,
    help="lexhub: a regional law-enforcement information-sharing node.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


@app.callback()
def root(
    ctx: typer.Context,
    db: Annotated[
        str | None, typer.Option("--db", help=SETTINGS_HELP["db"], show_default=False)
    ] = None,
    key_dir: Annotated[
        str | None, typer.Option("--key-dir", help=SETTINGS_HELP["key_dir"], show_default=False)
    ] = None,
) -> None:
    ctx.obj = CliState(Settings.from_env(db=db, key_dir=key_dir))


app.command("init")(stats.init)
app.command("stats")(stats.stats)
app.command("synth")(synth.synth)
app.command("ingest")(ingest.ingest)
app.command("demo")(demo.demo)
app.command("search")(search.search_command)
app.command("report")(report.report_command)
app.add_typer(link.app, name="link")
app.add_typer(agency.app, name="agency")
app.add_typer(record.app, name="record")
app.add_typer(audit.app, name="audit")
app.add_typer(group.app, name="group")
app.add_typer(agreement.app, name="agreement")
app.add_typer(user.app, name="user")
app.add_typer(token.app, name="token")
app.add_typer(peer.app, name="peer")
app.add_typer(entity.app, name="entity")
app.command("serve")(serve.serve)


def main() -> None:
    app()
