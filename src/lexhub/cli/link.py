"""`lexhub link`: resolve person mentions into entities (lexhub.linkage): a full run, an
incremental run over the mentions loaded since, and the review queue of pairs near the
threshold with its audited accept/reject."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from lexhub.cli.output import JSON_HELP, LexhubGroup, console, emit_json, opened_store, table
from lexhub.cli.search import (
    CaseOption,
    ContextOptions,
    JustificationOption,
    PurposeOption,
    RoleOption,
    TokenOption,
)
from lexhub.linkage import LinkOptions, link_mentions
from lexhub.linkage.backend import SparkOptions
from lexhub.linkage.incremental import link_new
from lexhub.linkage.review import decide, review_queue

STEPS = 5  # reading, training, scoring, clustering, saving (link_mentions' steps)
INCREMENTAL_STEPS = 3  # reading, scoring new mentions, saving (link_new's steps)

app = typer.Typer(
    cls=LexhubGroup,
    help="Link person mentions into entities; review the pairs near the threshold.",
)

JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_HELP)]
Left = Annotated[int, typer.Argument(help="One mention id of the pair (from `link review`).")]
Right = Annotated[int, typer.Argument(help="The other mention id of the pair.")]
Reason = Annotated[
    str | None,
    typer.Option(help="Why, for the audit log (kept forever: a reference, never personal data)."),
]


def _progress(quiet: bool) -> Progress:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeElapsedColumn())  # fmt: skip
    return Progress(*columns, console=console, disable=quiet)


@app.callback(invoke_without_command=True)
def link_command(
    ctx: typer.Context,
    threshold: Annotated[
        float | None,
        typer.Option(
            help="Link pairs at or above this match weight instead of the rule in "
            "docs/linkage.md (weight 4: posterior odds 16 to 1). Full runs only.",
            show_default=False,
        ),
    ] = None,
    seed: Annotated[int, typer.Option(help="Seed of the random pairs that estimate u.")] = 7,
    incremental: Annotated[
        bool,
        typer.Option(
            "--incremental",
            help="Link only the mentions in no entity yet (loaded since the last run) with "
            "the model in force: no re-training, old pairs not re-scored.",
        ),
    ] = False,
    backend: Annotated[
        str,
        typer.Option(
            help="Where Splink runs: duckdb (in process) or spark (PySpark from the spark "
            "extra, and Java; docs/linkage.md). Full runs only."
        ),
    ] = "duckdb",
    spark_master: Annotated[
        str, typer.Option(help="The Spark master with --backend spark, e.g. spark://host:7077.")
    ] = "local[1]",
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    as_json: JsonFlag = False,
) -> None:
    """Link every indexed person mention into entities from scratch: train the model
    without labels, score pairs, cluster, and save model, edges and entities. Human
    accept/reject decisions on pairs are kept. `--incremental` links only new mentions."""
    if ctx.invoked_subcommand is not None:
        return
    total = INCREMENTAL_STEPS if incremental else STEPS
    with opened_store(ctx) as store, _progress(quiet or as_json) as bar:
        task = bar.add_task("linking", total=total)

        def step(what: str) -> None:
            bar.update(task, description=what, completed=min(bar.tasks[0].completed + 1, total))

        if incremental:
            new = link_new(store, step)
        else:
            opts = LinkOptions(seed=seed, threshold=threshold, backend=backend,
                               spark=SparkOptions(master=spark_master))  # fmt: skip
            result = link_mentions(store, opts, step)
        bar.update(task, description="done", completed=total)
    if incremental:
        if as_json:
            emit_json(asdict(new))
            return
        console.print(
            table(
                "Incremental linkage",
                ["model", "new mentions", "pairs scored", "links", "started", "joined",
                 "merged"],
                [[new.model_id, new.new_mentions, new.pairs, new.links, new.started, new.joined,
                  new.merged]],
            )
        )  # fmt: skip
        return
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


@app.command("review")
def review(
    ctx: typer.Context,
    token: TokenOption = None,
    purpose: PurposeOption = None,
    case: CaseOption = None,
    justification: JustificationOption = None,
    role: RoleOption = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many pairs at most.")] = 20,
    as_json: JsonFlag = False,
) -> None:
    """The pairs nearest the threshold that nobody decided yet, closest first, with the
    evidence in words: for a records administrator or analyst, only pairs whose two
    mentions they may see. Audited before it is shown."""
    asked = ContextOptions(token, purpose, case, justification, role, command="link review")
    asked.check()
    with opened_store(ctx) as store:
        items = review_queue(store, asked.context(store), limit=limit)
    if as_json:
        emit_json([{**asdict(i), "linked": i.linked} for i in items])
        return
    if not items:
        console.print("no pairs to review")
    for i in items:
        verdict = "linked" if i.linked else "not linked"
        console.print(f"[bold]{i.left.mention_id} {i.right.mention_id}[/bold]  weight "
                      f"{i.weight:+.2f} ({verdict}, threshold {i.threshold:+.2f})")  # fmt: skip
        for s in (i.left, i.right):
            said = f"{s.owner}/{s.source_id} {s.record_type}  {s.name}  dob {s.dob or '-'}"
            console.print(escape(f"  {s.mention_id}: {said}  sex {s.sex or '-'}"))
        for line in i.evidence:
            console.print(escape(f"    {line}"))


def _decide(ctx: typer.Context, asked: ContextOptions, left: int, right: int, decision: str,
            reason: str | None, as_json: bool) -> None:  # fmt: skip
    asked.check()
    with opened_store(ctx) as store:
        change = decide(store, asked.context(store), left, right, decision, reason=reason)
    if as_json:
        emit_json({"left": min(left, right), "right": max(left, right), "decision": decision,
                   **asdict(change)})  # fmt: skip
    else:
        console.print(f"{decision}ed the pair {min(left, right)} {max(left, right)}: "
                      f"{change.before} entit{'y' if change.before == 1 else 'ies'} now "
                      f"{change.after}")  # fmt: skip


def _decision(decision: str, doc: str) -> Callable[..., None]:
    """The `accept` or `reject` command: the same options, one decision."""

    def command(
        ctx: typer.Context,
        left: Left,
        right: Right,
        reason: Reason = None,
        token: TokenOption = None,
        purpose: PurposeOption = None,
        case: CaseOption = None,
        justification: JustificationOption = None,
        role: RoleOption = None,
        as_json: JsonFlag = False,
    ) -> None:
        asked = ContextOptions(token, purpose, case, justification, role,
                               command=f"link {decision}")  # fmt: skip
        _decide(ctx, asked, left, right, decision, reason, as_json)

    command.__doc__ = doc
    return command


app.command("accept")(
    _decision(
        "accept",
        """Accept a pair as one person: their entities merge at once, and every later run
    keeps the pair linked. Audited with the decision.""",
    )
)
app.command("reject")(
    _decision(
        "reject",
        """Reject a pair: it never links again by its weight, and the entity splits at once
    where that pair held it together. Audited with the decision.""",
    )
)
