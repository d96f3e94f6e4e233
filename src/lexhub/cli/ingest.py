"""`lexhub ingest`: load batch files with a progress bar (records/s, errors so far)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from lexhub.access import audited_load
from lexhub.cli.output import JSON_HELP, console, emit_json, opened_store, state, table
from lexhub.cli.user import actor as cli_actor
from lexhub.errors import InputError
from lexhub.ingest.load import LoadReport
from lexhub.ingest.load import Progress as ProgressFn
from lexhub.store import Store

FORMATS = {".jsonl": "jsonl", ".ndjson": "jsonl", ".csv": "csv", ".xml": "xml"}


def batch_files(paths: list[Path]) -> list[tuple[Path, Path | None]]:
    """Expand directories into their batch files; pair each CSV with its mapping
    (`NAME.mapping.yaml` or `NAME.yaml` beside it)."""
    files: list[Path] = []
    for p in paths:
        if p.is_dir():
            files.extend(
                sorted(f for f in p.iterdir() if f.suffix in FORMATS and ".rejects" not in f.name)
            )
        elif p.exists():
            files.append(p)
        else:
            raise InputError(str(p), None, None, "no such file")
    out: list[tuple[Path, Path | None]] = []
    for f in files:
        mapping = None
        if f.suffix == ".csv":
            mapping = next(
                (m for m in (f.with_suffix(".mapping.yaml"), f.with_suffix(".yaml")) if m.exists()),
                None,
            )
        out.append((f, mapping))
    return out


def count_lines(path: Path) -> int | None:
    """A cheap total for the progress bar: JSON Lines hold one record a line."""
    if FORMATS.get(path.suffix) != "jsonl":
        return None
    n = 0
    with open(path, "rb") as f:
        while chunk := f.read(1 << 22):
            n += chunk.count(b"\n")
    return n


@contextmanager
def progress_bar(quiet: bool) -> Iterator[Progress]:
    columns = (
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[rate]:>8} rec/s"),
        TextColumn("errors {task.fields[errors]}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=False, disable=quiet) as bar:
        yield bar


def load_with_progress(
    store: Store,
    files: list[tuple[Path, Path | None]],
    *,
    quiet: bool,
    region: str,
    snapshot: bool = False,
    skip_invalid: bool = False,
    owner: str | None = None,
    fmt: str | None = None,
    actor: str | None = None,
) -> list[LoadReport]:
    """Load each file as one audited batch (`actor`: who loads it; default the OS user at
    the CLI, `cli:NAME`)."""
    who = actor or cli_actor()
    reports = []
    with progress_bar(quiet) as bar:
        for path, mapping in files:
            task = bar.add_task(path.name, total=count_lines(path), rate="-", errors=0)

            def update(read: int, errors: int, task: TaskID = task) -> None:
                elapsed = bar.tasks[task].elapsed or 0
                rate = f"{read / elapsed:,.0f}" if elapsed > 0 else "-"
                bar.update(task, completed=read, rate=rate, errors=errors)

            callback: ProgressFn = update
            report = audited_load(
                store,
                path,
                actor=who,
                fmt=fmt,
                mapping=mapping,
                owner=owner,
                snapshot=snapshot,
                skip_invalid=skip_invalid,
                region=region,
                progress=callback,
            )
            bar.update(task, completed=report.read, total=report.read)
            reports.append(report)
    return reports


def report_rows(reports: list[LoadReport]) -> list[list[object]]:
    return [
        [
            r.source,
            r.owner,
            r.read,
            r.new,
            r.changed,
            r.unchanged,
            r.retracted,
            r.rejected,
            f"{r.read / r.seconds:,.0f}" if r.seconds else "-",
            "already loaded" if r.already_loaded else "done",
        ]
        for r in reports
    ]


REPORT_COLUMNS = [
    "file",
    "owner",
    "read",
    "new",
    "changed",
    "unchanged",
    "retracted",
    "rejected",
    "rec/s",
    "status",
]


STATISTICS_AFTER = (
    10_000  # records loaded by one command before the planner's statistics are refreshed
)


def ingest(
    ctx: typer.Context,
    paths: Annotated[
        list[Path], typer.Argument(help="Batch files (.jsonl, .csv, .xml) or directories of them.")
    ],
    fmt: Annotated[
        str | None,
        typer.Option("--format", help="jsonl, csv or xml (default: from the extension)."),
    ] = None,
    mapping: Annotated[Path | None, typer.Option(help="YAML mapping for a CSV file.")] = None,
    owner: Annotated[
        str | None, typer.Option(help="Refuse records not owned by this agency.")
    ] = None,
    snapshot: Annotated[
        bool,
        typer.Option(
            "--snapshot",
            help="The batch is the owner's full extract: retract its records missing from it.",
        ),
    ] = False,
    skip_invalid: Annotated[
        bool,
        typer.Option(
            "--skip-invalid",
            help="Load the valid records; write rejected ones with their errors"
            " to FILE.rejects.jsonl.",
        ),
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Load batches of records. A batch with any error is rejected whole unless --skip-invalid.
    Each batch, loaded or rejected, is an entry in the audit log."""
    files = batch_files(paths)
    if mapping is not None:
        files = [(f, mapping) for f, _ in files]
    settings = state(ctx).settings
    with opened_store(ctx) as store:
        reports = load_with_progress(
            store,
            files,
            quiet=as_json,
            region=settings.default_phone_region,
            snapshot=snapshot,
            skip_invalid=skip_invalid,
            owner=owner,
            fmt=fmt,
        )
        if sum(r.written for r in reports) >= STATISTICS_AFTER:
            store.refresh_statistics()  # after the batches are committed: never part of them
    if as_json:
        emit_json(
            [
                {
                    "file": r.source,
                    "batch_id": r.batch_id,
                    "owner": r.owner,
                    **r.counts(),
                    "already_loaded": r.already_loaded,
                    "reject_file": r.reject_file,
                    "seconds": round(r.seconds, 3),
                }
                for r in reports
            ]
        )
        return
    console.print(table("Batches", REPORT_COLUMNS, report_rows(reports)))
    for r in reports:
        if r.reject_file:
            console.print(
                f"{r.rejected} rejected record(s) of {r.source} written to {r.reject_file}"
            )
