"""Oversight reports over the audit log (docs/reports.md).

Who searched whose data, how much, for what purpose, what was disclosed, and each
requester's share of all searches of each owner's data: the figure that, counted too late
elsewhere, showed one requester making most of a department's searches. For one owner
(`owner=`): every search that touched its data and every attempt its policy blocked, the
owner's proof of non-disclosure. Case numbers and justifications are shown to auditors and
to the requesting agency itself, never to other agencies' administrators (`Viewer`).

Reading the log for a report is itself an audited read, committed before anything is read.
A search counts once, on its first page; disclosures and pointers count on every page.
Group membership changes reaching an owner's agreements are listed too (`membership`).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lexhub.audit.anomalies import Flag, Request, Thresholds, find_anomalies
from lexhub.audit.chain import record_event, utc_now
from lexhub.audit.membership import MembershipChange, entries_of, membership_changes
from lexhub.model.audit import AuditEntry, AuditEvent, AuditKind
from lexhub.store import Store

__all__ = [
    "CSV_COLUMNS",
    "WITHHELD",
    "Blocked",
    "MembershipChange",
    "Report",
    "Share",
    "Tally",
    "Viewer",
    "build_report",
    "parse_request",
    "report_csv_rows",
    "report_json",
    "summarize",
]

WITHHELD = "(withheld)"


@dataclass(frozen=True)
class Viewer:
    """Who reads the report: an auditor, or the records administrator of `agency`."""

    agency: str | None = None
    auditor: bool = False

    def may_see_case(self, requesting_agency: str) -> bool:
        """Case numbers and justifications: auditors, and the agency that wrote them."""
        return self.auditor or self.agency == requesting_agency

    def shown(self, requesting_agency: str, value: str | None) -> str | None:
        """`value` (a case number or justification) as this viewer may see it."""
        if value is None or self.may_see_case(requesting_agency):
            return value
        return WITHHELD


@dataclass(frozen=True)
class Tally:
    """One row of a breakdown: `key` names the agency, user, purpose or owner."""

    key: str
    agency: str | None
    searches: int
    share: float  # of all searches in the report
    disclosed: int
    pointers: int
    blocked: int


@dataclass(frozen=True)
class Share:
    """A requester's share of all searches of one owner's data."""

    owner: str
    requester: str
    searches: int
    share: float


@dataclass(frozen=True)
class Blocked:
    seq: int
    at: str
    owner: str
    agency: str
    user: str
    purpose: str
    case_number: str | None
    justification: str | None
    how: str


@dataclass(frozen=True)
class Report:
    start: datetime
    end: datetime
    owner: str | None
    viewer: Viewer
    searches: int
    by_agency: list[Tally]
    by_user: list[Tally]
    by_purpose: list[Tally]
    by_owner: list[Tally]
    shares: list[Share]
    blocked: list[Blocked]
    touched: list[dict[str, Any]]  # owner view: every search of its data, redacted
    anomalies: list[Flag]
    # changes to groups the owner's agreements grant to (auditor: every group change)
    group_changes: list[MembershipChange] = field(default_factory=list)


def parse_request(entry: AuditEntry) -> Request | None:
    """The report's view of a search, denied or rejected entry; None for any other."""
    d = entry.data
    c = d.get("context")
    if d.get("kind") not in ("search", "denied", "rejected") or not c:
        return None
    details = d.get("details", {})
    blocked = set(details.get("blocked_by_owner_policy", ()))
    if d["kind"] == "denied":  # a refused retrieval names the owner(s) it was refused by
        named = details.get("owners", [details["owner"]] if "owner" in details else [])
        blocked |= set(named) | set(d.get("owners_searched", ()))
    return Request(
        seq=entry.seq,
        at=datetime.fromisoformat(d["at"]),
        kind=d["kind"],
        agency=c["agency"],
        user=c["user"],
        role=c.get("role"),
        purpose=c["purpose"],
        iii=c.get("iii"),
        case_number=c.get("case_number"),
        justification=c.get("justification"),
        fields=tuple(d.get("query", {}).get("fields", ())),
        owners_searched=tuple(d.get("owners_searched", ())),
        disclosed=Counter(r["owner"] for r in d.get("disclosed", ())),
        pointers=Counter(r["owner"] for r in d.get("pointers", ())),
        blocked=tuple(sorted(blocked)),
        page=d.get("page"),
        total=d.get("counts", {}).get("total"),
        reason=details.get("reason"),
    )


def _read(store: Store, kind: str, since: datetime, until: datetime) -> list[Request]:
    return [r for r in map(parse_request, entries_of(store, kind, since, until)) if r]


def _zones(store: Store) -> Callable[[str], tzinfo]:
    zones: dict[str, tzinfo] = {}
    for a in store.list_agencies():
        try:
            zones[a.id] = ZoneInfo(a.time_zone)
        except (ZoneInfoNotFoundError, ValueError):
            zones[a.id] = UTC
    return lambda agency: zones.get(agency, UTC)


def build_report(
    store: Store,
    start: datetime,
    end: datetime,
    viewer: Viewer,
    *,
    actor: str,
    owner: str | None = None,
    history_days: int = 90,
    thresholds: Thresholds | None = None,
    now: Callable[[], datetime] = utc_now,
) -> Report:
    """The report for [start, end), as `viewer` may see it, after committing the
    audit-read entry saying who read what (AuditWriteFailed, and nothing read, if not).
    Anomalies compare [start, end) with the `history_days` before `start`."""
    asked = {
        "action": "report",
        "from": start.astimezone(UTC).isoformat(),
        "to": end.astimezone(UTC).isoformat(),
        "history_days": history_days,
        "view": "auditor" if viewer.auditor else f"records-admin:{viewer.agency}",
    }
    if owner is not None:
        asked["owner"] = owner
    record_event(store, AuditEvent(AuditKind.AUDIT_READ, actor=actor, details=asked), now=now)
    since = start - timedelta(days=history_days)
    searches = _read(store, "search", since, end)
    history = [r for r in searches if r.at < start]
    window = [r for r in searches if r.at >= start]
    window += _read(store, "denied", start, end) + _read(store, "rejected", start, end)
    window.sort(key=lambda r: r.seq)
    report = summarize(
        history, window, start, end, viewer, owner, _zones(store), thresholds or Thresholds()
    )
    changes = membership_changes(store, start, end, owner, store.policy_snapshot())
    return replace(report, group_changes=changes)


def _attempt(r: Request) -> bool:
    """A request as asked (a later page of a search repeats its blocked owners)."""
    return r.is_search or r.kind == "denied"


def _touches(r: Request, owner: str) -> bool:
    return owner in r.owners_searched or owner in r.blocked


def summarize(
    history: list[Request],
    window: list[Request],
    start: datetime,
    end: datetime,
    viewer: Viewer,
    owner: str | None,
    zone: Callable[[str], tzinfo],
    thresholds: Thresholds,
) -> Report:
    """The report from parsed requests (pure: `build_report` does the reading). For an
    owner view only requests touching `owner` count, and only its records disclosed."""
    if owner is not None:
        history = [r for r in history if _touches(r, owner)]
        window = [r for r in window if _touches(r, owner)]

    def counted(r: Request) -> bool:  # a request blocked by the owner searched none of its data
        return r.is_search and (owner is None or owner in r.owners_searched)

    searches = [r for r in window if counted(r)]
    total = len(searches)

    def tally(key: Callable[[Request], Iterable[tuple[str, str | None]]]) -> list[Tally]:
        n: Counter[tuple[str, str | None]] = Counter()
        disc: Counter[tuple[str, str | None]] = Counter()
        ptr: Counter[tuple[str, str | None]] = Counter()
        blk: Counter[tuple[str, str | None]] = Counter()
        for r in window:
            blocked = _attempt(r) and (owner in r.blocked if owner else bool(r.blocked))
            for k in key(r):
                n[k] += counted(r)
                disc[k] += r.disclosed[owner] if owner else r.disclosed.total()
                ptr[k] += r.pointers[owner] if owner else r.pointers.total()
                blk[k] += blocked
        rows = [
            Tally(k[0], k[1], n[k], n[k] / total if total else 0.0, disc[k], ptr[k], blk[k])
            for k in n
        ]
        return sorted(rows, key=lambda t: (-t.searches, -t.blocked, t.key, t.agency or ""))

    by_owner = _by_owner(window, owner, total)
    return Report(
        start=start,
        end=end,
        owner=owner,
        viewer=viewer,
        searches=total,
        by_agency=tally(lambda r: [(r.agency, None)]),
        by_user=tally(lambda r: [(r.user, r.agency)]),
        by_purpose=tally(lambda r: [(r.purpose, None)]),
        by_owner=by_owner,
        shares=_shares(searches, owner),
        blocked=_blocked(window, owner, viewer),
        touched=[] if owner is None else _touched(searches, owner, viewer),
        anomalies=find_anomalies(
            [r for r in history if counted(r)], searches, start, zone, thresholds
        ),
    )


def _by_owner(window: list[Request], owner: str | None, total: int) -> list[Tally]:
    n: Counter[str] = Counter()
    disc: Counter[str] = Counter()
    ptr: Counter[str] = Counter()
    blk: Counter[str] = Counter()
    for r in window:
        for o in r.owners_searched:
            n[o] += r.is_search
        disc.update(r.disclosed)
        ptr.update(r.pointers)
        if _attempt(r):
            blk.update(r.blocked)
    keys = set(n) | set(disc) | set(ptr) | set(blk)
    if owner is not None:
        keys &= {owner}
    rows = [Tally(o, None, n[o], n[o] / total if total else 0.0, disc[o], ptr[o], blk[o])
            for o in keys]  # fmt: skip
    return sorted(rows, key=lambda t: (-t.searches, t.key))


def _shares(searches: list[Request], owner: str | None) -> list[Share]:
    """Each requesting agency's share of all searches of each owner's data."""
    per: dict[str, Counter[str]] = defaultdict(Counter)
    for r in searches:
        for o in r.owners_searched:
            if owner is None or o == owner:
                per[o][r.agency] += 1
    rows = []
    for o, counts in per.items():
        n = sum(counts.values())
        rows += [Share(o, a, c, c / n) for a, c in counts.items()]
    return sorted(rows, key=lambda s: (s.owner, -s.searches, s.requester))


def _blocked(window: list[Request], owner: str | None, viewer: Viewer) -> list[Blocked]:
    rows = []
    for r in window:
        for o in r.blocked if _attempt(r) else ():
            if owner is not None and o != owner:
                continue
            how = "owner policy" if r.kind == "search" else f"{r.kind}: {r.reason or '-'}"
            rows.append(
                Blocked(r.seq, _iso(r.at), o, r.agency, r.user, r.purpose,
                        viewer.shown(r.agency, r.case_number),
                        viewer.shown(r.agency, r.justification), how)
            )  # fmt: skip
    return rows


def _touched(searches: list[Request], owner: str, viewer: Viewer) -> list[dict[str, Any]]:
    return [
        {
            "seq": r.seq,
            "at": _iso(r.at),
            "agency": r.agency,
            "user": r.user,
            "role": r.role,
            "purpose": r.purpose,
            "iii": r.iii,
            "case_number": viewer.shown(r.agency, r.case_number),
            "justification": viewer.shown(r.agency, r.justification),
            "fields": [f for f in r.fields if f != "kind"],
            "disclosed": r.disclosed[owner],
            "pointers": r.pointers[owner],
        }
        for r in searches
        if owner in r.owners_searched
    ]


def _iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def report_json(report: Report) -> dict[str, Any]:
    """The report as JSON-ready values (shares as fractions, 0..1)."""
    return {
        "from": _iso(report.start),
        "to": _iso(report.end),
        "owner": report.owner,
        "viewer": asdict(report.viewer),
        "searches": report.searches,
        "by_agency": [asdict(t) for t in report.by_agency],
        "by_user": [asdict(t) for t in report.by_user],
        "by_purpose": [asdict(t) for t in report.by_purpose],
        "by_owner": [asdict(t) for t in report.by_owner],
        "shares": [asdict(s) for s in report.shares],
        "blocked": [asdict(b) for b in report.blocked],
        "searches_of_owner": report.touched,
        "anomalies": [asdict(f) for f in report.anomalies],
        "group_changes": [asdict(c) for c in report.group_changes],
    }


CSV_COLUMNS = [
    "section", "key", "owner", "agency", "user", "purpose", "at", "searches", "share",
    "disclosed", "pointers", "blocked", "case_number", "justification", "detail",
]  # fmt: skip


def report_csv_rows(report: Report) -> list[dict[str, Any]]:
    """Every table of the report as rows of one CSV (`CSV_COLUMNS`; `section` names the
    table), so one file loads into a spreadsheet and filters by section."""
    rows: list[dict[str, Any]] = []
    for section, tallies in (
        ("agency", report.by_agency), ("user", report.by_user),
        ("purpose", report.by_purpose), ("owner", report.by_owner),
    ):  # fmt: skip
        for t in tallies:
            rows.append({"section": section, "key": t.key, "agency": t.agency,
                         "searches": t.searches, "share": round(t.share, 4),
                         "disclosed": t.disclosed, "pointers": t.pointers,
                         "blocked": t.blocked})  # fmt: skip
    for s in report.shares:
        rows.append({"section": "share", "key": s.requester, "owner": s.owner,
                     "agency": s.requester, "searches": s.searches,
                     "share": round(s.share, 4)})  # fmt: skip
    for b in report.blocked:
        rows.append({"section": "blocked", "key": b.seq, "owner": b.owner, "agency": b.agency,
                     "user": b.user, "purpose": b.purpose, "at": b.at,
                     "case_number": b.case_number, "justification": b.justification,
                     "detail": b.how})  # fmt: skip
    for x in report.touched:
        rows.append({"section": "search", "key": x["seq"], "owner": report.owner,
                     "agency": x["agency"], "user": x["user"], "purpose": x["purpose"],
                     "at": x["at"], "disclosed": x["disclosed"], "pointers": x["pointers"],
                     "case_number": x["case_number"], "justification": x["justification"],
                     "detail": " ".join(x["fields"])})  # fmt: skip
    for f in report.anomalies:
        rows.append({"section": "anomaly", "key": f.kind, "agency": f.agency, "user": f.user,
                     "at": f.day, "detail": f.detail})  # fmt: skip
    for c in report.group_changes:
        rows.append({"section": "group-change", "key": c.seq, "owner": " ".join(c.owners),
                     "agency": c.group, "user": c.actor, "at": c.at,
                     "detail": _change_text(c)})  # fmt: skip
    return [{c: row.get(c) for c in CSV_COLUMNS} for row in rows]


def _change_text(c: MembershipChange) -> str:
    """A membership change in words, for the CSV's `detail` and the CLI's table."""
    parts = [f"added {' '.join(c.added)}" if c.added else "",
             f"removed {' '.join(c.removed)}" if c.removed else "",
             f"reaches {'; '.join(c.agreements)}" if c.agreements else ""]  # fmt: skip
    return "; ".join(p for p in parts if p) or c.action
