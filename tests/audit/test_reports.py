"""Oversight reports on both engines: shares, blocked attempts, redaction by viewer, and
each anomaly flag raised by a constructed history and not by a steady one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from lexhub.audit import append_entry, commit_audited
from lexhub.audit.anomalies import Thresholds, robust_z, sweep_pattern, total_variation
from lexhub.audit.reports import WITHHELD, Report, Viewer, build_report, report_csv_rows
from lexhub.model import Purpose, RequestContext, UserRole
from lexhub.model.agency import Agency, Contact
from lexhub.model.audit import AuditEvent, AuditFilter, AuditKind, RecordRef
from lexhub.model.codes import AgencyKind
from lexhub.store import Store

OWNER = "WA0171500"
OTHER_OWNER = "WA0172000"
R1, R2, R3 = "WA0170000", "WA0173000", "US0000100"
LA = ZoneInfo("America/Los_Angeles")
START = datetime(2026, 3, 15, tzinfo=LA)  # a local midnight after the DST change of Mar 8
END = START + timedelta(days=1)
NAME_DOB = ("kind", "last", "first", "dob")


def ctx(user: str, agency: str, purpose: Purpose = Purpose.CRIMINAL_INVESTIGATION,
        case: str = "24-0001") -> RequestContext:  # fmt: skip
    return RequestContext(user, agency, UserRole.INVESTIGATOR, purpose, case)


def search(
    user: str,
    agency: str,
    owners: Sequence[str],
    *,
    purpose: Purpose = Purpose.CRIMINAL_INVESTIGATION,
    case: str = "24-0001",
    fields: Sequence[str] = NAME_DOB,
    disclosed: Sequence[str] = (),
    blocked: Sequence[str] = (),
    page: int = 1,
    total: int = 1,
) -> AuditEvent:
    return AuditEvent(
        AuditKind.SEARCH,
        context=ctx(user, agency, purpose, case),
        query={f: "x" for f in fields},
        owners_searched=tuple(owners),
        disclosed=tuple(RecordRef(o, f"R-{i}", "incident") for i, o in enumerate(disclosed)),
        counts={"hits": len(disclosed), "total": total},
        details={"blocked_by_owner_policy": list(blocked)} if blocked else {},
        page=page,
    )


def append(store: Store, items: Sequence[tuple[datetime, AuditEvent]]) -> None:
    """Chain many entries in one transaction, each at its own time."""
    with store.transaction() as tx:
        for at, event in items:
            append_entry(store, event, now=lambda at=at: at)  # type: ignore[misc]
        commit_audited(tx)


def agencies(store: Store) -> None:
    with store.transaction() as tx:
        for ori in (OWNER, OTHER_OWNER, R1, R2, R3):
            tx.put_agency(Agency(ori, ori, ori[:2], AgencyKind.POLICE, "America/Los_Angeles",
                                 Contact("Records")))  # fmt: skip
        tx.commit()


def report(store: Store, viewer: Viewer, owner: str | None = None) -> Report:
    return build_report(store, START, END, viewer, actor="cli:test", owner=owner,
                        history_days=14, now=lambda: END)  # fmt: skip


@pytest.fixture
def shares_log(store: Store) -> Store:
    """In the period: R1 makes 77 of the 100 searches of OWNER's data, R2 15, OWNER 8 of
    its own; R2 also searches OTHER_OWNER alone 5 times; R3's civil-immigration searches
    are blocked by OWNER's policy 4 times and one retrieval is denied; R1 reads 3 later
    pages (not new searches, but more disclosures)."""
    agencies(store)
    t = START + timedelta(hours=9)
    items: list[tuple[datetime, AuditEvent]] = []

    def add(e: AuditEvent) -> None:
        nonlocal t
        t += timedelta(seconds=30)
        items.append((t, e))

    for i in range(77):
        add(search(f"r1-{i % 3}", R1, [OWNER, R1], case=f"R1-{i}", disclosed=[OWNER]))
    for _ in range(3):
        add(search("r1-0", R1, [OWNER, R1], disclosed=[OWNER, OWNER], page=2))
    for _ in range(15):
        add(search("r2", R2, [OWNER, OTHER_OWNER, R2], case="R2-CASE"))
    for _ in range(8):
        add(search("own", OWNER, [OWNER], case="OWN-CASE", disclosed=[OWNER]))
    for _ in range(5):
        add(search("r2", R2, [OTHER_OWNER, R2], case="R2-CASE"))
    for _ in range(4):
        add(search("ice", R3, [R3], purpose=Purpose.CIVIL_IMMIGRATION_ENFORCEMENT,
                   case="IMM-9", blocked=[OWNER]))  # fmt: skip
    add(AuditEvent(AuditKind.DENIED, context=ctx("ice", R3, case="IMM-10"),
                   details={"owner": OWNER,
                            "reason": "owner policy: prohibited purpose"}))  # fmt: skip
    items.append((START - timedelta(hours=1), search("early", R2, [OWNER])))  # before the period
    items.sort(key=lambda x: x[0])
    append(store, items)
    return store


def test_requester_share_of_an_owners_searches(shares_log: Store) -> None:
    r = report(shares_log, Viewer(auditor=True))
    shares = {(s.owner, s.requester): (s.searches, s.share) for s in r.shares}
    assert shares[(OWNER, R1)] == (77, pytest.approx(0.77))
    assert shares[(OWNER, R2)] == (15, pytest.approx(0.15))
    assert shares[(OWNER, OWNER)] == (8, pytest.approx(0.08))
    assert shares[(OTHER_OWNER, R2)] == (20, pytest.approx(1.0))
    by_owner = {t.key: t for t in r.by_owner}
    assert (by_owner[OWNER].searches, by_owner[OWNER].disclosed, by_owner[OWNER].blocked) == (
        100, 77 + 6 + 8, 5,
    )  # fmt: skip
    assert r.searches == 77 + 15 + 8 + 5 + 4
    by_agency = {t.key: t for t in r.by_agency}
    assert by_agency[R1].searches == 77 and by_agency[R3].blocked == 5
    assert {t.key for t in r.by_purpose} == {"criminal-investigation",
                                             "civil-immigration-enforcement"}  # fmt: skip


def test_owner_view_lists_its_searches_and_blocked_attempts(shares_log: Store) -> None:
    r = report(shares_log, Viewer(agency=OWNER), owner=OWNER)
    assert len(r.touched) == 100  # page 2s are not searches; OTHER_OWNER-only ones left out
    assert Counter(s["agency"] for s in r.touched) == {R1: 77, R2: 15, OWNER: 8}
    assert [(b.agency, b.purpose, b.how[:12]) for b in r.blocked] == [
        (R3, "civil-immigration-enforcement", "owner policy")
    ] * 4 + [(R3, "criminal-investigation", "denied: owne")]
    assert [t.key for t in r.by_owner] == [OWNER]
    assert {s.requester for s in r.shares} == {R1, R2, OWNER}


def test_case_numbers_are_withheld_from_other_agencies_administrators(shares_log: Store) -> None:
    admin = report(shares_log, Viewer(agency=OWNER), owner=OWNER)
    cases = {s["agency"]: s["case_number"] for s in admin.touched}
    assert cases == {R1: WITHHELD, R2: WITHHELD, OWNER: "OWN-CASE"}
    assert {b.case_number for b in admin.blocked} == {WITHHELD}
    auditor = report(shares_log, Viewer(auditor=True), owner=OWNER)
    assert {b.case_number for b in auditor.blocked} == {"IMM-9", "IMM-10"}
    assert {s["case_number"] for s in auditor.touched if s["agency"] == R2} == {"R2-CASE"}
    csv_cases = {row["case_number"] for row in report_csv_rows(admin) if row["agency"] == R1}
    assert csv_cases <= {WITHHELD, None} and WITHHELD in csv_cases


def test_viewer_redaction_rule() -> None:
    assert Viewer(auditor=True).shown(R1, "24-1") == "24-1"
    assert Viewer(agency=R1).shown(R1, "24-1") == "24-1"
    assert Viewer(agency=OWNER).shown(R1, "24-1") == WITHHELD
    assert Viewer(agency=OWNER).shown(R1, None) is None


def test_a_report_is_an_audited_read(shares_log: Store) -> None:
    report(shares_log, Viewer(agency=OWNER), owner=OWNER)
    reads = shares_log.audit_entries(AuditFilter(kind="audit-read"), 10)
    assert len(reads) == 1
    d = reads[0].data
    assert d["actor"] == "cli:test"
    assert d["details"]["action"] == "report" and d["details"]["owner"] == OWNER
    assert d["details"]["view"] == f"records-admin:{OWNER}"


def _day_times(day: datetime, n: int, hours: Sequence[int]) -> list[datetime]:
    return [day.replace(hour=hours[i % len(hours)], minute=(7 * i) % 60) for i in range(n)]


@pytest.fixture
def behaviour_log(store: Store) -> Store:
    """Fourteen days of steady daytime history (local time, Los Angeles) for five users of
    R1, then one day in which four of them behave unlike themselves."""
    agencies(store)
    day_hours = list(range(9, 17))
    users = ["steady", "surge", "night", "sweeper", "shifter"]
    items: list[tuple[datetime, AuditEvent]] = []
    for d in range(14, 0, -1):
        day = START - timedelta(days=d)
        for u in users:
            for at in _day_times(day, 8 + d % 5, day_hours):
                items.append((at, search(u, R1, [OWNER])))
    window = [
        ("steady", _day_times(START, 11, day_hours), NAME_DOB, Purpose.CRIMINAL_INVESTIGATION),
        ("surge", _day_times(START, 80, day_hours), NAME_DOB, Purpose.CRIMINAL_INVESTIGATION),
        ("night", _day_times(START, 6, [2, 3]), NAME_DOB, Purpose.CRIMINAL_INVESTIGATION),
        ("sweeper", _day_times(START, 12, day_hours), ("kind", "dob_from", "dob_to"),
         Purpose.CRIMINAL_INVESTIGATION),
        ("shifter", _day_times(START, 15, day_hours), NAME_DOB,
         Purpose.CIVIL_IMMIGRATION_ENFORCEMENT),
        ("shifter", _day_times(START, 5, day_hours), NAME_DOB, Purpose.CRIMINAL_INVESTIGATION),
    ]  # fmt: skip
    for user, times, fields, purpose in window:
        items += [(at, search(user, R1, [OWNER], fields=fields, purpose=purpose)) for at in times]
    items.sort(key=lambda x: x[0])
    append(store, items)
    return store


def test_each_anomaly_flag_against_the_users_own_history(behaviour_log: Store) -> None:
    r = report(behaviour_log, Viewer(auditor=True))
    flags = {(f.kind, f.user) for f in r.anomalies if f.user is not None}
    assert flags == {
        ("volume", "surge"),
        ("off-hours", "night"),
        ("sweep", "sweeper"),
        ("purpose-shift", "shifter"),
    }
    surge = next(f for f in r.anomalies if f.kind == "volume" and f.user == "surge")
    assert (surge.day, surge.observed, surge.usual) == ("2026-03-15", 80, 10)
    night = next(f for f in r.anomalies if f.kind == "off-hours")
    assert night.observed == 6 and "02h x3, 03h x3" in night.detail
    sweep = next(f for f in r.anomalies if f.kind == "sweep")
    assert "dob-range" in sweep.detail
    shift = next(f for f in r.anomalies if f.kind == "purpose-shift" and f.user == "shifter")
    assert shift.detail.startswith("civil-immigration-enforcement: 75%")


def test_a_steady_history_raises_no_flag(store: Store) -> None:
    agencies(store)
    items = []
    for d in range(14, -1, -1):  # day 0 is the period itself, just like the others
        day = START - timedelta(days=d)
        items += [(at, search("steady", R1, [OWNER])) for at in
                  _day_times(day, 8 + d % 5, list(range(8, 18)))]  # fmt: skip
    append(store, sorted(items, key=lambda x: x[0]))
    assert report(store, Viewer(auditor=True)).anomalies == []


def test_robust_z_has_a_poisson_floor() -> None:
    assert robust_z([10] * 14, 12) == (10, pytest.approx(2 / 10**0.5))
    assert robust_z([10] * 14, 80)[1] > 20
    assert robust_z([], 3) == (0, 3)


def test_sweep_patterns_from_field_names() -> None:
    t = Thresholds()
    assert sweep_pattern(["kind", "dob_from", "dob_to"], 500, t) == "dob-range"
    assert sweep_pattern(["kind", "dob_from", "last"], 5, t) is None
    assert sweep_pattern(["kind", "address"], 3, t) == "address-only"
    assert sweep_pattern(["kind", "location", "record_type"], 3, t) == "address-only"
    assert sweep_pattern(["kind", "last"], 400, t) == "common-name"
    assert sweep_pattern(["kind", "last"], 2, t) is None
    assert sweep_pattern(["kind", "last", "dob"], 400, t) is None


def test_total_variation() -> None:
    assert total_variation(Counter(a=5), Counter(a=50)) == 0
    assert total_variation(Counter(a=5), Counter(b=5)) == 1
    assert total_variation(Counter(a=3, b=1), Counter(a=1, b=1)) == pytest.approx(0.25)
