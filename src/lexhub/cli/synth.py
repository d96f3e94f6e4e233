"""`lexhub synth`: write a synthetic region (agencies, record files, ground truth)."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lexhub.cli.output import JSON_HELP, console, emit_json
from lexhub.synth import RegionSummary, SynthConfig, write_region


def generate(config: SynthConfig, out: Path, quiet: bool) -> RegionSummary:
    columns = (
        TextColumn("synth"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("records"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, disable=quiet) as bar:
        task = bar.add_task("synth", total=config.records)

        def advance(done: int) -> None:
            bar.update(task, completed=done)

        return write_region(config, out, advance)


def synth(
    out: Annotated[Path, typer.Option("--out", help="Directory to write the region to.")] = Path(
        "synth-region"
    ),
    agencies: Annotated[int, typer.Option(help="Number of contributing agencies.")] = 12,
    people: Annotated[int, typer.Option(help="Number of distinct people in the region.")] = 200_000,
    records: Annotated[
        int, typer.Option(help="Number of records across all agencies.")
    ] = 1_000_000,
    seed: Annotated[
        int, typer.Option(help="Random seed; the same seed writes the same files.")
    ] = 7,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Generate a synthetic region. All people are invented; no real person's data is used."""
    config = SynthConfig(agencies=agencies, people=people, records=records, seed=seed)
    summary = generate(config, out, quiet=as_json)
    data = dataclasses.asdict(summary)
    if as_json:
        emit_json(data)
    else:
        console.print(f"region written to {out}")
        for key, value in data.items():
            console.print(f"  {key}: {value}")
