"""The oversight dashboard: searches over time by requester and purpose, each requester's
share of the searches of each owner's data, the owner's "who searched our data" view with
the attempts its policy blocked, and the anomaly flags, each as an inline SVG chart
(charts.py) beside a table of the same numbers.

The numbers are `lexhub.audit.reports.build_report`'s, as `GET /api/v1/reports` gives them
(its audit-read entry committed first): an oversight body's auditor sees every agency and
may pick an owner's view; a records administrator or an agency's auditor always sees its
own agency's. The series over time reuse the report's own `summarize`, a day at a time,
over the searches of the period just read, so they count exactly what the report counts.
"""

from datetime import UTC, datetime, time, timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from lexhub.audit.anomalies import Thresholds
from lexhub.audit.membership import entries_of
from lexhub.audit.reports import Report, Tally, Viewer, build_report, parse_request, summarize
from lexhub.errors import AccessDenied, LexhubError, QueryError
from lexhub.identity import Principal
from lexhub.model import UserRole
from lexhub.service.console.charts import Bar, bar_chart, series_chart
from lexhub.service.console.pages import Console, ConsoleUser
from lexhub.service.console.screens import OVERSIGHT
from lexhub.store import Store

__all__ = ["MAX_DAYS", "oversight_router"]

MAX_DAYS = 92  # one bar a day stays readable up to a quarter
HISTORY_DAYS = 90


def _date(value: str, name: str) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.combine(datetime.strptime(value, "%Y-%m-%d").date(), time(), UTC)
    except ValueError:
        raise QueryError(name, f"{value!r} is not a date (YYYY-MM-DD)") from None


def viewer_of(principal: Principal, owner: str | None) -> tuple[Viewer, str | None]:
    """The API's rule: an oversight auditor reads every agency (an owner's view if asked);
    anyone else its own agency's view, and AccessDenied for another's."""
    auditor = principal.oversight and UserRole.AUDITOR in principal.roles
    if not auditor:
        if owner not in (None, principal.agency):
            raise AccessDenied(f"{principal.username} reads {principal.agency}'s report")
        owner = principal.agency
    return Viewer(agency=owner, auditor=auditor), owner


def daily(store: Store, report: Report) -> tuple[list[str], dict[str, list[Tally]]]:
    """Each day of the report's period and the report's tallies for it (by requester and
    by purpose), from the searches the report read."""
    searches = [r for r in map(parse_request, entries_of(store, "search", report.start,
                                                          report.end)) if r]  # fmt: skip
    days, per_day = [], {}
    day = report.start
    while day < report.end:
        end = min(day + timedelta(days=1), report.end)
        part = summarize([], [r for r in searches if day <= r.at < end], day, end,
                         report.viewer, report.owner, lambda _: UTC, Thresholds())  # fmt: skip
        days.append(day.date().isoformat())
        per_day[days[-1]] = [*part.by_agency, *part.by_purpose]
        day = end
    return days, per_day


def _series(days: list[str], per_day: dict[str, list[Tally]], keys: list[str]
            ) -> list[tuple[str, list[int]]]:  # fmt: skip
    count = {(d, t.key): t.searches for d in days for t in per_day[d]}
    return [(k, [count.get((d, k), 0) for d in days]) for k in keys]


def charts(report: Report, days: list[str], per_day: dict[str, list[Tally]]) -> dict[str, Any]:
    """The dashboard's charts (SVG markup) and the rows of their tables."""
    agencies = [t.key for t in report.by_agency if t.searches]
    purposes = [t.key for t in report.by_purpose if t.searches]
    by_requester = _series(days, per_day, agencies)
    by_purpose = _series(days, per_day, purposes)
    owners = sorted({s.owner for s in report.shares})
    return {
        "over_requester": series_chart("Searches a day by requesting agency", days, by_requester),
        "over_purpose": series_chart("Searches a day by purpose", days, by_purpose),
        "series_rows": [(d, [v[i] for _, v in by_requester], [v[i] for _, v in by_purpose])
                        for i, d in enumerate(days)],  # fmt: skip
        "agencies": agencies, "purposes": purposes,
        "share_charts": [(o, bar_chart(
            f"Share of the searches of {o}'s data by requesting agency",
            [Bar(s.requester, s.share, f"{s.share:.0%} ({s.searches})")
             for s in report.shares if s.owner == o], scale=1.0,
        )) for o in owners],
        "blocked_chart": bar_chart("Blocked attempts by requesting agency", [
            Bar(t.key, t.blocked, str(t.blocked)) for t in report.by_agency if t.blocked
        ]),
        "anomaly_chart": bar_chart("Anomaly flags by strangeness (score)", [
            Bar(f"{f.kind} {f.user or f.agency}{' ' + f.day if f.day else ''}", f.score,
                f"{f.score:.1f}") for f in report.anomalies
        ]),
    }  # fmt: skip


def oversight_router(console: Console) -> APIRouter:
    router = APIRouter(include_in_schema=False)
    Reader = Annotated[ConsoleUser, Depends(console.signed_in(OVERSIGHT))]  # noqa: N806

    @router.get(OVERSIGHT.path)
    def dashboard(request: Request, user: Reader, start: str = "", end: str = "",
                  owner: str = "") -> Response:  # fmt: skip
        form = {"start": start, "end": end, "owner": owner.strip()}
        ctx: dict[str, Any] = {}
        try:
            stop = _date(end, "end")
            stop = stop + timedelta(days=1) if stop else console.now()
            begin = _date(start, "start") or stop - timedelta(days=30)
            if begin >= stop:
                raise QueryError("start", "the period is empty (start is after end)")
            if stop - begin > timedelta(days=MAX_DAYS):
                raise QueryError("start", f"choose at most {MAX_DAYS} days")
            viewer, chosen = viewer_of(user.principal, form["owner"] or None)
            with console.opener() as store:
                report = build_report(store, begin, stop, viewer, actor=user.principal.username,
                                      owner=chosen, history_days=HISTORY_DAYS)  # fmt: skip
                days, per_day = daily(store, report)
            ctx = {"report": report, **charts(report, days, per_day)}
        except LexhubError as e:
            ctx = {"error": str(e), "status": e.http_status}
        return console.render(request, "oversight.html", user, form=form,
                              status=ctx.pop("status", 200), **ctx)  # fmt: skip

    return router
