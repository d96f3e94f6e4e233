"""`lexhub report`: oversight reports over the audit log, as tables with bars, JSON or CSV.

The report itself is built in `lexhub.audit.reports`, which records the read first.
"""

from __future__ import annotations

import csv
import getpass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from lexhub.audit.reports import (
    CSV_COLUMNS,
    Report,
    Tally,
    Viewer,
    build_report,
    report_csv_rows,
)
from lexhub.audit.reports import report_json as to_json
from lexhub.cli.output import JSON_HELP, console, emit_json, opened_store
from lexhub.errors import InputError
from lexhub.model.agency import validate_ori

__all__ = ["bar", "report_command"]

_EIGHTHS = ("", "▏", "▎", "▍", "▌", "▋", "▊", "▉")


def bar(fraction: float, width: int = 24) -> str:
    """A horizontal bar in block characters, to an eighth of a character."""
    eighths = round(max(0.0, min(1.0, fraction)) * width * 8)
    return "█" * (eighths // 8) + _EIGHTHS[eighths % 8]


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except (OSError, KeyError):  # no login name (some containers)
        return "cli"


def _when(text: str, option: str, end: bool) -> datetime:
    """A date (UTC midnight; for --to the end of that day) or an ISO time (UTC if naive)."""
    try:
        if len(text) == 10:
            day = date.fromisoformat(text) + timedelta(days=1 if end else 0)
            return datetime.combine(day, datetime.min.time(), UTC)
        parsed = datetime.fromisoformat(text)
    except ValueError:
        raise InputError(option, None, None, f"{text!r} is not a date (YYYY-MM-DD)") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _show(what: str | Table) -> None:
    """Print without squeezing: into a file or pipe, a table keeps its natural width
    rather than the 80 columns assumed when there is no terminal."""
    out = console
    if not console.is_terminal and isinstance(what, Table):
        wide = console.options.update_width(10_000)
        width = max(console.width, console.measure(what, options=wide).maximum)
        out = Console(highlight=False, width=width)
    out.print(what, soft_wrap=isinstance(what, str))


def _pct(share: float) -> str:
    return f"{share:.1%}"


def _grid(title: str, columns: list[str], rows: list[list[Any]], right: set[str]) -> Table:
    t = Table(title=title, title_justify="left")
    for c in columns:
        t.add_column(c, justify="right" if c in right else "left", no_wrap=c == "bar")
    for r in rows:
        t.add_row(*("" if v is None else str(v) for v in r))
    return t


_NUM = {"searches", "share", "disclosed", "pointers", "blocked", "seq", "score"}


def _tallies(title: str, first: list[str], rows: list[Tally], top: int) -> Table:
    out = []
    for t in rows[:top]:
        keys = [t.key] if len(first) == 1 else [t.key, t.agency]
        out.append([*keys, t.searches, _pct(t.share), bar(t.share), t.disclosed, t.pointers,
                    t.blocked])  # fmt: skip
    more = f" (top {top} of {len(rows)})" if len(rows) > top else ""
    cols = [*first, "searches", "share", "bar", "disclosed", "pointers", "blocked"]
    return _grid(title + more, cols, out, _NUM)


def _print(r: Report, top: int) -> None:
    view = "auditor" if r.viewer.auditor else f"records administrator of {r.viewer.agency}"
    scope = f" of {r.owner}'s data" if r.owner else ""
    start, end = r.start.astimezone(UTC), r.end.astimezone(UTC)
    _show(f"Searches{scope} from {start:%Y-%m-%d %H:%M}Z to {end:%Y-%m-%d %H:%M}Z:"
                  f" {r.searches} (view: {view})")  # fmt: skip
    shares = [[s.owner, s.requester, s.searches, _pct(s.share), bar(s.share)] for s in r.shares]
    title = "Share of all searches of each owner's data, by requesting agency"
    cols = ["owner", "requester", "searches", "share", "bar"]
    _show(_grid(title, cols, shares, _NUM))
    _show(_tallies("By requesting agency", ["agency"], r.by_agency, top))
    _show(_tallies("By user", ["user", "agency"], r.by_user, top))
    _show(_tallies("By purpose", ["purpose"], r.by_purpose, top))
    _show(_tallies("By owner", ["owner"], r.by_owner, top))
    if r.owner is not None:
        rows = [[s["seq"], s["at"], s["agency"], s["user"], s["purpose"], s["case_number"],
                 s["justification"], " ".join(s["fields"]), s["disclosed"], s["pointers"]]
                for s in r.touched]  # fmt: skip
        _show(_grid(f"Every search of {r.owner}'s data",
                            ["seq", "at", "agency", "user", "purpose", "case", "justification",
                             "fields", "disclosed", "pointers"], rows, _NUM))  # fmt: skip
    blocked = [[b.seq, b.at, b.owner, b.agency, b.user, b.purpose, b.case_number,
                b.justification, b.how] for b in r.blocked]  # fmt: skip
    _show(_grid("Attempts blocked by the owner's policy (nothing disclosed)",
                        ["seq", "at", "owner", "agency", "user", "purpose", "case",
                         "justification", "how"], blocked, _NUM))  # fmt: skip
    flags = [[f.kind, f.agency, f.user or "(agency)", f.day, f.score, f.detail]
             for f in r.anomalies]  # fmt: skip
    cols = ["flag", "agency", "user", "day", "score", "detail"]
    _show(_grid("Anomalies against each requester's own history", cols, flags, _NUM))
    changes = [[c.seq, c.at, c.group, c.actor, " ".join(c.added), " ".join(c.removed),
                "\n".join(c.agreements)] for c in r.group_changes]  # fmt: skip
    whose = f"groups {r.owner}'s agreements grant to" if r.owner else "every group"
    _show(_grid(f"Membership changes to {whose}",
                ["seq", "at", "group", "by", "added", "removed", "agreements reached"],
                changes, _NUM))  # fmt: skip


def _write_csv(r: Report, path: Path) -> int:
    rows = report_csv_rows(r)
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=CSV_COLUMNS)
        w.writeheader()
        w.writerows(rows)
    return len(rows)


def report_command(
    ctx: typer.Context,
    start: Annotated[
        str | None,
        typer.Option(
            "--from",
            help="From this date (UTC midnight) or ISO time; default: 30 days before --to.",
        ),
    ] = None,
    end: Annotated[
        str | None,
        typer.Option(
            "--to", help="Through this date (inclusive) or before this ISO time; default: now."
        ),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            help="The records administrator's view of this agency's data (ORI): "
            "every search of it and every attempt its policy blocked."
        ),
    ] = None,
    as_auditor: Annotated[
        bool,
        typer.Option(
            "--as-auditor",
            help="The auditor's view: case numbers and "
            "justifications of every agency; needed without --owner.",
        ),
    ] = False,
    history: Annotated[
        int, typer.Option(help="Days before --from that anomalies are measured against.")
    ] = 90,
    top: Annotated[int, typer.Option(help="Rows per breakdown table (JSON and CSV: all).")] = 20,
    csv_file: Annotated[
        Path | None, typer.Option("--csv", help="Also write every table to this CSV file.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help=JSON_HELP)] = False,
) -> None:
    """Searches and disclosures by agency, user, purpose and owner; shares; blocked attempts;
    anomalies; membership changes of the groups the owner's agreements grant to (this read
    is itself recorded in the audit log)."""
    if owner is None and not as_auditor:
        raise InputError("--owner", None, None,
                         "say whose view this is: --owner ORI or --as-auditor")  # fmt: skip
    if owner is not None:
        try:
            validate_ori(owner)
        except ValueError as e:
            raise InputError("--owner", None, None, str(e)) from None
    if history < 1:
        raise InputError("--history", None, None, f"{history} is not a number of days (>= 1)")
    stop = datetime.now(UTC) if end is None else _when(end, "--to", end=True)
    begin = stop - timedelta(days=30) if start is None else _when(start, "--from", end=False)
    if begin >= stop:
        raise InputError("--from", None, None, "the period is empty (--from is not before --to)")
    viewer = Viewer(agency=owner, auditor=as_auditor)
    with opened_store(ctx) as store:
        r = build_report(
            store, begin, stop, viewer, actor=_actor(), owner=owner, history_days=history
        )
    if csv_file is not None:
        n = _write_csv(r, csv_file)
        if not as_json:
            _show(f"{csv_file}: {n} rows")
    if as_json:
        emit_json(to_json(r))
    else:
        _print(r, top)
