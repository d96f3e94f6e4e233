"""`lexhub link`: resolve person mentions into entities (lexhub.linkage)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lexhub.cli.output import JSON_HELP, console, emit_json, opened_store, table
from lexhub.linkage import LinkOptions, link_mentions

STEPS = 5  # reading, training, scoring, clustering, saving (link_mentions' steps)


def link_command(
    ctx: typer.Context,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Link pairs at or above this match weight instead of the rule in "
            "docs/linkage.md (weight 4: posterior odds 16 to 1).",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random pairs that estimate u.")] = 7,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Link every indexed person mention into entities from scratch: train the model
    without labels, score pairs, cluster, and save model, edges and entities. Human
    accept/reject decisions on pairs are kept."""
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    )
    with (
        opened_store(ctx) as store,
        Progress(*columns, console=console, disable=quiet or as_json) as bar,
    ):
        task = bar.add_task("linking", total=STEPS)

        def step(what: str) -> None:
            bar.update(task, description=what, completed=min(bar.tasks[0].completed + 1, STEPS))

        result = link_mentions(store, LinkOptions(seed=seed, threshold=threshold), step)
        bar.update(task, description="done", completed=STEPS)
    if as_json:
        emit_json(asdict(result))
        return
    console.print(
        table(
            "Linkage",
            ["model", "threshold", "mentions", "pairs scored", "links", "entities"],
            [
                [
                    result.model_id,
                    f"{result.threshold:+.2f}",
                    result.mentions,
                    result.pairs,
                    result.links,
                    result.entities,
                ]
            ],
        )  # fmt: skip
    )
