"""Anomaly flags: each requester measured against its OWN history, never a fixed quota.

A fixed threshold ("more than 100 searches a day") is wrong both ways: it never fires for
the analyst whose usual is 5 and who suddenly runs 90, and it fires every day for a
records unit whose usual is 300. So every flag compares a request window with the same
user's or agency's history before it (docs/reports.md):

- volume: a local day's searches against the subject's daily counts over the history
  (median and MAD, with a Poisson floor so a perfectly steady history is not infinitely
  sensitive); raised when the robust z-score reaches `z` and the day has `min_volume`.
- off-hours: searches at local hours (the agency's time zone) in which the user's history
  has (almost) nothing, with an hour of margin either side.
- sweep: bulk queries that enumerate people rather than look one up (a date-of-birth range
  without a name, an address alone, a bare name matching many records), judged per local
  day like volume; classified from the field names and counts in the chained entry, since
  the terms themselves live in the erasable side table and may be gone.
- purpose-shift: total variation distance between the purpose mix in the window and in the
  history, with enough requests on both sides for the distance to mean something.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo

__all__ = [
    "Flag",
    "Request",
    "Thresholds",
    "find_anomalies",
    "robust_z",
    "sweep_pattern",
    "total_variation",
]

_NAME = frozenset({"last", "first", "middle", "alias"})
_IDENT = frozenset(
    {"dob", "phone", "state_id", "driver_license", "plate", "mark", "text", "offense"}
)
_RANGE = frozenset({"dob_from", "dob_to", "age_min", "age_max"})
_PLACE = frozenset({"address", "location"})


@dataclass(frozen=True)
class Request:
    """What the reports need from one search, denied or rejected entry (no terms)."""

    seq: int
    at: datetime  # UTC
    kind: str
    agency: str
    user: str
    role: str | None
    purpose: str
    iii: str | None
    case_number: str | None
    justification: str | None
    fields: tuple[str, ...] = ()
    owners_searched: tuple[str, ...] = ()
    disclosed: Counter[str] = field(default_factory=Counter)  # owner -> records disclosed
    pointers: Counter[str] = field(default_factory=Counter)  # owner -> pointers given
    blocked: tuple[str, ...] = ()  # owners whose policy refused it
    page: int | None = None
    total: int | None = None
    reason: str | None = None  # for denied and rejected entries

    @property
    def is_search(self) -> bool:
        """A search as the requester asked it: page 1 (later pages are the same search)."""
        return self.kind == "search" and (self.page or 1) == 1


@dataclass(frozen=True)
class Thresholds:
    """How far from usual counts as unusual; defaults documented in docs/reports.md."""

    z: float = 5.0  # robust z-score for volume and sweeps
    min_volume: int = 10  # a day with fewer searches is never "far above usual"
    min_sweep: int = 10  # sweep-like queries in a day before they are "in bulk"
    min_history_days: int = 7
    min_history_searches: int = 30  # for usual hours
    usual_hour_share: float = 0.02
    min_mix_searches: int = 20  # window searches for a purpose-mix comparison
    min_mix_history: int = 50
    mix_distance: float = 0.3  # total variation distance
    common_name_hits: int = 20  # a bare-name query matching at least this many records


@dataclass(frozen=True)
class Flag:
    kind: str  # volume, off-hours, sweep, purpose-shift
    agency: str
    user: str | None  # None for an agency-level flag
    day: str | None  # local date (YYYY-MM-DD) for daily flags
    observed: float
    usual: float
    score: float  # z-score, searches off hours, or distance: larger is stranger
    detail: str


def robust_z(history: Sequence[int], count: int) -> tuple[float, float]:
    """(median, z) of `count` against daily `history`: z = (count - median) / scale with
    scale = max(1.4826 * MAD, sqrt(median), 1), the Poisson floor keeping a steady
    history of 10 a day from flagging 12."""
    med = statistics.median(history) if history else 0.0
    mad = statistics.median([abs(h - med) for h in history]) if history else 0.0
    scale = max(1.4826 * mad, math.sqrt(med), 1.0)
    return float(med), (count - med) / scale


def total_variation(p: Counter[str], q: Counter[str]) -> float:
    """Half the L1 distance between two distributions given as counts (0 same, 1 disjoint)."""
    np, nq = sum(p.values()), sum(q.values())
    if not np or not nq:
        return 0.0
    return 0.5 * sum(abs(p[k] / np - q[k] / nq) for k in set(p) | set(q))


def sweep_pattern(fields: Iterable[str], total: int | None, t: Thresholds) -> str | None:
    """The enumerating shape of a query, if any: dob-range, address-only or common-name."""
    f = set(fields) - {"kind"}
    if f & _RANGE and not f & (_NAME | _IDENT | _PLACE):
        return "dob-range"
    if f & _PLACE and not f & (_NAME | _IDENT | _RANGE):
        return "address-only"
    if f & _NAME and not f & (_IDENT | _RANGE | _PLACE) and (total or 0) >= t.common_name_hits:
        return "common-name"
    return None


Subject = tuple[str, str | None]  # (agency, user or None for the agency itself)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _daily_flags(
    kind: str,
    history: dict[Subject, Counter[date]],
    window: dict[Subject, Counter[date]],
    last_history_day: Callable[[str], date],
    floor: int,
    t: Thresholds,
    need_history: bool,
    what: str,
) -> list[Flag]:
    flags = []
    for (agency, user), days in sorted(window.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        past = history.get((agency, user), Counter())
        span = _days(min(past), last_history_day(agency)) if past else []
        if need_history and len(span) < t.min_history_days:
            continue  # too new to have a usual
        counts = [past[d] for d in span]
        for day, n in sorted(days.items()):
            med, z = robust_z(counts, n)
            if n >= floor and z >= t.z:
                flags.append(
                    Flag(kind, agency, user, day.isoformat(), n, med, round(z, 1),
                         f"{n} {what} on {day}, usually {med:g} a day")
                )  # fmt: skip
    return flags


def find_anomalies(
    history: Sequence[Request],
    window: Sequence[Request],
    start: datetime,
    zone: Callable[[str], tzinfo],
    t: Thresholds | None = None,
) -> list[Flag]:
    """Flags for the searches in `window` against the searches in `history` (all before
    `start`); `zone(agency)` is the agency's time zone, in which days and hours are read."""
    t = t or Thresholds()
    hist = [r for r in history if r.is_search]
    win = [r for r in window if r.is_search]

    def local(r: Request) -> datetime:
        return r.at.astimezone(zone(r.agency))

    def last_day(agency: str) -> date:
        return (start - timedelta(microseconds=1)).astimezone(zone(agency)).date()

    def by_day(reqs: list[Request], pattern: str | None = None) -> dict[Subject, Counter[date]]:
        out: dict[Subject, Counter[date]] = defaultdict(Counter)
        for r in reqs:
            if pattern is None or sweep_pattern(r.fields, r.total, t) == pattern:
                d = local(r).date()
                out[(r.agency, r.user)][d] += 1
                if pattern is None:
                    out[(r.agency, None)][d] += 1
        return out

    flags = _daily_flags(
        "volume", by_day(hist), by_day(win), last_day, t.min_volume, t, True, "searches"
    )
    for pattern in ("dob-range", "address-only", "common-name"):
        # A first day of sweeping is a sweep all the same: no history counts as none.
        flags += _daily_flags(
            "sweep", by_day(hist, pattern), by_day(win, pattern), last_day, t.min_sweep, t,
            False, f"{pattern} queries",
        )  # fmt: skip
    flags += _off_hours(hist, win, local, t)
    flags += _purpose_shift(hist, win, t)
    return flags


def _off_hours(
    hist: list[Request], win: list[Request], local: Callable[[Request], datetime], t: Thresholds
) -> list[Flag]:
    hours: dict[Subject, Counter[int]] = defaultdict(Counter)
    for r in hist:
        hours[(r.agency, r.user)][local(r).hour] += 1
    odd: dict[Subject, Counter[int]] = defaultdict(Counter)
    usual_of: dict[Subject, set[int]] = {}
    for r in win:
        key = (r.agency, r.user)
        past = hours.get(key)
        if past is None or sum(past.values()) < t.min_history_searches:
            continue
        if key not in usual_of:
            n = sum(past.values())
            core = {h for h, c in past.items() if c >= max(2, t.usual_hour_share * n)}
            usual_of[key] = {(h + d) % 24 for h in core for d in (-1, 0, 1)}
        hour = local(r).hour
        if hour not in usual_of[key]:
            odd[key][hour] += 1
    flags = []
    for (agency, user), counts in sorted(odd.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")):
        n = sum(counts.values())
        usual = sorted(usual_of[(agency, user)])
        at = ", ".join(f"{h:02d}h x{c}" for h, c in sorted(counts.items()))
        flags.append(
            Flag("off-hours", agency, user, None, n, len(usual), n,
                 f"{n} searches outside usual hours ({_hour_span(usual)}): {at}")
        )  # fmt: skip
    return flags


def _hour_span(hours: list[int]) -> str:
    """Usual hours as ranges, e.g. 07-18h."""
    if not hours:
        return "none"
    runs: list[list[int]] = []
    for h in hours:
        if runs and h == runs[-1][-1] + 1:
            runs[-1].append(h)
        else:
            runs.append([h])
    return ", ".join(f"{r[0]:02d}-{r[-1] + 1:02d}h" for r in runs)


def _purpose_shift(hist: list[Request], win: list[Request], t: Thresholds) -> list[Flag]:
    mixes: dict[Subject, tuple[Counter[str], Counter[str]]] = defaultdict(
        lambda: (Counter(), Counter())
    )
    for side, reqs in ((0, hist), (1, win)):
        for r in reqs:
            mixes[(r.agency, r.user)][side][r.purpose] += 1
            mixes[(r.agency, None)][side][r.purpose] += 1
    flags = []
    for (agency, user), (past, now) in sorted(
        mixes.items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
    ):
        if sum(past.values()) < t.min_mix_history or sum(now.values()) < t.min_mix_searches:
            continue
        tv = total_variation(now, past)
        if tv < t.mix_distance:
            continue
        np, nq = sum(now.values()), sum(past.values())
        rose = max(now, key=lambda k: now[k] / np - past[k] / nq)
        flags.append(
            Flag("purpose-shift", agency, user, None, round(now[rose] / np, 3),
                 round(past[rose] / nq, 3), round(tv, 3),
                 f"{rose}: {now[rose] / np:.0%} of searches, usually {past[rose] / nq:.0%}"
                 f" (distance {tv:.2f})")
        )  # fmt: skip
    return flags
