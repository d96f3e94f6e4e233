"""`lexhub demo`: a demo node on SQLite with a synthetic region, from nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from lexhub.cli.agency import agencies_from_file
from lexhub.cli.ingest import REPORT_COLUMNS, batch_files, load_with_progress, report_rows
from lexhub.cli.output import console, opened_store, state, table
from lexhub.cli.stats import stats as print_stats
from lexhub.cli.synth import generate
from lexhub.synth import SynthConfig


def demo(
    ctx: typer.Context,
    out: Annotated[
        Path, typer.Option("--out", help="Where the synthetic region's files go.")
    ] = Path("demo-data"),
    agencies: Annotated[int, typer.Option(help="Contributing agencies.")] = 12,
    people: Annotated[int, typer.Option(help="Distinct people.")] = 20_000,
    records: Annotated[int, typer.Option(help="Records.")] = 100_000,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 7,
) -> None:
    """Initialize the database, generate a synthetic region, ingest it, print a summary.

    Safe to run twice: the region is the same for the same seed, so the second load
    finds every record unchanged."""
    config = SynthConfig(agencies=agencies, people=people, records=records, seed=seed)
    console.rule("1. synthetic region")
    generate(config, out, quiet=False)
    console.rule(f"2. database {state(ctx).settings.db}")
    with opened_store(ctx, migrate=True) as store:
        with store.transaction() as tx:
            for agency in agencies_from_file(out / "agencies.json"):
                tx.put_agency(agency)
            tx.commit()
        console.rule("3. ingest")
        reports = load_with_progress(
            store, batch_files([out]), quiet=False, region=state(ctx).settings.default_phone_region
        )
    console.print(table("Batches", REPORT_COLUMNS, report_rows(reports)))
    console.rule("4. summary")
    print_stats(ctx)
